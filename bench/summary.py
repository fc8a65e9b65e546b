#!/usr/bin/python3
"""The benchmark summary: one table of every figure the bench targets saved
(name, value, unit, target where issue 16 gives one, the figure of the
commit before the performance pass from bench/baseline.txt, and the
change). Never fails on a figure.

  summary.py --baseline bench/baseline.txt --targets bench/targets.txt FILE...
      FILEs are what the bench targets saved (guest.py/image_size.py
      --save); a missing FILE is reported as not measured.
  summary.py --make-baseline LOG [--commit ID]
      prints a baseline file from the output of ci/test (its bench lines).

A figure line is "bench-x: <name>: [word] <number> <unit> [(note)]" or
"bench-x: <name> <number>"; check lines ("bench-x: (check: ...)") and
"done" lines are not figures. Of repeated runs ("... run N: ...") the first
is the figure.
"""
import argparse
import os
import re
import sys

LINE = re.compile(r"^(?P<prefix>bench-[\w-]+): (?P<rest>.*)$")
WITH_COLON = re.compile(r"^(?P<name>.+?):\s+(?:(?P<pre>[A-Za-z][\w.]*)\s+)?"
                        r"(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>[^()]*?)\s*(?:\((?P<note>.*)\))?$")
NO_COLON = re.compile(r"^(?P<name>.+?)\s+(?P<value>\d+(?:\.\d+)?)$")
RUN = re.compile(r" run (\d+)$")


def parse_line(line):
    """(name, value, unit) of a figure line, or None."""
    m = LINE.match(line.strip())
    if not m:
        return None
    rest = m.group("rest")
    if rest.startswith("(") or rest == "done":
        return None
    f = WITH_COLON.match(rest)
    if f:
        name = f.group("name") + (" " + f.group("pre") if f.group("pre") else "")
        unit = f.group("unit")
    else:
        f = NO_COLON.match(rest)
        if not f:
            return None
        name, unit = f.group("name"), ""
    return f"{m.group('prefix')}: {name}", f.group("value"), unit


def figures(lines):
    """Ordered {name: (value, unit)}; a repeated run keeps the first."""
    out = {}
    for line in lines:
        p = parse_line(line)
        if not p:
            continue
        name, value, unit = p
        name = RUN.sub("", name)
        if name not in out:
            out[name] = (value, unit)
    return out


def read_table(path):
    """name<TAB>value[<TAB>unit] lines; # comments."""
    out = {}
    if not path or not os.path.exists(path):
        return out
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        out[parts[0]] = parts[1:]
    return out


def bare(name):
    """A name without its trailing parenthesised note, for loose matching."""
    return re.sub(r"\s*\([^()]*\)$", "", name)


def lookup(table, name, prefix=False):
    if name in table:
        return table[name]
    for k, v in table.items():
        if bare(k) == bare(name) or (prefix and name.startswith(k)):
            return v
    return None


def num(s):
    return float(s) if "." in s else int(s)


def fmt(v):
    return f"{v:.2f}" if isinstance(v, float) else str(v)


def summary(a):
    lines, missing = [], []
    for path in a.files:
        if os.path.exists(path):
            lines += open(path, encoding="utf-8", errors="replace").read().splitlines()
        else:
            missing.append(os.path.basename(path))
    figs = figures(lines)
    base = read_table(a.baseline)
    targets = read_table(a.targets)
    rows = [("figure", "value", "unit", "target", "baseline", "change")]
    met = over = 0
    for name, (value, unit) in figs.items():
        v = num(value)
        t = lookup(targets, name, prefix=True)
        target = ""
        if t:
            target = "<= " + t[0]
            ok = v <= num(t[0])
            target += " ok" if ok else " OVER"
            met, over = met + ok, over + (not ok)
        b = lookup(base, name)
        baseline = change = ""
        if b:
            bv = num(b[0])
            baseline = fmt(bv)
            if bv:
                change = f"{(v - bv) * 100.0 / bv:+.1f}%"
        rows.append((name, fmt(v), unit, target, baseline, change))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    print("bench summary: every figure; target from issue 16 where it gives one; "
          f"baseline = {os.path.basename(a.baseline)} (the commit before the performance pass)")
    for i, r in enumerate(rows):
        cells = [r[0].ljust(widths[0]), r[1].rjust(widths[1]), r[2].ljust(widths[2]),
                 r[3].ljust(widths[3]), r[4].rjust(widths[4]), r[5].rjust(widths[5])]
        print("  ".join(cells).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print(f"bench summary: {len(figs)} figures, {met} targets met, {over} over"
          + (f"; not measured: {', '.join(missing)}" if missing else ""))


def make_baseline(a):
    lines = open(a.make_baseline, encoding="utf-8", errors="replace").read().splitlines()
    commit = f" ({a.commit})" if a.commit else ""
    print(f"# Benchmark figures of the commit before the performance pass{commit}")
    print("# (issue 16), from the bench lines of ci/test on that commit")
    print("# (bench/summary.py --make-baseline). name<TAB>value<TAB>unit;")
    print("# `ninja -C build bench` compares every figure with these.")
    for name, (value, unit) in figures(lines).items():
        print(f"{name}\t{value}\t{unit}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline")
    ap.add_argument("--targets")
    ap.add_argument("--make-baseline", metavar="LOG")
    ap.add_argument("--commit", help="with --make-baseline: the commit the LOG is of")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    if a.make_baseline:
        make_baseline(a)
    elif not a.baseline:
        sys.exit("summary.py: --baseline is required")
    else:
        summary(a)


if __name__ == "__main__":
    main()
