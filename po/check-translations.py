#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks po/ against the current sources and prints TAP.

- POTFILES.in lists every built file with a translatable string, and
  nothing else;
- xgettext extracts every marked string whole (a macro such as
  G_GINT64_FORMAT inside _() cuts the msgid short, and the string can then
  never be translated);
- every language in LINGUAS passes msgfmt --check, and translates every
  string of a template made fresh from the sources, without fuzzy entries:
  a string added without its translation fails here;
- Chinese translations use full-width punctuation.

Usage: check-translations.py SOURCE_ROOT
"""

import os
import re
import subprocess
import sys
import tempfile

# The keywords and flags of meson's i18n.gettext(preset: 'glib'), which
# builds the real template (po/meson.build): keep them the same.
XGETTEXT_ARGS = [
    "--from-code=UTF-8", "--add-comments", "-k_",
    "--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
    "--keyword=g_dcgettext:2", "--keyword=g_dngettext:2,3", "--keyword=g_dpgettext2:2c,3",
    "--flag=N_:1:pass-c-format", "--flag=C_:2:pass-c-format", "--flag=NC_:2:pass-c-format",
    "--flag=g_dngettext:2:pass-c-format", "--flag=g_strdup_printf:1:c-format",
    "--flag=g_string_printf:2:c-format", "--flag=g_string_append_printf:2:c-format",
    "--flag=g_error_new:3:c-format", "--flag=g_set_error:4:c-format",
    "--flag=g_markup_printf_escaped:1:c-format", "--flag=g_log:3:c-format",
    "--flag=g_print:1:c-format", "--flag=g_printerr:1:c-format", "--flag=g_printf:1:c-format",
    "--flag=g_fprintf:2:c-format", "--flag=g_sprintf:2:c-format",
    "--flag=g_snprintf:3:c-format",
]

# A string literal right after a marking macro, or a plural/context call.
C_MARK = re.compile(r'(?<![\w])(?:_|N_|C_|NC_)\s*\(\s*"|\bg_d(?:n|c|p)\w*gettext2?\s*\(')
UI_MARK = re.compile(r'translatable="(?:yes|true|1)"')
# Data files that carry translatable text whatever their content says.
DATA_FILE = re.compile(r'\.(?:desktop|metainfo\.xml|appdata\.xml|gschema\.xml)(?:\.in)*$')

# Chinese next to ASCII punctuation: “，。；：？！（）” belong there. A
# mnemonic “(_X)” after the words is the GNOME zh convention, and “Name:
# value” style syntax keeps its ASCII colon, so colons are not checked.
MNEMONIC = re.compile(r'\(_\w\)')
HAN = "\u3400-\u9fff"
ASCII_PUNCT_BY_HAN = re.compile(r'[%s][,.;?!()]|[,;?!()][%s]' % (HAN, HAN))
# The desktop file's search terms: a list that ends in “;”, not a sentence.
KEYWORD_LIST = re.compile(r'^[^ ]+;$')


class Tap:
    def __init__(self):
        self.number = 0
        self.failed = 0

    def check(self, description, problems):
        self.number += 1
        if problems:
            self.failed += 1
            print("not ok %d - %s" % (self.number, description))
            for problem in problems[:60]:
                for line in str(problem).splitlines():
                    print("# " + line)
            if len(problems) > 60:
                print("# … and %d more" % (len(problems) - 60))
        else:
            print("ok %d - %s" % (self.number, description))
        sys.stdout.flush()


def read_list(path):
    with open(path, encoding="utf-8") as f:
        return [line.strip() for line in f
                if line.strip() and not line.lstrip().startswith("#")]


def marked_files(root):
    """Every built source or data file that has a translatable string."""
    found = set()
    for top in ("src", "data"):
        for directory, _, names in os.walk(os.path.join(root, top)):
            for name in names:
                path = os.path.join(directory, name)
                relative = os.path.relpath(path, root)
                if top == "data":
                    if DATA_FILE.search(name):
                        found.add(relative)
                    continue
                if name.endswith(".c"):
                    pattern = C_MARK
                elif name.endswith(".ui"):
                    pattern = UI_MARK
                else:
                    continue
                with open(path, encoding="utf-8", errors="replace") as f:
                    if pattern.search(f.read()):
                        found.add(relative)
    return found


def built_sources(root):
    """Names the meson files and resource lists under src/ mention."""
    text = []
    for directory, _, names in os.walk(os.path.join(root, "src")):
        for name in names:
            if name == "meson.build" or name.endswith(".gresource.xml"):
                with open(os.path.join(directory, name), encoding="utf-8") as f:
                    text.append(f.read())
    return "\n".join(text)


def check_potfiles(tap, root):
    listed = read_list(os.path.join(root, "po", "POTFILES.in"))
    wanted = marked_files(root)
    built = built_sources(root)
    problems = ["%s has translatable strings but is not in po/POTFILES.in" % f
                for f in sorted(wanted - set(listed))]
    for f in listed:
        if not os.path.isfile(os.path.join(root, f)):
            problems.append("%s is listed in po/POTFILES.in but does not exist" % f)
        elif f.startswith("src/") and os.path.relpath(f, "src").split("/", 1)[-1] not in built \
                and os.path.basename(f) not in built:
            problems.append("%s is listed in po/POTFILES.in but is not built" % f)
        elif not f.startswith(("src/", "data/")):
            problems.append("%s is listed in po/POTFILES.in but is not part of the app" % f)
    if listed != sorted(listed):
        problems.append("po/POTFILES.in is not sorted")
    tap.check("po/POTFILES.in lists every built file with translatable strings", problems)


def make_template(tap, root, workdir):
    pot = os.path.join(workdir, "confab.pot")
    result = subprocess.run(
        ["xgettext", "--package-name=confab", "-f", os.path.join(root, "po", "POTFILES.in"),
         "-D", root, "-o", pot] + XGETTEXT_ARGS,
        capture_output=True, text=True)
    problems = [line for line in result.stderr.splitlines() if line.strip()]
    if result.returncode != 0:
        problems.append("xgettext failed with status %d" % result.returncode)
    elif os.path.exists(pot):
        problems += cut_short(pot)
    tap.check("xgettext extracts every marked string whole, without warnings", problems)
    return pot if os.path.exists(pot) else None


def cut_short(pot):
    """msgids that end in a lone “%”: a format macro (G_GINT64_FORMAT …)
    stopped xgettext, so the string the program looks up differs from the
    one translators get, and it is never translated."""
    with open(pot, encoding="utf-8") as f:
        text = f.read()
    problems = []
    for block in text.split("\n\n"):
        ids = re.findall(r'^(?:msgid|msgid_plural)((?: ".*"\n?)+)', block, re.MULTILINE)
        for value in ids:
            msgid = "".join(re.findall(r'"(.*)"', value))
            if re.search(r'(?<!%)(?:%%)*%$', msgid):
                where = re.findall(r'^#: (.*)$', block, re.MULTILINE)
                problems.append("%s: the msgid stops at a format macro: \"%s\" — use a plain "
                                "directive such as %%d with a cast, or a %%s of a formatted "
                                "number" % (" ".join(where), msgid))
    return problems


def entries(po_file, *attrib_args):
    """msgids of the entries msgattrib selects, one per item."""
    result = subprocess.run(["msgattrib", "--no-obsolete", "--no-wrap"] + list(attrib_args) +
                            [po_file], capture_output=True, text=True)
    if result.returncode != 0:
        return ["msgattrib failed: " + result.stderr.strip()]
    ids = re.findall(r'^msgid "(.*)"$', result.stdout, re.MULTILINE)
    return [i for i in ids if i != ""]


def checks_per_language(lang):
    return 4 if lang.startswith("zh") else 3


def check_language(tap, root, lang, pot, workdir):
    po_file = os.path.join(root, "po", lang + ".po")
    if not os.path.exists(po_file):
        for _ in range(checks_per_language(lang)):
            tap.check("%s.po exists (it is in LINGUAS)" % lang, ["no file %s" % po_file])
        return

    result = subprocess.run(["msgfmt", "--check", "--check-format", "--check-accelerators=_",
                             "-o", os.path.devnull, po_file], capture_output=True, text=True)
    tap.check("%s.po passes msgfmt --check --check-format" % lang,
              result.stderr.splitlines() if result.returncode != 0 else [])

    problems = ["fuzzy: %s" % m for m in entries(po_file, "--only-fuzzy")]
    problems += ["empty: %s" % m for m in entries(po_file, "--untranslated")]
    tap.check("%s.po has no fuzzy or empty translations" % lang, problems)

    if pot is None:
        tap.check("%s.po translates every string of the sources" % lang, ["no template"])
    else:
        merged = os.path.join(workdir, lang + ".po")
        result = subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching", "-o", merged,
                                 po_file, pot], capture_output=True, text=True)
        if result.returncode != 0:
            problems = ["msgmerge failed: " + result.stderr.strip()]
        else:
            problems = ["untranslated: %s" % m for m in entries(merged, "--untranslated")]
            problems += ["fuzzy: %s" % m for m in entries(merged, "--only-fuzzy")]
            if problems:
                problems.append("run `ninja -C BUILDDIR confab-update-po` and translate these")
        tap.check("%s.po translates every string of the sources (100%%)" % lang, problems)

    if lang.startswith("zh"):
        check_punctuation(tap, lang, po_file)


def check_punctuation(tap, lang, po_file):
    result = subprocess.run(["msgattrib", "--no-obsolete", "--no-wrap", "--translated", po_file],
                            capture_output=True, text=True)
    problems = []
    for line in result.stdout.splitlines():
        match = re.match(r'^msgstr(?:\[\d+\])? "(.*)"$', line)
        if match is None or KEYWORD_LIST.match(match.group(1)):
            continue
        if ASCII_PUNCT_BY_HAN.search(MNEMONIC.sub("", match.group(1))):
            problems.append("half-width punctuation in Chinese text: " + match.group(1))
    tap.check("%s.po uses full-width punctuation in Chinese sentences" % lang, problems)


def main():
    root = os.path.abspath(sys.argv[1])
    langs = [l for line in read_list(os.path.join(root, "po", "LINGUAS")) for l in line.split()]
    tap = Tap()
    print("1..%d" % (2 + sum(checks_per_language(l) for l in langs)))
    check_potfiles(tap, root)
    with tempfile.TemporaryDirectory(prefix="confab-po-") as workdir:
        pot = make_template(tap, root, workdir)
        for lang in langs:
            check_language(tap, root, lang, pot, workdir)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
