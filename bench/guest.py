#!/usr/bin/python3
"""Runs a benchmark image under QEMU -icount shift=0 (one guest instruction
per nanosecond of virtual time; the guest TSC follows it, so rdtsc deltas
are instruction counts) and prints the figures. Never fails on a figure;
fails only if the boot or the benchmark program itself fails.

  guest.py figure --pattern RE --label TEXT [--runs N] IMAGE
      boots RUNS times and prints the number RE's first group captured on
      each run: the figure repeats exactly from run to run.
  guest.py lines --prefix P --done RE --program NAME IMAGE
      boots once and prints every serial line starting with P, after RE
      matched and the program exited with code 0.
"""
import argparse
import os
import subprocess
import sys
import tempfile

RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu", "run.py")


def run(args, what):
    out = subprocess.run([sys.executable, RUNNER, "--icount", "--timeout", "300",
                          "--never", "KERNEL PANIC"] + args,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        sys.exit(f"{what}: the benchmark run failed; no figures")
    return out.stdout


def figure(a):
    for i in range(a.runs):
        # The figure is printed during boot; the system may keep running,
        # so the run stops once it has been seen.
        out = run(["--expect-line", a.pattern, "--exit", "none",
                   "--print-match", a.pattern, a.image], a.label)
        print(f"{a.label} run {i + 1}: {int(out.strip().splitlines()[-1])} {a.unit}")


def lines(a):
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "serial.log")
        run(["--log", log, "--expect-line", a.done,
             "--expect-line", r"process %s \(pid \d+\) exited with code 0" % a.program,
             "--exit", "pass", a.image], a.prefix)
        for line in open(log, encoding="utf-8", errors="replace"):
            if line.startswith(a.prefix + ":"):
                print(line.rstrip())


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="mode", required=True)
    f = sub.add_parser("figure")
    f.add_argument("--pattern", required=True)
    f.add_argument("--label", required=True)
    f.add_argument("--unit", default="guest instructions")
    f.add_argument("--runs", type=int, default=2)
    f.add_argument("image")
    l = sub.add_parser("lines")
    l.add_argument("--prefix", required=True)
    l.add_argument("--done", required=True)
    l.add_argument("--program", required=True)
    l.add_argument("image")
    a = ap.parse_args()
    figure(a) if a.mode == "figure" else lines(a)


if __name__ == "__main__":
    main()
