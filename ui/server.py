"""The moderators' web app as an ASGI application: Streamlit (``app.py``) plus two routes
that set and clear the session cookie, which Streamlit's websocket cannot.

``moderation ui`` runs ``streamlit run ui/server.py``. The cookie holds the session token
(``moderation.auth.sessions``): HttpOnly (no script on the page can read it), SameSite=Strict
(no other site can make the browser send it), Secure when the page is served over HTTPS,
and it lasts no longer than a session may (``MODERATION_SESSION_MAX_HOURS``).
"""
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route
from streamlit.starlette import App

from moderation.auth.sessions import COOKIE, SessionPolicy, end_session, redeem_ticket, resume_token
from moderation.settings import get_settings
from moderation.store import open_store

NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@cache
def _store(url: str):
    return open_store(url)


def store():
    return _store(get_settings().db_url)


def _home() -> RedirectResponse:
    return RedirectResponse("/", status_code=303,
                            headers=NO_STORE)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or \
        request.headers.get("x-forwarded-proto", "").split(",")[0].strip() == "https"


async def session(request: Request) -> RedirectResponse:
    """``/auth/session?ticket=…``: swap a one-time ticket for the session cookie."""
    token = redeem_ticket(store(), request.query_params.get("ticket"))
    response = _home()
    if token is not None:
        response.set_cookie(COOKIE, token, max_age=int(SessionPolicy.from_env().max_hours * 3600),
                            path="/", httponly=True, samesite="strict", secure=_secure(request))
    return response


async def signout(request: Request) -> RedirectResponse:
    """``/auth/signout``: end the cookie's session (if any is left) and clear the cookie."""
    found = resume_token(store(), request.cookies.get(COOKIE))
    if hasattr(found, "id"):
        end_session(store(), found.id)
    response = _home()
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict",
                           secure=_secure(request))
    return response


app = App(Path(__file__).with_name("app.py"),
          routes=[Route("/auth/session", session), Route("/auth/signout", signout)])
