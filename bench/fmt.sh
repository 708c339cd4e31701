#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `cordon fmt` over the whole stdlib: wall time of `cordon fmt --check stdlib` (read, parse,
# format and compare every module; nothing written), the median of 11 runs.
#   bench/fmt.sh [build/compiler/cordon]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cordon=${1:-$root/build/compiler/cordon}
files=$(find "$root/stdlib" -name '*.cordon' | wc -l)
lines=$(find "$root/stdlib" -name '*.cordon' -exec cat {} + | wc -l)
times=()
for _ in $(seq 11); do
  start=$(date +%s%N)
  "$cordon" fmt --check "$root/stdlib" >/dev/null
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000 )))
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 6p)
printf 'cordon fmt --check stdlib: %d files, %d lines, median %.1f ms over 11 runs\n' \
  "$files" "$lines" "$(awk -v us="$median" 'BEGIN { print us / 1000 }')"
