#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""An account behind a proxy that wants a user name and password, set up
in the editor: the password goes only to the keyring, chats go through
the proxy, and a wrong password says so."""

import os
import subprocess
import sys

import confab_e2e as e

# The mock accepts only this key. Test secrets, never real ones.
KEY = "sk-e2e-proxy-91ab"
USER = "alice"
PASSWORD = "pw-e2e-5d7c"
WRONG = "wrong-e2e-33f1"

PROXY = os.environ.get("CONFAB_TEST_PROXY", os.path.join(e.BUILD_DIR, "confab-test-proxy"))


class Proxy:
    """tests/confab-test-proxy as tests/test-proxy.c starts it. Only its
    SOCKS5 side checks a user and password; it prints one line per
    connection ("AUTH-OK alice", "AUTH-FAIL alice", "TUNNEL host:port")."""

    def __init__(self):
        # The test proxy takes its (test) password in argv; the app never does.
        self.process = e._spawn([PROXY, "--kind", "socks5", "--user", USER, "--password", PASSWORD],
                                stdout=subprocess.PIPE, text=True)
        # Only the port is printed before the first connection, so the
        # pipe's buffer holds nothing more after this line.
        self.port = int(self.process.stdout.readline())
        os.set_blocking(self.process.stdout.fileno(), False)
        self._lines = []
        self._partial = b""

    @property
    def lines(self):
        """What the proxy printed so far, read when asked: a thread reading
        it beside the test driver was there each time libatspi crashed."""
        while True:
            try:
                data = os.read(self.process.stdout.fileno(), 65536)
            except BlockingIOError:
                break
            if not data:
                break
            self._partial += data
        *done, self._partial = self._partial.split(b"\n")
        self._lines.extend(line.decode().strip() for line in done)
        return self._lines

    def wait_for_line(self, line, after=0):
        e.wait_for(lambda: line in self.lines[after:], 20, what="%r from the proxy" % line)


def accounts_json():
    path = os.path.join(os.environ["XDG_CONFIG_HOME"], "confab", "accounts.json")
    with open(path) as accounts:
        return accounts.read()


def choose(session, combo_name, item):
    """Picks an item of a combo row with the pointer: GTK 4.8 gives
    combo rows no accessible action."""
    combo = e.find_by(session.preferences, lambda n: n.roleName == "combo box" and n.name == combo_name,
                      what="the %r row" % combo_name)

    def popover_item():
        # The popover is new each time: read the tree afresh.
        return next(iter(e.fresh(combo).findChildren(
            lambda n: n.name == item and n.roleName == "label" and
            n.parent is not None and n.parent.parent is not None and
            n.parent.parent.roleName == "list item")), None)

    def open_popover():
        combo.click()
        try:
            return e.wait_for(popover_item, 3, what="the %r item" % item)
        except AssertionError:
            return None

    e.wait_for(open_popover, 20, what="the %r popover" % combo_name).click()


def test_result(session, prefix):
    return e.find_by(session.preferences, lambda n: n.roleName == "label" and
                     (n.name or "").startswith(prefix), what="a test result starting %r" % prefix)


def back_to_list(session):
    """Saving closes the editor (its Test Connection button goes with it)."""
    e.wait_for(lambda: e.fresh(session.preferences).findChild(
        lambda n: n.name == "Test Connection", retry=False, requireResult=False) is None,
        what="the editor to close")
    e.find_by(session.preferences, lambda n: (n.name or "").startswith("Edit “Proxied”") and
              "click" in n.actions, what="the account in the list")


def start(session):
    session.proxy = Proxy()
    session.address = "socks5://127.0.0.1:%d" % session.proxy.port
    app = session.start_app()
    e.click(e.button(app, "Add an Account"))
    session.preferences = e.window(app, "Preferences")
    e.find(session.preferences, "Add Account", "label")


def proxy_rows(session):
    preferences = session.preferences
    e.find(preferences, "Name", "text").text = "Proxied"
    e.find(preferences, "API Key", "text").text = KEY
    e.find(preferences, "Base URL", "text").text = session.mock.url + "/v1"
    e.find(preferences, "Default Model", "text").text = "echo"
    choose(session, "Proxy", "Proxy Address")
    e.find(preferences, "Proxy Address (http://, https:// or socks5://)", "text").text = session.address
    e.find(preferences, "Proxy User Name", "text").text = USER
    e.find(preferences, "Proxy Password", "text").text = WRONG
    session.screenshot("proxy-auth-editor")


def wrong_password_test(session):
    seen = len(session.proxy.lines)
    e.click(e.button(session.preferences, "Test Connection"))
    result = test_result(session, "The connection failed:")
    session.proxy.wait_for_line("AUTH-FAIL " + USER, seen)
    assert "through the proxy " + session.address.replace("//", "//%s@" % USER) in result.name, result.name
    assert "password" in result.name, result.name
    assert WRONG not in result.name, result.name
    assert session.mock.requests() == [], session.mock.requests()


def right_password_test(session):
    seen = len(session.proxy.lines)
    e.find(session.preferences, "Proxy Password", "text").text = PASSWORD
    e.click(e.button(session.preferences, "Test Connection"))
    result = test_result(session, "Connected:")
    assert "echo" in result.name, result.name
    session.proxy.wait_for_line("AUTH-OK " + USER, seen)


def add(session):
    e.click(e.button(session.preferences, "Add"))
    back_to_list(session)
    saved = accounts_json()
    # The user name is in the proxy's URL, as confab-cli keeps it; the
    # password and the key are only in the keyring.
    assert "socks5://%s@127.0.0.1:%d" % (USER, session.proxy.port) in saved, saved
    assert PASSWORD not in saved and WRONG not in saved and KEY not in saved, saved
    # confab-cli finds the password where it keeps its own.
    seen = len(session.proxy.lines)
    out = e.cli("chat", "--account", "Proxied", "Asked from the command line")
    assert "Asked from the command line" in out, out
    session.proxy.wait_for_line("AUTH-OK " + USER, seen)


def chat_through_proxy(session):
    seen = len(session.proxy.lines)
    requests = len(session.mock.chat_requests())
    e.close_window(session.app, session.preferences)
    e.send(session.app, "Hello through the proxy")
    e.wait_for_row(session.app, lambda labels: "Proxied · echo" in labels and
                   any("Hello through the proxy" in t for t in labels) and
                   any(t.startswith("echo ·") for t in labels), what="the reply through the proxy")
    session.proxy.wait_for_line("AUTH-OK " + USER, seen)
    mock_port = session.mock.url.rsplit(":", 1)[1]
    assert any(line.startswith("TUNNEL ") and line.endswith(":" + mock_port)
               for line in session.proxy.lines[seen:]), session.proxy.lines
    assert len(session.mock.chat_requests()) == requests + 1, session.mock.chat_requests()
    session.screenshot("proxy-auth-chat")


def open_account(session):
    app = session.app
    # The welcome page has a Main Menu too, hidden: the sidebar's is the last.
    menus = e.wait_for(lambda: app.findChildren(lambda n: n.name == "Main Menu" and "click" in n.actions),
                       what="the main menu buttons")
    e.click(menus[-1])
    e.click(e.find_by(app, lambda n: n.roleName == "menu item" and n.name == "Preferences",
                      what="the Preferences menu item"))
    session.preferences = e.window(app, "Preferences")
    e.click(e.find_by(session.preferences, lambda n: (n.name or "").startswith("Edit “Proxied”") and
                      "click" in n.actions, what="the Edit button"))
    e.find(session.preferences, "Edit Account", "label")


def wrong_password_in_chat(session):
    open_account(session)
    # The saved password is never shown; an empty row keeps it.
    row = e.find(session.preferences, "New Proxy Password (empty: keep the saved one)", "text")
    e.button(session.preferences, "Remove the Saved Proxy Password")
    row.text = WRONG
    e.click(e.button(session.preferences, "Save"))
    back_to_list(session)
    assert WRONG not in accounts_json()
    seen = len(session.proxy.lines)
    e.close_window(session.app, session.preferences)
    e.send(session.app, "With the wrong password")
    row = e.wait_for_row(session.app, lambda labels: "Could not reach the provider" in labels,
                         what="the proxy error")
    text = " ".join(row)
    assert "through the proxy" in text and "password" in text, row
    assert WRONG not in text, row
    session.proxy.wait_for_line("AUTH-FAIL " + USER, seen)
    session.screenshot("proxy-auth-wrong-password")


def remove_password(session):
    open_account(session)
    e.click(e.button(session.preferences, "Remove the Saved Proxy Password"))
    e.find(session.preferences, "Proxy Password", "text")
    e.click(e.button(session.preferences, "Save"))
    back_to_list(session)
    # Without a password the proxy turns the user away...
    seen = len(session.proxy.lines)
    result = subprocess.run([e.CLI, "chat", "--account", "Proxied", "No password"],
                            capture_output=True, text=True)
    assert result.returncode != 0, result.stdout
    session.proxy.wait_for_line("AUTH-FAIL " + USER, seen)
    # ...and the API key, which the keyring removed with it, is back.
    e.cli("accounts", "set", "Proxied", "--proxy", "none")
    out = e.cli("chat", "--account", "Proxied", "Still my key")
    assert "Still my key" in out, out


sys.exit(e.run([
    ("the editor opens on a new account, the proxy running", start),
    ("the proxy address, user name and password have rows", proxy_rows),
    ("Test Connection with a wrong proxy password says so", wrong_password_test),
    ("Test Connection with the right password connects through the proxy", right_password_test),
    ("Add keeps the password in the keyring only, where confab-cli finds it", add),
    ("a chat in the main window goes through the proxy", chat_through_proxy),
    ("a wrong password typed in the editor gives a clear error in the chat", wrong_password_in_chat),
    ("removing the saved password keeps the API key", remove_password),
], mock_key=KEY))
