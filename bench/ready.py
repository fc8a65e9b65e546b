#!/usr/bin/python3
"""Boot-to-ready benchmark: guest instructions from kernel entry to the
moment init has seen every component of the default manifest report ready
(its `ready` notification, docs/init.md), counted with QEMU -icount shift=0
(one TSC tick per guest instruction). init prints the figure on its
"init: system ready" line from rdtsc and KernelInfo.STATS boot_tsc (the
TSC at kernel entry). Runs RUNS times and prints every figure. Never fails
on a figure; fails only if the boot itself fails."""
import argparse
import subprocess
import sys

PATTERN = (r"init: system ready: all (?:\d+) components started, TSC \d+, "
           r"kernel entry TSC \d+, (\d+) guest instructions after kernel entry")


def one_run(runner, image):
    out = subprocess.run(
        [sys.executable, runner, "--icount", "--timeout", "180",
         "--expect-line", PATTERN, "--exit", "none", "--print-match", PATTERN, image],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        sys.exit("bench-ready: the boot failed; no figure")
    return int(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--runs", type=int, default=2)
    a = ap.parse_args()
    for i in range(a.runs):
        n = one_run(a.runner, a.image)
        print(f"bench-boot-ready run {i + 1}: {n} guest instructions from kernel entry "
              f"to the last component ready")


if __name__ == "__main__":
    main()
