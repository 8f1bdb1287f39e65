"""Модель: the current model's card and metrics; retrain and promote (admin only)."""
import pandas as pd
import streamlit as st
import uikit

from moderation.display import md_escape
from moderation.errors import AuthError, DataError, ModelError
from moderation.learning.promotions import promotions
from moderation.learning.retrain import promote, retrain
from moderation.settings import get_settings
from moderation.taxonomy import BY_NAME, LABELS

st.title("Модель")
uikit.show_flash()
admin = uikit.user()
settings = get_settings()
model = uikit.model_or_warning()

if model is not None:
    st.markdown(f"Поточна модель: `{model.version}`")
    cv = model.metrics.get("cv", {})
    rows = [{"мітка": BY_NAME[label].title_uk, "precision": m.get("precision"),
             "recall": m.get("recall"), "F1": m.get("f1"), "поріг": m.get("threshold")}
            for label, m in cv.get("labels", {}).items() if label in BY_NAME]
    if rows:
        macro = cv.get("macro_f1")
        st.subheader("Якість (крос-валідація, групи за статтями)"
                     + (f": macro F1 {macro:.3f}" if macro is not None else ""))
        st.dataframe(pd.DataFrame(rows), hide_index=True, key="model_metrics")
    with st.expander("Картка моделі (MODEL_CARD.md)"):
        # the card verified when the model was loaded, shown as text (never rendered)
        st.code(model.card or "Картки немає.", language=None, wrap_lines=True)

with uikit.db_errors():
    promoted = promotions(uikit.store(), limit=20)
if promoted:
    st.subheader("Історія впровадження")
    st.dataframe([{"версія": p.version, "хто": p.promoted_by, "коли": uikit.when(p.promoted_at)}
                  for p in promoted], hide_index=True, key="promotions_table")

st.subheader("Перенавчання")
if not admin.is_admin:
    st.info("Перенавчати й впроваджувати модель може лише адміністратор.")
    st.stop()
st.caption("Нова модель вчиться на початковому корпусі та всіх рішеннях модераторів; "
           "частину статей відкладено, щоб порівняти нову й поточну моделі. Поточна модель "
           "могла бачити частину цих рядків, тож її оцінки можуть бути завищені.")
folds = st.number_input("Кількість фолдів крос-валідації", 3, 10, 5, key="retrain_folds")
if st.button("Перенавчити", key="retrain", type="primary"):
    with st.status("Навчання нової моделі…", expanded=True) as status:
        try:
            with uikit.db_errors():
                candidate = retrain(admin, uikit.store(), model, settings.data_dir / "candidates",
                                    folds=int(folds), progress=status.write)
        except (DataError, AuthError, ModelError, OSError) as exc:  # OSError: disk full, read-only
            status.update(label="Не вдалося", state="error")
            st.error(md_escape(f"Не вдалося перенавчити: {exc}"))
        else:
            st.session_state["candidate"] = candidate
            status.update(label=f"Готово: {candidate.version}", state="complete")

candidate = st.session_state.get("candidate")
if candidate is not None:
    st.markdown(f"Нова модель `{candidate.version}`: {candidate.train_rows} рядків для навчання "
                f"(з них рішень модераторів: {candidate.decisions}), {candidate.holdout_rows} "
                "відкладено.")
    table = candidate.comparison.pivot(index="label", columns="model", values="f1")
    table = table.reindex([*LABELS, "macro"]).rename(
        index=lambda v: BY_NAME[v].title_uk if v in BY_NAME else "macro F1")
    table = table.reindex(columns=[c for c in ("new", "current") if c in table.columns])
    table = table.rename(columns={"new": "F1 нової", "current": "F1 поточної"})
    st.dataframe(table, key="compare_table")
    if st.button("Впровадити нову модель", key="promote", type="primary"):
        try:
            with uikit.db_errors():
                promote(admin, uikit.store(), candidate.path, settings.model_dir,
                        metrics=candidate.metrics)
        except (AuthError, ModelError, OSError) as exc:
            st.error(md_escape(f"Не впроваджено: {exc}"))
        else:
            st.session_state["candidate"] = None
            uikit.flash("success", f"Модель {candidate.version} тепер поточна.")
            st.rerun()
