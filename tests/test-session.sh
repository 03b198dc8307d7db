#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs one test program in a private D-Bus session with its own XDG
# directories and a real gnome-keyring-daemon, unlocked with a throwaway
# password. With CONFAB_TEST_NO_KEYRING=1 the session has no keyring and
# cannot activate one, to test how Confab fails without it.
set -eu

tmp=$(mktemp -d "${TMPDIR:-/tmp}/confab-test.XXXXXX")
cleanup () {
  # A document portal started by GTK may have mounted its FUSE folder here.
  fusermount -u -z "$tmp/runtime/doc" 2>/dev/null || true
  rm -rf "$tmp" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
mkdir -p "$tmp/home" "$tmp/config" "$tmp/data" "$tmp/cache" "$tmp/state" "$tmp/runtime"
chmod 700 "$tmp/runtime"
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" \
       XDG_CACHE_HOME="$tmp/cache" XDG_STATE_HOME="$tmp/state" XDG_RUNTIME_DIR="$tmp/runtime"

if [ "${CONFAB_TEST_NO_KEYRING:-}" = 1 ]; then
  cat > "$tmp/session.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=$tmp/runtime</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
  status=0
  dbus-run-session --config-file="$tmp/session.conf" -- "$@" || status=$?
  exit $status
fi

# Not exec: the EXIT trap must still remove the temporary folder.
status=0
# shellcheck disable=SC2016
dbus-run-session -- sh -c '
  # gnome-keyring 42 warns "asked to register item …, but it is already
  # registered" whenever an item is replaced; the G_DEBUG=fatal-warnings
  # our tests run with would turn that into a crash of the daemon.
  printf "%s" confab-test-password |
    env -u G_DEBUG -u MALLOC_PERTURB_ -u MALLOC_CHECK_ gnome-keyring-daemon --foreground --unlock --components=secrets \
      --control-directory="$XDG_RUNTIME_DIR/keyring" >/dev/null 2>&1 &
  keyring=$!
  # Wait for our daemon to own the name (asking the service itself would
  # D-Bus-activate a second daemon), then for its login collection.
  tries=0
  until gdbus call --session --dest org.freedesktop.DBus \
          --object-path /org/freedesktop/DBus --method org.freedesktop.DBus.NameHasOwner \
          org.freedesktop.secrets 2>/dev/null | grep -q true; do
    tries=$((tries + 1))
    if [ $tries -gt 200 ]; then echo "test keyring did not start" >&2; exit 99; fi
    sleep 0.05
  done
  until gdbus call --session --dest org.freedesktop.secrets \
          --object-path /org/freedesktop/secrets/collection/login \
          --method org.freedesktop.DBus.Properties.Get \
          org.freedesktop.Secret.Collection Locked 2>/dev/null | grep -q false; do
    tries=$((tries + 1))
    if [ $tries -gt 200 ]; then echo "test keyring did not start" >&2; exit 99; fi
    sleep 0.05
  done
  status=0
  "$@" || status=$?
  kill $keyring 2>/dev/null || true
  wait $keyring 2>/dev/null || true
  exit $status
' sh "$@" || status=$?
exit $status
