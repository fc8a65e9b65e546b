#!/usr/bin/python3
"""Prints the size of each image and of its parts (no pass/fail)."""
import argparse
import os


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--loader", required=True)
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    for label, path in [("loader BOOTX64.EFI", a.loader), ("kernel.elf", a.kernel)] + \
            [(os.path.basename(p), p) for p in a.files]:
        print(f"bench-image-size: {label}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
