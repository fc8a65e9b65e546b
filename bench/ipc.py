#!/usr/bin/python3
"""IPC benchmark: boots the bench-ipc image under QEMU -icount shift=0 and
prints the figures the guest measured (guest instructions, from rdtsc
deltas; one TSC tick is one guest instruction under -icount shift=0).
Never fails on a figure; fails only if the boot or the program fails."""
import argparse
import os
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--prefix", default="bench-ipc",
                    help="the guest's lines to print start with this")
    a = ap.parse_args()
    last = {"bench-ipc": r"bench-ipc: signal\+wait", "bench-rpc": r"bench-rpc: stub overhead"}
    program = a.prefix.replace("-", "_")
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "serial.log")
        out = subprocess.run(
            [sys.executable, a.runner, "--icount", "--timeout", "300", "--log", log,
             "--expect-line", last[a.prefix], "--never", "KERNEL PANIC",
             "--expect-line", r"process %s \(pid \d+\) exited with code 0" % program,
             "--exit", "pass", a.image],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if out.returncode != 0:
            sys.stderr.write(out.stderr)
            sys.exit("%s: the benchmark run failed; no figures" % a.prefix)
        for line in open(log, encoding="utf-8", errors="replace"):
            if line.startswith(a.prefix + ":"):
                print(line.rstrip())


if __name__ == "__main__":
    main()
