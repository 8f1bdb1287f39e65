"""«Закріплення» (admins, on Статистика): who holds which comment, and releasing claims.

A moderator who closed the browser keeps a comment claimed until the claim expires; an admin
releases it here, one claim or all of a moderator's. Choices are plain-text select boxes, so
no name or id is ever read as Markdown.
"""
from __future__ import annotations

import streamlit as st
import uikit

from moderation.errors import AuthError, StoreError
from moderation.queue import held_claims, release_claims
from moderation.text import bidi

QUEUE_NAMES = {"review": "черга", "spot_check": "вибіркова перевірка"}


def render() -> None:
    st.subheader("Закріплення")
    uikit.show_flash()
    with uikit.db_errors():
        held = held_claims(uikit.store())
    if not held:
        st.info("Зараз жоден коментар не закріплено за модератором.")
        return
    st.dataframe([{"модератор": bidi.visible(c.moderator),
                   "коментар №": bidi.visible(c.external_id),
                   "черга": QUEUE_NAMES.get(c.queue, c.queue), "з": uikit.when(c.claimed_at),
                   "до": uikit.when(c.expires_at)} for c in held],
                 hide_index=True, key="claims_table")
    by_id = {c.comment_id: c for c in held}
    left, right = st.columns(2)
    with left:
        st.selectbox("Закріплення", list(by_id), key="claims_pick",
                     format_func=lambda cid: f"№ {bidi.visible(by_id[cid].external_id)} — "
                                             f"{bidi.visible(by_id[cid].moderator)}, з "
                                             f"{uikit.when(by_id[cid].claimed_at)}")
        st.button("Звільнити цей коментар", key="claims_release", on_click=_release,
                  kwargs={"by_comment": True})
    with right:
        names = sorted({c.moderator for c in held})
        st.selectbox("Модератор", names, key="claims_moderator", format_func=bidi.visible)
        st.button("Звільнити всі його коментарі", key="claims_release_moderator",
                  on_click=_release, kwargs={"by_comment": False})


def _release(*, by_comment: bool) -> None:
    """Button callback: one package call, then a message."""
    if by_comment:
        target = dict(comment_id=st.session_state.get("claims_pick"))
    else:
        target = dict(moderator=st.session_state.get("claims_moderator"))
    if next(iter(target.values())) is None:
        return
    try:
        count = release_claims(uikit.store(), uikit.user(), **target)
    except (AuthError, StoreError, ValueError) as exc:
        uikit.flash("error", f"Не звільнено: {exc}")
        return
    uikit.flash("success" if count else "info",
                f"Звільнено закріплень: {count}." if count else
                "Нічого не звільнено: закріплення вже немає (рішення ухвалено чи час минув).")
