#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Moving an account to another server: the saved key follows only when
the user says so (issue 8: a host change needs confirmation)."""

import json
import os
import sys

import confab_e2e as e

# Both mocks accept only this key, so a reply from the second one proves
# the saved key reached it. A test key, never a real one.
KEY = "sk-e2e-host-7c41"


def accounts_json():
    path = os.path.join(os.environ["XDG_CONFIG_HOME"], "confab", "accounts.json")
    with open(path) as accounts:
        return accounts.read()


def server(mock):
    return mock.url[len("http://"):]


def start(session):
    second = os.path.join(session.workdir, "second")
    os.mkdir(second)
    session.second = e.Mock(second, KEY)
    assert session.second.url != session.mock.url
    e.add_account("Work", session.mock.url + "/v1", "echo", key=KEY)
    e.cli("chat", "--account", "Work", "Before the move")
    assert len(session.mock.chat_requests()) == 1
    session.saved = accounts_json()
    session.start_app()


def open_editor(session):
    app = session.app
    # The welcome page has a Main Menu too, hidden: the sidebar's is the last.
    menus = e.wait_for(lambda: app.findChildren(lambda n: n.name == "Main Menu" and "click" in n.actions),
                       what="the main menu buttons")
    e.click(menus[-1])
    e.click(e.find_by(app, lambda n: n.roleName == "menu item" and n.name == "Preferences",
                      what="the Preferences menu item"))
    preferences = e.window(app, "Preferences")
    # (The row adds its title to the button's name: "Edit “Work” Work".)
    e.click(e.find_by(preferences, lambda n: (n.name or "").startswith("Edit “Work”") and
                      "click" in n.actions, what="the Edit button"))
    e.find(preferences, "Edit Account", "label")
    base_url = e.find(preferences, "Base URL", "text")
    base_url.text = session.second.url + "/v1"
    # The editor shows where messages would go; nothing is sent yet.
    e.find(preferences, session.second.url + "/v1/chat/completions", "label")
    session.preferences = preferences


def heading(session):
    return "Send the saved key to %s?" % server(session.second)


def the_dialog(session):
    """The message dialog, named by its heading."""
    text = heading(session)
    return e.wait_for(lambda: next((w for w in e.fresh(session.app).children
                                    if w.roleName == "dialog" and w.name == text), None),
                      20, what="the dialog %r" % text)


def no_dialog(session):
    e.wait_for(lambda: not any(w.roleName == "dialog" for w in e.fresh(session.app).children),
               10, what="the dialog to close")


def response(dialog, label):
    """A response button. libadwaita 1.2 names them "_Cancel Cancel"
    (the mnemonic label, then the text), and has each twice, for its
    wide and its narrow layout; either one gives the response."""
    return e.find_by(dialog, lambda n: n.roleName == "push button" and "click" in n.actions and
                     (n.name == label or (n.name or "").endswith(" " + label)),
                     what="the %r response" % label)


def nothing_sent(session):
    assert session.second.requests() == [], session.second.requests()
    assert accounts_json() == session.saved, accounts_json()


def save_asks(session):
    e.click(e.button(session.preferences, "Save"))
    dialog = the_dialog(session)
    body = " ".join(e.texts(dialog))
    # Both servers are named: where the key was given and where it would go.
    assert server(session.mock) in body, body
    assert server(session.second) in body, body
    for label in ("Cancel", "Enter a New Key", "Send Key"):
        response(dialog, label)
    session.screenshot("host-change-dialog")
    session.dialog = dialog


def cancel_keeps_everything(session):
    e.click(response(session.dialog, "Cancel"))
    no_dialog(session)
    nothing_sent(session)
    # Still editing: the editor did not close.
    e.find(session.preferences, "Edit Account", "label")


def enter_new_key_saves_nothing(session):
    e.click(e.button(session.preferences, "Save"))
    e.click(response(the_dialog(session), "Enter a New Key"))
    no_dialog(session)
    # (Where the focus went cannot be read here: GTK reports it only in
    # an active window, and Xvfb without a window manager has none.)
    e.find(session.preferences, "New API Key (empty: keep the saved one)", "text")
    e.find(session.preferences, "Edit Account", "label")
    nothing_sent(session)


def test_connection_asks_too(session):
    e.click(e.button(session.preferences, "Test Connection"))
    e.click(response(the_dialog(session), "Cancel"))
    no_dialog(session)
    nothing_sent(session)


def send_key_saves(session):
    e.click(e.button(session.preferences, "Save"))
    e.click(response(the_dialog(session), "Send Key"))
    no_dialog(session)
    e.wait_for(lambda: session.second.url in accounts_json(), 10, what="accounts.json to change")
    listed = json.loads(e.cli("accounts", "list", "--json"))
    assert [a["name"] for a in listed] == ["Work"], listed
    assert KEY not in accounts_json()
    # (Saving refreshes the account's model list, now from the new host.)
    assert not [r for r in session.second.requests() if r["method"] == "POST"], session.second.requests()


def chat_reaches_new_server(session):
    app = session.app
    session.preferences.doActionNamed("window.close")
    e.send(app, "After the move")
    e.wait_for_row(app, lambda labels: "Work · echo" in labels and
                   any("After the move" in t for t in labels) and
                   any(t.startswith("echo ·") for t in labels), what="the reply from the new server")
    requests = [r for r in session.second.requests() if r["path"].endswith("/chat/completions")]
    assert len(requests) == 1, requests
    # The mock answers only KEY: the reply is the proof that the saved key went along.
    assert requests[0]["headers"]["authorization"] == "Bearer <redacted>", requests[0]["headers"]
    assert requests[0]["body"]["messages"][-1] == {"role": "user", "content": "After the move"}, requests[0]
    assert len(session.mock.chat_requests()) == 1, session.mock.chat_requests()
    session.screenshot("host-change")


sys.exit(e.run([
    ("an account on the first mock, the second one running", start),
    ("the editor takes the second mock's base URL", open_editor),
    ("Save asks before the saved key goes to the new host", save_asks),
    ("Cancel saves nothing and sends nothing", cancel_keeps_everything),
    ("Enter a New Key goes back to the editor and saves nothing", enter_new_key_saves_nothing),
    ("Test Connection asks as well", test_connection_asks_too),
    ("Send Key saves the new base URL", send_key_saves),
    ("the next chat reaches the new host with the key", chat_reaches_new_server),
], mock_key=KEY))
