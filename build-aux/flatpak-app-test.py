#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs the installed Flatpak the way a user would, and checks it.

build-aux/flatpak-check runs this inside `dbus-run-session`, with HOME and
the XDG directories private to the run. It starts what a GNOME session
would offer the sandbox (Xvfb, an unlocked gnome-keyring, the AT-SPI bus,
xdg-desktop-portal with XDG_CURRENT_DESKTOP=GNOME) and the mock provider
on loopback, then drives the app through its accessibility tree with
dogtail: it adds an account in Preferences, checks that the key went
through the Secret portal into the app's own keyring file and nowhere else
in plain text, sends a prompt and reads the streamed reply. It saves a
screenshot and exits non-zero with a message on the first failure.

Accessible names in the C locale are a contract with the app: the
composer "Message", the buttons "Send" and "Stop", and in the account
editor the rows "Name", "API Key", "Base URL" and "Default Model".
"""

import argparse
import json
import os
import secrets
import subprocess
import sys
import time
import traceback

PROMPT = "Hello from inside the Flatpak sandbox"
processes = []


class CheckFailed(Exception):
    pass


def step(message):
    print("flatpak-app-test: " + message, file=sys.stderr, flush=True)


def spawn(argv, **kwargs):
    process = subprocess.Popen(argv, **kwargs)
    processes.append(process)
    return process


def wait_for(predicate, what, timeout=30, interval=0.2):
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as error:  # the accessibility tree changes under us
            last_error = error
        time.sleep(interval)
    raise CheckFailed(f"timed out after {timeout} s waiting for {what}" + (f" ({last_error})" if last_error else ""))


def bus_has_name(name):
    result = subprocess.run(["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus",
                             "--object-path", "/org/freedesktop/DBus",
                             "--method", "org.freedesktop.DBus.NameHasOwner", name],
                            capture_output=True, text=True)
    return "true" in result.stdout


def start_bus_monitor(workdir):
    """Records the session bus (the portal's requests and answers) for a post-mortem."""
    log = open(os.path.join(workdir, "dbus-session.log"), "w")
    spawn(["dbus-monitor", "--session"], stdout=log, stderr=subprocess.STDOUT)


def start_x():
    read_fd, write_fd = os.pipe()
    spawn(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
          pass_fds=[write_fd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        raise CheckFailed("Xvfb did not start")
    os.environ["DISPLAY"] = ":" + number


def share_environment():
    """Services started by D-Bus activation (the portals) see these too."""
    names = ("DISPLAY", "XDG_CURRENT_DESKTOP", "XDG_RUNTIME_DIR", "HOME", "XDG_DATA_HOME",
             "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")
    variables = ", ".join(f"'{n}': '{os.environ[n]}'" for n in names if n in os.environ)
    subprocess.run(["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus",
                    "--object-path", "/org/freedesktop/DBus",
                    "--method", "org.freedesktop.DBus.UpdateActivationEnvironment", "{%s}" % variables],
                   check=True, stdout=subprocess.DEVNULL)


def start_keyring():
    """gnome-keyring, unlocked: the Secret portal's backend in GNOME."""
    keyring = spawn(["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets",
                     "--control-directory", os.path.join(os.environ["XDG_RUNTIME_DIR"], "keyring")],
                    stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    keyring.stdin.write(b"flatpak-check-password")
    keyring.stdin.close()
    wait_for(lambda: bus_has_name("org.freedesktop.secrets"), "gnome-keyring on the session bus")

    # Unlocked, or the portal would ask for a password nobody can type.
    def login_unlocked():
        result = subprocess.run(["gdbus", "call", "--session", "--dest", "org.freedesktop.secrets",
                                 "--object-path", "/org/freedesktop/secrets/collection/login",
                                 "--method", "org.freedesktop.DBus.Properties.Get",
                                 "org.freedesktop.Secret.Collection", "Locked"],
                                capture_output=True, text=True)
        return "false" in result.stdout
    wait_for(login_unlocked, "the unlocked login keyring")


def start_accessibility():
    spawn(["/usr/libexec/at-spi-bus-launcher", "--launch-immediately"],
          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: bus_has_name("org.a11y.Bus"), "the AT-SPI bus")


def start_mock(mock, key, workdir):
    record = os.path.join(workdir, "mock-requests.jsonl")
    process = spawn([mock, "--port", "0", "--key", key, "--record", record],
                    stdout=subprocess.PIPE, text=True)
    url = process.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1:"):
        raise CheckFailed("the mock provider did not start")
    return url, record


def start_app(app_id, workdir):
    log = open(os.path.join(workdir, "app.log"), "w")
    process = spawn(["flatpak", "run", "--user", app_id], stdout=log, stderr=subprocess.STDOUT)

    import dogtail.config
    dogtail.config.config.checkForA11y = False
    dogtail.config.config.logDebugToFile = False
    dogtail.config.config.logDebugToStdOut = False
    dogtail.config.config.searchCutoffCount = 40
    dogtail.config.config.defaultDelay = 0.3
    from dogtail import tree

    def app_node():
        if process.poll() is not None:
            raise CheckFailed(f"flatpak run exited with {process.returncode}: see {log.name}")
        return next((c for c in tree.root.children if c.name in ("confab", "Confab")), None)
    return wait_for(app_node, "the app in the accessibility tree", timeout=60)


def find(node, name, role, timeout=30):
    def search():
        return node.findChild(lambda n: n.name == name and n.roleName == role,
                              retry=False, requireResult=False)
    return wait_for(search, f"{role} {name!r}", timeout)


def window(app, title, timeout=30):
    return wait_for(lambda: next((w for w in app.children if w.name == title), None),
                    f"the window {title!r}", timeout)


def button(parent, label, timeout=30):
    """A button found by its label: GTK 4.8 names some buttons oddly."""
    node = find(parent, label, "label", timeout)
    while node is not None and node.roleName != "push button":
        node = node.parent
    if node is None:
        raise CheckFailed(f"no button labelled {label!r}")
    return node


def fill(row, text, replace=False):
    from dogtail import rawinput
    # A click focuses the row's entry; X sends keys to the window under
    # the pointer (no window manager here).
    row.click()
    if replace:
        rawinput.keyCombo("<Control>a")
        rawinput.pressKey("BackSpace")
    row.typeText(text)


def add_account(app, app_id, url, key):
    step("adding an account in Preferences")
    button(app, "Add an Account").doActionNamed("click")
    prefs = window(app, "Preferences")
    find(prefs, "Add Account", "label")
    fill(find(prefs, "Name", "text"), "Mock", replace=True)
    fill(find(prefs, "API Key", "text"), key)
    fill(find(prefs, "Base URL", "text"), url + "/v1", replace=True)
    fill(find(prefs, "Default Model", "text"), "echo", replace=True)
    button(prefs, "Add").doActionNamed("click")
    try:
        wait_for(lambda: prefs.findChild(lambda n: n.name == "Mock" and n.roleName == "label",
                                         retry=False, requireResult=False),
                 "the new account in the list")
    except CheckFailed as error:
        if not os.path.exists(keyring_file(app_id)):
            raise CheckFailed(f"{error}: saving never finished, and the key never reached "
                              f"{keyring_file(app_id)} (libsecret's store through the Secret portal "
                              f"did not return)") from None
        raise
    find(prefs, "Close", "push button").doActionNamed("click")


def keyring_file(app_id):
    """Where libsecret keeps a sandboxed app's secrets, under the portal's master key."""
    return os.path.join(os.environ["HOME"], ".var", "app", app_id, "data", "keyrings", "default.keyring")


def check_key_storage(app_id, key):
    """The key is in the app's portal-backed keyring file, encrypted."""
    home = os.environ["HOME"]
    path = keyring_file(app_id)
    wait_for(lambda: os.path.isfile(path), path)
    step(f"the key went through the Secret portal into {path}")
    needle = key.encode()
    for base, _dirs, files in os.walk(home):
        for name in files:
            path = os.path.join(base, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            with open(path, "rb") as content:
                if needle in content.read():
                    raise CheckFailed(f"the key is in plain text in {path}")
    step("no file under the private HOME holds the key in plain text")


def send_prompt(app):
    step("sending a prompt")
    main = window(app, "Confab")
    composer = wait_for(lambda: main.findChild(lambda n: n.name == "Message" and n.roleName in ("text", "entry"),
                                               retry=False, requireResult=False), "the composer 'Message'")
    fill(composer, PROMPT)
    find(main, "Send", "push button").doActionNamed("click")

    # The mock's echo model streams the prompt back three characters a
    # piece; the reply is complete when a second label (after the
    # question) holds all of it.
    def replied():
        labels = main.findChildren(lambda n: n.roleName == "label" and n.name == PROMPT)
        return len(labels) >= 2
    wait_for(replied, "the streamed reply", timeout=60)
    step("read the streamed reply through the accessibility tree")


def check_request(record):
    with open(record) as lines:
        requests = [json.loads(line) for line in lines if line.strip()]
    chats = [r for r in requests if r["path"].endswith("/chat/completions")]
    if not chats:
        raise CheckFailed("the mock received no chat request")
    # The mock only accepts the key it was given: a reply proves the app
    # read the right key back from the keyring.
    if chats[-1]["headers"].get("authorization") != "Bearer <redacted>":
        raise CheckFailed("the chat request carried no bearer key")


def stop_all(app_id):
    subprocess.run(["flatpak", "kill", app_id], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for process in reversed(processes):
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--app-id", required=True)
    parser.add_argument("--mock", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--screenshot", required=True)
    args = parser.parse_args()

    key = "sk-flatpak-check-" + secrets.token_hex(16)
    os.environ["XDG_CURRENT_DESKTOP"] = "GNOME"
    os.environ["GTK_A11Y"] = "atspi"
    os.environ.pop("NO_AT_BRIDGE", None)
    status = 0
    try:
        start_bus_monitor(args.workdir)
        start_x()
        share_environment()
        start_keyring()
        start_accessibility()
        url, record = start_mock(args.mock, key, args.workdir)
        step(f"starting {args.app_id} with flatpak run")
        app = start_app(args.app_id, args.workdir)
        add_account(app, args.app_id, url, key)
        check_key_storage(args.app_id, key)
        send_prompt(app)
        check_request(record)
        with open(os.path.join(args.workdir, "app.log"), "rb") as log:
            if key.encode() in log.read():
                raise CheckFailed("the key is in the app's output")
        # The portal hands over the master key through a pipe and the key
        # stays in the sandbox: neither crosses the session bus.
        with open(os.path.join(args.workdir, "dbus-session.log"), "rb") as log:
            if key.encode() in log.read():
                raise CheckFailed("the key crossed the session bus")
    except Exception as error:
        step(f"FAILED: {error}")
        if not isinstance(error, CheckFailed):
            traceback.print_exc()
        log = os.path.join(args.workdir, "app.log")
        if os.path.exists(log):
            with open(log) as lines:
                for line in lines.read().splitlines()[-30:]:
                    print("  app: " + line, file=sys.stderr)
        status = 1
    finally:
        subprocess.run(["import", "-window", "root", args.screenshot],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        step(f"screenshot: {args.screenshot}")
        stop_all(args.app_id)
    return status


if __name__ == "__main__":
    sys.exit(main())
