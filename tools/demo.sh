#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The main job, for now: check every rule file under examples/ and report what each declares.
# (The stdlib milestone turns this into compiling the EAR policy and deciding the example cases.)
set -uo pipefail
cordon=$1
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mapfile -t files < <(find examples -name '*.cordon' | sort)
ok=0; bad=0
printf '%-45s %-32s %5s %5s %6s\n' "rule file" "module" "rules" "tests" "status"
for f in "${files[@]}"; do
  ast=$("$cordon" parse --dump-ast "$f" 2>/tmp/cordon-demo.err)
  rc=$?
  module=$(printf '%s\n' "$ast" | sed -n 's/^module \([^ ]*\) .*/\1/p')
  rules=$(printf '%s\n' "$ast" | grep -c '^rule ')
  tests=$(printf '%s\n' "$ast" | grep -c '^test ')
  if [ $rc -eq 0 ]; then status=ok; ok=$((ok + 1)); else status=ERRORS; bad=$((bad + 1)); fi
  printf '%-45s %-32s %5s %5s %6s\n' "$f" "${module:--}" "$rules" "$tests" "$status"
  [ $rc -eq 0 ] || cat /tmp/cordon-demo.err
done
printf '\n%d rule files checked under examples/: %d clean, %d with errors\n' "${#files[@]}" "$ok" "$bad"
[ "$bad" -eq 0 ]
