"""Accounts: anyone changes their own password; admins add accounts, change roles,
disable and enable them and reset passwords. The same services as `tracker users`."""

import pandas as pd
import streamlit as st

from dashboard.state import principal, reading, renew_stay_signed_in, session
from dashboard.ui import md_escape
from tracker.access import ROLES
from tracker.accounts import (
    add_account,
    change_own_password,
    describe,
    list_accounts,
    new_password,
    set_disabled,
    set_password,
    set_role,
)
from tracker.errors import TrackerError
from tracker.models import Role

GENERATE, SSO_ONLY = "Generate a password", "Single sign-on only (no password)"

st.title("Accounts")
who = principal()

flash = st.session_state.pop("acc_flash", None)
if flash:
    st.success(md_escape(flash))
handed_out = st.session_state.pop("acc_password", None)
if handed_out:
    name, password = handed_out
    st.warning(md_escape(f"Give {name} this password now: it is not shown again."))
    st.code(password, language=None)


def _done(message: str, password_for: str | None = None, password: str | None = None) -> None:
    st.session_state["acc_flash"] = message
    if password_for and password:
        st.session_state["acc_password"] = (password_for, password)
    st.rerun()


if who.is_account:
    st.subheader("Your password")
    with st.form("acc_own", clear_on_submit=True):
        current = st.text_input("Current password", type="password", key="acc_current")
        new = st.text_input("New password", type="password", key="acc_new")
        repeat = st.text_input("New password again", type="password", key="acc_repeat")
        change = st.form_submit_button("Change my password", key="acc_change")
    if change:
        if new != repeat:
            st.error("The two new passwords differ; nothing was changed.")
        else:
            try:
                with session() as s:
                    account = change_own_password(s, current, new)
                    renew_stay_signed_in(account)
            except TrackerError as exc:
                st.error(md_escape(str(exc)))
            else:
                _done("Password changed. Every other browser signed in as you is signed out.")

if not who.may(Role.ADMIN):
    st.caption("Admins add accounts and change roles here (or with `tracker users`).")
    st.stop()

st.subheader("Everyone")
with reading() as s:
    everyone = [describe(a) for a in list_accounts(s)]
st.dataframe(
    pd.DataFrame(everyone),
    hide_index=True,
    column_config={
        "username": "User name",
        "role": "Role",
        "disabled": st.column_config.CheckboxColumn("Disabled"),
        "password": st.column_config.CheckboxColumn("Has a password"),
        "created_at": st.column_config.TextColumn("Created (UTC)"),
        "locked_until": st.column_config.TextColumn("Locked until (UTC)"),
    },
)

left, right = st.columns(2)
with left, st.form("acc_add", clear_on_submit=True):
    st.markdown("**Add an account**")
    username = st.text_input("User name", key="acc_add_name")
    role = st.selectbox("Role", ROLES, index=ROLES.index(Role.ANALYST.value), key="acc_add_role")
    how = st.radio("Signs in with", [GENERATE, SSO_ONLY], key="acc_add_how")
    add = st.form_submit_button("Add account", type="primary", key="acc_add_submit")
if add:
    password = new_password() if how == GENERATE else None
    try:
        with session() as s:
            account = add_account(s, username, role, password)
            added = account.username
    except TrackerError as exc:
        left.error(md_escape(str(exc)))
    else:
        _done(f"Added {added} ({role}).", added, password)

with right:
    st.markdown("**Change an account**")
    names = [a["username"] for a in everyone]
    chosen = st.selectbox("Account", names, key="acc_pick")
    picked = next(a for a in everyone if a["username"] == chosen)
    current_role, disabled = picked["role"], picked["disabled"]
    # The role box shows the picked account's stored role. A keyed widget keeps its own
    # value across reruns (index= is then ignored), so it is set whenever another account
    # is picked or the role changed: else "Apply role" would give the account picked now
    # the role left in the box for the one before.
    if st.session_state.get("acc_role_for") != (chosen, current_role):
        st.session_state["acc_role"] = current_role
        st.session_state["acc_role_for"] = (chosen, current_role)
    new_role = st.selectbox("Role", ROLES, key="acc_role")
    buttons = st.columns(3)
    try:
        if buttons[0].button("Apply role", key="acc_apply_role", disabled=new_role == current_role):
            with session() as s:
                set_role(s, chosen, new_role)
            _done(f"{chosen} is now {new_role}.")
        if buttons[1].button("Enable" if disabled else "Disable", key="acc_toggle"):
            with session() as s:
                set_disabled(s, chosen, not disabled)
            _done(f"{chosen} is {'enabled' if disabled else 'disabled'}.")
        if buttons[2].button("Reset password", key="acc_reset"):
            password = new_password()
            with session() as s:
                set_password(s, chosen, password)
            _done(f"New password for {chosen}; any lockout is lifted.", chosen, password)
    except TrackerError as exc:
        st.error(md_escape(str(exc)))
