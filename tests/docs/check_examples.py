#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks that the examples of a Markdown document (docs/language.md) still hold.

Usage: check_examples.py --cordon PATH [--keep] [-v] DOC.md

Fenced blocks are recognised by their info string (the words after the opening fence):

  ```cordon                 a complete rule file: written to a fresh directory and run through
                            `cordon check` (or `cordon test` when it contains `test "`); the
                            block fails when cordon does not exit 0.
  ```cordon-fragment        deliberately partial text: skipped.
  ```LANG file=PATH         (any language, e.g. csv or json) a file that later examples use: it is
                            written at PATH, relative to the example directory, for every block
                            that follows it. On a ```cordon block, the block is also checked.
  ```cordon exit=N          the block must make cordon exit with N instead (3: a test fails).
  ```console                a transcript: each line `$ cordon ARGS` is run in a fresh directory
                            holding the files declared so far, and must print exactly the lines
                            that follow it (up to the next `$ `) on stdout; a command ending in
                            `2>&1` is compared with stdout followed by stderr. Every command must
                            exit 0, or N when the fence says `exit=N`. Transcripts whose commands
                            are not `cordon` are not run.

Each ```cordon block is checked with `-I DIR`, so it can import the modules that earlier blocks
declared with file=; the bundled stdlib is found by the binary itself ($CORDON_STDLIB overrides).
A failure names the block by its line in the document. Exit status: 0 when every block holds,
1 when one does not, 2 for a bad command line or a malformed document.
"""

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})\s*(.*)$")
TIMEOUT_SECONDS = 60


class Block:
    def __init__(self, line, lang, attrs, text):
        self.line = line  # 1-based line of the opening fence
        self.lang = lang
        self.attrs = attrs
        self.text = text


class DocumentError(Exception):
    pass


def parse_blocks(path):
    """Returns the fenced blocks of the Markdown file at `path`, in order."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    blocks = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = len(m.group(1)), m.group(2), m.group(3).strip()
        start = i + 1
        body = []
        i += 1
        closed = False
        while i < len(lines):
            close = re.match(r"^ {0,3}(`{3,}|~{3,})\s*$", lines[i])
            if close and close.group(1)[0] == fence[0] and len(close.group(1)) >= len(fence):
                closed = True
                break
            line = lines[i]
            # Strip up to the fence's indentation, as CommonMark does.
            strip = min(indent, len(line) - len(line.lstrip(" ")))
            body.append(line[strip:])
            i += 1
        if not closed:
            raise DocumentError(f"{path}:{start}: the fenced block that starts here is never closed")
        i += 1
        words = info.split()
        lang = words[0] if words else ""
        attrs = {}
        for word in words[1:]:
            if "=" not in word:
                raise DocumentError(f"{path}:{start}: `{word}` in the info string is not KEY=VALUE")
            key, value = word.split("=", 1)
            attrs[key] = value
        blocks.append(Block(start, lang, attrs, "\n".join(body) + "\n"))
    return blocks


def safe_relative(path):
    return (path and not os.path.isabs(path) and ".." not in path.replace("\\", "/").split("/"))


def materialize(root, files):
    """Writes `files` (relative path -> text) into a fresh directory under `root`."""
    directory = tempfile.mkdtemp(dir=root)
    for rel, text in files.items():
        target = os.path.join(directory, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)
    return directory


def run(argv, cwd):
    try:
        p = subprocess.run(argv, cwd=cwd, capture_output=True, text=True,
                           timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        return None, "", f"timed out after {TIMEOUT_SECONDS} s"
    return p.returncode, p.stdout, p.stderr


def indent(text):
    return "".join("    | " + line + "\n" for line in text.rstrip("\n").split("\n")) if text.strip() else ""


def normalize(text):
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def expected_exit(block, doc):
    value = block.attrs.get("exit", "0")
    if not value.isdigit():
        raise DocumentError(f"{doc}:{block.line}: exit={value} is not a number")
    return int(value)


def check_cordon(block, doc, cordon, root, files, verbose):
    rel = block.attrs.get("file", "example.cordon")
    want = expected_exit(block, doc)
    directory = materialize(root, {**files, rel: block.text})
    command = "test" if 'test "' in block.text else "check"
    argv = [cordon, command, "-I", directory, rel]
    code, out, err = run(argv, directory)
    if verbose:
        print(f"{doc}:{block.line}: cordon {command} {rel}: exit {code}")
    if code == want:
        return True
    print(f"{doc}:{block.line}: error: `cordon {command} {rel}` exited {code}, expected {want}")
    sys.stdout.write(indent(out) + indent(err))
    return False


def split_transcript(block, doc):
    """[(line in doc, command, expected lines)] of a console block."""
    steps = []
    for offset, line in enumerate(block.text.rstrip("\n").split("\n")):
        if line.startswith("$ "):
            steps.append((block.line + 1 + offset, line[2:].strip(), []))
        elif steps:
            steps[-1][2].append(line)
        elif line.strip():
            raise DocumentError(f"{doc}:{block.line + 1 + offset}: output before the first `$ ` command")
    return steps


def check_console(block, doc, cordon, root, files, verbose):
    want = expected_exit(block, doc)
    ok = True
    for line, command, expected in split_transcript(block, doc):
        words = shlex.split(command)
        merge = bool(words) and words[-1] == "2>&1"
        if merge:
            words = words[:-1]
        if not words or words[0] != "cordon":
            continue
        if any(w in ("|", "<", ">", ">>", "&&", ";") for w in words):
            raise DocumentError(f"{doc}:{line}: only plain `cordon ...` commands can be checked")
        directory = materialize(root, files)
        code, out, err = run([cordon] + words[1:], directory)
        actual = out + (err if merge else "")
        if verbose:
            print(f"{doc}:{line}: {command}: exit {code}")
        if code != want:
            print(f"{doc}:{line}: error: `{command}` exited {code}, expected {want}")
            sys.stdout.write(indent(out) + indent(err))
            ok = False
            continue
        if normalize(actual) != normalize("\n".join(expected)):
            print(f"{doc}:{line}: error: `{command}` printed something else")
            print("  expected (from the document):")
            sys.stdout.write(indent("\n".join(expected)))
            print("  actual:")
            sys.stdout.write(indent(actual))
            ok = False
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cordon", required=True, help="the cordon binary")
    parser.add_argument("--keep", action="store_true", help="keep the example directories")
    parser.add_argument("-v", "--verbose", action="store_true", help="name every block checked")
    parser.add_argument("doc", help="the Markdown file, e.g. docs/language.md")
    args = parser.parse_args()
    cordon = os.path.abspath(args.cordon)
    if not os.access(cordon, os.X_OK):
        print(f"check_examples.py: error: {args.cordon} is not an executable", file=sys.stderr)
        return 2
    try:
        blocks = parse_blocks(args.doc)
    except (OSError, UnicodeDecodeError, DocumentError) as e:
        print(f"check_examples.py: error: {e}", file=sys.stderr)
        return 2

    root = tempfile.mkdtemp(prefix="cordon_doc_examples_")
    files = {}
    counts = {"cordon": 0, "console": 0, "fragment": 0}
    failures = 0
    try:
        for block in blocks:
            rel = block.attrs.get("file")
            if rel is not None and not safe_relative(rel):
                raise DocumentError(f"{args.doc}:{block.line}: file={rel} must be a relative path inside the example directory")
            if block.lang == "cordon":
                counts["cordon"] += 1
                if not check_cordon(block, args.doc, cordon, root, files, args.verbose):
                    failures += 1
            elif block.lang == "cordon-fragment":
                counts["fragment"] += 1
            elif block.lang == "console" and "$ cordon" in block.text:
                counts["console"] += 1
                if not check_console(block, args.doc, cordon, root, files, args.verbose):
                    failures += 1
            if rel is not None:
                files[rel] = block.text
    except DocumentError as e:
        print(f"check_examples.py: error: {e}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print(f"example directories kept under {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)

    if counts["cordon"] == 0:
        print(f"{args.doc}: error: no ```cordon blocks found")
        return 1
    print(f"{args.doc}: {counts['cordon']} cordon blocks, {counts['console']} transcripts checked, "
          f"{counts['fragment']} fragments skipped; {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
