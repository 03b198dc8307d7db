#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Switching the account and model mid-conversation applies to the next message."""

import sys

import confab_e2e as e


def start(session):
    e.add_account("Alpha", session.mock.url + "/v1", "echo")
    e.add_account("Beta", session.mock.url + "/v1", "reasoning")
    session.start_app()


def first_reply(session):
    e.send(session.app, "First question")
    e.wait_for_row(session.app, lambda labels: "Alpha · echo" in labels and
                   any(t.startswith("echo ·") for t in labels))


def open_selector(app):
    e.click(e.button(app, "Model"))
    return e.find(app, "Accounts", "list")


def lists_accounts_and_models(session):
    app = session.app
    accounts = open_selector(app)
    names = [child.name for child in accounts.children]
    assert names == ["Alpha, Custom (OpenAI-compatible)", "Beta, Custom (OpenAI-compatible)"], names
    models = e.find(app, "Models", "list")
    # The mock's model list, fetched through the provider.
    e.wait_for(lambda: len(e.fresh(models).children) > 5, 10, what="the fetched models")
    ids = [child.name for child in models.children]
    for model in ("echo", "slow", "reasoning", "error-403-region"):
        assert model in ids, ids
    session.screenshot("switch-model-selector")


def switch_account(session):
    app = session.app
    accounts = e.find(app, "Accounts", "list")
    e.select_in_list(accounts, "Beta, Custom (OpenAI-compatible)")
    e.wait_for(lambda: "Beta · Custom (OpenAI-compatible)" in e.texts(e.fresh(e.button(app, "Model"))),
               10, what="the selector to show Beta")
    # The popover stays open for a model to be chosen too; close it.
    e.click(e.button(app, "Model"))
    e.send(app, "Second question")
    row = e.wait_for_row(app, lambda labels: "Beta · reasoning" in labels and
                         any(t.startswith("reasoning ·") for t in labels))
    # The reasoning model thinks first: its Thinking section is there.
    assert "Thinking" in row, row
    last = session.mock.chat_requests()[-1]
    assert last["model"] == "reasoning", last
    # The whole conversation went along, the first reply included.
    contents = [m["content"] for m in last["messages"]]
    assert contents == ["First question", "First question", "Second question"], contents
    # The first reply still says who answered it.
    e.wait_for_row(app, lambda labels: "Alpha · echo" in labels)


def switch_model(session):
    app = session.app
    open_selector(app)
    models = e.find(app, "Models", "list")
    e.wait_for(lambda: len(e.fresh(models).children) > 5, 10, what="the fetched models")
    e.select_in_list(models, "echo")
    e.wait_for(lambda: "echo" in e.texts(e.fresh(e.button(app, "Model"))), 10,
               what="the selector to show echo")
    e.send(app, "Third question")
    e.wait_for_row(app, lambda labels: "Beta · echo" in labels and
                   any("Third question" in t for t in labels) and
                   any(t.startswith("echo ·") for t in labels))
    assert session.mock.chat_requests()[-1]["model"] == "echo"
    session.screenshot("switch-model")


sys.exit(e.run([
    ("the app starts with two accounts", start),
    ("the first reply comes from the default account", first_reply),
    ("the selector lists the accounts and the fetched models", lists_accounts_and_models),
    ("choosing another account answers the next message with it", switch_account),
    ("choosing another model answers the next message with it", switch_model),
]))
