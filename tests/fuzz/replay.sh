#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# replay.sh SRCDIR DRIVER...: runs each fuzz-replay-TARGET driver on
# SRCDIR/corpus/TARGET and SRCDIR/regressions/TARGET, as TAP. The markdown
# view needs a display: build-aux/test runs the suite under Xvfb.
set -u
srcdir=$1
shift
echo "1..$#"
n=0
status=0
for driver in "$@"; do
  n=$((n + 1))
  name=${driver##*/fuzz-replay-}
  if out=$("$driver" "$srcdir/corpus/$name" "$srcdir/regressions/$name" 2>&1); then
    echo "ok $n - $name: $(echo "$out" | tail -n 1)"
  else
    echo "not ok $n - $name"
    echo "$out" | tail -n 40 | sed 's/^/# /'
    status=1
  fi
done
exit $status
