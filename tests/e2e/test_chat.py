#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Chatting: a prompt, its streamed reply, markdown, markup safety, shared history."""

import json
import sys

import confab_e2e as e


def start(session):
    e.add_account("Demo", session.mock.url + "/v1", "echo")
    session.start_app()


def accessible_names(session):
    # (Stop, shown in Send's place while a reply streams: test_stop.py.)
    app = session.app
    e.find(app, "Message", "text")
    e.button(app, "Send")
    e.button(app, "New Chat")
    e.button(app, "Model")
    e.find(app, "Search Conversations", "entry")


def send_needs_text(session):
    app = session.app
    composer = e.find(app, "Message", "text")
    send_button = e.button(app, "Send")
    composer.text = "   \n  "
    e.wait_for(lambda: not e.is_sensitive(send_button), 5, what="Send to stay insensitive")
    composer.text = "hi"
    e.wait_for(lambda: e.is_sensitive(send_button), 5, what="Send to become sensitive")
    composer.text = ""
    e.wait_for(lambda: not e.is_sensitive(send_button), 5, what="Send to become insensitive")


def streamed_reply(session):
    app = session.app
    e.send(app, "Hello **world** from the test")
    row = e.wait_for_row(app, lambda labels: "Demo · echo" in labels and
                         any(t.startswith("echo ·") for t in labels))
    # Markdown: the stars are gone, the words are there.
    assert any("Hello world from the test" in t for t in row), row
    assert not any("**" in t for t in row), row
    requests = session.mock.chat_requests()
    assert requests, "the mock got no request"
    assert requests[-1]["messages"] == [{"role": "user", "content": "Hello **world** from the test"}], \
        requests[-1]
    session.screenshot("chat")


def markup_is_literal(session):
    app = session.app
    e.send(app, "Look: <b>not bold</b> and <span foreground='red'>not red</span>")
    e.wait_for_row(app, lambda labels: any("<b>not bold</b>" in t for t in labels) and
                   any("<span foreground='red'>not red</span>" in t for t in labels) and
                   "Demo · echo" in labels, what="the reply with its markup shown literally")


def shared_history(session):
    listed = json.loads(e.cli("history", "list", "--json"))
    text = json.dumps(listed)
    assert "Hello **world** from the test" in text, text


def cli_conversation_appears(session):
    app = session.app
    e.cli("chat", "--account", "Demo", "Started in the terminal")
    conversations = e.find(app, "Conversations", "list")
    e.wait_for(lambda: any("Started in the terminal" in e.texts(item)
                           for item in conversations.children),
               30, what="the confab-cli conversation in the sidebar")
    session.screenshot("chat-sidebar")


sys.exit(e.run([
    ("the app starts with the demo account", start),
    ("the main controls have their accessible names", accessible_names),
    ("Send is insensitive while the message is blank", send_needs_text),
    ("a prompt gets a streamed reply, rendered as markdown", streamed_reply),
    ("Pango markup in a reply shows literally", markup_is_literal),
    ("the conversation is in the history confab-cli reads", shared_history),
    ("a conversation started with confab-cli appears in the sidebar", cli_conversation_appears),
]))
