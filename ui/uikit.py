"""What every page shares: session state, the cached store and model, sign-in, messages.

Pages stay thin: they read widgets, call one package function and show the result. User text
(comments, authors, titles, notes, moderator names) is shown only through ``text`` /
``md_escape`` or in data frames, never as HTML.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import streamlit as st

from moderation import load_model
from moderation.auth import (
    SIGNIN_REFUSED,
    Moderator,
    end_session,
    import_file,
    resume,
    resume_token,
    start_session,
    verify,
)
from moderation.auth.sessions import COOKIE, Ended
from moderation.display import md_escape
from moderation.errors import (
    AlreadyDecided,
    AlreadyReopened,
    AuthError,
    ClaimLost,
    LabelsRequired,
    ModelError,
    NothingToUndo,
    NotQueued,
    StoreError,
    StoreIntegrityError,
    Superseded,
)
from moderation.queue import release
from moderation.settings import get_settings
from moderation.store import open_store
from moderation.store.verify import require_sound

KYIV = ZoneInfo("Europe/Kyiv")
STATE_DEFAULTS = {
    "moderator": None,  # the signed-in Moderator
    "session_id": None,  # their session's row (moderation.auth.sessions)
    "go_to": None,  # a cookie route the browser is sent to after sign-in or sign-out
    "flash": [],  # (kind, message) shown once at the top of the next page
    "selected": None,  # {"comment_id": int, "labels": set[str]} on the review pages
    "confirm_action": None,  # ("promote", job id) or ("rollback", version) awaiting a yes
}


def init_state() -> None:
    for key, value in STATE_DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = value.copy() if isinstance(value, list) else value


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# ------------------------------------------------------------------ cached resources


@st.cache_resource(show_spinner=False)
def _store(url: str):
    """The store, once it has passed ``moderation db verify``. Raises ``StoreError`` (not
    cached) when the database is unreachable, ``StoreIntegrityError`` when it fails."""
    store = open_store(url)
    try:
        require_sound(store)
    except BaseException:
        store.dispose()
        raise
    return store


def store():
    return _store(get_settings().db_url)


@st.cache_resource(show_spinner="Завантаження моделі…", max_entries=2)
def _model(path: str, stamp: float):
    return load_model(path)


def model():
    """The current model; cached until its bundle changes. Raises ``ModelError``."""
    path = Path(get_settings().model_dir)
    manifest = path / "manifest.json"
    stamp = manifest.stat().st_mtime if manifest.is_file() else 0.0
    return _model(str(path), stamp)


def model_or_warning():
    """The model, or ``None`` with a Ukrainian warning (moderators can still work)."""
    try:
        return model()
    except ModelError as exc:
        st.warning("Модель недоступна, тому слова-тригери не підсвічено; коментарі, які вже "
                   "оцінено, можна модерувати як завжди. Адміністратор може навчити модель на "
                   "сторінці «Модель» або командою `moderation train`.", icon=":material/warning:")
        st.caption(md_escape(f"Причина: {exc}"))
        return None


INTEGRITY_MESSAGE = (
    "Сховище не пройшло перевірку (`moderation db verify`): схема, тригери, права доступу "
    "або ланцюжок рішень не такі, як мають бути, тож застосунок не працює з ним, щоб нічого "
    "не записати поверх можливої підробки. Адміністратор: виконайте `moderation db verify`, "
    "щоб побачити кожну проблему, і полагодьте сховище за розділом «When verify fails» у "
    "docs/operations.md (зазвичай `moderation db upgrade` або відновлення резервної копії, "
    "що проходить перевірку).")


def refuse_unsound_store() -> None:
    """Stop the app with a clear message when the store fails its check. An unreachable
    store is left to the pages (``db_errors``): moderators can still sign in."""
    try:
        store()
    except StoreIntegrityError as exc:
        st.error(INTEGRITY_MESSAGE, icon=":material/gpp_bad:")
        st.code(str(exc), language=None, wrap_lines=True)
        st.button("Перевірити ще раз", key="verify_retry")
        st.stop()
    except (StoreError, sa.exc.SQLAlchemyError):
        return
    try:
        _accounts_imported(get_settings().db_url, str(get_settings().moderators_file))
    except AuthError as exc:
        st.error("Не вдалося перенести облікові записи зі старого файла модераторів у базу. "
                 "Адміністратор: виправте файл і перезапустіть застосунок (або виконайте "
                 "`moderation db upgrade`).", icon=":material/error:")
        st.code(str(exc), language=None, wrap_lines=True)


@st.cache_resource(show_spinner=False)
def _accounts_imported(url: str, path: str) -> int:
    """Accounts of an older version's moderators file, moved into the store once per
    process (the file is renamed once imported). Raises ``AuthError`` (not cached)."""
    return import_file(store(), path)


@contextlib.contextmanager
def db_errors():
    """Show a clear Ukrainian message (and stop the page) when the database fails."""
    try:
        yield
    except StoreIntegrityError as exc:
        st.error(INTEGRITY_MESSAGE, icon=":material/gpp_bad:")
        st.code(str(exc), language=None, wrap_lines=True)
        st.stop()
    except (StoreError, sa.exc.SQLAlchemyError) as exc:
        st.error("База даних недоступна або відмовила. Рішення не втрачено: те, що не "
                 "збереглося, можна повторити, щойно базу буде відновлено.", icon=":material/error:")
        st.caption(md_escape(f"Подробиці: {str(exc).splitlines()[0] if str(exc) else exc!r}"))
        st.button("Спробувати ще раз", key="db_retry")
        st.stop()


# ------------------------------------------------------------------ sign-in and sessions

ENDED = {"idle": "Сесія завершилася через бездіяльність: увійдіть знову.",
         "max_age": "Сесія завершилася (минув найдовший дозволений час): увійдіть знову.",
         "removed": "Обліковий запис більше не діє.",
         "signed_out": "Ви вийшли (на цій або іншій вкладці): увійдіть знову."}


def user() -> Moderator:
    return st.session_state["moderator"]


def signed_in() -> Moderator | None:
    """The signed-in moderator: this tab's session, or the one the browser's cookie opens
    (after a reload, or in another UI process on the same store); checked on every run
    against the store (expiry, sign-out elsewhere, a removed account, a changed role)."""
    session_id = st.session_state.get("session_id")
    if session_id is not None:
        found = resume(store(), session_id)
    else:
        token = st.context.cookies.get(COOKIE)
        if not isinstance(token, str) or not token:
            return None
        found = resume_token(store(), token)
        if isinstance(found, Ended):
            return None  # a stale cookie: the sign-in page (it is cleared on sign-in)
    if isinstance(found, Ended):
        _forget(ENDED[found.reason])
        return None
    st.session_state.update(session_id=found.id, moderator=found.moderator)
    return found.moderator


def _source() -> str:
    """Where a sign-in comes from, for the lockout per source: the client's address, or with
    ``MODERATION_TRUST_FORWARDED_FOR=1`` (behind a reverse proxy) the first address of
    ``X-Forwarded-For``."""
    if os.environ.get("MODERATION_TRUST_FORWARDED_FOR") == "1":
        forwarded = st.context.headers.get("X-Forwarded-For")
        if isinstance(forwarded, str) and forwarded.split(",")[0].strip():
            return forwarded.split(",")[0].strip()
    address = st.context.ip_address
    return address if isinstance(address, str) and address else "local"


def sign_in(name: str, password: str) -> bool:
    moderator = verify(store(), name, password, source=_source())
    if moderator is None:
        st.error(SIGNIN_REFUSED)
        return False
    session, ticket = start_session(store(), moderator)
    st.session_state.update(session_id=session.id, moderator=moderator, selected=None,
                            confirm_action=None, go_to=f"/auth/session?ticket={ticket}")
    return True


def sign_out(message: str | None = None) -> None:
    """End this moderator's session everywhere, release their claims, clear the cookie."""
    session_id = st.session_state.get("session_id")
    if session_id is not None:
        end_session(store(), session_id)
    _forget(message)
    st.session_state["go_to"] = "/auth/signout"


def _forget(message: str | None) -> None:
    moderator = st.session_state.get("moderator")
    if moderator is not None:
        with contextlib.suppress(Exception):
            release(store(), moderator.name)
    st.session_state.update(moderator=None, session_id=None, selected=None,
                            confirm_action=None)
    if message:
        flash("info", message)


_GO_TO = re.compile(r"/auth/(session\?ticket=[A-Za-z0-9_-]{1,100}|signout)")


def follow_redirect() -> None:
    """Send the browser to the cookie route a sign-in or sign-out asked for (the address is
    ours, checked against a strict pattern; no user text goes into the script)."""
    target = st.session_state.pop("go_to", None)
    if target and _GO_TO.fullmatch(target):
        st.html(f"<script>window.location.replace({json.dumps(target)});</script>",
                unsafe_allow_javascript=True)


# ------------------------------------------------------------------ messages and formatting


def flash(kind: str, message: str) -> None:
    st.session_state.setdefault("flash", []).append((kind, message))


def show_flash() -> None:
    """Messages from the last action; the text is escaped (it may quote user input)."""
    for kind, message in st.session_state.get("flash", []):
        {"success": st.success, "error": st.error, "warning": st.warning}.get(
            kind, st.info)(md_escape(message))
    st.session_state["flash"] = []


def when(value: dt.datetime | None) -> str:
    if value is None:
        return "—"
    return value.astimezone(KYIV).strftime("%d.%m.%Y %H:%M")


QUEUE_MESSAGES = {
    ClaimLost: "Цей коментар уже не закріплений за вами (минув час): беремо наступний.",
    AlreadyDecided: "Цей коментар уже вирішено.",
    Superseded: "Автор змінив цей коментар: нову версію оцінено окремо (позначену — поставлено "
                "в чергу).",
    NotQueued: "Цього коментаря немає в черзі.",
    NothingToUndo: "Немає рішення, яке можна скасувати.",
    AlreadyReopened: "Цей коментар уже повернуто в чергу.",
    LabelsRequired: "Щоб підтвердити порушення, позначте хоча б одну мітку (клавіші 1–6).",
}


def error_text(exc: Exception) -> str:
    """A Ukrainian sentence for the errors the queue functions raise on purpose (by type)."""
    for kind, message in QUEUE_MESSAGES.items():
        if isinstance(exc, kind):
            return message
    return f"Помилка: {exc}"


def sidebar(moderator: Moderator) -> None:
    with st.sidebar:
        role = "адміністратор" if moderator.is_admin else "модератор"
        st.markdown(f"**{md_escape(moderator.name)}** · {role}")
        if st.button("Вийти", key="sign_out"):
            sign_out("Ви вийшли.")
            st.rerun()
