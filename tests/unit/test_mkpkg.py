#!/usr/bin/env python3
"""test_mkpkg.py MKPKG FIXTURES - checks codegen/mkpkg.py from the outside.

Bad input must exit 1 with a message naming the problem and must not create
(or replace) the output; good input must give the documented layout, byte for
byte the same on every run.
"""
import os
import struct
import subprocess
import sys
import tempfile
import zlib

MKPKG, FIX = sys.argv[1], sys.argv[2]
failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print(f"FAIL: {what}", file=sys.stderr)


def run(out, *entries):
    return subprocess.run([sys.executable, MKPKG, "-o", out, *entries],
                          capture_output=True, text=True)


def expect_error(tmp, label, entries, *words):
    out = os.path.join(tmp, "bad.pkg")
    with open(out, "wb") as f:
        f.write(b"previous")
    r = run(out, *entries)
    check(r.returncode == 1, f"{label}: exit status {r.returncode}, expected 1")
    msg = r.stderr.lower()
    for w in words:
        check(w.lower() in msg, f"{label}: message {r.stderr.strip()!r} lacks {w!r}")
    with open(out, "rb") as f:
        check(f.read() == b"previous", f"{label}: output was replaced")
    leftovers = [n for n in os.listdir(tmp) if n.startswith(".mkpkg-")]
    check(not leftovers, f"{label}: temporary files left: {leftovers}")


def parse(data):
    magic, ver, hsize, count, csum, total = struct.unpack_from("<8sIIIIQ", data, 0)
    ents = []
    for i in range(count):
        name, kind, crc, off, size = struct.unpack_from("<48sIIQQ", data, 32 + 72 * i)
        ents.append((name.rstrip(b"\0").decode(), kind, crc, off, size))
    return magic, ver, hsize, count, csum, total, ents


def main():
    hello = os.path.join(FIX, "hello.txt")
    blob = os.path.join(FIX, "blob.bin")
    with tempfile.TemporaryDirectory() as tmp:
        expect_error(tmp, "duplicate", [f"a={hello}", f"a={blob}:data"],
                     "duplicate", "'a'")
        long_name = "n" * 48
        expect_error(tmp, "too long", [f"{long_name}={hello}"], "too long", long_name)
        expect_error(tmp, "missing file", [f"a={FIX}/no-such-file"],
                     "not found", "no-such-file")
        expect_error(tmp, "unknown kind", [f"a={hello}:exe"], "unknown kind", "exe")
        expect_error(tmp, "no '='", [hello], "name=path")
        expect_error(tmp, "empty name", [f"={hello}"], "empty")
        expect_error(tmp, "too many", [f"e{i}={hello}" for i in range(65)],
                     "too many", "64")
        expect_error(tmp, "no entries", [], "no entries")
        expect_error(tmp, "directory", [f"a={FIX}"], "directory")

        # 47 bytes is the longest name; names are UTF-8.
        out1 = os.path.join(tmp, "good1.pkg")
        out2 = os.path.join(tmp, "good2.pkg")
        specs = [f"{'m' * 47}={hello}:manifest", f"init={blob}", f"d\u00e9j\u00e0={hello}:data"]
        r = run(out1, *specs)
        check(r.returncode == 0, f"good: exit {r.returncode}: {r.stderr}")
        r = run(out2, *specs)
        check(r.returncode == 0, f"good again: exit {r.returncode}: {r.stderr}")
        if failures:
            return
        with open(out1, "rb") as f:
            data = f.read()
        with open(out2, "rb") as f:
            check(f.read() == data, "output is not deterministic")

        magic, ver, hsize, count, csum, total, ents = parse(data)
        check(magic == b"CAPOSPKG", f"magic {magic!r}")
        check(ver == 1 and hsize == 32 and count == 3, f"header {ver} {hsize} {count}")
        check(total == len(data), f"total_size {total} != file size {len(data)}")
        zeroed = data[:20] + b"\0\0\0\0" + data[24:]
        check(csum == zlib.crc32(zeroed), "header checksum")
        with open(hello, "rb") as f:
            h = f.read()
        with open(blob, "rb") as f:
            b = f.read()
        want = [("m" * 47, 2, h), ("init", 1, b), ("d\u00e9j\u00e0", 3, h)]
        for (name, kind, crc, off, size), (wname, wkind, wdata) in zip(ents, want):
            check(name == wname, f"name {name!r} != {wname!r}")
            check(kind == wkind, f"{name}: kind {kind} != {wkind}")
            check(off % 4096 == 0, f"{name}: offset {off} unaligned")
            check(data[off:off + size] == wdata, f"{name}: data differs")
            check(crc == zlib.crc32(wdata), f"{name}: crc")
        check([e[3] for e in ents] == [4096, 8192, 16384], f"offsets {[e[3] for e in ents]}")
        check(total == 16384 + len(h), "package must end at the last entry's data")
    if failures == 0:
        print("ok: mkpkg.py rejects bad input and writes the documented layout")


main()
sys.exit(1 if failures else 0)
