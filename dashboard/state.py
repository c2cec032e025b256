"""Resources shared by every page: the database engine, kept once per server process, and
the signed-in account every session acts as.

Pages import this module, never ``app.py`` (importing the entry file re-runs navigation).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dashboard.ui import md_escape
from tracker import migrate
from tracker.access import Principal
from tracker.accounts import LoginRefused, get_account, has_accounts, login, principal_for
from tracker.config import USER_HEADER_ENV_VAR, database_url, trusted_user_header
from tracker.db import check_connection, make_engine, read_only, safe_url, transaction
from tracker.db import reading as tracker_reading
from tracker.errors import TrackerError
from tracker.models import Account, Role
from tracker.session_tokens import TOKEN_DAYS, issue_token, principal_from_token

# The session key holding the signed-in account's user name (its role is read each run).
SIGNED_IN = "signed_in_user"
# "Stay signed in": the browser cookie holding a signed token (tracker.session_tokens), a
# token waiting to be written into it, and whether this session logged out (the cookie the
# browser sent when the session began must not sign it back in).
COOKIE = "tracker_session"
_COOKIE_PENDING = "_session_cookie_pending"
_SIGNED_OUT = "_signed_out"

# Sets or clears the cookie. Runs in the app's page (v2 components have no iframe); the
# value is a token the server made (base64url, digits, hex), never text from a user.
_cookie_writer = st.components.v2.component(
    "tracker_session_cookie",
    js="""
export default function ({ data }) {
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie =
    `${data.name}=${data.value}; Max-Age=${data.max_age}; Path=/; SameSite=Strict${secure}`;
}
""",
)


@st.cache_resource
def _engine(url: str) -> Engine:
    return make_engine(url)


def engine() -> Engine:
    """The engine for the configured database; stops the page with a message if unusable."""
    url = database_url()
    try:
        eng = _engine(url)
        check_connection(eng)
        if not migrate.is_up_to_date(read_only(eng)):
            raise TrackerError(
                f"the database {safe_url(url)} has no tracker schema or an old one. "
                "Run `tracker db upgrade`, or `tracker demo` to load the demo data."
            )
    except TrackerError as exc:
        st.error(str(exc))
        st.stop()
    return eng


@contextmanager
def session() -> Iterator[Session]:
    """A write transaction, as the signed-in account: committed when the block succeeds,
    rolled back on an error. The services refuse what the account's role does not allow.

    On SQLite it waits for any other writer (an import, another analyst's save)."""
    with transaction(engine(), principal()) as s:
        yield s


@contextmanager
def reading() -> Iterator[Session]:
    """A session for blocks that only read (tables, charts, pickers, previews).

    On SQLite it reads at once even while an import holds the write lock; it refuses to
    save changed objects and keeps nothing. Use :func:`session` for anything that writes."""
    with tracker_reading(engine(), principal()) as s:
        yield s


def reading_later() -> Callable[[], AbstractContextManager[Session]]:
    """:func:`reading` for callables Streamlit runs after the script, on another thread
    (download buttons), where the session state cannot be read: bound to this run's account."""
    eng, who = engine(), principal()
    return lambda: tracker_reading(eng, who)


def principal() -> Principal:
    """The signed-in account, read afresh (a role changed or an account disabled since takes
    effect at once). Until someone signs in, shows the login form and stops the page."""
    eng = engine()
    header = trusted_user_header()
    if header is not None:
        return _from_proxy(eng, header)
    name = st.session_state.get(SIGNED_IN) or _from_cookie(eng)
    if name:
        with tracker_reading(eng) as s:
            found = principal_for(s, str(name))
        if found is not None:
            return found
        st.session_state.clear()  # disabled or removed since: sign in again
    _login_form(eng)
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def _from_cookie(eng: Engine) -> str | None:
    """The account a valid "stay signed in" cookie names, now signed in to this session."""
    if st.session_state.get(_SIGNED_OUT):
        return None
    token = st.context.cookies.get(COOKIE)
    if not token:
        return None
    with tracker_reading(eng) as s:
        found = principal_from_token(s, token)
    if found is None:
        return None
    st.session_state[SIGNED_IN] = found.name
    return found.name


def _write_cookie() -> None:
    """Write (or clear) the cookie asked for by the last sign-in or log-out."""
    pending = st.session_state.pop(_COOKIE_PENDING, None)
    if pending is not None:
        value, max_age = pending
        _cookie_writer(data={"name": COOKIE, "value": value, "max_age": max_age})


def renew_stay_signed_in(account: Account) -> None:
    """After a password change: a new token for this browser if it kept one (the change
    ended every token issued before, this browser's too)."""
    if st.context.cookies.get(COOKIE) and account.password_hash:
        st.session_state[_COOKIE_PENDING] = (issue_token(account), TOKEN_DAYS * 86400)


def _log_out() -> None:
    st.session_state.clear()
    st.session_state[_SIGNED_OUT] = True
    st.session_state[_COOKIE_PENDING] = ("", 0)


def maybe_signed_in() -> bool:
    """Whether this session looks signed in (for layout only: :func:`principal` decides).
    A "stay signed in" cookie signs the session in here already, so the first run after a
    reload shows the navigation too."""
    if trusted_user_header() is not None or st.session_state.get(SIGNED_IN):
        return True
    return bool(st.context.cookies.get(COOKIE)) and _from_cookie(engine()) is not None


def may(role: Role) -> bool:
    """Whether the signed-in account has ``role`` or a higher one (to hide what it cannot do;
    the services refuse it anyway)."""
    return principal().may(role)


def account_sidebar() -> None:
    """Who is signed in, and the Log out button."""
    who = principal()
    st.sidebar.markdown(md_escape(f"Signed in as {who.name} ({who.role.value})"))
    if trusted_user_header() is None:
        with st.sidebar:
            _write_cookie()
        st.sidebar.button("Log out", key="logout", on_click=_log_out)


def _login_form(eng: Engine) -> None:
    _write_cookie()  # clears it after a log-out
    with tracker_reading(eng) as s:
        anyone = has_accounts(s)
    if not anyone:
        # As a user writes it (postgresql://, not the driver's name), quoted for the shell,
        # inside a code span.
        url = eng.url.set(drivername=eng.url.get_backend_name())
        where = safe_url(url).replace("`", "%60").replace("'", "%27")
        secret = " (with the password in place of ***)" if url.password else ""
        st.info(
            "No accounts yet. Create the first one on the command line, for this "
            f"database{secret}: `tracker --db '{where}' users add NAME --role admin`. "
            "(`tracker demo` is for the demo only: it loads the Russia–Ukraine data and a "
            "local admin.)"
        )
        return
    st.title("Sign in")
    # Cleared on submit: the password never stays in the session.
    with st.form("login", clear_on_submit=True):
        username = st.text_input("User name", key="login_name")
        password = st.text_input("Password", type="password", key="login_password")
        stay = st.checkbox(
            f"Stay signed in on this browser for {TOKEN_DAYS} days",
            value=True,
            key="login_stay",
            help="Reloading the page keeps you signed in. Leave it off on a shared computer. "
            "Log out (or a password change) ends it.",
        )
        submitted = st.form_submit_button("Sign in", type="primary", key="login_submit")
    if not submitted:
        return
    try:
        signed_in = login(eng, username, password)
    except LoginRefused as exc:
        st.error(md_escape(str(exc)))
        return
    st.session_state.pop(_SIGNED_OUT, None)
    st.session_state[SIGNED_IN] = signed_in.name
    if stay:
        with tracker_reading(eng) as s:
            account = get_account(s, signed_in.name)
            if account.password_hash:
                st.session_state[_COOKIE_PENDING] = (issue_token(account), TOKEN_DAYS * 86400)
    st.rerun()


def request_headers() -> dict[str, str]:
    return dict(st.context.headers)


def _from_proxy(eng: Engine, header: str) -> Principal:
    """Single sign-on: the user the proxy names in ``header``; no password asked."""
    wanted = header.casefold()
    name = next((v for k, v in request_headers().items() if k.casefold() == wanted), "")
    if not name.strip():
        st.error(
            f"Single sign-on is on ({USER_HEADER_ENV_VAR}={header}) but this request carries "
            f"no {header} header: open the dashboard through the sign-on proxy."
        )
        st.stop()
    with tracker_reading(eng) as s:
        found = principal_for(s, name.strip())
    if found is None:
        st.error(
            md_escape(
                f"There is no enabled account named {name.strip()!r}; ask an admin to add it "
                f"(`tracker users add {name.strip()} --role analyst`) or to enable it."
            )
        )
        st.stop()
    assert found is not None
    return found
