#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Renders one example story for a person reading a terminal: the story, each request with its
decision, reasons and citations (checked against expected.jsonl), and, for rental stories, the
rentals under current law, the 2024 IaaS proposal and the illustrative draft side by side.

  demo_report.py examples/STORY LAW.jsonl [--proposal PROPOSAL.jsonl --draft DRAFT.jsonl]

LAW.jsonl etc. are `cordon decide` outputs for examples/STORY/requests.jsonl. Exit status: 0 if
every decision matches expected.jsonl (and the README's rental table, where there is one), 1 if
one does not, 2 if an input cannot be read. Python 3 standard library only.
"""
import argparse
import json
import os
import re
import sys
import textwrap

WIDTH = 100
SUMMARY_LINES = 4

# Unicode marks only where the terminal can print them.
_enc = (getattr(sys.stdout, "encoding", None) or "ascii")
try:
    "✓✗×…".encode(_enc)
    OK, BAD, TIMES, ELLIPSIS = "✓", "✗", "×", "…"
except (UnicodeEncodeError, LookupError):
    OK, BAD, TIMES, ELLIPSIS = "ok", "X", "x", "..."

_COLOR = sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def style(text, code):
    return f"\033[{code}m{text}\033[0m" if _COLOR else text


def bold(t): return style(t, "1")
def green(t): return style(t, "32")
def red(t): return style(t, "1;31")


def wrap(text, indent, hanging=None, width=WIDTH - 1):
    # Keep citations such as "88 FR 2821", "15 CFR 744.11" and "part 744" on one line.
    text = re.sub(r"\b(\d+) (FR|CFR) (?=\d)", "\\1\u00a0\\2\u00a0", text)
    text = re.sub(r"\b(No\.|part|parts) (?=\d)", "\\1\u00a0", text)
    return textwrap.fill(text, width=width, initial_indent=indent,
                         subsequent_indent=indent if hanging is None else hanging,
                         break_on_hyphens=False, break_long_words=False).replace("\u00a0", " ")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# --- the story, from README.md -------------------------------------------------------------

def clean_markdown(text):
    text = re.sub(r"\s*\[(?:S|M)\b[^\]]*\]", "", text)        # source markers: [S: ...], [M]
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)       # links
    text = re.sub(r"\*\*|(?<!\w)\*|\*(?!\w)|`", "", text)      # bold, italics, code
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"\s+([.,;:])", r"\1", text)


def story_header(readme_path):
    """The title, and a few sentences from the "What ..." bullets of "## The story" (the first
    bullet if there are none), without markdown or source markers, cut at a sentence boundary."""
    title, section, inside = None, [], False
    with open(readme_path, encoding="utf-8") as f:
        for line in f:
            if title is None and line.startswith("# "):
                title = line[2:].strip()
            elif line.startswith("## "):
                inside = line[3:].strip().lower() == "the story"
            elif inside:
                section.append(line.rstrip("\n"))
    bullets = []
    for line in section:
        if line.startswith("- "):
            bullets.append(line[2:])
        elif bullets and line.strip():
            bullets[-1] += " " + line.strip().lstrip("- ")
    labelled = []
    for b in bullets:
        m = re.match(r"\*\*([^*]+?)\.\*\*\s*(.*)", b)
        labelled.append((m.group(1), m.group(2)) if m else ("", b))
    chosen = [lb for lb in labelled if lb[0].lower().startswith("what")] or labelled[:1]
    sentences = []
    for label, text in chosen:
        parts = re.split(r"(?<=[.!?])\s+(?=[A-Z(\"])", clean_markdown(text))
        if label and label.lower() != "what" and parts:
            parts[0] = f"{label}: {parts[0]}"
        sentences += parts
    summary = ""
    for s in sentences:
        candidate = f"{summary} {s}".strip()
        if len(wrap(candidate, "   ").splitlines()) > SUMMARY_LINES:
            break
        summary = candidate
    return title or os.path.basename(os.path.dirname(readme_path)), summary


# --- requests and decisions ----------------------------------------------------------------

def number(n):
    return f"{n:,}" if isinstance(n, int) else str(n)


def describe_request(r):
    """`as_of  kind  item -> destination  (end user)  chips...`, as one or two lines."""
    eu = r.get("end_user") or {}
    who = [eu.get("name", "?")]
    if eu.get("country") and eu.get("country") != r.get("destination_country"):
        who.append(f"in {eu['country']}")
    if eu.get("hq_country") and eu.get("hq_country") != eu.get("country"):
        who.append(f"HQ {eu['hq_country']}")
    if eu.get("parent_hq_country"):
        who.append(f"parent HQ {eu['parent_hq_country']}")
    head = (f"{r.get('as_of')}  {r.get('kind')}  {(r.get('item') or {}).get('name', '?')}"
            f" -> {r.get('destination_country')}")
    party = f"({', '.join(who)})"
    extra = []
    if r.get("chips") is not None:
        extra.append(f"{number(r['chips'])} chips" + (
            f" {TIMES} {number(r['rental_hours'])} h" if r.get("rental_hours") is not None else ""))
    if r.get("end_use"):
        extra.append(f"end use {r['end_use']}")
    lines = [f"    {head}"]
    for part in [party] + (["; ".join(extra)] if extra else []):
        if len(lines[-1]) + 2 + len(part) < WIDTH:
            lines[-1] += f"  {part}"
        else:
            lines.append(f"{'':16}{part}")
    return lines


def reasons_key(d):
    return [{k: r.get(k) for k in ("rule", "outcome", "cites")} for r in d.get("reasons", [])]


def print_reasons(d, width, seen, number_):
    """Each reason as `outcome  rule: message` and its citation; a message already printed for
    an earlier request of the story is referred to, not repeated."""
    hang = " " * (6 + width + 2)
    for r in d.get("reasons", []):
        key = (r["rule"], r["message"])
        text = f"{r['rule']}: " + (f"(as in #{seen[key]})" if key in seen else r["message"])
        seen.setdefault(key, number_)
        print(wrap(text, f"      {r['outcome']:<{width}}  ", hang))
        if r.get("cites"):
            print(wrap(f"cites {r['cites']}", hang))
    for e in d.get("errors", []):
        print(red(wrap(f"error: {e}", "      ")))


def report_requests(requests, law, expected):
    width = max([len(r["outcome"]) for d in law for r in d.get("reasons", [])] + [16])
    mismatches, seen = 0, {}
    for i, (req, d, e) in enumerate(zip(requests, law, expected), start=1):
        if i > 1:
            print()
        print(bold(f" {i}. {e.get('case', '(no case title in expected.jsonl)')}"))
        for line in describe_request(req):
            print(line)
        same = d["decision"] == e["decision"] and reasons_key(d) == e.get("reasons", [])
        if same and not d.get("errors"):
            print(f"    decision: {bold(d['decision'])}  {green(OK)}")
        else:
            mismatches += 1
            why = (f"expected {e['decision']}" if d["decision"] != e["decision"]
                   else "reasons differ from expected.jsonl")
            print(f"    decision: {bold(d['decision'])}  {red(f'{BAD} MISMATCH: {why}')}")
            if d["decision"] == e["decision"]:
                want = ", ".join(f"{r['rule']} ({r['outcome']})" for r in e.get("reasons", []))
                print(wrap(f"expected reasons: {want or 'none'}", "      "))
        print_reasons(d, width, seen, i)
    return mismatches


# --- the rentals under three policies ------------------------------------------------------

COLUMNS = [("law", "current law", ""),
           ("proposal", "+ 2024 proposal", "(never final)"),
           ("draft", "+ draft", "(not law)")]
LEGEND = [
    ("current law", "--policy stdlib/ear: the EAR as in force on each request's date"),
    ("+ 2024 proposal", "+ stdlib/ear/proposed/iaas_2024.cordon: 89 FR 5698 (2024-01-29), "
                        "PROPOSED, never finalised; counted from its publication"),
    ("+ draft", "+ examples/drafts/iaas_rental.cordon: ILLUSTRATIVE DRAFT, NOT LAW; "
                "counterfactually in effect from 2019-01-01"),
]


def readme_rental_table(readme_path):
    """{request number: [law, proposal, draft]} from the README's "## The rentals under ..."
    table (the first `code` in each decision cell), or None if there is no such table."""
    rows, inside = {}, False
    with open(readme_path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("## "):
                inside = line[3:].lower().startswith("the rentals under")
            elif inside and re.match(r"\|\s*\d+\s*\|", line):
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                codes = [re.search(r"`([a-z_]+)`", c) for c in cells[2:5]]
                if len(codes) == 3 and all(codes):
                    rows[int(cells[0])] = [m.group(1) for m in codes]
    return rows or None


def truncate(text, n):
    return text if len(text) <= n else text[:n - len(ELLIPSIS)].rstrip() + ELLIPSIS


def report_rentals(readme_path, requests, expected, outputs):
    rentals = [i for i, r in enumerate(requests) if r.get("kind") == "iaas_access"]
    if not rentals:
        return 0
    dw = max([len(c[1]) for c in COLUMNS] +
             [len(outputs[k][i]["decision"]) for k, _, _ in COLUMNS for i in rentals])
    rw = WIDTH - 1 - 6 - 3 * (dw + 2)
    print()
    print(bold(" The rentals under current law, the 2024 proposal and the draft"))
    print(f"  {'#':>2}  {'rental':<{rw}}" + "".join(f"  {c[1]:<{dw}}" for c in COLUMNS).rstrip())
    print(f"  {'':>2}  {'chips ' + TIMES + ' hours = chip-hours':<{rw}}"
          + "".join(f"  {c[2]:<{dw}}" for c in COLUMNS).rstrip())
    print(f"  {'--':>2}  {'-' * rw}" + "".join(f"  {'-' * dw}" for _ in COLUMNS))
    for i in rentals:
        r = requests[i]
        chips, hours = r.get("chips"), r.get("rental_hours")
        size = (f"{number(chips)} {TIMES} {number(hours)} h = {number(chips * hours)}"
                if isinstance(chips, int) and isinstance(hours, int) else "?")
        cells = "".join(f"  {outputs[k][i]['decision']:<{dw}}" for k, _, _ in COLUMNS).rstrip()
        print(f"  {i + 1:>2}  {truncate(expected[i].get('case', '?'), WIDTH - 7)}")
        print(f"  {'':>2}  {size:<{rw}}{cells}")
    print()
    for name, text in LEGEND:
        print(wrap(text, f"  {name:<15}  ", " " * 19))

    # What the add-ons fire that the law does not: one entry per rule and message.
    fired = {}
    for key, _, _ in COLUMNS[1:]:
        for i in rentals:
            law_rules = {x["rule"] for x in outputs["law"][i].get("reasons", [])}
            for x in outputs[key][i].get("reasons", []):
                if x["rule"] not in law_rules:
                    fired.setdefault((x["outcome"], x["rule"], x["message"]), []).append(i + 1)
    if fired:
        print()
        print("  what the add-ons add to the law's reasons:")
        for (outcome, rule, message), rows in fired.items():
            print(wrap(f"{rule} (#{', #'.join(map(str, rows))}): {message}",
                       f"    {outcome:<18}", " " * 22))

    # The README's table is the record of what the add-on columns should say.
    problems = 0
    table = readme_rental_table(readme_path)
    if table is None:
        print("  (README.md has no rentals table: the add-on columns are not checked)")
        return 0
    for i in rentals:
        want = table.get(i + 1)
        if want is None:
            print(red(f"  {BAD} request {i + 1} is missing from README.md's rentals table"))
            problems += 1
            continue
        for (key, name, _), w in zip(COLUMNS, want):
            got = outputs[key][i]["decision"]
            if got != w:
                problems += 1
                print(red(f"  {BAD} MISMATCH #{i + 1} {name}: {got}, README.md's table says {w}"))
    if not problems:
        print(f"  {green(OK)} all {3 * len(rentals)} cells agree with the table in README.md")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("story", help="examples/STORY (README.md, requests.jsonl, expected.jsonl)")
    ap.add_argument("law", help="`cordon decide --policy stdlib/ear` output")
    ap.add_argument("--proposal", help="output with the 2024 proposal added")
    ap.add_argument("--draft", help="output with the draft added")
    args = ap.parse_args()
    if bool(args.proposal) != bool(args.draft):
        ap.error("give --proposal and --draft together")
    readme = os.path.join(args.story, "README.md")
    try:
        requests = read_jsonl(os.path.join(args.story, "requests.jsonl"))
        expected = read_jsonl(os.path.join(args.story, "expected.jsonl"))
        outputs = {"law": read_jsonl(args.law)}
        if args.proposal:
            outputs["proposal"] = read_jsonl(args.proposal)
            outputs["draft"] = read_jsonl(args.draft)
        title, summary = story_header(readme)
    except (OSError, ValueError) as e:
        print(red(f"  {BAD} {args.story}: cannot read the inputs: {e}"))
        return 2
    for name, out in outputs.items():
        if len(out) != len(requests) or len(expected) != len(requests):
            print(red(f"  {BAD} {args.story}: {len(requests)} requests, {len(expected)} expected,"
                      f" {len(out)} decisions ({name})"))
            return 1

    print(bold(f"=== {title}"))
    if summary:
        print(wrap(summary, "   "))
    print(f"   (examples/{os.path.basename(os.path.normpath(args.story))}/README.md: "
          "sources, and what is uncertain)")
    print()
    mismatches = report_requests(requests, outputs["law"], expected)
    problems = report_rentals(readme, requests, expected, outputs) if args.proposal else 0
    n = len(requests)
    print()
    if mismatches:
        print(red(f"  {BAD} {n - mismatches} of {n} decisions as in expected.jsonl"))
    else:
        print(f"  {green(OK)} {n} of {n} decisions as in expected.jsonl")
    return 1 if mismatches or problems else 0


if __name__ == "__main__":
    sys.exit(main())
