"""The author actions on the review screen: a marker beside the author of the action in force,
and a small form to watch, pre-moderate, ban or lift (reason, expiry in days, confirmation).

User text (the author's name, the reason) is shown with ``st.text`` (no Markdown: a bare
address in a reason would become a live link), its bidirectional controls made visible.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import streamlit as st
import uikit

from moderation.errors import DataError, StoreError
from moderation.queue.authors import author_action_in_force, set_author_action
from moderation.text import bidi

KIND_NAMES = {"watch": "Під наглядом", "premoderate": "Премодерація", "ban": "Заблоковано",
              "lifted": "Зняти обмеження"}
FIELD_MESSAGES = {"reason": "Вкажіть причину дії щодо автора.",
                  "author": "Ім'я автора не підходить для дії (порожнє, задовге чи з "
                            "керівними символами).",
                  "expires_at": "Строк дії має закінчуватися в майбутньому."}
MARKERS = {"watch": "Автор під наглядом", "premoderate": "Автор на премодерації",
           "ban": "Автора заблоковано"}


def marker_text(action) -> str:
    """«Автор під наглядом до 14.12.2026 20:00: причина» (``action``: in force)."""
    until = f" до {uikit.when(action.expires_at)}" if action.expires_at else " безстроково"
    return (f"{MARKERS[action.kind]}{until}: {bidi.visible(action.reason)} "
            f"({bidi.visible(action.moderator)})")


def marker(store, author: str | None) -> None:
    """The action in force for ``author``, if any, as a warning line (plain text)."""
    if not author:
        return
    with store.read() as conn:
        action = author_action_in_force(conn, author)
    if action is not None:
        with st.container(key="author_action_marker"):
            st.text("⚑ " + marker_text(action))


def form(author: str | None) -> None:
    """Set an action on ``author``: kind, reason, expiry in days (0: until lifted), confirm."""
    if not author:
        return
    with st.expander("Дії щодо автора"):
        st.selectbox("Дія", list(KIND_NAMES), format_func=KIND_NAMES.get, key="author_kind")
        st.text_input("Причина (обов'язково)", key="author_reason", max_chars=500)
        st.number_input("Діє днів (0 — доки не знімуть)", min_value=0, max_value=3650,
                        value=7, step=1, key="author_days")
        st.checkbox("Підтверджую дію щодо цього автора", key="author_confirm")
        st.button("Застосувати", key="author_apply", on_click=_apply, args=(author,))


def _apply(author: str) -> None:
    """Button callback: one package call, then a message for the next page."""
    state = st.session_state
    if not state.get("author_confirm"):
        uikit.flash("error", "Поставте позначку «Підтверджую», щоб застосувати дію.")
        return
    kind = state.get("author_kind", "watch")
    days = int(state.get("author_days") or 0)
    expires = uikit.now() + dt.timedelta(days=days) if days and kind != "lifted" else None
    try:
        set_author_action(uikit.store(), uikit.user().name, author, kind,
                          state.get("author_reason") or "", expires_at=expires)
    except DataError as exc:
        uikit.flash("error", FIELD_MESSAGES.get(exc.field) or uikit.error_text(exc))
        return
    except StoreError as exc:
        uikit.flash("error", uikit.error_text(exc))
        return
    except sa.exc.SQLAlchemyError as exc:
        uikit.flash("error", f"Дію не збережено: {exc}")
        return
    state["author_confirm"] = False
    state["author_reason"] = ""
    uikit.flash("success", f"{KIND_NAMES[kind]}: збережено для автора "
                           f"{bidi.visible(author)}.")
