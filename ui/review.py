"""The review screen shared by «Черга» and «Вибіркова перевірка».

One claimed comment at a time. Every action is a button with a keyboard shortcut whose
callback calls one queue function; the callback runs before the page is drawn again, so the
next comment appears without an extra click.

User text (comment, author, title, id) is shown escaped and with its bidirectional control
characters made visible (``⟦RLO⟧``), so nothing a reader cannot see reorders the page; a
comment that holds such controls gets a notice and also its text as readers see it.

Above a reply stand the comment it answers and the article's title, address and opening
line, all as plain text (``st.text``: Markdown would turn a bare address or e-mail into a
live link, even escaped); the address is never a link there.

Under the author's history and the near-duplicates, «Приховати всі (N)» / «Залишити всі (N)»
act on the campaign or the author's open comments (``moderation.queue.bulk``) after one
confirmation naming the count and the labels; the message after it gives counts only.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import author_panel
import streamlit as st
import uikit

from moderation.display import duration_uk, highlighted_markdown, md_escape, titles
from moderation.errors import DataError, StoreError
from moderation.queue import (
    Filters,
    author_history,
    author_open,
    backlog,
    bulk_decide,
    campaign_open,
    current_item,
    decide,
    near_duplicates,
    next_item,
    parent_comment,
    undo,
)
from moderation.taxonomy import BY_NAME, LABEL_DEFS, LABELS, LANGS
from moderation.text import bidi

SHORTCUTS = {"confirm": "J", "override": "K", "relabel": "S", "skip": "N", "undo": "U"}
TITLES = {"review": "Черга", "spot_check": "Вибіркова перевірка"}
LANG_NAMES = {"uk": "українська", "ru": "російська", "mixed": "суржик", "translit": "транслітерація"}
ORDERS = {"priority": "Спершу найвищий бал", "uncertain": "Спершу невпевнені (для навчання)"}
BIDI_NOTICE = ("Текст містить приховані символи напрямку письма: показано так, як його "
               "збережено, а символи позначено як ⟦RLO⟧, ⟦PDF⟧ тощо. Такі символи змінюють "
               "порядок літер на сторінці: читачі бачать інше, ніж записано.")
BIDI_READERS = "Так коментар бачать читачі:"
PARENT_CHARS = 500  # of the comment a reply answers: enough to judge, short enough to fit
# Static CSS (no user text ever goes into it) so the review screen fits 1366x768: less empty
# space above the title, and button labels that wrap only between words, never inside one.
COMPACT_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 3rem; }
[class*="st-key-toggle_"] button, [class*="st-key-act_"] button {
  padding-left: 0.5rem; padding-right: 0.5rem; }
[class*="st-key-toggle_"] button p, [class*="st-key-act_"] button p {
  word-break: normal; overflow-wrap: normal; hyphens: manual; }
</style>"""


def render(queue: str) -> None:
    moderator = uikit.user()
    st.html(COMPACT_CSS)
    st.title(TITLES[queue])
    filters, order = _filters(queue)
    uikit.show_flash()
    model = uikit.model_or_warning()
    with uikit.db_errors():
        store = uikit.store()
        item = next_item(store, moderator.name, queue=queue, order=order, filters=filters)
        waiting = backlog(store, queue)
    st.caption(_backlog_caption(waiting))
    if item is None:
        st.success("Тут порожньо: коментарів для перевірки немає." if not _any(filters) else
                   "Немає коментарів, що відповідають фільтрам.")
        _action_button("undo", "Скасувати останнє рішення", queue, None)
        return
    selected = _selected(item)
    with uikit.db_errors():
        _reply_context(store, item)
    _comment(item, model)
    with uikit.db_errors():
        author_panel.marker(store, item.comment.author)
    _flags(item)
    _toggles(item, selected)
    _actions(item, queue)
    st.text_input("Примітка (необов'язково)", key=f"note_{item.comment.id}", max_chars=500)
    with st.expander("Текст без форматування"):
        st.text(bidi.visible(item.comment.text))
    with uikit.db_errors():
        _context(store, item)


# ------------------------------------------------------------------ filters


def _filters(queue: str) -> tuple[Filters, str]:
    with st.sidebar:
        st.subheader("Фільтри")
        label = st.selectbox("Мітка", [None, *LABELS], key=f"{queue}_f_label",
                             format_func=lambda v: "усі" if v is None else BY_NAME[v].title_uk)
        article = st.text_input("Стаття (id або частина назви)", key=f"{queue}_f_article")
        lang = st.selectbox("Мова", [None, *LANGS], key=f"{queue}_f_lang",
                            format_func=lambda v: "усі" if v is None else LANG_NAMES.get(v, v))
        author = st.text_input("Автор", key=f"{queue}_f_author")
        dates = st.date_input("Дата коментаря", value=[], key=f"{queue}_f_dates",
                              format="DD.MM.YYYY")
        order = st.radio("Порядок", list(ORDERS), format_func=ORDERS.get,
                         key=f"{queue}_f_order")
    since, until = _day_range(dates)
    return Filters(label=label, article=article.strip() or None, lang=lang,
                   author=author.strip() or None, since=since, until=until), order


def _day_range(dates) -> tuple[dt.datetime | None, dt.datetime | None]:
    dates = list(dates) if isinstance(dates, (list, tuple)) else [dates] if dates else []
    if not dates:
        return None, None
    start = dt.datetime.combine(dates[0], dt.time.min, tzinfo=uikit.KYIV)
    end = dt.datetime.combine(dates[-1], dt.time.max, tzinfo=uikit.KYIV)
    return start, end


def _any(filters: Filters) -> bool:
    return any(getattr(filters, name) is not None for name in filters.__dataclass_fields__)


def _backlog_caption(waiting) -> str:
    parts = [f"Чекають рішення: {waiting.open}"]
    if waiting.oldest_waiting is not None:
        parts.append(f"найдовше чекає: {duration_uk(waiting.oldest_waiting)}")
    parts.append(f"вирішено сьогодні: {waiting.decided_today}")
    return " · ".join(parts)


# ------------------------------------------------------------------ the comment


def _plain(text: str | None) -> str:
    """User text for ``st.text``: its bidirectional controls made visible."""
    return bidi.visible(text or "")


def _reply_context(store, item) -> None:
    """The article (title, address as text, opening line) and the comment this one answers,
    when the site sent them; nothing otherwise."""
    c = item.comment
    parent = parent_comment(store, c.id, max_chars=PARENT_CHARS)
    if not (parent or c.parent_id or c.article_url or c.article_snippet):
        return
    with st.container(border=True, key="reply_context"):
        if c.article_url or c.article_snippet:  # one element each: the block stays short
            lines = [f"Стаття: {_plain(c.article_title or c.article_id or '—')}"
                     + (f" · {_plain(c.article_url)}" if c.article_url else "")]
            if c.article_snippet:
                lines.append(f"Початок статті: {_plain(c.article_snippet)}")
            st.text("\n".join(lines))
        if parent is not None:
            status = (" · приховано модератором" if parent.hidden else
                      " · залишено модератором" if parent.decided else "")
            st.text(f"У відповідь на: {_plain(parent.author or 'анонім')} · "
                    f"{uikit.when(parent.posted_at)}{status}\n"
                    + _plain(parent.text) + ("…" if parent.truncated else ""))
        elif c.parent_id:
            st.text(f"У відповідь на коментар № {_plain(c.parent_id)}: його немає в базі.")


def _selected(item) -> set[str]:
    """The labels the moderator has chosen for this comment (starts as the model's flags)."""
    state = st.session_state.get("selected")
    if not state or state["comment_id"] != item.comment.id:
        state = {"comment_id": item.comment.id, "labels": set(item.flagged_labels)}
        st.session_state["selected"] = state
    return state["labels"]


def _shown(text: str | None) -> str:
    """User text as literal Markdown (no links), its bidirectional controls made visible."""
    return md_escape(text or "")


def _comment(item, model) -> None:
    c = item.comment
    if not (c.article_url or c.article_snippet):  # else the context block above names it
        st.markdown(f"**Стаття:** {_shown(c.article_title or c.article_id or '—')}")
    meta = st.columns([3, 2, 2, 1])
    meta[0].markdown(f"**Автор:** {_shown(c.author or 'анонім')}")
    meta[1].markdown(f"**Час:** {uikit.when(c.posted_at or c.ingested_at)}")
    with meta[2].container(key="comment_ref"):
        st.markdown(f"**№** {_shown(c.external_id)}")
    if c.article_url and c.article_url.lower().startswith(("https://", "http://")):
        meta[3].link_button("Стаття ↗", c.article_url)
    spans = {}
    if model is not None:
        try:
            spans = model.explain(c.text)
        except Exception:  # noqa: BLE001 - an explanation helps; it never stops moderation
            spans = {}
    hidden = "bidi" in item.alerts or bidi.has_controls(c.text) or bidi.has_controls(c.author)
    if hidden:
        st.warning(BIDI_NOTICE, icon=":material/visibility:")
    if c.version > 1:
        st.caption(f"Автор змінив цей коментар: це версія {c.version}, попередні версії та "
                   "рішення щодо них — в «Історії».")
    with st.container(border=True, key="comment_box"):
        # marks the spans of the stored text, then escapes each stretch (controls made
        # visible, no links), so the spans still fit
        st.markdown(highlighted_markdown(c.text, spans))
    if spans:
        st.caption("Підсвічено слова, через які модель поставила позначки.")
    if bidi.has_controls(c.text):
        st.caption(BIDI_READERS)
        st.text("".join(c.text[i] for i in bidi.display_order(c.text)))


def _flags(item) -> None:
    flagged = set(item.flagged_labels)
    if flagged:  # one paragraph, not a list: the action buttons stay on a laptop screen
        parts = [f"**{BY_NAME[label].title_uk}** — {item.scores.get(label, 0):.2f}; порушує "
                 f"правило сайту: «{BY_NAME[label].rule_uk}»" for label in LABELS
                 if label in flagged]
        st.markdown("**Модель позначила:** " + " · ".join(parts))
    elif "bidi" in item.alerts:
        st.markdown("Модель не позначила цей коментар: він у черзі через приховані символи "
                    "напрямку письма.")
    elif "watched_author" in item.alerts:
        st.markdown("Модель не позначила цей коментар: він у черзі, бо автор під наглядом "
                    "або на премодерації.")
    else:
        st.markdown("Модель не позначила цей коментар (вибіркова перевірка).")


def _toggles(item, selected: set[str]) -> None:
    st.caption("Мітки рішення (перемикаються клавішами 1–6; вибрані залито кольором): "
               + titles(sorted(selected)))
    # a chosen label is a filled button (and named in the caption above): a check icon
    # beside the longest names left too little room and broke them inside a word
    cols = st.columns(len(LABEL_DEFS), gap="xsmall")
    for col, d in zip(cols, LABEL_DEFS):
        on = d.name in selected
        col.button(d.title_uk, key=f"toggle_{d.name}", shortcut=d.shortcut,
                   type="primary" if on else "secondary",
                   help=f"{d.rule_uk}; бал моделі {item.scores.get(d.name, 0):.2f}",
                   on_click=_toggle, args=(d.name,), width="stretch", wrap=True)


def _toggle(label: str) -> None:
    labels = st.session_state["selected"]["labels"]
    labels.symmetric_difference_update({label})


def _actions(item, queue: str) -> None:
    _what_j_stores(item, st.session_state["selected"]["labels"])
    cols = st.columns(5)
    with cols[0]:
        _action_button("confirm", "Приховати з цими мітками", queue, item.comment.id,
                       primary=True)
    with cols[1]:
        _action_button("override", "Дозволено: залишити", queue, item.comment.id)
    with cols[2]:
        _action_button("relabel", "Зберегти вибране (без міток — дозволено)", queue,
                       item.comment.id)
    with cols[3]:
        _action_button("skip", "Пропустити", queue, item.comment.id)
    with cols[4]:
        _action_button("undo", "Скасувати", queue, item.comment.id)


def _what_j_stores(item, selected: set[str]) -> None:
    """What J will store, always in sight before the key is pressed (label names only)."""
    chosen = [label for label in LABELS if label in selected]
    if chosen:
        changed = set(chosen) != set(item.flagged_labels)
        tail = f" (змінено вами; модель: {titles(item.flagged_labels)})" if changed else \
            " (як позначила модель)"
        st.markdown(f"**J збереже:** {titles(chosen)}{tail}")
    else:
        st.markdown("**J збереже:** нічого — міток не вибрано; позначте порушення "
                    "клавішами 1–6 або дозвольте коментар (K).")
    st.caption("Мітки змінюють лише клавіші 1–6 (кнопки вище). S зберігає вибрані мітки як є, "
               "навіть без жодної (тоді коментар дозволено); K — дозволено без міток.")


def _action_button(action: str, label: str, queue: str, comment_id, *, primary=False) -> None:
    st.button(label, key=f"act_{action}", shortcut=SHORTCUTS[action],
              type="primary" if primary else "secondary", on_click=_act,
              args=(action, comment_id), width="stretch", wrap=True)


def _act(action: str, comment_id) -> None:
    """Button callback: one queue call, then a message for the next page."""
    name = uikit.user().name
    note = (st.session_state.get(f"note_{comment_id}") or "").strip() or None
    chosen = sorted(st.session_state["selected"]["labels"]) if st.session_state.get(
        "selected") else []
    try:
        store = uikit.store()
        if action == "undo":
            decision = undo(store, name)
            back = current_item(store, name)  # the comment the undo gave back, by its site id
            ref = (f" №{back.comment.external_id}" if back is not None
                   and back.comment.id == decision.comment_id else "")
            uikit.flash("info", f"Рішення скасовано: коментар{ref} повернувся в чергу.")
            st.session_state["selected"] = None
            return
        labels = {"confirm": chosen, "relabel": chosen}.get(action)
        decision = decide(store, comment_id, name, action, labels, note)
    except (StoreError, DataError) as exc:
        uikit.flash("error", uikit.error_text(exc))
        return
    except sa.exc.SQLAlchemyError as exc:  # the database went away mid-click: say so
        uikit.flash("error", f"Рішення не збережено: {exc}")
        return
    done = {"confirm": "Приховано", "override": "Залишено", "relabel": "Збережено",
            "skip": "Пропущено"}[action]
    tail = f" (мітки: {titles(decision.labels)})" if decision.labels else ""
    uikit.flash("success", f"{done}{tail}. Скасувати: клавіша {SHORTCUTS['undo']}.")


# ------------------------------------------------------------------ context


def _context(store, item) -> None:
    c = item.comment
    left, right = st.columns(2)
    with left:
        _author(store, c)
    with right:
        _duplicates(store, c)
    _bulk(store, item)


def _author(store, c) -> None:
    if c.author:
        history = author_history(store, c.author, limit=10, exclude_comment=c.id)
        st.metric("Інші коментарі автора", history.total,
                  delta=f"приховано {history.hidden}" if history.hidden else None,
                  delta_color="inverse")
        if history.entries:
            with st.expander("Історія автора"):
                st.dataframe([{"час": uikit.when(e.comment.posted_at or e.comment.ingested_at),
                               "текст": bidi.visible(e.comment.text),
                               "позначки": titles(e.flagged_labels),
                               "рішення": e.verdict or "—",
                               "мітки": titles(e.final_labels)} for e in history.entries],
                             hide_index=True, key="author_history")
        author_panel.form(c.author)


def _duplicates(store, c) -> None:
    dups = near_duplicates(store, c.id, limit=10)
    st.metric("Майже однакові коментарі", dups.count)
    if dups.items:
        with st.expander("Схожі коментарі (інші автори чи статті)"):
            st.dataframe([{"схожість": d.similarity,
                           "автор": bidi.visible(d.comment.author or ""),
                           "стаття": bidi.visible(d.comment.article_title or ""),
                           "текст": bidi.visible(d.comment.text)}
                          for d in dups.items], hide_index=True, key="near_duplicates_list")


# ------------------------------------------------------------------ bulk actions

BULK_SCOPES = {"campaign": "кампанія (майже однакові коментарі, разом із цим)",
               "author": "усі відкриті коментарі цього автора"}
BULK_VERBS = {"confirm": "Приховати", "override": "Залишити"}


def _bulk(store, item) -> None:
    """Hide all / keep all for the comment's campaign and for its author, each after one
    confirmation that names how many comments and which labels."""
    c, moderator = item.comment, uikit.user().name
    clusters = {"campaign": campaign_open(store, c.id, moderator)}
    if c.author:
        clusters["author"] = author_open(store, c.author, moderator)
    clusters = {scope: found for scope, found in clusters.items() if len(found.ids) > 1}
    pending = st.session_state.get("bulk_pending")
    if pending and pending["comment_id"] != c.id:
        pending = st.session_state["bulk_pending"] = None
    if not clusters and not pending:
        return
    with st.container(border=True, key="bulk_actions"):
        st.markdown("**Масові дії** (кожен коментар — окреме рішення в журналі)")
        st.selectbox("Мітка, щоб приховати", [None, *LABELS], key="bulk_label",
                     format_func=lambda v: "мітки моделі кожного коментаря" if v is None
                     else BY_NAME[v].title_uk)
        for scope, found in clusters.items():
            n = len(found.ids)
            st.caption(BULK_SCOPES[scope] + f": відкритих {n}" + (
                f", з них {found.held_by_others} зараз у роботі в інших (їх буде пропущено)"
                if found.held_by_others else ""))
            if scope == "author":
                st.text(f"Автор: {_plain(c.author)}")
            cols = st.columns(2)
            for col, action in zip(cols, BULK_VERBS):
                col.button(f"{BULK_VERBS[action]} всі ({n})", key=f"bulk_{scope}_{action}",
                           on_click=_bulk_ask, args=(c.id, scope, action, found.ids),
                           width="stretch")
        if pending:
            _bulk_confirmation(pending)


def _bulk_labels_text(labels) -> str:
    return titles(labels) if labels else "мітки, які модель позначила на кожному"


def _bulk_ask(comment_id: int, scope: str, action: str, ids: tuple[int, ...]) -> None:
    label = st.session_state.get("bulk_label")
    st.session_state["bulk_pending"] = {
        "comment_id": comment_id, "scope": scope, "action": action, "ids": ids,
        "labels": [label] if action == "confirm" and label else None}


def _bulk_confirmation(pending) -> None:
    n, action = len(pending["ids"]), pending["action"]
    what = (f"{BULK_VERBS[action]} {n} коментарів ({BULK_SCOPES[pending['scope']]})"
            + (f" з мітками: {_bulk_labels_text(pending['labels'])}"
               if action == "confirm" else " як дозволені, без міток") + "?")
    st.warning(what, icon=":material/warning:")
    yes, no = st.columns(2)
    yes.button(f"Так, {BULK_VERBS[action].lower()} {n}", key="bulk_yes", type="primary",
               on_click=_bulk_do, width="stretch")
    no.button("Скасувати", key="bulk_no", on_click=_bulk_cancel, width="stretch")


def _bulk_cancel() -> None:
    st.session_state["bulk_pending"] = None


def _bulk_do() -> None:
    """Button callback: the confirmed bulk action, then a message with the counts."""
    pending, st.session_state["bulk_pending"] = st.session_state.get("bulk_pending"), None
    if not pending:
        return
    try:
        result = bulk_decide(uikit.store(), uikit.user().name, pending["ids"],
                             pending["action"], labels=pending["labels"],
                             note=f"масова дія: {BULK_SCOPES[pending['scope']]}")
    except (StoreError, DataError) as exc:
        uikit.flash("error", uikit.error_text(exc))
        return
    except sa.exc.SQLAlchemyError as exc:
        uikit.flash("error", f"Масову дію перервано: {exc}")
        return
    done = "Приховано" if pending["action"] == "confirm" else "Залишено"
    parts = [f"{done}: {len(result.decided)}"]
    if result.held:
        parts.append(f"пропущено (у роботі в інших модераторів): {len(result.held)}")
    if result.closed:
        parts.append(f"уже вирішені: {len(result.closed)}")
    if result.unlabelled:
        parts.append(f"без міток моделі (виберіть мітку): {len(result.unlabelled)}")
    st.session_state["selected"] = None
    uikit.flash("success" if result.decided else "warning", "; ".join(parts) + ".")
