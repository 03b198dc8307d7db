#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Deleting a conversation from the sidebar, with Undo, while the sidebar
refreshes from the history (every few seconds and on focus)."""

import sys
import time

import confab_e2e as e

# The window's list refresh (REFRESH_INTERVAL_S in confab-window.c), a
# little more; Undo is offered for longer (the toast's five seconds).
REFRESH_S = 3.3


def start(session):
    e.add_account("Demo", session.mock.url + "/v1", "echo")
    e.cli("chat", "--account", "Demo", "First conversation")
    e.cli("chat", "--account", "Demo", "Second conversation")
    session.start_app()


def database_titles():
    return e.cli("history", "list")


def delete_row(app, title):
    conversations = e.fresh(e.find(app, "Conversations", "list"))
    row = next(r for r in conversations.children if title in e.texts(r))
    menu = e.find_by(row, lambda n: n.name == "Conversation Menu" and "click" in n.actions,
                     what="the conversation menu")
    menu.doActionNamed("click")
    item = e.find_by(app, lambda n: n.name == "Delete" and n.roleName == "menu item",
                     what="the Delete item")
    item.doActionNamed("click")


def refresh_keeps_it_deleted(session):
    app = session.app
    e.wait_for(lambda: e.sidebar_titles(app) == ["Second conversation", "First conversation"], 15,
               what="both conversations in the sidebar")
    delete_row(app, "Second conversation")
    e.wait_for(lambda: e.sidebar_titles(app) == ["First conversation"], 5, what="the row gone")
    # The history holds it while Undo is offered; the sidebar's refresh
    # from the history must not bring it back.
    time.sleep(REFRESH_S)
    assert e.sidebar_titles(app) == ["First conversation"], e.sidebar_titles(app)
    session.screenshot("delete-undo-deleted")


def undo_brings_it_back_once(session):
    app = session.app
    delete_row(app, "First conversation")
    undo = e.find_by(app, lambda n: "Undo" in (n.name or "") and "click" in n.actions,
                     timeout=3, what="Undo")
    undo.doActionNamed("click")
    e.wait_for(lambda: e.sidebar_titles(app) == ["First conversation"], 5, what="the row back")
    time.sleep(REFRESH_S)
    assert e.sidebar_titles(app) == ["First conversation"], e.sidebar_titles(app)
    assert "First conversation" in database_titles()


def delete_for_good(session):
    app = session.app
    e.wait_for(lambda: "Second conversation" not in database_titles(), 20,
               what="the first deleted conversation gone from the history")
    delete_row(app, "First conversation")
    e.wait_for(lambda: "First conversation" not in e.sidebar_titles(app), 5, what="the row gone")
    # Once the toast has gone, so has the conversation, for confab-cli too.
    e.wait_for(lambda: "First conversation" not in database_titles(), 20,
               what="the conversation deleted from the history")
    time.sleep(REFRESH_S)
    assert "First conversation" not in e.sidebar_titles(app), e.sidebar_titles(app)
    session.screenshot("delete-undo")


sys.exit(e.run([("start", start),
                ("the sidebar's refresh keeps a deleted conversation out", refresh_keeps_it_deleted),
                ("Undo brings it back once", undo_brings_it_back_once),
                ("without Undo it is deleted for good", delete_for_good)]))
