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
  guest.py calibration IMAGE
      boots once and compares the TSC and APIC timer rates the kernel
      measured (its "apic:" lines) with the exact rates under -icount
      (1 GHz TSC, APIC timer 62.5 MHz / 16), next to the bound it stated.

--save FILE (every mode) also writes the printed lines to FILE, for
bench/summary.py.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

from bench_out import emit

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
    out_lines = []
    for i in range(a.runs):
        # The figure is printed during boot; the system may keep running,
        # so the run stops once it has been seen.
        out = run(["--expect-line", a.pattern, "--exit", "none",
                   "--print-match", a.pattern, a.image], a.label)
        out_lines.append(f"{a.label} run {i + 1}: {int(out.strip().splitlines()[-1])} {a.unit}")
    return out_lines


def lines(a):
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "serial.log")
        run(["--log", log, "--expect-line", a.done,
             "--expect-line", r"process %s \(pid \d+\) exited with code 0" % a.program,
             "--exit", "pass", a.image], a.prefix)
        return [line.rstrip() for line in open(log, encoding="utf-8", errors="replace")
                if line.startswith(a.prefix + ":")]


# Under -icount shift=0 one guest instruction is 1 ns of virtual time: the
# TSC runs at exactly 1 GHz, and QEMU's APIC timer (1 GHz bus) divided by
# 16 counts 62,500 per ms.
EXACT_TSC_KHZ = 1000000
EXACT_LAPIC_PER_MS = 62500


def calibration(a):
    cal = r"apic: calibrated over (\d+) ticks of the (.+) \((\d+) us\), bound \+-(\d+) ppm"
    rates = r"apic: lapic id \d+, timer (\d+) ticks/ms \(div 16\), tsc (\d+) kHz"
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "serial.log")
        run(["--log", log, "--expect-line", rates, "--exit", "none", a.image],
            "bench-calibration")
        text = open(log, encoding="utf-8", errors="replace").read()
    c, r = re.search(cal, text), re.search(rates, text)
    if not c or not r:
        sys.exit("bench-calibration: the kernel did not print its calibration; no figures")
    lapic, tsc = int(r.group(1)), int(r.group(2))

    def ppm(measured, exact):
        return round(abs(measured - exact) * 1000000 / exact)
    return [
        f"bench-calibration: calibration window ({c.group(2)}): {c.group(3)} us",
        f"bench-calibration: TSC rate error against the exact -icount rate: {ppm(tsc, EXACT_TSC_KHZ)} ppm "
        f"({tsc} kHz measured)",
        f"bench-calibration: APIC timer rate error against the exact -icount rate: "
        f"{ppm(lapic, EXACT_LAPIC_PER_MS)} ppm ({lapic} per ms measured)",
        f"bench-calibration: error bound the kernel stated: {c.group(4)} ppm",
    ]


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
    c = sub.add_parser("calibration")
    c.add_argument("image")
    for p in (f, l, c):
        p.add_argument("--save", help="also write the printed lines to this file")
    a = ap.parse_args()
    out = {"figure": figure, "lines": lines, "calibration": calibration}[a.mode](a)
    emit(out, a.save)


if __name__ == "__main__":
    main()
