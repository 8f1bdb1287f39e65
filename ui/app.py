"""The moderators' web app: ``moderation ui`` (or ``streamlit run ui/app.py``).

Signed out, only the sign-in page exists; signed in, the pages below (the moderators page
only for admins). Every page is a thin file in ``ui/views``.
"""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import streamlit as st
import uikit

# a file shipped with the app: a ``:material/…:`` page icon makes the browser fetch it from
# fonts.gstatic.com, which fails offline and tells an outside host who is moderating
st.set_page_config(page_title="Модерація коментарів", page_icon=str(HERE / "icon.png"),
                   layout="wide")
uikit.init_state()
uikit.refuse_unsound_store()  # a store that fails `moderation db verify`: nothing else runs
with uikit.db_errors():
    moderator = uikit.signed_in()
uikit.follow_redirect()  # after a sign-in or sign-out: the cookie route

if moderator is None:
    pages = [st.Page("views/signin.py", title="Вхід", icon=":material/login:", url_path="signin")]
else:
    pages = [
        st.Page("views/queue.py", title="Черга", icon=":material/inbox:", url_path="queue", default=True),
        st.Page("views/spot_check.py", title="Вибіркова перевірка", icon=":material/fact_check:",
                url_path="spot-check"),
        st.Page("views/history.py", title="Історія", icon=":material/history:", url_path="history"),
        st.Page("views/stats.py", title="Статистика", icon=":material/bar_chart:", url_path="stats"),
        st.Page("views/model.py", title="Модель", icon=":material/model_training:", url_path="model"),
    ]
    if moderator.is_admin:
        pages.append(st.Page("views/moderators.py", title="Модератори", icon=":material/group:",
                             url_path="moderators"))
    uikit.sidebar(moderator)

st.navigation(pages).run()
