"""The moderator's own skipped comments, under the review screen of «Черга» and
«Вибіркова перевірка»: they come back to them when nothing else is left."""
from __future__ import annotations

import streamlit as st
import uikit

from moderation.queue import skipped
from moderation.text import bidi


def render(queue: str) -> None:
    with uikit.db_errors():
        mine = skipped(uikit.store(), uikit.user().name, queue=queue)
    with st.expander(f"Пропущені вами: {len(mine)}", icon=":material/skip_next:"):
        if not mine:
            st.caption("Ви не пропустили жодного коментаря, що чекає рішення.")
            return
        st.caption("Інші модератори бачать їх як звичайно; вам вони повернуться, коли інших "
                   "коментарів не залишиться.")
        st.dataframe([{"текст": bidi.visible(s.comment.text),
                       "автор": bidi.visible(s.comment.author or "") or "—",
                       "стаття": bidi.visible(s.comment.article_title or "") or "—",
                       "пропущено": uikit.when(s.skipped_at)} for s in mine],
                     hide_index=True, key=f"skipped_{queue}")
