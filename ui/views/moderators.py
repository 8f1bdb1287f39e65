"""Модератори (admin only): the accounts, adding one, removing one (its sessions end)."""
import streamlit as st
import uikit

from moderation.auth import ROLES, add_moderator_as, list_moderators, remove_moderator
from moderation.auth.accounts import MIN_PASSWORD_CHARS, ROLE_NAMES
from moderation.display import md_escape
from moderation.errors import AuthError

st.title("Модератори")
admin = uikit.user()
if not admin.is_admin:
    st.error("Лише адміністратор може керувати обліковими записами.")
    st.stop()
uikit.show_flash()
with uikit.db_errors():
    accounts = list_moderators(uikit.store())
st.dataframe([{"ім'я": m.name, "роль": ROLE_NAMES[m.role]} for m in accounts],
             hide_index=True, key="moderators_table")
with st.form("add_moderator", clear_on_submit=True):
    st.subheader("Додати модератора")
    name = st.text_input("Ім'я", key="new_name")
    password = st.text_input(f"Пароль (щонайменше {MIN_PASSWORD_CHARS} символів)",
                             type="password", key="new_password")
    role = st.selectbox("Роль", ROLES, key="new_role", format_func=ROLE_NAMES.get)
    if st.form_submit_button("Додати", key="new_submit"):
        try:
            with uikit.db_errors():
                added = add_moderator_as(admin, uikit.store(), name or "", password or "",
                                         role=role)
        except AuthError as exc:
            st.error(md_escape(f"Не додано: {exc}"))
        else:
            uikit.flash("success", f"Додано: {added.name} ({ROLE_NAMES[added.role]})")
            st.rerun()

others = [m.name for m in accounts if m.name != admin.name]
with st.form("remove_moderator"):
    st.subheader("Видалити модератора")
    st.caption("Обліковий запис зникає, а всі його сесії завершуються одразу (в усіх вікнах "
               "і процесах); ухвалені рішення лишаються в історії.")
    gone = st.selectbox("Кого видалити", [None, *others], key="remove_name",
                        format_func=lambda v: "—" if v is None else v)
    sure = st.checkbox("Так, видалити цей обліковий запис", key="remove_sure")
    if st.form_submit_button("Видалити", key="remove_submit"):
        if gone is None or not sure:
            st.error("Виберіть обліковий запис і підтвердьте видалення.")
        else:
            with uikit.db_errors():
                remove_moderator(uikit.store(), gone)
            uikit.flash("success", f"Видалено: {gone}; його сесії завершено.")
            st.rerun()
