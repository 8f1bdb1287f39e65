"""Статистика: queue sizes, decisions per moderator per day, each moderator's figures,
quality of the model's flags; for admins, «Закріплення»: who holds which comment, and
releasing claims."""
import datetime as dt

import claims_admin
import streamlit as st
import uikit

from moderation.display import flag_quality_frame
from moderation.queue import moderator_metrics, stats

PERIODS = {None: "за весь час", 7: "за 7 днів", 30: "за 30 днів"}


def pct(value):
    return "—" if value is None else f"{value:.0%}"


st.title("Статистика")
with uikit.db_errors():
    s = stats(uikit.store())
cols = st.columns(5)
cols[0].metric("У черзі", s.open.get("review", 0))
cols[1].metric("На вибірковій перевірці", s.open.get("spot_check", 0))
cols[2].metric("Зараз у роботі", s.claimed)
cols[3].metric("Позначки відхилено", pct(s.override_rate),
               help="Позначені коментарі, які модератор дозволив")
cols[4].metric("Пропуски моделі", pct(s.spot_check_miss_rate),
               help="Коментарі з вибіркової перевірки, що порушують правила")

st.subheader("Рішення за днями")
if s.decisions_per_day.empty:
    st.info("Ще немає рішень.")
else:
    per_day = s.decisions_per_day.rename(columns={"day": "день", "moderator": "модератор",
                                                  "decisions": "рішення"})
    per_day["день"] = per_day["день"].astype(str)
    st.bar_chart(per_day, x="день", y="рішення", color="модератор")

st.subheader("Модератори")
days = st.radio("Період", list(PERIODS), format_func=PERIODS.get, horizontal=True,
                key="stats_period")
since = None if days is None else uikit.now() - dt.timedelta(days=days)
with uikit.db_errors():
    people = moderator_metrics(uikit.store(), since=since)
if people.empty:
    st.info("За цей період рішень немає.")
else:
    st.caption("Власні рішення кожного модератора в черзі (скасовані теж рахуються). Час на "
               "рішення: медіана проміжків між двома його рішеннями поспіль, без перерв "
               "довших за 10 хвилин; «проміжків» — скільки таких проміжків виміряно.")
    st.dataframe(
        people.rename(columns={
            "moderator": "модератор", "decisions": "рішень", "days": "днів",
            "per_day": "рішень за день", "override_rate": "дозволено позначених",
            "relabel_rate": "змінено мітки", "median_seconds": "секунд на рішення",
            "timed": "проміжків"}),
        hide_index=True, key="stats_moderators",
        column_config={
            "рішень за день": st.column_config.NumberColumn(format="%.1f"),
            "дозволено позначених": st.column_config.NumberColumn(format="percent"),
            "змінено мітки": st.column_config.NumberColumn(format="percent"),
            "секунд на рішення": st.column_config.NumberColumn(format="%.0f")})

st.subheader("Точність позначок моделі за мітками")
st.caption("Частка позначених коментарів, у яких модератор підтвердив мітку; «вирішено "
           "позначених» — на скількох коментарях це пораховано.")
quality = flag_quality_frame(s.flag_precision, s.flagged_decided)
st.bar_chart(quality.fillna({"точність позначок": 0}), x="мітка", y="точність позначок")
st.dataframe(quality, hide_index=True, key="stats_quality")

if uikit.user().is_admin:
    claims_admin.render()
