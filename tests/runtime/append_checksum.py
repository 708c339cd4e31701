#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Appends the trailer of runtime/abi/abi.h (magic, FNV-1a 64 of the file) to a shared object
built by the host compiler, so that a test .so reaches the checks after the checksum.

  append_checksum.py FILE.so
"""
import struct
import sys

MAGIC = b"CRDNSUM1"


def fnv1a(data):
    h = 1469598103934665603
    for b in data:
        h ^= b
        h = (h * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def main():
    path = sys.argv[1]
    data = open(path, "rb").read()
    if len(data) >= 16 and data[-16:-8] == MAGIC:
        data = data[:-16]  # rebuilt in place: replace the old trailer
    with open(path, "wb") as f:
        f.write(data + MAGIC + struct.pack("<Q", fnv1a(data)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
