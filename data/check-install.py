#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Installs the build into a throwaway DESTDIR and checks the tree.

What a distribution package or the Flatpak would ship: both binaries, the
desktop file, the metainfo, the icons, a settings schema that compiles and
carries the app id, and a catalogue for every language in po/LINGUAS.
The files must also agree with each other (the desktop file's Exec and
Icon, the metainfo's launchable and binaries).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

GETTEXT_DOMAIN = "confab"
failures = []


def check(condition, message):
    print(("ok     " if condition else "FAILED ") + message)
    if not condition:
        failures.append(message)
    return condition


def read_linguas(path):
    languages = []
    with open(path, encoding="utf-8") as linguas:
        for line in linguas:
            line = line.split("#", 1)[0]
            languages.extend(line.split())
    return languages


def desktop_entry(path):
    entry = {}
    with open(path, encoding="utf-8") as desktop:
        for line in desktop:
            if "=" in line and not line.startswith("#"):
                key, value = line.rstrip("\n").split("=", 1)
                entry[key] = value
    return entry


def check_binaries(bindir):
    for name in ("confab", "confab-cli"):
        path = os.path.join(bindir, name)
        check(os.path.isfile(path) and os.access(path, os.X_OK), f"binary {name} is installed and executable")


def check_desktop(datadir, bindir, app_id):
    path = os.path.join(datadir, "applications", f"{app_id}.desktop")
    if not check(os.path.isfile(path), f"desktop file {app_id}.desktop is installed"):
        return
    entry = desktop_entry(path)
    check(entry.get("Icon") == app_id, f"desktop file names the icon {app_id}")
    exec_binary = entry.get("Exec", "").split(" ")[0]
    check(os.path.isfile(os.path.join(bindir, exec_binary)), f"desktop file runs an installed binary ({exec_binary!r})")
    check("MimeType" not in entry, "desktop file claims no MIME types or URL schemes")


def check_metainfo(datadir, bindir, app_id):
    path = os.path.join(datadir, "metainfo", f"{app_id}.metainfo.xml")
    if not check(os.path.isfile(path), f"metainfo {app_id}.metainfo.xml is installed"):
        return
    root = ET.parse(path).getroot()
    check(root.findtext("id") == app_id, f"metainfo id is {app_id}")
    launchable = root.findtext("launchable")
    check(launchable is not None and os.path.isfile(os.path.join(datadir, "applications", launchable)),
          f"metainfo launches an installed desktop file ({launchable!r})")
    binaries = [b.text for b in root.iter("binary")]
    check(sorted(binaries) == ["confab", "confab-cli"], f"metainfo provides confab and confab-cli ({binaries})")
    for binary in binaries:
        check(os.path.isfile(os.path.join(bindir, binary)), f"metainfo binary {binary} is installed")
    domain = root.findtext("translation")
    check(domain == GETTEXT_DOMAIN, f"metainfo names the gettext domain {GETTEXT_DOMAIN} ({domain!r})")


def check_icons(datadir, app_id):
    icons = os.path.join(datadir, "icons", "hicolor")
    for kind, name in (("scalable", f"{app_id}.svg"), ("symbolic", f"{app_id}-symbolic.svg")):
        path = os.path.join(icons, kind, "apps", name)
        if check(os.path.isfile(path), f"{kind} icon {name} is installed"):
            root = ET.parse(path).getroot()
            check(root.tag == "{http://www.w3.org/2000/svg}svg", f"{kind} icon is an SVG document")


def check_schema(datadir, app_id):
    schemas = os.path.join(datadir, "glib-2.0", "schemas")
    sources = sorted(f for f in os.listdir(schemas) if f.endswith(".gschema.xml")) if os.path.isdir(schemas) else []
    if not check(len(sources) > 0, "a settings schema is installed"):
        return
    # The post-install hook does not compile into a DESTDIR, so compile the
    # installed sources the way it would, and look for the app's schema.
    with tempfile.TemporaryDirectory() as compiled:
        result = subprocess.run(["glib-compile-schemas", "--strict", "--targetdir", compiled, schemas],
                                capture_output=True, text=True)
        if not check(result.returncode == 0, "installed schemas compile with --strict"):
            print(result.stderr, file=sys.stderr)
            return
        # Only the installed schemas, not the ones of the machine running this.
        env = dict(os.environ, XDG_DATA_DIRS=compiled)
        env.pop("GSETTINGS_SCHEMA_DIR", None)
        result = subprocess.run(["gsettings", "--schemadir", compiled, "list-schemas"],
                                capture_output=True, text=True, check=True, env=env)
        ids = result.stdout.split()
        check(app_id in ids, f"compiled schemas hold the schema {app_id} ({ids})")


def check_translations(localedir, languages):
    if not languages:
        print("note   po/LINGUAS lists no languages yet: no catalogues expected")
    for language in languages:
        path = os.path.join(localedir, language, "LC_MESSAGES", f"{GETTEXT_DOMAIN}.mo")
        check(os.path.isfile(path), f"translation {language}/LC_MESSAGES/{GETTEXT_DOMAIN}.mo is installed")


def check_confined(destdir, prefix):
    stray = []
    for base, _dirs, files in os.walk(destdir):
        for name in files:
            path = os.path.join(base, name)
            if not path.startswith(prefix + os.sep):
                stray.append(os.path.relpath(path, destdir))
    check(not stray, f"nothing is installed outside the prefix {stray[:5]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    for option in ("build-root", "prefix", "bindir", "datadir", "localedir", "app-id", "linguas"):
        parser.add_argument("--" + option, required=True)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="confab-destdir-") as destdir:
        result = subprocess.run(["meson", "install", "-C", args.build_root, "--no-rebuild", "--quiet",
                                 "--destdir", destdir], capture_output=True, text=True)
        if result.returncode != 0:
            print(result.stdout, result.stderr, sep="\n", file=sys.stderr)
            print("FAILED meson install into a DESTDIR")
            return 1
        prefix = os.path.join(destdir, args.prefix.lstrip("/"))
        bindir = os.path.join(prefix, args.bindir)
        datadir = os.path.join(prefix, args.datadir)
        localedir = os.path.join(prefix, args.localedir)

        check_binaries(bindir)
        check_desktop(datadir, bindir, args.app_id)
        check_metainfo(datadir, bindir, args.app_id)
        check_icons(datadir, args.app_id)
        check_schema(datadir, args.app_id)
        check_translations(localedir, read_linguas(args.linguas))
        check_confined(destdir, prefix)

    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
