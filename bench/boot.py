#!/usr/bin/python3
"""Boot benchmark: guest instructions from kernel entry to the first user
instruction, counted with QEMU -icount shift=0 (the guest TSC advances one
tick per instruction, so the kernel's TSC deltas are instruction counts).
The run stops once the line is seen (a manifest system need not halt).
Runs the boot RUNS times and prints every figure, so a reader sees whether
they repeat. Never fails on a figure; fails only if the boot itself fails."""
import argparse
import subprocess
import sys

PATTERN = r"first user instruction (\d+) guest instructions"


def one_run(runner, image):
    out = subprocess.run(
        [sys.executable, runner, "--icount", "--timeout", "120",
         "--expect-line", PATTERN, "--exit", "none", "--print-match", PATTERN, image],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        sys.exit("bench-boot: the boot failed; no figure")
    return int(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--runs", type=int, default=2)
    a = ap.parse_args()
    for i in range(a.runs):
        entry_to_user = one_run(a.runner, a.image)
        print(f"bench-boot run {i + 1}: kernel entry -> first user instruction: "
              f"{entry_to_user} guest instructions")


if __name__ == "__main__":
    main()
