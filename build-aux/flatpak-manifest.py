#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the copy of a manifest that build-aux/flatpak-check builds.

Only the runtime, runtime-version and sdk are swapped for the stand-in.
Relative "dir" sources are made absolute (the copy lives elsewhere; they
name the same directory). One exception, only when GitHub cannot be
reached: the md4c module, pinned to a release tag and commit, is built
from Debian's md4c source instead, and this script says so on stderr.
"""

import argparse
import json
import os
import subprocess
import sys


def note(message):
    print("flatpak-manifest: " + message, file=sys.stderr)


def md4c_reachable(source):
    """True if the pinned tag resolves to the pinned commit upstream."""
    try:
        result = subprocess.run(["git", "ls-remote", source["url"], "refs/tags/" + source["tag"]],
                                capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return False
    if result.returncode != 0:
        return False
    commits = [line.split()[0] for line in result.stdout.splitlines() if line.strip()]
    if source["commit"] not in commits:
        # Reachable but different: the pin is wrong, which must not pass.
        sys.exit(f"flatpak-manifest: {source['url']} tag {source['tag']} is {commits}, "
                 f"not the pinned {source['commit']}")
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--runtime", required=True)
    parser.add_argument("--sdk", required=True)
    parser.add_argument("--branch", required=True)
    parser.add_argument("--md4c-fallback", help="archive used when GitHub is out of reach")
    parser.add_argument("--md4c-fallback-sha256")
    args = parser.parse_args()

    with open(args.manifest, encoding="utf-8") as manifest_file:
        manifest = json.load(manifest_file)
    base = os.path.dirname(os.path.abspath(args.manifest))

    manifest["runtime"] = args.runtime
    manifest["runtime-version"] = args.branch
    manifest["sdk"] = args.sdk

    for module in manifest.get("modules", []):
        if not isinstance(module, dict):
            continue
        for source in module.get("sources", []):
            if source.get("type") == "dir" and not os.path.isabs(source["path"]):
                source["path"] = os.path.normpath(os.path.join(base, source["path"]))
        if module.get("name") != "md4c" or not args.md4c_fallback:
            continue
        (source,) = module["sources"]
        if md4c_reachable(source):
            note(f"md4c: {source['url']} {source['tag']} = {source['commit']}, as pinned")
            continue
        module["sources"] = [{"type": "archive", "path": args.md4c_fallback, "sha256": args.md4c_fallback_sha256}]
        note(f"WARNING: {source['url']} is out of reach: md4c is built from "
             f"{os.path.basename(args.md4c_fallback)} (Debian), not {source['tag']} at {source['commit']}")

    with open(args.output, "w", encoding="utf-8") as output:
        json.dump(manifest, output, indent=2)
        output.write("\n")


if __name__ == "__main__":
    main()
