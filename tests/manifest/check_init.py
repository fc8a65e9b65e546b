#!/usr/bin/python3
"""check_init.py - init's manifest checker against the build's validator
(ctest manifest_init_checker, label manifest).

    check_init.py --check-init BIN --descriptor-set DESC --work DIR

For every fixture of tests/manifest/bad and good and every manifest of
manifests/, the text is checked by codegen/manifest.py (in-process, with
the stand-in programs of run_tests.py) and, encoded as the binary
capos.System init reads, by init's own checker built for the host
(check_init, servers/init/manifest_check.c) against a boot package
holding the same programs with the same page counts:

  - bad fixture: manifest.py refuses it, and init refuses it too, with a
    rule code among those manifest.py tagged its problems with (both
    sides name a refusal by the codes of manifest.py's RULES; init stops
    at its first problem, so one of them is enough);
  - good fixture and repo manifest: both accept it.

A bad fixture that has no binary encoding (a text-format error: nothing
reaches init) must be listed in NO_ENCODING with the reason, and must be
refused by manifest.py for that reason only; it is reported, never
skipped silently. Every other fixture reaches init.
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "codegen"))
sys.path.insert(0, HERE)

import manifest  # noqa: E402
import run_tests  # noqa: E402

# Fixtures that cannot reach init, and why.
NO_ENCODING = {
    "parse_bad_enum": "an enum value name the schema lacks: text format fails, no encoding",
    "parse_duplicate_field": "a singular field given twice: text format fails, no encoding",
    "parse_string_for_number": "a string for an integer: text format fails, no encoding",
    "parse_syntax": "a missing '}': text format fails, no encoding",
    "parse_unknown_field": "a field the schema lacks: text format fails, no encoding",
}


def python_check(args, path, programs):
    """(rules manifest.py reports, encoding or None)."""
    ns = argparse.Namespace(descriptor_set=args.descriptor_set, manifest=path,
                            options=os.path.join(ROOT, "idl", "manifest.options"),
                            binary=[f"{n}={p}" for n, (p, _) in programs.items()])
    msg, problems, _ = manifest.load_and_check(ns)
    rules = {item[3] for item in problems.items}
    data = msg.SerializeToString(deterministic=True) if msg is not None else None
    return rules, data


def init_check(args, data, programs, work):
    blob = os.path.join(work, "manifest.bin")
    with open(blob, "wb") as f:
        f.write(data)
    r = subprocess.run([args.check_init, blob] +
                       [f"{n}={pages}" for n, (_, pages) in programs.items()],
                       capture_output=True, text=True)
    line = r.stdout.strip()
    if r.returncode == 0 and line == "accepted":
        return None, line
    if r.returncode == 1 and line.startswith("refused "):
        return line[len("refused "):].split(":", 1)[0], line
    raise RuntimeError(f"check_init: status {r.returncode}: {r.stdout}{r.stderr}")


def programs_for(work, path, repo):
    extra = run_tests.repo_binaries(path) if repo else {}
    progs = {}
    for name, pages in {**run_tests.FAKE_BINARIES, **extra}.items():
        p = os.path.join(work, name + ".elf")
        run_tests.fake_elf(p, pages)
        progs[name] = (p, pages)
    return progs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check-init", required=True)
    ap.add_argument("--descriptor-set", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    cases = [("bad", n, os.path.join(HERE, "bad", n + ".textproto"))
             for n in run_tests.cases("bad")]
    cases += [("good", n, os.path.join(HERE, "good", n + ".textproto"))
              for n in run_tests.cases("good")]
    mdir = os.path.join(ROOT, "manifests")
    cases += [("repo", f[:-len(".textproto")], os.path.join(mdir, f))
              for f in sorted(os.listdir(mdir)) if f.endswith(".textproto")]
    failures = []
    counts = {"refused by both": 0, "accepted by both": 0, "no encoding": 0}
    for kind, name, path in cases:
        work = os.path.join(args.work, f"{kind}_{name}")
        os.makedirs(work, exist_ok=True)
        programs = programs_for(work, path, kind == "repo")
        rules, data = python_check(args, path, programs)
        what = f"{kind}/{name}"
        if kind == "bad" and name in NO_ENCODING:
            if rules != {"parse"} or data is not None:
                failures.append(f"{what}: listed as having no encoding ({NO_ENCODING[name]}) "
                                f"but manifest.py reports {sorted(rules)}")
            else:
                counts["no encoding"] += 1
                print(f"{what}: does not reach init: {NO_ENCODING[name]}")
            continue
        if data is None:
            failures.append(f"{what}: manifest.py cannot encode it ({sorted(rules)}); "
                            "list it in NO_ENCODING with the reason")
            continue
        rule, line = init_check(args, data, programs, work)
        if kind == "bad":
            if not rules:
                failures.append(f"{what}: manifest.py accepts a bad fixture")
            elif rule is None:
                failures.append(f"{what}: init accepts what manifest.py refuses "
                                f"({', '.join(sorted(rules))})")
            elif rule not in rules:
                failures.append(f"{what}: init refuses for '{rule}', manifest.py for "
                                f"{', '.join(sorted(rules))} ({line})")
            else:
                counts["refused by both"] += 1
                print(f"{what}: manifest.py {', '.join(sorted(rules))}; init {line}")
        else:
            if rules:
                failures.append(f"{what}: manifest.py refuses it: {sorted(rules)}")
            elif rule is not None:
                failures.append(f"{what}: init refuses what manifest.py accepts: {line}")
            else:
                counts["accepted by both"] += 1
                print(f"{what}: accepted by both")
    print("; ".join(f"{v} {k}" for k, v in counts.items()))
    for f in failures:
        sys.stderr.write(f"FAIL: {f}\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
