#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Load (issue 8): twenty replies stream at once into one history, one in
the app and nineteen from confab-cli processes, each in a conversation of
its own. Afterwards every conversation holds exactly its own prompt and
its whole reply, and nothing reported an error. docs/RELIABILITY.md,
"Load", records the runs."""

import concurrent.futures
import json
import os
import re
import subprocess
import sys
import time

import confab_e2e as e

N_CLI = 19
# One word a piece, 100 ms apart: the app's reply streams for about 30 s,
# each confab-cli reply for about 6 s, so all twenty overlap.
MODEL = "slow-100"
APP_PROMPT = " ".join("a%03d" % i for i in range(300))
CLI_PROMPTS = [" ".join("c%02dw%02d" % (n, i) for i in range(60)) for n in range(N_CLI)]
# What may not appear in the app's log: the history's errors, any
# critical, and any warning of Confab's own (a warning of the test
# machine's, about fonts or icons, says nothing about the history).
BAD_LOG_WORDS = ("sqlite", "database", "locked", "history")
BAD_LOG_LEVELS = ("CRITICAL", "Confab-WARNING")


def start(session):
    e.add_account("Load", session.mock.url + "/v1", MODEL)
    session.start_app()


def app_reply(app):
    for labels in e.message_rows(app):
        if "Load · " + MODEL in labels:
            return " ".join(t for t in labels if t.startswith("a0") or t.startswith("a1")
                            or t.startswith("a2"))
    return ""


def app_starts_streaming(session):
    app = session.app
    e.send(app, APP_PROMPT)
    e.wait_for(lambda: len(app_reply(app)) > 20, 30, what="the app's reply to start streaming")


def run_cli(prompt):
    started = time.monotonic()
    result = subprocess.run([e.CLI, "chat", "--account", "Load", prompt],
                            capture_output=True, text=True, timeout=180)
    return started, time.monotonic(), result


def history():
    listed = json.loads(e.cli("history", "list", "--json"))
    return listed if isinstance(listed, list) else listed["conversations"]


def show(conversation_id):
    return json.loads(e.cli("history", "show", conversation_id, "--json"))


def cli_stream_meanwhile(session):
    with concurrent.futures.ThreadPoolExecutor(N_CLI) as pool:
        runs = list(pool.map(run_cli, CLI_PROMPTS))
    session.cli_conversations = {}
    for prompt, (_, _, result) in zip(CLI_PROMPTS, runs):
        assert result.returncode == 0, (result.returncode, result.stderr)
        # stderr holds only the new conversation's id, no error.
        assert re.fullmatch(r"conversation: [0-9a-f]+\n", result.stderr), result.stderr
        assert result.stdout == prompt + "\n", result.stdout
        session.cli_conversations[result.stderr.split()[1]] = prompt
    assert len(session.cli_conversations) == N_CLI, session.cli_conversations
    # All nineteen were streaming at the same moment...
    last_start = max(started for started, _, _ in runs)
    first_end = min(ended for _, ended, _ in runs)
    assert last_start < first_end, (last_start, first_end)
    # ...and so was the app, whose reply is still being written.
    app_conversation = [c for c in history() if c["title"].startswith("a000")]
    assert len(app_conversation) == 1, history()
    shown = show(app_conversation[0]["id"])
    assert shown["messages"][-1]["state"] == "streaming", shown["messages"][-1]
    session.app_conversation = app_conversation[0]["id"]
    print("# %d confab-cli streams, all open between %.1f s and %.1f s, %.1f s in all"
          % (N_CLI, last_start - runs[0][0], first_end - runs[0][0],
             max(ended for _, ended, _ in runs) - runs[0][0]), flush=True)


def app_reply_complete(session):
    app = session.app
    e.wait_for_row(app, lambda labels: "Load · " + MODEL in labels and
                   any(t.startswith(MODEL + " ·") for t in labels), 120,
                   what="the app's reply to finish")
    assert app_reply(app) == APP_PROMPT, app_reply(app)
    session.screenshot("load")


def history_is_whole(session):
    conversations = history()
    assert len(conversations) == N_CLI + 1, [c["title"] for c in conversations]
    prompts = []
    for conversation in conversations:
        shown = show(conversation["id"])
        messages = shown["messages"]
        assert [m["role"] for m in messages] == ["user", "assistant"], messages
        prompt = messages[0]["text"]
        # The reply is the mock's echo of this conversation's own prompt.
        assert messages[1]["text"] == prompt, (prompt[:20], messages[1]["text"][:200])
        assert messages[1]["state"] == "complete", messages[1]
        assert messages[1]["model"] == MODEL, messages[1]
        assert messages[1]["error_message"] is None, messages[1]
        assert messages[1]["output_tokens"] == len(prompt.split()), messages[1]
        prompts.append(prompt)
    assert sorted(prompts) == sorted(CLI_PROMPTS + [APP_PROMPT])
    # Each process's conversation holds that process's prompt.
    for conversation_id, prompt in session.cli_conversations.items():
        assert show(conversation_id)["messages"][0]["text"] == prompt, conversation_id
    assert show(session.app_conversation)["messages"][0]["text"] == APP_PROMPT


def mock_saw_twenty(session):
    requests = session.mock.chat_requests()
    assert len(requests) == N_CLI + 1, len(requests)
    sent = sorted(r["messages"][-1]["content"] for r in requests)
    assert sent == sorted(CLI_PROMPTS + [APP_PROMPT])


def no_errors(session):
    bad = [line for line in session.app_log().splitlines()
           if any(word in line.lower() for word in BAD_LOG_WORDS)
           or any(level in line for level in BAD_LOG_LEVELS)]
    assert not bad, bad
    assert session.app_process.poll() is None, "the app exited"
    # A check of the database file itself, by a program other than Confab.
    database = [os.path.join(root, name)
                for root, _, names in os.walk(os.environ["XDG_DATA_HOME"])
                for name in names if name.endswith(".db") or name.endswith(".sqlite")]
    assert database, os.listdir(os.environ["XDG_DATA_HOME"])
    import sqlite3
    with sqlite3.connect("file:%s?mode=ro" % database[0], uri=True) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


sys.exit(e.run([
    ("the app starts with one account on the mock", start),
    ("the app streams a long reply", app_starts_streaming),
    ("meanwhile nineteen confab-cli chats stream, each its whole reply", cli_stream_meanwhile),
    ("the app's reply completes in full", app_reply_complete),
    ("the history holds twenty conversations, each with its own prompt and reply", history_is_whole),
    ("the mock received each prompt once", mock_saw_twenty),
    ("no errors: the app's log is clean and the database intact", no_errors),
]))
