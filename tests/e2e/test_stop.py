#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Stopping a reply mid-stream keeps what arrived and marks it."""

import sys
import time

import confab_e2e as e

# The mock's "slow-250" model sends a piece every 250 ms: this reply would
# stream for over a minute, time enough for a loaded machine to find Stop.
PROMPT = " ".join("word%03d" % i for i in range(300))
MODEL = "slow-250"


def start(session):
    e.add_account("Slow", session.mock.url + "/v1", MODEL)
    session.start_app()


def reply_text(app):
    for labels in e.message_rows(app):
        if "Slow · " + MODEL in labels:
            return " ".join(t for t in labels if t.startswith("word"))
    return ""


def stop_mid_stream(session):
    app = session.app
    e.send(app, PROMPT)
    # While a reply streams, Stop takes Send's place.
    stop = e.button(app, "Stop")
    e.wait_for(lambda: len(reply_text(app)) > 20, 20, what="some text to stream in")
    session.screenshot("stop-streaming")
    e.press(app, "Stop")

    row = e.wait_for_row(app, lambda labels: "Stopped: this reply is incomplete." in labels,
                         20, what="the reply marked as stopped")
    partial = " ".join(t for t in row if t.startswith("word"))
    assert partial and len(partial) < len(PROMPT) // 2 and PROMPT.startswith(partial.rstrip()), partial

    # Nothing more arrives, and the composer is back.
    time.sleep(1)
    assert reply_text(app) == partial, (reply_text(app), partial)
    e.button(app, "Send")
    session.screenshot("stop")


def stopped_reply_is_kept(session):
    import json
    listed = json.loads(e.cli("history", "list", "--json"))
    conversation = listed[0] if isinstance(listed, list) else listed["conversations"][0]
    shown = json.loads(e.cli("history", "show", conversation["id"], "--json"))
    text = json.dumps(shown)
    assert '"cancelled"' in text, text
    assert "word000" in text, text


def stopped_rows(app):
    return [row for row in e.message_rows(app) if "Stopped: this reply is incomplete." in row]


def escape_stops(session):
    from dogtail import rawinput
    app = session.app
    before = len(stopped_rows(app))
    e.send(app, PROMPT)
    e.button(app, "Stop")
    e.wait_for(lambda: len(e.message_rows(app)) >= 4 and
               any(t.startswith("word") for t in e.message_rows(app)[-1]), 20,
               what="the second reply streaming")
    e.find(app, "Message", "text").click()
    rawinput.pressKey("Escape")
    e.wait_for(lambda: len(stopped_rows(app)) == before + 1, 20, what="Escape to stop the reply")
    e.button(app, "Send")


def ctrl_n_starts_a_new_chat(session):
    from dogtail import rawinput
    app = session.app
    assert e.message_rows(app), "the conversation should be shown"
    e.find(app, "Message", "text").click()
    rawinput.keyCombo("<Control>n")
    e.wait_for(lambda: not e.message_rows(app), 10, what="Ctrl+N to show a new chat")


sys.exit(e.run([
    ("the app starts with a slow account", start),
    ("Stop ends the reply mid-stream and keeps the partial text", stop_mid_stream),
    ("the stopped reply is in the history as cancelled", stopped_reply_is_kept),
    ("Escape stops a reply too", escape_stops),
    ("Ctrl+N starts a new chat", ctrl_n_starts_a_new_chat),
]))
