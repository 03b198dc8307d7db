# SPDX-License-Identifier: GPL-3.0-or-later
"""Drives the real Confab app through its accessibility tree (dogtail).

Each test program runs under tests/test-session.sh (a private D-Bus session
with an unlocked gnome-keyring and temporary XDG directories). This module
adds the rest: an X server when there is none, the AT-SPI bus in that
session, the in-tree mock provider on loopback, accounts made with
confab-cli, and the app itself. Tests print TAP.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

BUILD_DIR = os.environ.get("G_TEST_BUILDDIR", os.getcwd())
APP = os.environ.get("CONFAB_APP", os.path.join(BUILD_DIR, "..", "src", "confab"))
CLI = os.environ.get("CONFAB_CLI", os.path.join(BUILD_DIR, "..", "src", "confab-cli"))
MOCK = os.environ.get("CONFAB_MOCK_PROVIDER", os.path.join(BUILD_DIR, "confab-mock-provider"))

_processes = []


def _die_with_parent():
    # PR_SET_PDEATHSIG: a test killed by its timeout leaves nothing behind.
    import ctypes
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


def _spawn(argv, **kwargs):
    process = subprocess.Popen(argv, preexec_fn=_die_with_parent, **kwargs)
    _processes.append(process)
    return process


def _stop_all():
    for process in reversed(_processes):
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    _processes.clear()


def _start_x():
    """A private X server: tests running side by side must not share one,
    or their windows would overlap in each other's screenshots. Set
    CONFAB_E2E_DISPLAY to watch a test on a display of your own."""
    if os.environ.get("CONFAB_E2E_DISPLAY"):
        os.environ["DISPLAY"] = os.environ["CONFAB_E2E_DISPLAY"]
        return
    read_fd, write_fd = os.pipe()
    _spawn(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24",
            "-nolisten", "tcp", "-noreset"], pass_fds=[write_fd],
           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        raise RuntimeError("Xvfb did not start")
    os.environ["DISPLAY"] = ":" + number


def _start_atspi():
    """The accessibility bus, registered in this test's D-Bus session."""
    _spawn(["/usr/libexec/at-spi-bus-launcher", "--launch-immediately"],
           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        result = subprocess.run(
            ["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus",
             "--object-path", "/org/freedesktop/DBus",
             "--method", "org.freedesktop.DBus.NameHasOwner", "org.a11y.Bus"],
            capture_output=True, text=True)
        if "true" in result.stdout:
            return
        time.sleep(0.05)
    raise RuntimeError("the AT-SPI bus did not start")


class Mock:
    """confab-mock-provider on a free loopback port, recording requests."""

    def __init__(self, workdir, key=None):
        self.record = os.path.join(workdir, "requests.jsonl")
        argv = [MOCK, "--port", "0", "--record", self.record]
        if key is not None:
            # The mock then accepts only this key: proof that the app sent
            # the one the user typed. (Test keys only; never a real one.)
            argv += ["--key", key]
        self.process = _spawn(argv, stdout=subprocess.PIPE, text=True)
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            raise RuntimeError("the mock provider did not start")

    def chat_requests(self):
        """The bodies of the chat requests, oldest first."""
        return [r["body"] for r in self.requests()
                if r.get("method") == "POST" and r.get("path", "").endswith("/chat/completions")]

    def requests(self):
        import json
        if not os.path.exists(self.record):
            return []
        with open(self.record) as record:
            return [json.loads(line) for line in record if line.strip()]


def cli(*args, stdin=None):
    """Runs confab-cli; a key goes on standard input, never in argv."""
    result = subprocess.run([CLI, *args], input=stdin, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError("confab-cli %s failed: %s" % (" ".join(args), result.stderr))
    return result.stdout


def add_account(name, base_url, model, key="e2e-key", provider="custom"):
    cli("accounts", "add", name, "--provider", provider, "--base-url", base_url,
        "--model", model, "--key-stdin", stdin=key + "\n")


class Session:
    """X, AT-SPI, the mock provider and a temporary work directory."""

    def __init__(self, mock_key=None):
        self.workdir = tempfile.mkdtemp(prefix="confab-e2e-")
        _start_x()
        # The app must talk to the AT-SPI bus, whatever the test suite's
        # environment says for the other (widget) tests.
        os.environ.pop("NO_AT_BRIDGE", None)
        os.environ["GTK_A11Y"] = "atspi"
        os.environ["ADW_DISABLE_PORTAL"] = "1"
        os.environ["GTK_USE_PORTAL"] = "0"
        os.environ.setdefault("GSETTINGS_BACKEND", "memory")
        _start_atspi()
        self.mock = Mock(self.workdir, mock_key)
        self.app = None

    def start_app(self):
        import dogtail.config
        dogtail.config.config.checkForA11y = False
        dogtail.config.config.logDebugToFile = False
        dogtail.config.config.logDebugToStdOut = False
        dogtail.config.config.searchCutoffCount = 40
        dogtail.config.config.defaultDelay = 0.2
        from dogtail import tree

        env = dict(os.environ)
        # G_DEBUG=fatal-warnings would make any GTK warning about the
        # test machine (fonts, icons) kill the app mid-test.
        env.pop("G_DEBUG", None)
        env.pop("MALLOC_CHECK_", None)
        self.app_process = _spawn([APP], env=env, stdout=subprocess.DEVNULL,
                                  stderr=open(os.path.join(self.workdir, "app.log"), "w"))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.app_process.poll() is not None:
                raise RuntimeError("the app exited with %d:\n%s" % (self.app_process.returncode,
                                                                   self.app_log()))
            try:
                for child in tree.root.children:
                    if child.name in ("confab", "Confab"):
                        self.app = child
                        return self.app
            except Exception:
                pass
            time.sleep(0.2)
        raise RuntimeError("the app did not appear in the accessibility tree")

    def app_log(self):
        try:
            with open(os.path.join(self.workdir, "app.log")) as log:
                return log.read()
        except OSError:
            return ""

    def screenshot(self, name):
        path = os.path.join(BUILD_DIR, "e2e-%s.png" % name)
        subprocess.run(["import", "-window", "root", path], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return path

    def close(self):
        _stop_all()
        # CONFAB_E2E_KEEP_LOGS=1 keeps the app's stderr beside the screenshots.
        if os.environ.get("CONFAB_E2E_KEEP_LOGS"):
            log = os.path.join(self.workdir, "app.log")
            if os.path.exists(log):
                name = os.path.splitext(os.path.basename(sys.argv[0]))[0]
                shutil.copy(log, os.path.join(BUILD_DIR, "e2e-%s-app.log" % name))
        shutil.rmtree(self.workdir, ignore_errors=True)


def wait_for(predicate, timeout=20, interval=0.2, what="condition"):
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as error:  # the tree changes under our feet
            last_error = error
        time.sleep(interval)
    raise AssertionError("timed out waiting for %s%s" % (what, ": %s" % last_error if last_error else ""))


def find(node, name=None, role=None, timeout=20):
    """The first descendant with this accessible name and role."""
    def search():
        def match(child):
            if name is not None and child.name != name:
                return False
            return role is None or child.roleName == role
        return node.findChild(match, retry=False, requireResult=False)
    return wait_for(search, timeout, what="%s %r" % (role or "node", name))


def find_all(node, predicate):
    return node.findChildren(predicate)


def texts(node):
    """Every label's text under @node: what a screen reader can read."""
    found = []
    for child in node.findChildren(lambda n: n.roleName == "label"):
        found.append(child.name or "")
    return found


def run(tests, mock_key=None):
    """Runs [(description, function(session))] in order and prints TAP."""
    print("1..%d" % len(tests), flush=True)
    session = None
    failures = 0
    try:
        session = Session(mock_key)
        for number, (description, function) in enumerate(tests, 1):
            try:
                function(session)
                print("ok %d - %s" % (number, description), flush=True)
            except Exception:
                failures += 1
                print("not ok %d - %s" % (number, description), flush=True)
                for line in traceback.format_exc().splitlines():
                    print("# " + line, flush=True)
                if session.app is not None:
                    session.screenshot("failure-%d" % number)
                process = getattr(session, "app_process", None)
                if process is not None and process.poll() is not None:
                    print("# the app exited with status %d" % process.returncode, flush=True)
                log = session.app_log()
                if log:
                    for line in log.splitlines()[-30:]:
                        print("# app: " + line, flush=True)
    except Exception:
        for line in traceback.format_exc().splitlines():
            print("# " + line, flush=True)
        print("Bail out! could not set up the session", flush=True)
        failures += 1
    finally:
        if session is not None:
            session.close()
        else:
            _stop_all()
    return 1 if failures else 0


def _on_signal(signum, frame):
    _stop_all()
    sys.exit(128 + signum)


signal.signal(signal.SIGTERM, _on_signal)


# Finding and using widgets. GTK 4.8 does not report the "showing" state,
# so searches go by name and role; menu buttons expose their inner toggle
# button, which is the one with the "click" action.

def button(node, name, timeout=20):
    return find_by(node, lambda n: n.name == name and n.roleName in ("push button", "toggle button")
                   and "click" in n.actions, timeout, "button %r" % name)


def find_by(node, predicate, timeout=20, what="node"):
    def search():
        return node.findChild(predicate, retry=False, requireResult=False)
    return wait_for(search, timeout, what=what)


def fresh(node):
    """libatspi caches states and names, and GTK 4.8 does not announce
    every change: drop the cache of @node and its descendants."""
    node.clear_cache()
    return node


def is_sensitive(node):
    return fresh(node).sensitive


def click(node, timeout=10):
    """Clicks through the button's action, which GTK refuses while the
    button is insensitive: retry until it is not."""
    wait_for(lambda: node.doActionNamed("click"), timeout, interval=0.1,
             what="%r to take the click" % node.name)


def press(node, name, timeout=10):
    """Clicks the button named @name under @node, finding it again on each
    try: GTK may give a widget a new accessible object when it is shown
    again (a stack page switching), and the old one refuses actions."""
    def attempt():
        fresh(node)
        found = node.findChild(lambda n: n.name == name and "click" in n.actions,
                               retry=False, requireResult=False)
        return found is not None and found.doActionNamed("click")
    wait_for(attempt, timeout, interval=0.2, what="%r to take the click" % name)


def window(app, title, timeout=20):
    return wait_for(lambda: next((c for c in app.children if c.name == title), None),
                    timeout, what="window %r" % title)


def close_window(app, window_node):
    """Closes a window and waits until the app no longer lists it: going on
    while its accessible objects are torn down once crashed the test
    driver (libatspi) under load."""
    title = window_node.name
    window_node.doActionNamed("window.close")
    wait_for(lambda: all(c.name != title for c in app.children),
             what="window %r to close" % title)


def sidebar_titles(app):
    """The titles of the conversations the sidebar shows ([] when it shows none)."""
    fresh(app)
    conversations = app.findChild(lambda n: n.name == "Conversations" and n.roleName == "list",
                                  retry=False, requireResult=False)
    if conversations is None:
        return []
    fresh(conversations)
    return [texts(row)[0] for row in conversations.children if texts(row)]


def message_rows(app):
    """The conversation's rows, each as the list of its labels' texts."""
    messages = app.findChild(lambda n: n.name == "Messages" and n.roleName == "list",
                             retry=False, requireResult=False)
    if messages is None:
        return []
    fresh(messages)
    return [texts(item) for item in messages.children]


def wait_for_row(app, predicate, timeout=30, what="message row"):
    def search():
        for row in message_rows(app):
            if predicate(row):
                return row
        return None
    return wait_for(search, timeout, what=what)


def send(app, text):
    composer = find(app, "Message", "text")
    composer.text = text
    press(app, "Send")


def select_in_list(node, name):
    """Chooses a list box row the way assistive technologies do."""
    for index, child in enumerate(node.children):
        if child.name == name:
            node.querySelection().selectChild(index)
            return
    raise AssertionError("no row %r in %r: %r" % (name, node.name, [c.name for c in node.children]))
