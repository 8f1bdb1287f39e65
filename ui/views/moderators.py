"""Модератори (admin only): the accounts, and adding one."""
import streamlit as st
import uikit

from moderation.auth import (
    MAX_NAME_CHARS,
    MIN_PASSWORD_CHARS,
    ROLES,
    add_moderator_as,
    list_moderators,
)
from moderation.display import md_escape
from moderation.errors import AuthError
from moderation.settings import get_settings



class RefusedHere(Exception):
    """An account this page will not ask the package to add; the message is Ukrainian."""


st.title("Модератори")
admin = uikit.user()
path = get_settings().moderators_file
if not admin.is_admin:
    st.error("Лише адміністратор може керувати обліковими записами.")
    st.stop()
uikit.show_flash()
st.dataframe([{"ім'я": m.name, "роль": m.role} for m in list_moderators(path)],
             hide_index=True, key="moderators_table")
with st.form("add_moderator", clear_on_submit=True):
    st.subheader("Додати модератора")
    name = st.text_input("Ім'я", key="new_name")
    password = st.text_input("Пароль (щонайменше 8 символів)", type="password",
                             key="new_password")
    role = st.selectbox("Роль", ROLES, key="new_role",
                        format_func={"moderator": "модератор", "admin": "адміністратор"}.get)
    if st.form_submit_button("Додати", key="new_submit"):
        # the common refusals in Ukrainian, checked against the same limits the package
        # applies (its AuthError text is English and has no subtypes to branch on)
        taken = {m.name for m in list_moderators(path)}
        try:
            if len(password or "") < MIN_PASSWORD_CHARS:
                raise RefusedHere(f"Пароль закороткий: потрібно щонайменше "
                                  f"{MIN_PASSWORD_CHARS} символів.")
            if (name or "").strip() in taken:
                raise RefusedHere("Модератор з таким ім'ям уже є.")
            added = add_moderator_as(admin, path, name or "", password or "", role=role)
        except RefusedHere as exc:
            st.error(md_escape(f"Не додано. {exc}"))
        except AuthError as exc:
            st.error(md_escape(f"Не додано: перевірте ім'я (від 1 до {MAX_NAME_CHARS} "
                               "символів, без керівних і невидимих символів)."))
            st.caption(md_escape(f"Подробиці: {exc}"))
        else:
            uikit.flash("success", f"Додано: {added.name} ({added.role})")
            st.rerun()
