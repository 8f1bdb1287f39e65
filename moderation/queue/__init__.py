"""The review queue, in the package so a thin UI calls one function per action.

    store = open_store(url)
    item = next_item(store, "olena", queue="review", order="priority", filters=Filters(...))
    decide(store, item.comment.id, "olena", "confirm")      # or override / relabel / skip
    undo(store, "olena"); current_item(store, "olena")      # the comment comes back
    author_history(store, item.comment.author); near_duplicates(store, item.comment.id)
    parent_comment(store, item.comment.id)                  # the comment a reply answers
    backlog(store, "review")                                 # waiting, oldest, decided today
    history(store, moderator=..., label=..., action=..., since=..., until=...)  # DataFrame
    stats(store)
"""
from moderation.queue.claims import ORDERS, next_item, release
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
from moderation.queue.decisions import current_item, decide, undo
from moderation.queue.records import Comment, Decision, Filters, Item
from moderation.queue.reports import HISTORY_COLUMNS, Backlog, QueueStats, backlog, history, stats
from moderation.store.schema import ACTIONS, QUEUES

__all__ = [
                                      "ACTIONS",
                                      "HISTORY_COLUMNS",
                                      "ORDERS",
                                      "QUEUES",
                                      "AuthorEntry",
                                      "AuthorHistory",
                                      "Backlog",
                                      "Comment",
                                      "Decision",
                                      "Filters",
                                      "Item",
                                      "NearDuplicate",
                                      "NearDuplicates",
                                      "ParentComment",
                                      "QueueStats",
                                      "author_history",
                                      "backlog",
                                      "current_item",
                                      "decide",
                                      "history",
                                      "near_duplicates",
                                      "next_item",
                                      "parent_comment",
                                      "release",
                                      "stats",
                                      "undo",
]
