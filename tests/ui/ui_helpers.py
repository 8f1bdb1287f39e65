"""Driving the app in AppTest: start it, sign in, read what a page shows."""
from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from moderation.display import AUTOLINK_BREAK

APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"
PASSWORDS = {"olena": "olena-secret-1", "petro": "petro-secret-1"}  # admin, moderator


def start(name: str | None = "olena", password: str | None = None) -> AppTest:
    """The app, run once, signed in as ``name`` (``None``: left on the sign-in page)."""
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception, at.exception
    if name is not None:
        sign_in(at, name, password or PASSWORDS[name])
        assert not at.exception, at.exception
    return at


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(password)
    return at.button(key="signin_submit").click().run()


def texts(at: AppTest) -> str:
    """Everything the page shows as Markdown or text, joined (escapes and the invisible word
    joiners that stop automatic links removed)."""
    parts = [m.value for m in at.markdown] + [t.value for t in at.text]
    parts += [e.value for kind in ("success", "error", "warning", "info") for e in getattr(at, kind)]
    return re.sub(r"\\(.)", r"\1", "\n".join(parts)).replace(AUTOLINK_BREAK, "")


_GO_TO = re.compile(r'<script>window\.location\.replace\("/auth/(session\?ticket=[A-Za-z0-9_-]+|'
                    r'signout)"\);</script>')


def static_html_only(at: AppTest) -> None:
    """No Markdown element allows HTML, and the only HTML elements are the app's own: the
    review screen's static CSS (``review.COMPACT_CSS``) and the redirect to the cookie route
    after a sign-in or sign-out (a fixed script); neither holds user text."""
    import sys

    if str(APP.parent) not in sys.path:
        sys.path.insert(0, str(APP.parent))
    import review

    assert not [m for m in at.markdown if m.proto.allow_html]
    assert all(h.proto.body == review.COMPACT_CSS or _GO_TO.fullmatch(h.proto.body)
               for h in at.get("html")), [h.proto.body for h in at.get("html")]


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)
