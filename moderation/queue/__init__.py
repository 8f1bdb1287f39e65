"""The review queue, in the package so a thin UI calls one function per action.

    store = open_store(url)
    item = next_item(store, "olena", queue="review", order="priority", filters=Filters(...))
    decide(store, item.comment.id, "olena", "confirm")      # or override / relabel / skip
    undo(store, "olena"); current_item(store, "olena")      # the comment comes back
    author_history(store, item.comment.author); near_duplicates(store, item.comment.id)
    parent_comment(store, item.comment.id)                  # the comment a reply answers
    backlog(store, "review")                                 # waiting, oldest, decided today
    history(store, moderator=..., label=..., action=..., since=..., until=..., text=...)
    readable_history(frame)                                  # Ukrainian headers and words
    stats(store)
    skipped(store, "olena")                                  # her skipped comments
    held_claims(store); release_claims(store, admin, moderator="petro")  # admins
    ids = campaign_open(store, item.comment.id, "olena").ids  # or author_open(store, a, ..)
    bulk_decide(store, "olena", ids, "confirm")              # hide all (or "override")
    correct(store, comment_id, "olena", ["insult"], "why")  # «Історія»: a new entry
    set_author_action(store, "olena", author, "watch", "why", expires_at=...)  # or ban...
    reopen(store, comment_id, "olena", "why")                # back in the queue
"""
from moderation.queue.authors import (
                                      AuthorAction,
                                      actions_in_force,
                                      author_action_in_force,
                                      set_author_action,
)
from moderation.queue.bulk import (
                                      BULK_ACTIONS,
                                      BulkResult,
                                      OpenComments,
                                      author_open,
                                      bulk_decide,
                                      campaign_open,
)
from moderation.queue.claims import (
                                      ORDERS,
                                      Claim,
                                      Skipped,
                                      held_claims,
                                      next_item,
                                      release,
                                      release_claims,
                                      skipped,
)
from moderation.queue.context import (
                                      AuthorEntry,
                                      AuthorHistory,
                                      NearDuplicate,
                                      NearDuplicates,
                                      ParentComment,
                                      author_history,
                                      near_duplicates,
                                      parent_comment,
)
from moderation.queue.corrections import correct, reopen
from moderation.queue.decisions import current_item, decide, undo
from moderation.queue.records import Comment, Decision, Filters, Item
from moderation.queue.reports import (
                                      HISTORY_COLUMNS,
                                      Backlog,
                                      QueueStats,
                                      backlog,
                                      history,
                                      moderator_metrics,
                                      readable_history,
                                      stats,
)
from moderation.store.schema import ACTIONS, QUEUES

__all__ = [
                                      "ACTIONS",
                                      "BULK_ACTIONS",
                                      "HISTORY_COLUMNS",
                                      "ORDERS",
                                      "QUEUES",
                                      "AuthorAction",
                                      "AuthorEntry",
                                      "AuthorHistory",
                                      "Backlog",
                                      "BulkResult",
                                      "Claim",
                                      "Comment",
                                      "Decision",
                                      "Filters",
                                      "Item",
                                      "NearDuplicate",
                                      "NearDuplicates",
                                      "OpenComments",
                                      "ParentComment",
                                      "QueueStats",
                                      "Skipped",
                                      "actions_in_force",
                                      "author_action_in_force",
                                      "author_history",
                                      "author_open",
                                      "backlog",
                                      "bulk_decide",
                                      "campaign_open",
                                      "correct",
                                      "current_item",
                                      "decide",
                                      "held_claims",
                                      "history",
                                      "near_duplicates",
                                      "next_item",
                                      "parent_comment",
                                      "release",
                                      "release_claims",
                                      "readable_history",
                                      "reopen",
                                      "set_author_action",
                                      "moderator_metrics",
                                      "skipped",
                                      "stats",
                                      "undo",
]
