#!/usr/bin/python3
"""init_bad_manifest.py - boot packages whose manifest init must refuse.

    init_bad_manifest.py MODE --init INIT.elf --binary NAME=PATH ...
                         [--good MANIFEST.bin] [--text TEXTPROTO --desc DESC]
                         --pkg OUT.pkg

The package itself is sound (mkpkg.py: valid header and entry checksums);
only the `manifest` entry is wrong, so the loader and kernel accept it and
init alone must notice:
  garbage   64 bytes that do not decode as capos.System
  truncated the first 60% of a valid encoding (--good)
  invalid   a well-formed encoding of a manifest that breaks a rule
            (protoc --encode of --text, bypassing codegen/manifest.py)
"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "codegen"))
import mkpkg  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("garbage", "truncated", "invalid"))
    ap.add_argument("--init", required=True)
    ap.add_argument("--binary", action="append", default=[])
    ap.add_argument("--good")
    ap.add_argument("--text")
    ap.add_argument("--desc")
    ap.add_argument("--pkg", required=True)
    a = ap.parse_args()
    if a.mode == "garbage":
        data = bytes([0xff, 0xff, 0xff, 0x0f]) + bytes(range(0x80, 0xbc))
    elif a.mode == "truncated":
        good = open(a.good, "rb").read()
        data = good[:len(good) * 6 // 10]
    else:
        with open(a.text, "rb") as f:
            data = subprocess.run(["protoc", "--encode=capos.System",
                                   "--descriptor_set_in=" + a.desc, "manifest.proto"],
                                  stdin=f, check=True, capture_output=True).stdout
    out_bin = a.pkg + ".manifest.bin"
    mkpkg.write_atomic(out_bin, data)
    specs = ["init=%s:elf" % a.init, "manifest=%s:manifest" % out_bin]
    specs += ["%s:elf" % b for b in a.binary]
    mkpkg.write_atomic(a.pkg, mkpkg.build(specs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
