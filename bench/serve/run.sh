#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `cordon serve` under load on loopback, with wrk (Debian's): single decisions and batches of 1,000
# JSON Lines, 64 keep-alive connections, each run bounded in time. Prints wrk's figures per run.
#   bench/serve/run.sh BUILD/compiler/cordon [SECONDS] [ENGINE]   (ENGINE: aot (default), jit, interp)
# wrk runs on the same 2 cores as the server (one wrk thread), so the figures are a lower bound.
set -euo pipefail
cordon=$(realpath "$1")
seconds=${2:-10}
engine=${3:-aot}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
args=(--policy stdlib/ear --engine "$engine")
if [ "$engine" = aot ]; then
  "$cordon" compile --policy stdlib/ear -o "$tmp/ear.so"
  args+=(--library "$tmp/ear.so")
fi
log_args=()
[ "${CORDON_BENCH_LOG:-0}" = 1 ] && log_args=(--decision-log "$tmp/log")
"$cordon" serve "${args[@]}" "${log_args[@]}" --listen 127.0.0.1:0 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/err" && break; sleep 0.1; done
url=$(sed -n 's/.*listening on \(http:[^ ]*\)$/\1/p' "$tmp/err")
echo "== engine $engine${log_args:+, with a decision log}; $url"
echo "-- single requests (one per POST), 64 connections, ${seconds}s"
wrk -t1 -c64 -d"${seconds}s" --latency -s bench/serve/single.lua "$url" | grep -E 'Requests/sec|50%|99%|Non-2xx|Socket'
echo "-- batches of 1000 JSON Lines, 64 connections, ${seconds}s (decisions/s = Requests/sec x 1000)"
CORDON_BATCH=1000 wrk -t1 -c64 -d"${seconds}s" --latency -s bench/serve/batch.lua "$url" | grep -E 'Requests/sec|50%|99%|Non-2xx|Socket'
if [ ${#log_args[@]} -gt 0 ]; then
  python3 -c 'import sys, urllib.request; print("".join(l for l in urllib.request.urlopen(sys.argv[1] + "/metrics").read().decode().splitlines(True) if l.startswith(("cordon_decision_log", "cordon_decisions_total"))), end="")' "$url"
fi
kill -TERM "$pid"
wait "$pid"
[ ${#log_args[@]} -eq 0 ] || echo "decision log lines: $(cat "$tmp"/log/decisions*.jsonl | wc -l)"
