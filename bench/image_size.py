#!/usr/bin/python3
"""Prints the size of the loader, the kernel, and for each manifest its
boot package with every entry (the disk images themselves are fixed-size
GPT disks, so the package is the figure that moves). No pass/fail."""
import argparse
import os
import struct

from bench_out import emit


def entries(pkg):
    data = open(pkg, "rb").read()
    magic, version, header_size, count, _crc, total = struct.unpack_from("<8sIIIIQ", data, 0)
    if magic != b"CAPOSPKG":
        return []
    out = []
    for i in range(count):
        name, kind, _c, _off, size = struct.unpack_from("<48sIIQQ", data, header_size + 72 * i)
        out.append((name.split(b"\0")[0].decode(), kind, size))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--loader", required=True)
    ap.add_argument("--pkg-dir", required=True)
    ap.add_argument("--save", help="also write the printed lines to this file")
    ap.add_argument("manifests", nargs="+", help="manifest names")
    a = ap.parse_args()
    out = [f"bench-image-size: loader BOOTX64.EFI: {os.path.getsize(a.loader)} bytes",
           f"bench-image-size: kernel.elf: {os.path.getsize(a.kernel)} bytes"]
    for m in a.manifests:
        pkg = os.path.join(a.pkg_dir, m + ".pkg")
        parts = ", ".join(f"{n} {s}" for n, _k, s in entries(pkg))
        out.append(f"bench-image-size: manifest {m}: boot.pkg {os.path.getsize(pkg)} bytes ({parts})")
    emit(out, a.save)


if __name__ == "__main__":
    main()
