"""Вхід: name and password, checked against the moderators file (argon2, lockout)."""
import streamlit as st
import uikit

st.title("Модерація коментарів")
uikit.show_flash()
with st.form("signin_form"):
    name = st.text_input("Ім'я модератора", key="signin_name")
    password = st.text_input("Пароль", type="password", key="signin_password")
    submitted = st.form_submit_button("Увійти", key="signin_submit", type="primary")
if submitted and uikit.sign_in(name or "", password or ""):
    st.rerun()
st.caption("Облікові записи створює адміністратор (`moderation moderator add ІМ'Я`).")
