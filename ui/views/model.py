"""Модель: the current model's card; retraining as a background job, an honest comparison,
promotion with confirmation, and rollback to a kept model (admins only).

Training runs in its own process (``moderation.learning.jobs``): the page only starts it and
polls its status file, so moderators keep working meanwhile.
"""
import pandas as pd
import streamlit as st
import uikit

from moderation.classifier.card_uk import card_sections
from moderation.display import md_escape
from moderation.errors import AuthError, JobError, ModelError
from moderation.learning.comparison import Comparison
from moderation.learning.jobs import DONE, FAILED, latest_job, start_job
from moderation.learning.promotions import current_version, promote, promotions, rollback
from moderation.learning.retrain import NO_CURRENT_MODEL, NO_UNSEEN, UNKNOWN_TRAINING
from moderation.learning.versions import kept_models, models_dir
from moderation.taxonomy import BY_NAME

POLL_SECONDS = 2.0
NO_COMPARISON = {
    NO_CURRENT_MODEL: "Порівняння немає: поточної моделі немає.",
    UNKNOWN_TRAINING: "Порівняння немає: поточна модель не записала, на яких рішеннях "
                      "модераторів вона вчилася, тож немає коментарів, про які точно відомо, що "
                      "жодна з двох моделей їх не бачила.",
    NO_UNSEEN: "Порівняння немає: відколи навчено поточну модель, модератори не ухвалили "
               "жодного нового рішення, тож немає коментарів, яких не бачила жодна з моделей. "
               "Цифр немає, щоб не вводити в оману.",
}
ACTIONS = {"promote": "впровадження", "rollback": "відкат"}

st.title("Модель")
uikit.show_flash()
admin = uikit.user()
model = uikit.model_or_warning()


def ci(interval, sign: str = "") -> str:
    return "—" if interval is None else f"{interval[0]:{sign}.3f} … {interval[1]:{sign}.3f}"


def comparison_table(comparison) -> pd.DataFrame:
    rows = []
    for c in (*comparison.labels, comparison.macro):
        name = "macro F1" if c.label == "macro" else BY_NAME[c.label].title_uk
        if c.diff is None:
            rows.append({"мітка": name, "порушень": c.support, "висновок": "порушень немає"})
            continue
        rows.append({"мітка": name, "порушень": c.support,
                     "F1 поточної": round(c.current_f1, 3), "95% поточної": ci(c.current_ci),
                     "F1 нової": round(c.candidate_f1, 3), "95% нової": ci(c.candidate_ci),
                     "різниця": round(c.diff, 3), "95% різниці": ci(c.diff_ci, "+"),
                     "висновок": "гірша" if c.worse else "краща" if c.better else "у межах шуму"})
    return pd.DataFrame(rows)


if model is not None:
    st.markdown(f"Поточна модель: {md_escape(model.version)}")
    cv = model.metrics.get("cv", {})
    rows = [{"мітка": BY_NAME[label].title_uk, "точність": m.get("precision"),
             "повнота": m.get("recall"), "F1": m.get("f1"), "поріг": m.get("threshold")}
            for label, m in cv.get("labels", {}).items() if label in BY_NAME]
    if rows:
        macro = cv.get("macro_f1")
        st.subheader("Якість (крос-валідація, групи за статтями)"
                     + (f": macro F1 {macro:.3f}" if macro is not None else ""))
        st.dataframe(pd.DataFrame(rows), hide_index=True, key="model_metrics")
    if "decisions_until" in model.manifest:
        weight = model.manifest.get("decision_weight", {})
        st.caption(f"Навчена на початковому корпусі та {model.manifest.get('decisions_used', 0)} "
                   f"рішеннях модераторів (до №{model.manifest['decisions_until']}); вага рішення "
                   f"проти рядка корпусу: {weight.get('weight', 1):g}.")
    with st.expander("Картка моделі"):
        # the card's content in Ukrainian, from the manifest of the loaded (verified) model:
        # sentences as plain text and figures as tables, never rendered as Markdown
        for i, section in enumerate(card_sections(model.manifest)):
            st.markdown(f"**{md_escape(section.title)}**")
            for line in section.lines:
                st.text(line)
            if section.table:
                st.dataframe(pd.DataFrame(list(section.table)), hide_index=True,
                             key=f"model_card_{i}")

with uikit.db_errors():
    promoted = promotions(uikit.store(), limit=20)
if promoted:
    st.subheader("Історія впровадження")
    st.dataframe([{"версія": p.version, "дія": ACTIONS.get(p.action, p.action),
                   "хто": p.promoted_by, "коли": uikit.when(p.promoted_at), "примітка": p.note}
                  for p in promoted], hide_index=True, key="promotions_table")

st.subheader("Перенавчання")
if not admin.is_admin:
    st.info("Перенавчати, впроваджувати й відкочувати модель може лише адміністратор.")
    st.stop()
st.caption("Нова модель вчиться окремим процесом на початковому корпусі та всіх рішеннях "
           "модераторів; рішення важать більше за рядки корпусу (вагу обрано "
           "крос-валідацією на рішеннях). Порівнюємо з поточною лише на найновіших рішеннях, "
           "яких не бачила жодна з моделей. Модератори тим часом працюють як завжди.")


def read_job():
    try:
        return latest_job()
    except JobError as exc:
        st.error(md_escape(f"Не вдалося прочитати стан навчання: {exc}"))
        return None


job = read_job()
running = job is not None and job.active
folds = st.number_input("Кількість фолдів крос-валідації", 3, 10, 5, key="retrain_folds",
                        disabled=running)
if st.button("Перенавчити", key="retrain", type="primary", disabled=running):
    try:
        started = start_job(admin, folds=int(folds))
    except (JobError, AuthError, OSError) as exc:
        st.error(md_escape(f"Не вдалося почати навчання: {exc}"))
    else:
        uikit.flash("info", f"Навчання почато ({started.id}); поступ видно нижче.")
        st.rerun()


@st.fragment(run_every=POLL_SECONDS if running else None)
def progress_panel():
    """Polls the job while it runs; the whole page reruns once it has ended."""
    current = read_job()
    if current is None or not current.active:
        if running:
            st.rerun()
        return
    started = current.created_at[:19].replace("T", " ")
    st.info(md_escape(f"Навчання триває (почато {started} UTC, запустив(ла) "
                      f"{current.requested_by})."), icon=":material/hourglass_top:")
    st.code("\n".join(current.progress[-20:]) or "Очікування запуску…", language=None)


progress_panel()


def candidate_panel(job) -> None:
    weight = (job.weight or {}).get("weight", 1)
    st.markdown(f"Нова модель {md_escape(job.version)}: {job.rows} рядків, з них рішень "
                f"модераторів {job.decisions}; вага рішення {weight:g}.")
    comparison = job.comparison_record() or Comparison(rows=0)
    now_current = current_version()
    if comparison.current_version and comparison.current_version != now_current:
        st.warning(md_escape(f"Порівняно з моделлю {comparison.current_version}, а поточна "
                             f"тепер {now_current or 'відсутня'}: перенавчіть, щоб порівняти "
                             "з нею."))
    if comparison.macro is None:
        if comparison.rows:
            st.info(f"Серед {comparison.rows} коментарів, яких не бачила жодна з моделей, "
                    "порушень немає: F1 не визначено.")
        else:
            st.info(NO_COMPARISON.get(comparison.reason, "Порівняння немає."))
    else:
        st.caption(f"Порівняння на {comparison.rows} коментарях, яких не бачила жодна з моделей "
                   f"(рішення №{comparison.first_decision}–№{comparison.last_decision}); для "
                   "порівняння нову модель навчено без них, 95% інтервали — парний бутстреп.")
        st.dataframe(comparison_table(comparison), hide_index=True, key="compare_table")
    if comparison.rows:
        st.caption(f"Чисті коментарі, позначені помилково: поточна "
                   f"{comparison.clean_flagged_current} з {comparison.clean_rows}, нова "
                   f"{comparison.clean_flagged_candidate} з {comparison.clean_rows}.")
    worse = [BY_NAME[label].title_uk for label in comparison.worse_labels]
    if worse:
        st.error("Нова модель гірша за поточну понад шум (увесь 95% інтервал різниці нижче "
                 f"нуля) для міток: {', '.join(worse)}.", icon=":material/warning:")
    if job.version == now_current:
        st.success("Ця модель уже поточна.")
        return
    pending = st.session_state.get("confirm_action")
    if pending != ("promote", job.id):
        if st.button("Впровадити нову модель", key="promote", type="primary"):
            st.session_state["confirm_action"] = ("promote", job.id)
            st.rerun()
        return
    st.warning(md_escape(f"Впровадити модель {job.version}? Вона стане поточною для всіх, "
                         "відкриті коментарі в чергах буде переоцінено. Попередню можна буде "
                         "відновити."))
    note = st.text_input("Примітка (необов'язково)", key="promote_note", max_chars=500)
    yes, no = st.columns(2)
    if no.button("Скасувати", key="promote_cancel"):
        st.session_state["confirm_action"] = None
        st.rerun()
    if yes.button("Так, впровадити", key="promote_confirm", type="primary"):
        try:
            with uikit.db_errors():
                result = promote(admin, uikit.store(), job.candidate, note=note.strip() or None)
        except (AuthError, ModelError, OSError) as exc:
            st.error(md_escape(f"Не впроваджено: {exc}"))
            return
        st.session_state["confirm_action"] = None
        uikit.flash("success", f"Модель {result.promotion.version} тепер поточна. Переоцінено "
                               f"відкритих коментарів: {result.rescore.rescored} (позначено "
                               f"{result.rescore.flagged}, без позначок "
                               f"{result.rescore.unflagged}: вони лишаються в черзі).")
        st.rerun()


if job is not None and job.state == DONE:
    candidate_panel(job)
elif job is not None and job.state == FAILED:
    st.error("Навчання не вдалося.")
    st.code(job.error or "", language=None, wrap_lines=True)

st.subheader("Відновити попередню модель")
current = current_version()
kept = [k for k in kept_models(models_dir()) if k.problem is None and k.version != current]
if not kept:
    st.caption("Збережених попередніх моделей немає: кожну впроваджену модель зберігаємо, щоб "
               "її можна було відновити.")
    st.stop()
version = st.selectbox("Версія", [k.version for k in kept], key="rollback_version")
if st.session_state.get("confirm_action") != ("rollback", version):
    if st.button("Відновити цю модель", key="rollback"):
        st.session_state["confirm_action"] = ("rollback", version)
        st.rerun()
    st.stop()
st.warning(md_escape(f"Відновити модель {version}? Вона стане поточною для всіх, відкриті "
                     "коментарі в чергах буде переоцінено."))
note = st.text_input("Примітка (необов'язково)", key="rollback_note", max_chars=500)
yes, no = st.columns(2)
if no.button("Скасувати", key="rollback_cancel"):
    st.session_state["confirm_action"] = None
    st.rerun()
if yes.button("Так, відновити", key="rollback_confirm", type="primary"):
    try:
        with uikit.db_errors():
            result = rollback(admin, uikit.store(), version, note=note.strip() or None)
    except (AuthError, ModelError, OSError) as exc:
        st.error(md_escape(f"Не відновлено: {exc}"))
    else:
        st.session_state["confirm_action"] = None
        uikit.flash("success", f"Відновлено модель {result.promotion.version}. Переоцінено "
                               f"відкритих коментарів: {result.rescore.rescored}.")
        st.rerun()
