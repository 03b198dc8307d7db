#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A region-blocked account: the error shows inline, "Retry with" recovers."""

import sys

import confab_e2e as e

TITLE = "This provider is not available in your region"


def start(session):
    e.add_account("Blocked", session.mock.url + "/v1", "error-403-region")
    e.add_account("Backup", session.mock.url + "/v1", "echo")
    session.start_app()


def region_error_inline(session):
    app = session.app
    e.send(app, "Can you hear me?")
    row = e.wait_for_row(app, lambda labels: TITLE in labels, what="the region error")
    # The provider's own words are shown, not only ours.
    assert any("HTTP 403" in t for t in row), row
    assert "Blocked · error-403-region" in row, row
    e.button(app, "Retry with")
    e.button(app, "Retry")
    e.button(app, "Edit Account")
    session.screenshot("retry-with-error")


def retry_with_other_account(session):
    app = session.app
    e.click(e.button(app, "Retry with"))
    item = e.find_by(app, lambda n: n.roleName == "menu item" and n.name.startswith("Backup"),
                     what="the Backup menu item")
    # The blocked account itself is not offered.
    assert not app.findChild(lambda n: n.roleName == "menu item" and n.name.startswith("Blocked"),
                             retry=False, requireResult=False)
    e.click(item)
    e.wait_for_row(app, lambda labels: "Backup · echo" in labels and
                   any("Can you hear me?" in t for t in labels) and
                   any(t.startswith("echo ·") for t in labels), what="Backup's reply")
    # The failed reply was replaced, not kept next to the answer.
    rows = e.message_rows(app)
    assert not any(TITLE in labels for labels in rows), rows
    assert len(rows) == 2, rows
    session.screenshot("retry-with")


def next_message_uses_backup(session):
    app = session.app
    e.wait_for(lambda: "Backup · Custom (OpenAI-compatible)" in e.texts(e.fresh(e.button(app, "Model"))),
               10, what="the selector to follow the retry")
    e.send(app, "And now?")
    e.wait_for_row(app, lambda labels: "Backup · echo" in labels and
                   any("And now?" in t for t in labels))


sys.exit(e.run([
    ("the app starts with a blocked and a working account", start),
    ("a region block shows inline with the provider's message and the ways out", region_error_inline),
    ("Retry with another account answers in place of the error", retry_with_other_account),
    ("the conversation goes on with the account that worked", next_message_uses_backup),
]))
