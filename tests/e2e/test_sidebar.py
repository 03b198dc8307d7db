#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A long history in the sidebar: the window binds the newest
conversations only, and older ones appear as the user scrolls down."""

import os
import subprocess
import sys
import time

import confab_e2e as e

CONVERSATIONS = 130
OLDEST = "The oldest conversation"


def start(session):
    e.add_account("Demo", session.mock.url + "/v1", "echo")
    filled = subprocess.run([os.path.join(e.BUILD_DIR, "bench-fill-history"), str(CONVERSATIONS), "2"],
                            capture_output=True, text=True, check=True).stdout.split()
    assert len(filled) == CONVERSATIONS, filled
    # bench-fill-history prints the newest first.
    e.cli("history", "rename", filled[-1], OLDEST)
    session.start_app()


def binds_the_newest_only(session):
    app = session.app
    e.wait_for(lambda: len(e.sidebar_titles(app)) > 5, 20, what="the sidebar's rows")
    shown = e.sidebar_titles(app)
    # GTK 4.8 would bind up to 200 rows; the sidebar offers a page of 60.
    assert len(shown) <= 60, len(shown)
    assert OLDEST not in shown, shown


def older_ones_appear_when_scrolling(session):
    from dogtail import config, rawinput
    app = session.app
    conversations = e.find(app, "Conversations", "list")
    x, y = conversations.position
    width, height = conversations.size
    config.actionDelay = 0.02
    shown_before = e.message_rows(app)
    deadline = time.monotonic() + 120
    while OLDEST not in e.sidebar_titles(app):
        assert time.monotonic() < deadline, "the oldest conversation never appeared: %r" % e.sidebar_titles(app)[-3:]
        for _ in range(20):
            # Button 5: the wheel turned down.
            rawinput.click(x + width // 2, y + height // 2, button=5)
    # The pointer rested on the rows while the wheel turned: that chooses
    # none of them (GtkListView's single-click-activate selects on hover).
    assert e.message_rows(app) == shown_before, (e.message_rows(app)[:1], shown_before[:1])
    session.screenshot("sidebar")


def a_click_opens_a_conversation(session):
    from dogtail import rawinput
    app = session.app
    # (GTK 4.8 gives the rows no extents: the list's own, and the first
    # row at its top.)
    conversations = e.find(app, "Conversations", "list")
    x, y = conversations.position
    width, height = conversations.size
    e.wait_for(lambda: not e.message_rows(app), 5, what="no conversation open yet")
    rawinput.click(x + width // 3, y + 15)
    e.wait_for(lambda: len(e.message_rows(app)) == 2, 10, what="the clicked conversation opened")


sys.exit(e.run([("start", start),
                ("the window binds the newest conversations only", binds_the_newest_only),
                ("older conversations appear when the sidebar is scrolled",
                 older_ones_appear_when_scrolling),
                ("a click on a row opens its conversation", a_click_opens_a_conversation)]))
