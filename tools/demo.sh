#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The main job, for now: check every rule file under examples/, run their `test` blocks, and
# decide the example requests with the reference interpreter, printing each decision with its
# reasons and citations. (The EAR stdlib milestone replaces the example policy with the real one.)
set -uo pipefail
cordon=$1
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
status=0
echo "== checking the example policies"
mapfile -t files < <(find examples -name '*.cordon' | sort)
for f in "${files[@]}"; do
  if "$cordon" check "$f" 2>/tmp/cordon-demo.err; then echo "  ok      $f"; else
    echo "  ERRORS  $f"; cat /tmp/cordon-demo.err; status=1; fi
done
echo
echo "== running their test blocks"
"$cordon" test examples 2>/dev/null || status=1
echo
for dir in examples/*/; do
  dir=${dir%/}
  [ -f "$dir/requests.jsonl" ] || continue
  echo "== deciding $dir/requests.jsonl with --policy $dir"
  "$cordon" decide --policy "$dir" "$dir/requests.jsonl" 2>/dev/null \
    | python3 "$root/tools/show_decisions.py" "$dir/requests.jsonl"
  rc=${PIPESTATUS[0]}
  # 4: some requests were malformed, which the example set includes on purpose.
  [ "$rc" -eq 0 ] || [ "$rc" -eq 4 ] || status=1
done
exit $status
