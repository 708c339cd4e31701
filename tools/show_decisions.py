#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Prints `cordon decide` output (stdin) next to the requests it answers (argv[1]), for people."""
import json
import sys

requests = [l for l in open(sys.argv[1]) if l.strip()]
for i, line in enumerate(sys.stdin):
    d = json.loads(line)
    try:
        r = json.loads(requests[i])
        who = r.get("end_user", {}).get("name", "?")
        item = r.get("item", {}).get("name", "?")
        print(f"{i + 1}. {r.get('as_of')}  {r.get('kind')}  {item} -> {r.get('destination_country')}"
              f"  ({who})")
    except (ValueError, IndexError, AttributeError):
        print(f"{i + 1}. (request)")
    print(f"   decision: {d['decision']}")
    for reason in d["reasons"]:
        print(f"     {reason['outcome']:<22} {reason['rule']}: {reason['message']}")
        if reason["cites"]:
            print(f"     {'':<22} cites {reason['cites']}")
    for error in d["errors"]:
        print(f"     error: {error}")
