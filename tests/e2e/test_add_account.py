#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""First run: the welcome page, then adding an account in Preferences."""

import json
import os
import sys

import confab_e2e as e

# The mock accepts only this key, so a working chat proves the app stored
# and sent exactly what was typed. A test key, never a real one.
KEY = "sk-e2e-4f1d2c3b"


def welcome_page(session):
    app = session.start_app()
    e.find(app, "Welcome to Confab", "label")
    e.button(app, "Add an Account")
    session.screenshot("add-account-welcome")


def open_editor(session):
    app = session.app
    e.click(e.button(app, "Add an Account"))
    preferences = e.window(app, "Preferences")
    e.find(preferences, "Add Account", "label")
    session.preferences = preferences


def fill_in(session):
    preferences = session.preferences
    rows = {name: e.find(preferences, name, "text") for name in ("Name", "API Key", "Base URL", "Default Model")}
    rows["Name"].text = "Mock"
    rows["Base URL"].text = session.mock.url + "/v1"
    rows["Default Model"].text = "echo"
    # The exact address messages will go to, as the provider builds it.
    # (GTK 4.8 cannot read an entry row's text back through AT-SPI: the
    # rows are checked by what they do.)
    e.find(preferences, session.mock.url + "/v1/chat/completions", "label")
    session.rows = rows


def test_wrong_key(session):
    preferences = session.preferences
    session.rows["API Key"].text = "sk-wrong"
    e.click(e.button(preferences, "Test Connection"))
    result = e.find_by(preferences, lambda n: n.roleName == "label" and
                       (n.name or "").startswith("The connection failed:"),
                       what="the test's error")
    assert "sk-wrong" not in result.name, result.name


def test_right_key(session):
    preferences = session.preferences
    session.rows["API Key"].text = KEY
    e.click(e.button(preferences, "Test Connection"))
    result = e.find_by(preferences, lambda n: n.roleName == "label" and
                       (n.name or "").startswith("Connected:"), what="the test's success")
    assert "echo" in result.name, result.name
    session.screenshot("add-account-editor")


def add(session):
    preferences = session.preferences
    e.click(e.button(preferences, "Add"))
    e.find_by(preferences, lambda n: n.roleName == "list item" and "Mock" in (n.name or "")
              or (n.roleName == "label" and n.name == "Mock"), what="the account in the list")
    listed = json.loads(e.cli("accounts", "list", "--json"))
    assert [a["name"] for a in listed] == ["Mock"], listed
    config = os.path.join(os.environ["XDG_CONFIG_HOME"], "confab", "accounts.json")
    with open(config) as accounts:
        assert KEY not in accounts.read()
    session.screenshot("add-account-preferences")


def key_in_keyring(session):
    # confab-cli finds the key in the keyring and the mock accepts it.
    out = e.cli("chat", "--account", "Mock", "Is the key right?")
    assert "Is the key right?" in out, out


def chat_after_adding(session):
    app = session.app
    session.preferences.doActionNamed("window.close")
    e.send(app, "Hello, new account")
    e.wait_for_row(app, lambda labels: "Mock · echo" in labels and
                   any("Hello, new account" in t for t in labels) and
                   any(t.startswith("echo ·") for t in labels))
    session.screenshot("add-account")


sys.exit(e.run([
    ("without accounts the welcome page offers to add one", welcome_page),
    ("Add an Account opens the editor in Preferences", open_editor),
    ("the editor shows the address messages will be sent to", fill_in),
    ("Test Connection shows the provider's error for a wrong key", test_wrong_key),
    ("Test Connection lists the models with the right key", test_right_key),
    ("Add saves the account, and its key only in the keyring", add),
    ("confab-cli uses the account with its key", key_in_keyring),
    ("the new account chats in the main window", chat_after_adding),
], mock_key=KEY))
