#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The symbolic engine's timings (bench/README.md, "Symbolic analysis"): `cordon diff --prove` of
# the stdlib against the stdlib plus the rental draft, `cordon decide --counterfactual` of one
# story request (iFLYTEK's A100s as an export in 2024), and `cordon check --analyze` of the stdlib.
# Each is run RUNS times (default 3); the best and the median wall time are printed.
#   bench/prove.sh [CORDON] [RUNS]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cordon=${1:-$root/build/compiler/cordon}
runs=${2:-3}
cd "$root"
request=$(python3 -c '
import json
s = json.loads(open("examples/iflytek_cloud_rental/requests.jsonl").readline())
s.update(kind="export", as_of="2024-06-01"); s.pop("rental_hours", None)
print(json.dumps(s))')

measure() {
  local name=$1
  shift
  local times=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    times+=("$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }')")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v name="$name" \
    '{t[NR]=$1} END {printf "%-28s best %.2f s, median %.2f s (%d runs)\n", name, t[1], t[int((NR+1)/2)], NR}'
}

measure "diff --prove stdlib+draft" "$cordon" diff --prove --policy stdlib/ear \
  --policy examples/drafts/iaas_rental.cordon --against stdlib/ear
measure "decide --counterfactual" sh -c "echo '$request' | '$cordon' decide --counterfactual --policy stdlib/ear -"
measure "check --analyze stdlib" "$cordon" check --analyze stdlib/ear/policy.cordon
