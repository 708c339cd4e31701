#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The symbolic engine's answers, re-decided by the interpreter (`cordon decide`), independently of
the confirmation the command itself does: every `diff --prove` example must be decided as its
region says under both policies, and every counterfactual's changed request must get the outcome
it claims. A witness that does not flip is a failure.

Cases: the stdlib against the stdlib plus the rental draft (the issue's acceptance test: the
draft's rental region and nothing else), the prove_* goldens' small policies, and counterfactuals
of one story request (examples/iflytek_cloud_rental) and of small requests.

  check_witnesses.py CORDON SOURCE_DIR
"""
import json
import os
import subprocess
import sys

CORDON, ROOT = sys.argv[1], sys.argv[2]
failures = []


def run(args, stdin=None):
    return subprocess.run([CORDON] + args, input=stdin, capture_output=True, text=True, cwd=ROOT,
                          timeout=600)


def decide(policy_args, request):
    r = run(["decide"] + policy_args + ["-"], stdin=json.dumps(request) + "\n")
    line = r.stdout.strip().splitlines()[0]
    return json.loads(line)["decision"]


def prove(to_args, against_args, check_region=None):
    args = ["diff", "--prove", "--json"]
    for a in to_args:
        args += ["--policy", a]
    for a in against_args:
        args += ["--against", a]
    r = run(args)
    if r.returncode != 0:
        failures.append(f"prove {to_args} vs {against_args}: exit {r.returncode}: {r.stderr}")
        return None
    result = json.loads(r.stdout.strip().splitlines()[-1])
    for region in result["regions"]:
        example = region["example"]
        a = decide([x for p in against_args for x in ("--policy", p)], example)
        b = decide([x for p in to_args for x in ("--policy", p)], example)
        if (a, b) != (region["from"], region["to"]):
            failures.append(f"witness does not flip as claimed ({region['from']} -> "
                            f"{region['to']}), decided {a} -> {b}: {json.dumps(example)}")
        if check_region:
            check_region(region)
    return result


# The acceptance test: the draft adds the rental region and nothing else.
def rental_region(region):
    text = " and ".join(region["conditions"])
    if region["example"].get("kind") != "iaas_access" or "kind = iaas_access" not in text:
        failures.append(f"a region outside rentals: {text}")
    if "chips × (rental_hours otherwise 0)" not in text:
        failures.append(f"a region not about chip-hours: {text}")
    if region["to"] not in ("report", "license_required"):
        failures.append(f"a region the draft cannot produce: {region['to']}")


result = prove(["stdlib/ear", "examples/drafts/iaas_rental.cordon"], ["stdlib/ear"],
               rental_region)
if result is not None:
    if result["result"] != "differs" or not result["regions"]:
        failures.append(f"stdlib + draft: expected the rental region, got {result['summary']}")
    pairs = {(r["from"], r["to"]) for r in result["regions"]}
    if ("no_license_required", "license_required") not in pairs or \
       ("no_license_required", "report") not in pairs:
        failures.append(f"stdlib + draft: the rental region's transitions are missing: {pairs}")

# Small policies whose differences are known.
base = "tests/golden/inputs/prove_base.cordon"
expected = {"identical": 0, "threshold_moved": 2, "country_added": 2, "date_changed": 2,
            "unless_added": 1}
for name, count in expected.items():
    result = prove([f"tests/golden/prove_{name}.cordon"], [base])
    if result is not None and len(result["regions"]) != count:
        failures.append(f"prove_{name}: {len(result['regions'])} regions, expected {count}")
    if result is not None and count == 0 and result["result"] != "same":
        failures.append(f"prove_{name}: expected no difference, got {result['summary']}")

# A solver that runs out of time says so, never "no difference".
r = run(["diff", "--prove", "--timeout-ms", "1", "--policy", "stdlib/ear", "--policy",
         "examples/drafts/iaas_rental.cordon", "--against", "stdlib/ear"])
if r.returncode == 0 or "no request is decided differently" in r.stdout:
    failures.append(f"a 1 ms time limit: exit {r.returncode}, {r.stdout[-300:]}")
elif "unknown (time limit 1 ms)" not in r.stdout:
    failures.append(f"a 1 ms time limit is not reported as unknown: {r.stdout[-300:]}")


def strip_nulls(value):
    # `null` and an absent optional field mean the same to the decoder.
    if isinstance(value, dict):
        return {k: strip_nulls(v) for k, v in value.items() if v is not None}
    return value


def counterfactuals(policy_args, requests, expect_some=True):
    text = "".join(json.dumps(q) + "\n" for q in requests)
    r = run(["decide", "--counterfactual"] + policy_args + ["-"], stdin=text)
    seen = 0
    for request, line in zip(requests, r.stdout.strip().splitlines()):
        answer = json.loads(line)
        if "counterfactuals_unconfirmed" in answer or "counterfactuals_error" in answer:
            failures.append(f"counterfactuals of {json.dumps(request)}: {line}")
        for c in answer.get("counterfactuals", []):
            if c.get("change") is None:
                continue
            seen += 1
            got = decide(policy_args, c["example"])
            if got != c["outcome"]:
                failures.append(f"counterfactual `{c['change']}` claims {c['outcome']}, decided "
                                f"{got}: {json.dumps(c['example'])}")
            # One field changed, no more.
            a, b = strip_nulls(request), strip_nulls(c["example"])
            diffs = [k for k in set(a) | set(b) if a.get(k) != b.get(k)]
            if len(diffs) != 1:
                failures.append(f"counterfactual `{c['change']}` changes {diffs}")
    if expect_some and seen == 0:
        failures.append(f"no counterfactual for {policy_args}: {r.stdout[:500]} {r.stderr[:500]}")


counterfactuals(["--policy", base], [
    {"as_of": "2024-06-01", "tpp": 4992, "renter_hq": "CN", "chips": 8},
    {"as_of": "2024-06-01", "tpp": 15832, "renter_hq": "MO", "chips": 20000},
])
counterfactuals(["--policy", "tests/golden/prove_unless_added.cordon"], [
    {"as_of": "2024-06-01", "tpp": 4992, "renter_hq": "CN", "chips": 8},
])
# A story: iFLYTEK's rental, under the law plus the draft (so that it is decided above the lowest
# outcome... it is not: the law and the draft both answer no_license_required), then an export of
# the same chips, which the law licenses.
with open(os.path.join(ROOT, "examples/iflytek_cloud_rental/requests.jsonl")) as f:
    story = json.loads(f.readline())
story_export = dict(story, kind="export", as_of="2024-06-01")
story_export.pop("rental_hours", None)
counterfactuals(["--policy", "stdlib/ear"], [story_export])

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("every witness and counterfactual confirmed by the interpreter")
