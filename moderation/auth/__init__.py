"""Moderator accounts, sign-in and signed-in sessions, all kept in the comment store.

- ``accounts``: add, remove, list accounts (argon2id hashes, roles); import an old JSON
  moderators file;
- ``signin``: check a name and password, with a lockout per account and per source address,
  and one answer and one password check whatever was wrong (no name is revealed);
- ``sessions``: server-side sessions behind an unguessable token (only its SHA-256 is
  stored), with idle and absolute expiry; signing out or removing an account ends them in
  every UI process.
"""
from moderation.auth.accounts import (
    MAX_NAME_CHARS,
    MIN_PASSWORD_CHARS,
    ROLES,
    Moderator,
    account_of,
    add_moderator,
    add_moderator_as,
    check_name,
    import_file,
    list_moderators,
    remove_moderator,
    require_admin,
)
from moderation.auth.sessions import (
    Session,
    SessionPolicy,
    end_session,
    redeem_ticket,
    resume,
    resume_token,
    start_session,
)
from moderation.auth.signin import SIGNIN_REFUSED, verify
from moderation.errors import AuthError

__all__ = [
    "AuthError", "MAX_NAME_CHARS", "MIN_PASSWORD_CHARS", "ROLES", "SIGNIN_REFUSED", "Moderator", "Session",
    "SessionPolicy", "account_of", "add_moderator", "add_moderator_as", "check_name",
    "end_session", "import_file", "list_moderators", "redeem_ticket", "remove_moderator",
    "require_admin", "resume", "resume_token", "start_session", "verify",
]
