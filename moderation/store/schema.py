"""The comment store's tables (SQLAlchemy Core), the one description the code queries.

The database itself is created by the Alembic migrations in ``moderation/migrations``;
``tests/test_store.py`` checks that the migrated schema and these tables agree.

- ``comments``: one row per version of a comment (its external id and ``version``, 1, 2,
  ... as the author edits it), never changed after ingestion; the current version of an
  external id is its highest one. Each version has its own predictions, queue item and
  decisions, so a text is always paired with the verdict on that text;
- ``predictions``: every scoring of a comment, with the model version that made it;
- ``queue_items``: a comment waiting for (or done with) a moderator, in the ``review`` or
  ``spot_check`` queue, with the numbers the queue orders by and the ``alerts`` a moderator
  must see that are not labels (``bidi``); an open item of a version an edit replaced is
  closed as ``superseded``;
- ``claims``: at most one per comment (primary key), so two moderators never hold it;
- ``decisions``: the audit trail, append-only and hash-chained (``moderation.store.chain``);
- ``model_versions``: each promotion of a model, in order;
- ``ingest_runs``: one row per ingested file, with its counts;
- ``comment_sketches``: MinHash band keys of each comment's text, for near-duplicates;
- ``api_keys``: the site's API keys for ``moderation serve`` (a slow hash of each, never the
  key), with their scopes and when they were revoked;
- ``webhook_outbox``: one row per decision the site should hear of, written in the same
  transaction as the decision, until the service has delivered it;
- ``moderator_accounts``, ``moderator_sessions``, ``signin_failures``: who may sign in (argon2
  hashes, roles, lockout), the signed-in browsers (a SHA-256 of each session token), and
  failed sign-ins per source address (``moderation.auth``).

- ``author_actions``: what moderators decided about an author (watch, pre-moderate, ban, or
  lift the one before), with a reason and an expiry; every change is a new row, and the
  latest unexpired row of an author is in force (``moderation.queue.authors``).

``comments``, ``predictions``, ``decisions``, ``model_versions`` and ``author_actions`` are
the audit tables: rows
are only added (``moderation.store.guards``: triggers on both databases, and on PostgreSQL
an application role that may only SELECT and INSERT them, ``moderation.store.roles``).
"""
from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

metadata = sa.MetaData()

QUEUES = ("review", "spot_check")
OPEN, DONE, SUPERSEDED = "open", "done", "superseded"
STATUSES = (OPEN, DONE, SUPERSEDED)
# bidi: the text or author name holds bidirectional control characters; watched_author: a
# moderator put the author under watch or pre-moderation (``moderation.queue.authors``)
ALERTS = ("bidi", "watched_author")


class UTCDateTime(sa.TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive, in UTC)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


ingest_runs = sa.Table(
    "ingest_runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("model_version", sa.String(200), nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime),
    sa.Column("read", sa.Integer, nullable=False, server_default="0"),
    sa.Column("stored", sa.Integer, nullable=False, server_default="0"),
    sa.Column("duplicates", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rejected", sa.Integer, nullable=False, server_default="0"),
    sa.Column("flagged", sa.Integer, nullable=False, server_default="0"),
    sa.Column("edited", sa.Integer, nullable=False, server_default="0"),
)

comments = sa.Table(
    "comments", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("external_id", sa.String(200), nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("article_id", sa.String(200)),
    sa.Column("article_title", sa.Text),
    sa.Column("article_url", sa.Text),
    sa.Column("author", sa.String(200)),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("lang", sa.String(16), nullable=False),
    sa.Column("posted_at", UTCDateTime),
    sa.Column("ingested_at", UTCDateTime, nullable=False),
    sa.Column("ingest_run_id", sa.Integer, sa.ForeignKey("ingest_runs.id")),
    sa.Column("parent_id", sa.String(200)),  # the site's id of the comment this one answers
    sa.Column("article_snippet", sa.Text),  # the article's opening line, as the site sent it
    sa.UniqueConstraint("external_id", "version", name="uq_comments_external_id_version"),
    sa.Index("ix_comments_author", "author"),
    sa.Index("ix_comments_article_id", "article_id"),
)

predictions = sa.Table(
    "predictions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("comment_id", sa.Integer, sa.ForeignKey("comments.id"), nullable=False),
    sa.Column("model_version", sa.String(200), nullable=False),
    sa.Column("scores", sa.JSON, nullable=False),  # {label: probability}
    sa.Column("flagged_labels", sa.Text, nullable=False),  # ';'-joined, canonical order
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_predictions_comment_id", "comment_id"),
)

queue_items = sa.Table(
    "queue_items", metadata,
    sa.Column("comment_id", sa.Integer, sa.ForeignKey("comments.id"), primary_key=True),
    sa.Column("queue", sa.String(20), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("prediction_id", sa.Integer, sa.ForeignKey("predictions.id"), nullable=False),
    sa.Column("priority", sa.Float, nullable=False),  # highest label score
    sa.Column("uncertainty", sa.Float, nullable=False),  # smallest |score - threshold|
    sa.Column("flagged_labels", sa.Text, nullable=False),
    sa.Column("entered_at", UTCDateTime, nullable=False),
    sa.Column("alerts", sa.Text),  # ';'-joined ALERTS, NULL when none
    sa.CheckConstraint("queue IN ('review', 'spot_check')", name="ck_queue_items_queue"),
    sa.CheckConstraint("status IN ('open', 'done', 'superseded')",
                       name="ck_queue_items_status"),
    sa.Index("ix_queue_items_priority", "queue", "status", "priority", "comment_id"),
    sa.Index("ix_queue_items_uncertainty", "queue", "status", "uncertainty",
             "comment_id"),
)

claims = sa.Table(
    "claims", metadata,
    sa.Column("comment_id", sa.Integer, sa.ForeignKey("comments.id"), primary_key=True),
    sa.Column("moderator", sa.String(200), nullable=False),
    sa.Column("claimed_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Index("ix_claims_moderator", "moderator"),
)

ACTIONS = ("confirm", "override", "relabel", "skip", "undo", "import")
# the actions that settle a comment: a moderator's verdict in the queue, or an outcome
# imported from the site's own history (``moderation decisions import``)
VERDICTS = ("confirm", "override", "relabel", "import")
QUEUE_VERDICTS = ("confirm", "override", "relabel")  # the ones a moderator gives (and undoes)

decisions = sa.Table(
    "decisions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("comment_id", sa.Integer, sa.ForeignKey("comments.id"), nullable=False),
    sa.Column("moderator", sa.String(200), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("labels", sa.Text),  # final labels ';'-joined; NULL for skip and undo
    sa.Column("note", sa.Text),
    sa.Column("queue", sa.String(20), nullable=False),
    sa.Column("model_version", sa.String(200)),
    sa.Column("reverts_id", sa.Integer, sa.ForeignKey("decisions.id"), unique=True),
    sa.Column("decided_at", UTCDateTime, nullable=False),
    # the writing transaction's id on PostgreSQL (server default pg_current_xact_id(); 0 on
    # SQLite, whose writers are serialised): the decision feed's cursor is (txid, id)
    sa.Column("txid", sa.BigInteger, nullable=False, server_default="0"),
    # the hash chain (moderation.store.chain): the previous decision's row_hash, and the
    # SHA-256 of that and this row's content; one successor per row
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("row_hash", sa.String(64), nullable=False),
    sa.CheckConstraint(
        "action IN ('confirm', 'override', 'relabel', 'skip', 'undo', 'import')",
        name="ck_decisions_action"),
    sa.UniqueConstraint("prev_hash", name="uq_decisions_prev_hash"),
    sa.Index("ix_decisions_comment_id", "comment_id"),
    sa.Index("ix_decisions_moderator", "moderator", "id"),
    sa.Index("ix_decisions_decided_at", "decided_at"),
    sa.Index("ix_decisions_feed", "txid", "id"),
)
FEED_ACTIONS = VERDICTS + ("undo",)  # the decisions the site hears of (not skips)

model_versions = sa.Table(
    "model_versions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("version", sa.String(200), nullable=False),
    sa.Column("path", sa.Text),
    sa.Column("promoted_by", sa.String(200), nullable=False),
    sa.Column("promoted_at", UTCDateTime, nullable=False),
    sa.Column("metrics", sa.JSON),
    sa.Column("note", sa.Text),
)

comment_sketches = sa.Table(
    "comment_sketches", metadata,
    sa.Column("comment_id", sa.Integer, sa.ForeignKey("comments.id"), primary_key=True),
    sa.Column("band", sa.SmallInteger, primary_key=True),
    sa.Column("key", sa.BigInteger, nullable=False),
    sa.Index("ix_comment_sketches_key", "key"),
)

API_SCOPES = ("score", "decisions", "appeal")

api_keys = sa.Table(
    "api_keys", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("key_id", sa.String(32), nullable=False, unique=True),  # public part of the key
    sa.Column("key_hash", sa.Text, nullable=False),  # argon2id of the whole key
    sa.Column("scopes", sa.Text, nullable=False),  # ','-joined API_SCOPES
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("revoked_at", UTCDateTime),
)

webhook_outbox = sa.Table(
    "webhook_outbox", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("decision_id", sa.Integer, sa.ForeignKey("decisions.id"), nullable=False,
              unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", UTCDateTime),  # NULL: at once
    sa.Column("leased_until", UTCDateTime),  # a service process is delivering it until then
    sa.Column("delivered_at", UTCDateTime),
    sa.Column("last_error", sa.Text),  # status or error class of the last failed attempt
    sa.Index("ix_webhook_outbox_pending", "delivered_at", "decision_id"),
)

ROLES = ("moderator", "admin")

moderator_accounts = sa.Table(
    "moderator_accounts", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),  # argon2id
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),  # wrong in a row
    sa.Column("locked_until", UTCDateTime),
    sa.CheckConstraint("role IN ('moderator', 'admin')", name="ck_moderator_accounts_role"),
)

moderator_sessions = sa.Table(
    "moderator_sessions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),  # SHA-256, hex
    sa.Column("moderator", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("last_seen", UTCDateTime, nullable=False),
    # set while the token is a one-time ticket the browser has not yet exchanged for its cookie
    sa.Column("pending_until", UTCDateTime),
    sa.Index("ix_moderator_sessions_moderator", "moderator"),
)

signin_failures = sa.Table(
    "signin_failures", metadata,
    sa.Column("source", sa.String(100), primary_key=True),  # the client's address
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("window_start", UTCDateTime, nullable=False),
    sa.Column("locked_until", UTCDateTime),
)

AUTHOR_KINDS = ("watch", "premoderate", "ban", "lifted")

author_actions = sa.Table(
    "author_actions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("author", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("expires_at", UTCDateTime),  # NULL: until lifted
    sa.Column("moderator", sa.String(200), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.CheckConstraint("kind IN ('watch', 'premoderate', 'ban', 'lifted')",
                       name="ck_author_actions_kind"),
    sa.Index("ix_author_actions_author", "author", "id"),
)
