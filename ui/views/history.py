"""Історія: the audit trail, filtered by moderator, label, action and date; CSV export."""
import datetime as dt

import streamlit as st
import uikit

from moderation.auth import list_moderators
from moderation.display import csv_bytes
from moderation.queue import ACTIONS, history
from moderation.taxonomy import BY_NAME, LABELS

ACTION_NAMES = {"confirm": "підтверджено", "override": "дозволено", "relabel": "змінено мітки",
                "skip": "пропущено", "undo": "скасовано", "import": "імпортовано"}

st.title("Історія рішень")
names = [m.name for m in list_moderators(uikit.store())]
cols = st.columns(4)
moderator = cols[0].selectbox("Модератор", [None, *names], key="hist_moderator",
                              format_func=lambda v: "усі" if v is None else v)
label = cols[1].selectbox("Мітка", [None, *LABELS], key="hist_label",
                          format_func=lambda v: "усі" if v is None else BY_NAME[v].title_uk)
action = cols[2].selectbox("Дія", [None, *ACTIONS], key="hist_action",
                           format_func=lambda v: "усі" if v is None else ACTION_NAMES[v])
dates = cols[3].date_input("Дати рішень", value=[], key="hist_dates", format="DD.MM.YYYY")
dates = list(dates) if isinstance(dates, (list, tuple)) else [dates]
since = dt.datetime.combine(dates[0], dt.time.min, tzinfo=uikit.KYIV) if dates else None
until = dt.datetime.combine(dates[-1], dt.time.max, tzinfo=uikit.KYIV) if dates else None

with uikit.db_errors():
    frame = history(uikit.store(), moderator=moderator, label=label, action=action,
                    since=since, until=until)
st.caption(f"Рішень: {len(frame)}")
st.dataframe(frame, hide_index=True, key="hist_table",
             column_config={"decided_at": st.column_config.DatetimeColumn(
                 "час", timezone="Europe/Kyiv", format="DD.MM.YYYY HH:mm")})
st.download_button("Завантажити CSV", csv_bytes(frame), file_name="decisions.csv",
                   mime="text/csv", key="hist_csv", disabled=frame.empty)
