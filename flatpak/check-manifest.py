#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the Flatpak manifests as flatpak-builder reads them.

Each manifest goes through `flatpak-builder --show-manifest`, so what is
checked is what a build would use. The sandbox gets exactly the
permissions below and nothing else: keys go through the Secret portal
(no --talk-name=org.freedesktop.secrets), files through the file chooser
portal (no --filesystem).
"""

import json
import os
import re
import subprocess
import sys

FINISH_ARGS = [
    "--share=network",
    "--share=ipc",
    "--socket=wayland",
    "--socket=fallback-x11",
    "--device=dri",
]
failures = []


def check(condition, message):
    print(("ok     " if condition else "FAILED ") + message)
    if not condition:
        failures.append(message)
    return condition


def show_manifest(flatpak_builder, path):
    result = subprocess.run([flatpak_builder, "--show-manifest", path], capture_output=True, text=True)
    if not check(result.returncode == 0, f"flatpak-builder reads {os.path.basename(path)}"):
        print(result.stderr, file=sys.stderr)
        return None
    return json.loads(result.stdout)


def module(manifest, name):
    return next((m for m in manifest.get("modules", []) if isinstance(m, dict) and m.get("name") == name), None)


def check_common(manifest, app_id):
    check(manifest.get("id", manifest.get("app-id")) == app_id, f"{app_id}: id matches the file name")
    args = manifest.get("finish-args", [])
    check(sorted(args) == sorted(FINISH_ARGS) and len(args) == len(FINISH_ARGS),
          f"{app_id}: finish-args are exactly {FINISH_ARGS} (found {args})")
    check(manifest.get("runtime") == "org.gnome.Platform" and manifest.get("sdk") == "org.gnome.Sdk",
          f"{app_id}: runtime org.gnome.Platform with org.gnome.Sdk")
    check(manifest.get("command") == "confab", f"{app_id}: runs confab")

    md4c = module(manifest, "md4c")
    if check(md4c is not None, f"{app_id}: has an md4c module"):
        sources = md4c.get("sources", [])
        pinned = [s for s in sources if s.get("type") == "git" and s.get("tag")
                  and re.fullmatch(r"[0-9a-f]{40}", s.get("commit", ""))]
        check(len(sources) == 1 and len(pinned) == 1, f"{app_id}: md4c comes from a release tag pinned by commit")

    modules = [m.get("name") for m in manifest.get("modules", []) if isinstance(m, dict)]
    check(modules[-1:] == ["confab"], f"{app_id}: Confab is the last module ({modules})")
    return module(manifest, "confab")


def main():
    flatpak_builder, release_path, devel_path = sys.argv[1:4]
    release = show_manifest(flatpak_builder, release_path)
    devel = show_manifest(flatpak_builder, devel_path)
    if release is None or devel is None:
        return 1

    check_common(release, "io.github.confab.Confab")
    confab = check_common(devel, "io.github.confab.Confab.Devel") or {}
    check(release.get("runtime-version") == devel.get("runtime-version"),
          "both manifests use the same runtime version")
    check("-Dprofile=development" in confab.get("config-opts", []), "Devel builds the development profile")
    check(confab.get("run-tests") is True, "Devel runs the tests")
    check({"type": "dir", "path": ".."}.items() <= (confab.get("sources") or [{}])[0].items(),
          "Devel builds this checkout (a dir source at ..)")

    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
