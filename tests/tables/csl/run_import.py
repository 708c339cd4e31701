#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`cordon table import` from end to end, on the fixture of the Consolidated Screening List:

- the CSV and the JSON layouts of the same entries give byte-identical table files;
- the stdlib, with the imported files in place of its own, decides on them (an alias of an
  imported entry, SMIC's case-by-case review, an undated Unverified List entry on an old date);
- a bad file (bad date, broken quote, missing column) exits 2, names file:line:col, and leaves
  the tables already in the directory exactly as they were.

  run_import.py build/compiler/cordon REPO_ROOT
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

FILES = ("entities.csv", "unverified_list.csv", "military_end_user_list.csv")

A100 = {"name": "NVIDIA A100 SXM4", "tpp": 4992, "die_area_mm2": 826,
        "designed_for_datacenter": True, "bidirectional_io_gbps": 600}


def request(rid, as_of, end_user):
    return {"id": rid, "as_of": as_of, "kind": "export", "item": A100,
            "destination_country": "CN",
            "end_user": {"name": end_user, "country": "CN", "hq_country": "CN",
                         "parent_hq_country": None},
            "chips": 8, "rental_hours": 1, "end_use": "inference"}


# (request, decision with the stdlib's own tables, decision with the imported ones, a rule that
# must be among the reasons with the imported ones)
CASES = [
    (request("alias", "2024-06-01", "Keda Xunfei"), "prohibited", "prohibited",
     "entity_list_party"),
    (request("smic", "2024-06-01", "SMIC"), "license_required", "license_required",
     "entity_list_party"),
    # Only on the Unverified List in the fixture, which gives no date: listed on every date.
    (request("ymtc_2020", "2020-06-01", "YMTC"), "no_license_required", "report",
     "unverified_list_party"),
    # Before its start date in the CSL (2019-10-09).
    (request("sensetime_2019", "2019-10-08", "SenseTime"), "no_license_required",
     "no_license_required", None),
]


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def main():
    cordon, root = sys.argv[1], sys.argv[2]
    fixtures = os.path.join(root, "tests", "tables", "csl")
    failures = []

    def check(ok, what):
        if not ok:
            failures.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        out = {}
        for layout in ("csv", "json"):
            out[layout] = os.path.join(tmp, layout)
            p = run([cordon, "table", "import", os.path.join(fixtures, f"csl_fixture.{layout}"),
                     "-o", out[layout]])
            check(p.returncode == 0, f"import of the {layout} fixture exited {p.returncode}: "
                  f"{p.stderr}")
            check("imported  EL       21 entries as     21 parties" in p.stdout,
                  f"{layout}: summary: {p.stdout}")
        for name in FILES:
            a = open(os.path.join(out["csv"], name), "rb").read()
            b = open(os.path.join(out["json"], name), "rb").read()
            check(a == b, f"{name} differs between the CSV and the JSON imports")

        # The stdlib with the imported tables, found through $CORDON_STDLIB.
        stdlib = os.path.join(tmp, "stdlib")
        shutil.copytree(os.path.join(root, "stdlib"), stdlib)
        for name in FILES:
            shutil.copy(os.path.join(out["csv"], name), os.path.join(stdlib, "ear", name))
        requests = os.path.join(tmp, "requests.jsonl")
        with open(requests, "w") as f:
            for case in CASES:
                f.write(json.dumps(case[0]) + "\n")
        for label, policy, env in (
                ("stdlib", os.path.join(root, "stdlib", "ear"), None),
                ("imported", os.path.join(stdlib, "ear"), dict(os.environ, CORDON_STDLIB=stdlib))):
            p = run([cordon, "decide", "--policy", policy, "--id-field", "id", requests], env=env)
            check(p.returncode == 0, f"decide with the {label} tables exited {p.returncode}: "
                  f"{p.stderr}")
            lines = [json.loads(line) for line in p.stdout.splitlines()]
            check(len(lines) == len(CASES), f"{label}: {len(lines)} decisions")
            for (req, own, imported, rule), line in zip(CASES, lines):
                want = own if label == "stdlib" else imported
                check(line["decision"] == want,
                      f"{label}: {req['id']}: {line['decision']}, expected {want}")
                if label == "imported" and rule is not None:
                    rules = [r["rule"] for r in line["reasons"]]
                    check(rule in rules, f"imported: {req['id']}: no reason from {rule}: {rules}")

        # Bad files leave what is in the directory untouched.
        before = {n: open(os.path.join(out["csv"], n), "rb").read() for n in FILES}
        for bad, where in (("csl_bad_date.csv", "csl_bad_date.csv:3:"),
                           ("csl_broken_quote.csv", "csl_broken_quote.csv:4:"),
                           ("csl_missing_column.csv", "csl_missing_column.csv:1:1:")):
            p = run([cordon, "table", "import", os.path.join(fixtures, bad), "-o", out["csv"]])
            check(p.returncode == 2, f"{bad}: exit {p.returncode}, expected 2")
            check(where in p.stderr, f"{bad}: no diagnostic at {where}: {p.stderr}")
            check("no table was written" in p.stderr, f"{bad}: {p.stderr}")
            for n in FILES:
                check(open(os.path.join(out["csv"], n), "rb").read() == before[n],
                      f"{bad}: {n} changed")
            check(sorted(os.listdir(out["csv"])) == sorted(FILES),
                  f"{bad}: files left behind: {os.listdir(out['csv'])}")

        # An output directory that is a file, and a list that is not kept.
        p = run([cordon, "table", "import", os.path.join(fixtures, "csl_fixture.csv"), "-o",
                 os.path.join(out["csv"], "entities.csv")])
        check(p.returncode == 1 and "cannot make the directory" in p.stderr,
              f"-o a file: {p.returncode} {p.stderr}")
        p = run([cordon, "table", "import", os.path.join(fixtures, "csl_fixture.csv"), "-o", "-",
                 "--lists", "EL,SDN"])
        check(p.returncode == 1 and "`SDN` is not a list an import keeps" in p.stderr,
              f"--lists SDN: {p.returncode} {p.stderr}")

    for f in failures:
        print("FAIL:", f)
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
