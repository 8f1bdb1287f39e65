"""Статистика: queue sizes, decisions per moderator per day, quality of the model's flags;
for admins, «Закріплення»: who holds which comment, and releasing claims."""
import claims_admin
import streamlit as st
import uikit

from moderation.display import flag_quality_frame
from moderation.queue import stats


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

st.subheader("Точність позначок моделі за мітками")
st.caption("Частка позначених коментарів, у яких модератор підтвердив мітку.")
quality = flag_quality_frame(s.flag_precision, s.flagged_decided)
st.bar_chart(quality.fillna({"точність позначок": 0}), x="мітка", y="точність позначок")
st.dataframe(quality, hide_index=True, key="stats_quality")

if uikit.user().is_admin:
    claims_admin.render()
