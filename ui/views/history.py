"""Історія: the audit trail, filtered by moderator, label, action, date and comment text,
readable (comment text first, Ukrainian words); CSV export; reopening or relabelling a
decided comment with a note (a new entry: nothing in the trail is changed)."""
import datetime as dt

import streamlit as st
import uikit

from moderation.auth import list_moderators
from moderation.display import csv_bytes, titles
from moderation.errors import DataError, NotDecided, StoreError
from moderation.queue import ACTIONS, correct, history, readable_history, reopen
from moderation.queue.reports import ACTION_TITLES
from moderation.taxonomy import BY_NAME, LABELS, parse_labels
from moderation.text import bidi

FIXES = {"relabel": "Змінити мітки", "reopen": "Повернути в чергу (рішення скасовується)"}
EXCERPT = 60
MAX_PICK = 500  # decisions offered in the select box, newest first

st.title("Історія рішень")
uikit.show_flash()
names = [m.name for m in list_moderators(uikit.store())]
search = st.text_input("Пошук у тексті коментаря", key="hist_search", max_chars=200,
                       placeholder="слово чи частина тексту, без огляду на регістр")
cols = st.columns(4)
moderator = cols[0].selectbox("Модератор", [None, *names], key="hist_moderator",
                              format_func=lambda v: "усі" if v is None else v)
label = cols[1].selectbox("Мітка", [None, *LABELS], key="hist_label",
                          format_func=lambda v: "усі" if v is None else BY_NAME[v].title_uk)
action = cols[2].selectbox("Дія", [None, *ACTIONS], key="hist_action",
                           format_func=lambda v: "усі" if v is None else ACTION_TITLES[v])
dates = cols[3].date_input("Дати рішень", value=[], key="hist_dates", format="DD.MM.YYYY")
dates = list(dates) if isinstance(dates, (list, tuple)) else [dates]
since = dt.datetime.combine(dates[0], dt.time.min, tzinfo=uikit.KYIV) if dates else None
until = dt.datetime.combine(dates[-1], dt.time.max, tzinfo=uikit.KYIV) if dates else None

with uikit.db_errors():
    try:
        frame = history(uikit.store(), moderator=moderator, label=label, action=action,
                        since=since, until=until, text=search or None)
    except DataError as exc:
        st.error(uikit.error_text(exc))
        st.stop()
st.caption(f"Рішень: {len(frame)}")
st.dataframe(readable_history(frame), hide_index=True, key="hist_table",
             column_config={"Час": st.column_config.DatetimeColumn(
                 "Час", timezone="Europe/Kyiv", format="DD.MM.YYYY HH:mm"),
                 "Текст коментаря": st.column_config.TextColumn(width="large")})
st.download_button("Завантажити CSV", csv_bytes(frame), file_name="decisions.csv",
                   mime="text/csv", key="hist_csv", disabled=frame.empty)


def _excerpt(text: str) -> str:
    text = " ".join(bidi.visible(text or "").split())
    return text if len(text) <= EXCERPT else text[:EXCERPT - 1] + "…"


def _fix(comment_id: int, decision_id: int) -> None:
    """Button callback: one package call, then a message for the next run."""
    kind = st.session_state.get("hist_fix_kind")
    note = st.session_state.get(f"hist_fix_note_{decision_id}") or ""
    name = uikit.user().name
    try:
        if kind == "reopen":
            reopen(uikit.store(), comment_id, name, note)
            uikit.flash("success", "Коментар повернуто в чергу: рішення скасовано.")
        else:
            labels = st.session_state.get(f"hist_fix_labels_{decision_id}") or []
            decision = correct(uikit.store(), comment_id, name, labels, note)
            uikit.flash("success", "Мітки змінено: тепер чинне нове рішення ("
                        f"{titles(decision.labels) if decision.labels else 'без порушень'}).")
    except NotDecided:
        uikit.flash("error", "У цього коментаря немає чинного рішення: він чекає в черзі "
                             "(вирішіть його там).")
    except DataError as exc:
        uikit.flash("error", "Потрібна примітка: чому рішення виправлено." if exc.field == "note"
                    else f"Не збережено: {exc.reason}")
    except StoreError as exc:
        uikit.flash("error", uikit.error_text(exc))


st.subheader("Виправити рішення")
if frame.empty:
    st.caption("Немає рішень, які можна вибрати.")
else:
    rows = {int(r.decision_id): r for r in frame.head(MAX_PICK).itertuples(index=False)}
    if len(frame) > MAX_PICK:
        st.caption(f"На вибір — {MAX_PICK} найновіших рішень; щоб знайти інше, звузьте "
                   "фільтри чи скористайтеся пошуком.")
    pick = st.selectbox(
        "Рішення", list(rows), key="hist_pick",
        format_func=lambda d: f"{uikit.when(rows[d].decided_at)} · {rows[d].moderator} · "
                              f"{ACTION_TITLES.get(rows[d].action, rows[d].action)} · "
                              f"{_excerpt(rows[d].text)}")
    row = rows[pick]
    with st.container(border=True, key="hist_fix_box"):
        st.text(bidi.visible(row.text))
        kind = st.radio("Що зробити", list(FIXES), format_func=FIXES.get, key="hist_fix_kind",
                        horizontal=True)
        if kind == "relabel":
            current = parse_labels(row.labels) if isinstance(row.labels, str) else []
            st.multiselect("Мітки (порожньо — дозволено)", LABELS, default=current,
                           format_func=lambda v: BY_NAME[v].title_uk,
                           key=f"hist_fix_labels_{pick}")
        st.text_input("Примітка (обов'язково): чому виправлено", key=f"hist_fix_note_{pick}",
                      max_chars=500)
        st.button("Підтвердити", key="hist_fix_submit", type="primary", on_click=_fix,
                  args=(int(row.comment_id), pick))
        st.caption("Виправлення — це новий запис в історії: попередні рішення лишаються як є, "
                   "а чинним (для сайту й навчання моделі) стає останній.")
