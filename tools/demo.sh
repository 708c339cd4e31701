#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The main job, for now: check every rule file under examples/ and report.
# (The stdlib issue turns this into compiling the EAR policy and deciding the example cases.)
set -uo pipefail
cordon=$1
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mapfile -t files < <(find examples -name '*.cordon' | sort)
ok=0; bad=0
for f in "${files[@]}"; do
  if "$cordon" check "$f"; then
    printf '  ok     %s\n' "$f"; ok=$((ok + 1))
  else
    printf '  ERRORS %s\n' "$f"; bad=$((bad + 1))
  fi
done
printf '\n%d rule files checked under examples/: %d clean, %d with errors\n' "${#files[@]}" "$ok" "$bad"
[ "$bad" -eq 0 ]
