#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The app in Simplified Chinese, as most of its users run it.

LANG=zh_CN.UTF-8 and LANGUAGE=zh_CN, with the catalog built in this build
directory (CONFAB_LOCALEDIR): the welcome page, adding an account with the
core's errors in Chinese, and a chat. No label the catalog translates may
show in English. Screenshots: e2e-zh-cn-*.png, to look at (fonts-noto-cjk
must be installed, or the Chinese renders as boxes).
"""

import gettext
import os
import subprocess
import sys

import confab_e2e as e

# The mock accepts only this key. A test key, never a real one.
KEY = "sk-e2e-zh-7a2b"


def use_chinese_locale(workdir):
    """zh_CN.UTF-8 is rarely generated on a build machine: build it into
    the test's own directory (LOCPATH) from the locales package. Without
    it glibc falls back to the C locale, where it ignores LANGUAGE, so
    C.UTF-8 then carries the LANGUAGE=zh_CN test instead."""
    os.environ["LANGUAGE"] = "zh_CN"
    os.environ.pop("LC_ALL", None)
    os.environ.pop("LC_MESSAGES", None)
    locpath = os.path.join(workdir, "locale")
    os.makedirs(locpath, exist_ok=True)
    result = subprocess.run(["localedef", "-i", "zh_CN", "-f", "UTF-8",
                             os.path.join(locpath, "zh_CN.UTF-8")],
                            capture_output=True, text=True)
    if result.returncode == 0:
        os.environ["LOCPATH"] = locpath
        os.environ["LANG"] = "zh_CN.UTF-8"
    else:
        print("# no zh_CN.UTF-8 locale (%s); using C.UTF-8 with LANGUAGE=zh_CN"
              % result.stderr.strip().splitlines()[-1:], flush=True)
        os.environ["LANG"] = "C.UTF-8"


def english_with_translation():
    """The English strings of the catalog the app reads, as a screen
    reader would get them (no mnemonic underscore), that it translates
    into something else."""
    catalog = gettext.translation("confab", os.environ["CONFAB_LOCALEDIR"], ["zh_CN"])
    english = set()
    for msgid, msgstr in catalog._catalog.items():
        if isinstance(msgid, tuple):  # (msgid, plural index)
            msgid = msgid[0]
        if msgid and msgstr and msgid != msgstr:
            english.add(msgid.replace("_", ""))
    return english


def assert_no_english(node, english):
    """No accessible name under @node is one of the catalog's English
    strings: every label the catalog covers came out in Chinese."""
    e.fresh(node)
    shown = [n.name for n in node.findChildren(lambda n: bool(n.name))]
    untranslated = sorted({name for name in shown if name in english})
    assert not untranslated, "shown in English: %r" % untranslated
    assert any(any("\u4e00" <= c <= "\u9fff" for c in name) for name in shown), shown


def welcome_page(session):
    use_chinese_locale(session.workdir)
    session.english = english_with_translation()
    assert "Welcome to Confab" in session.english
    app = session.start_app()
    e.find(app, "欢迎使用 Confab", "label")
    e.button(app, "添加账户")
    assert_no_english(app, session.english)
    session.screenshot("zh-cn-welcome")


def open_editor(session):
    app = session.app
    e.click(e.button(app, "添加账户"))
    preferences = e.window(app, "首选项")
    e.find(preferences, "添加账户", "label")
    session.preferences = preferences


def fill_in(session):
    preferences = session.preferences
    # The mnemonic shows the GNOME zh way: 名称(N), with N underlined.
    rows = {name: e.find(preferences, name, "text")
            for name in ("名称(N)", "API 密钥(K)", "接口地址(B)", "默认模型(M)")}
    rows["名称(N)"].text = "Mock"
    rows["接口地址(B)"].text = session.mock.url + "/v1"
    rows["默认模型(M)"].text = "echo"
    e.find(preferences, "消息将发送到", "label")
    e.find(preferences, session.mock.url + "/v1/chat/completions", "label")
    session.rows = rows


def core_error_in_chinese(session):
    """The core's error, not only the window's words, reads in Chinese."""
    preferences = session.preferences
    session.rows["API 密钥(K)"].text = "sk-wrong"
    e.click(e.button(preferences, "测试连接"))
    result = e.find_by(preferences, lambda n: n.roleName == "label" and
                       (n.name or "").startswith("连接失败："), what="the test's error")
    assert "API 密钥被拒绝（" in result.name, result.name
    assert "sk-wrong" not in result.name, result.name


def connected_in_chinese(session):
    preferences = session.preferences
    session.rows["API 密钥(K)"].text = KEY
    e.click(e.button(preferences, "测试连接"))
    result = e.find_by(preferences, lambda n: n.roleName == "label" and
                       (n.name or "").startswith("连接成功：共 "), what="the test's success")
    assert "个模型" in result.name, result.name
    assert_no_english(preferences, session.english)
    session.screenshot("zh-cn-account-editor")


def add(session):
    preferences = session.preferences
    e.click(e.button(preferences, "添加"))
    e.find_by(preferences, lambda n: n.roleName == "label" and n.name == "Mock",
              what="the account in the list")
    assert_no_english(preferences, session.english)
    session.screenshot("zh-cn-preferences")
    preferences.doActionNamed("window.close")


def message_rows(app):
    """e.message_rows, for the list's Chinese name."""
    messages = app.findChild(lambda n: n.name == "消息" and n.roleName == "list",
                             retry=False, requireResult=False)
    if messages is None:
        return []
    e.fresh(messages)
    return [e.texts(item) for item in messages.children]


def chat(session):
    app = session.app
    e.find(app, "搜索对话", "entry")
    e.button(app, "新建对话")
    e.button(app, "模型")
    composer = e.find(app, "消息", "text")
    composer.text = "你好，Confab！请用中文回答。"
    e.press(app, "发送")
    row = e.wait_for(lambda: next((labels for labels in message_rows(app)
                                   if "Mock · echo" in labels and
                                   any("你好，Confab！请用中文回答。" in t for t in labels) and
                                   any(t.startswith("echo ·") for t in labels)), None),
                     30, what="the reply with its details")
    details = next(t for t in row if t.startswith("echo ·"))
    # “echo · 输入 12，输出 12 个 Token · …”
    assert "输入" in details and "Token" in details, details
    assert_no_english(app, session.english)
    session.screenshot("zh-cn-chat")


sys.exit(e.run([
    ("without accounts the welcome page is in Chinese", welcome_page),
    ("添加账户 opens the account editor in 首选项", open_editor),
    ("the editor's rows and the address messages go to read in Chinese", fill_in),
    ("a wrong key gives the core's error in Chinese", core_error_in_chinese),
    ("the right key lists the models, in Chinese", connected_in_chinese),
    ("the account is added, and Preferences shows no English", add),
    ("a chat works and its details read in Chinese", chat),
], mock_key=KEY))
