#!/usr/bin/python3
"""Runs the libFuzzer targets for a long hunt or for their speed.

  run_fuzzers.py long --seconds N [--jobs J] --dir BUILD_FUZZ_DIR NAME...
      each fuzzer N seconds over its corpus (kept: BUILD_FUZZ_DIR/NAME_corpus,
      which the next run starts from) and its seeds; J at a time. Crashes
      land in BUILD_FUZZ_DIR/artifacts/NAME/. Exits 1 if any fuzzer failed.
  run_fuzzers.py bench --seconds N --dir BUILD_FUZZ_DIR [--save FILE] NAME...
      each fuzzer N seconds from its seeds alone (a fixed -seed, a fresh
      corpus), one at a time, and prints
      "bench-fuzz: NAME: <executions per second> execs/s" (bench/summary.py
      reads these lines).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

STAT = re.compile(r"stat::average_exec_per_sec:\s*(\d+)")


def seed_dirs(d, name):
    """The seed folder(s) of a fuzzer, as tests/fuzz/CMakeLists.txt makes them."""
    s = os.path.join(d, name + "_seeds")
    return [s] if os.path.isdir(s) else []


def run_long(a):
    procs = []
    failed = []
    pending = list(a.names)

    def start(name):
        corpus = os.path.join(a.dir, name + "_corpus")
        art = os.path.join(a.dir, "artifacts", name) + os.sep
        os.makedirs(corpus, exist_ok=True)
        os.makedirs(art, exist_ok=True)
        log = open(os.path.join(a.dir, "artifacts", name + ".log"), "w")
        cmd = [os.path.join(a.dir, name), f"-max_total_time={a.seconds}",
               f"-artifact_prefix={art}", "-timeout=10", "-print_final_stats=1",
               corpus] + seed_dirs(a.dir, name)
        print(f"fuzz-long: {name} for {a.seconds} s (log {log.name})", flush=True)
        return name, subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT), log

    while pending or procs:
        while pending and len(procs) < a.jobs:
            procs.append(start(pending.pop(0)))
        name, p, log = procs.pop(0)
        rc = p.wait()
        log.close()
        print(f"fuzz-long: {name}: {'ok' if rc == 0 else 'FAILED (exit %d)' % rc}",
              flush=True)
        if rc != 0:
            failed.append(name)
    if failed:
        print("fuzz-long: failed: " + " ".join(failed) +
              f" (inputs in {os.path.join(a.dir, 'artifacts')})")
        return 1
    return 0


def run_bench(a):
    lines = []
    for name in a.names:
        with tempfile.TemporaryDirectory() as corpus:
            cmd = [os.path.join(a.dir, name), f"-max_total_time={a.seconds}", "-seed=1",
                   "-timeout=10", "-print_final_stats=1", corpus] + seed_dirs(a.dir, name)
            r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
        m = STAT.search(r.stdout)
        if r.returncode != 0 or not m:
            line = f"bench-fuzz: ({name}: no figure, exit {r.returncode})"
        else:
            line = f"bench-fuzz: {name}: {m.group(1)} execs/s"
        print(line, flush=True)
        lines.append(line)
    if a.save:
        os.makedirs(os.path.dirname(a.save) or ".", exist_ok=True)
        with open(a.save, "w") as f:
            f.write("\n".join(lines) + "\n")
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["long", "bench"])
    ap.add_argument("--seconds", type=int, required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--save")
    ap.add_argument("names", nargs="+")
    a = ap.parse_args()
    return run_long(a) if a.mode == "long" else run_bench(a)


if __name__ == "__main__":
    sys.exit(main())
