#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The main job: compile the stdlib EAR policy to a shared object, run the `test` blocks of the
# stdlib and the examples, then decide each story under examples/ with the compiled policy and
# print, per request, the story, the decision and its reasons with citations (checked against the
# story's expected.jsonl). For the rental stories, the same rentals are also decided under the
# 2024 IaaS proposal and under the illustrative draft, and shown side by side.
#   tools/demo.sh BUILD/compiler/cordon
# Exit status 1 if a command fails or a decision differs from what the story expects.
set -uo pipefail
[ $# -eq 1 ] || { echo "usage: $0 BUILD/compiler/cordon" >&2; exit 2; }
cordon=$(realpath "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=()
fail() { failures+=("$1"); echo "  FAILED: $1"; }
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then step() { printf '\033[1m== %s\033[0m\n' "$*"; }
else step() { printf '== %s\n' "$*"; }; fi
show_err() { sed -n '1,20s/^/    /p' "$1"; }

step "1. compiling the stdlib EAR policy (stdlib/ear) to a shared object"
start=${EPOCHREALTIME/[.,]/}
if "$cordon" compile --policy stdlib/ear -o "$tmp/ear.so" --header "$tmp/ear.h" 2>"$tmp/err"; then
  ms=$(( (${EPOCHREALTIME/[.,]/} - start) / 1000 ))
  printf '  ear.so: %s KiB, with its C header ear.h, in %d.%02d s\n' \
    "$(( ($(stat -c %s "$tmp/ear.so") + 512) / 1024 ))" $((ms / 1000)) $((ms % 1000 / 10))
  engine=(--engine aot --library "$tmp/ear.so")
  engine_name="ear.so (--engine aot)"
else
  fail "cordon compile --policy stdlib/ear -o ear.so exited $?"
  show_err "$tmp/err"
  echo "  (the stories below are decided with the reference interpreter instead)"
  engine=()
  engine_name="the interpreter"
fi
echo

step "2. running the test blocks of stdlib/ and examples/"
"$cordon" test stdlib examples >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 0 ]; then sed -n '$s/^/  /p' "$tmp/out"; else
  sed 's/^/  /' "$tmp/out" | tail -n 40
  grep -i 'error' "$tmp/err" | show_err /dev/stdin
  fail "cordon test stdlib examples exited $rc"
fi

# decide OUT POLICY... : the story's requests, into $tmp/OUT.jsonl; complains unless exit 0.
decide() {
  local out=$1; shift
  "$cordon" decide "$@" "$dir/requests.jsonl" >"$tmp/$out.jsonl" 2>"$tmp/err"
  local rc=$?
  [ "$rc" -eq 0 ] && return 0
  fail "cordon decide $* $dir/requests.jsonl exited $rc"
  show_err "$tmp/err"
  return 1
}

echo
step "3. deciding the stories under examples/"
echo "  current law with $engine_name; the rentals also under the 2024 proposal and the draft"
echo "  (interpreter); every decision checked against the story's expected.jsonl"
for dir in examples/*/; do
  dir=${dir%/}
  for f in README.md expected.jsonl requests.jsonl; do [ -f "$dir/$f" ] || continue 2; done
  echo
  decide law "${engine[@]}" --policy stdlib/ear || continue
  addons=()
  if grep -q '"kind": *"iaas_access"' "$dir/requests.jsonl"; then
    decide proposal --policy stdlib/ear --policy stdlib/ear/proposed/iaas_2024.cordon || continue
    decide draft --policy stdlib/ear --policy examples/drafts/iaas_rental.cordon || continue
    addons=(--proposal "$tmp/proposal.jsonl" --draft "$tmp/draft.jsonl")
  fi
  python3 tools/demo_report.py "$dir" "$tmp/law.jsonl" "${addons[@]}" ||
    fail "$dir: decisions differ from expected.jsonl or README.md (marked above)"
done

echo
step "4. a request dated today ($(date -u +%F))"
# The stdlib declares the day its law was last reviewed (ear.policy: `reviewed ... grace days(30)`):
# within 30 days of it a request is decided as the law stood then, with a warning; later, `error`.
today=$(date -u +%F)
printf '{"as_of":"%s","kind":"export","item":{"name":"NVIDIA A100 SXM4","tpp":4992,"die_area_mm2":826,"designed_for_datacenter":true,"bidirectional_io_gbps":664},"destination_country":"CN","end_user":{"name":"IFLYTEK Co., Ltd.","country":"CN","hq_country":"CN"},"chips":8}\n' \
  "$today" >"$tmp/today.jsonl"
# And SenseTime's Malaysian subsidiary (examples/sensetime_intermediary, rows 8-11), with its owners.
printf '{"as_of":"%s","kind":"export","item":{"name":"NVIDIA H100 SXM5","tpp":15832,"die_area_mm2":814,"designed_for_datacenter":true,"bidirectional_io_gbps":1028},"destination_country":"MY","end_user":{"name":"Example Vision Sdn. Bhd.","country":"MY","hq_country":"MY","owners":[{"name":"SenseTime","country":"CN","share_percent":60},{"name":"Example Pension Fund","country":"MY","share_percent":40}]},"chips":64}\n' \
  "$today" >>"$tmp/today.jsonl"
echo "  iFLYTEK buys 8 A100s today, and a Malaysian company 60 % owned by SenseTime 64 H100s,"
echo "  with $engine_name:"
"$cordon" decide "${engine[@]}" --policy stdlib/ear "$tmp/today.jsonl" >"$tmp/today.out" 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ]; then
  fail "cordon decide (today) exited $rc"
  show_err "$tmp/err"
else
  python3 - "$tmp/today.out" <<'PY'
import json, sys
for who, line in zip(["iFLYTEK", "SenseTime's subsidiary"], open(sys.argv[1])):
    d = json.loads(line)
    print(f"  {who}: {d['decision']}")
    for r in d["reasons"]:
        print(f"    {r['rule']} -> {r['outcome']} ({r['cites']})")
    for w in d.get("warnings", []):
        print(f"    warning: {w}")
    for e in d["errors"]:
        print(f"    error: {e}")
PY
fi

echo
step "5. the official screening lists (cordon table import)"
# The Consolidated Screening List, here the fixture in its official layout (tests/tables/csl):
# the Entity List, the Unverified List and the Military End-User List become the stdlib's table
# files; the stdlib then decides with them (found through $CORDON_STDLIB).
if "$cordon" table import tests/tables/csl/csl_fixture.csv -o "$tmp/tables" >"$tmp/import.out" \
    2>"$tmp/err"; then
  sed 's/^/  /' "$tmp/import.out" | grep -v 'left out' 
  echo "  ($(grep -c 'left out' "$tmp/import.out") other lists counted and left out)"
  cp -r stdlib "$tmp/stdlib" && cp "$tmp/tables/"*.csv "$tmp/stdlib/ear/"
  # A party on the official Unverified List but not in the bundled sample, with no owners.
  printf '{"as_of":"%s","kind":"export","item":{"name":"Test part","tpp":900,"die_area_mm2":400,"designed_for_datacenter":false},"destination_country":"AM","end_user":{"name":"Atlas Sanatgaran","country":"AM","hq_country":"AM","owners":[]},"chips":1}\n' \
    "$today" >"$tmp/uvl.jsonl"
  echo "  Atlas Sanatgaran (Armenia; on the official Unverified List) buys a small chip today:"
  "$cordon" decide --policy stdlib/ear "$tmp/uvl.jsonl" >"$tmp/uvl_bundled.out" 2>"$tmp/err" ||
    fail "cordon decide with the bundled tables exited $?"
  if CORDON_STDLIB="$tmp/stdlib" "$cordon" decide --policy "$tmp/stdlib/ear" "$tmp/uvl.jsonl" \
      >"$tmp/uvl.out" 2>"$tmp/err"; then
    python3 - "$tmp/uvl_bundled.out" "$tmp/uvl.out" <<'PY'
import json, sys
bundled = json.loads(open(sys.argv[1]).readline())
imported = json.loads(open(sys.argv[2]).readline())
print(f"    with the bundled sample:   {bundled['decision']}")
print(f"    with the imported lists:   {imported['decision']}")
for r in imported["reasons"]:
    print(f"      {r['rule']} -> {r['outcome']}: {r['message']}")
ok = bundled["decision"] == "no_license_required" and imported["decision"] == "report"
sys.exit(0 if ok else 1)
PY
    [ $? -eq 0 ] || fail "the imported Unverified List did not change the decision as expected"
  else
    fail "cordon decide with the imported tables exited $?"
    show_err "$tmp/err"
  fi
else
  fail "cordon table import exited $?"
  show_err "$tmp/err"
fi

echo
if [ ${#failures[@]} -eq 0 ]; then
  echo "demo: all commands succeeded and every decision is as expected"
  exit 0
fi
echo "demo: ${#failures[@]} problem(s):"
printf '  - %s\n' "${failures[@]}"
exit 1
