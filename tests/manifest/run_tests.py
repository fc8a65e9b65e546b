#!/usr/bin/python3
"""Tests of codegen/manifest.py (ctest -L manifest).

    run_tests.py list                      bad/good case names, one a line
    run_tests.py reject NAME [common]      bad/NAME.textproto is refused
    run_tests.py accept NAME [common]      good/NAME.textproto is accepted
    run_tests.py repo NAME [common]        manifests/NAME.textproto is accepted
    run_tests.py cli [common]              usage and input errors
common: --manifest-py PATH --descriptor-set DESC --work DIR

A bad fixture starts with one or more `# expect: LINE[:COL]: REGEX` lines:
`build` must exit 1, write neither output, and print
`<fixture>:LINE[:COL]: ...` matching REGEX for each of them. A good fixture
(and each manifest of manifests/) must build; its encoding must decode back
equal to the text, be the same on a second run, and its boot package must
hold init, manifest and each distinct binary once.

The programs are fake ELF files made here, with known sizes:
echo, echo_probe, demo_component, logger, shutdown (4 loadable pages each) and big
(300 pages); for `repo`, also a 4-page stand-in for each other program
the manifest names (repo_binaries).
"""
import argparse
import os
import re
import shutil
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "codegen"))

FAKE_BINARIES = {"echo": 4, "echo_probe": 4, "demo_component": 4, "logger": 4, "big": 300,
                 "shutdown": 4}


def repo_binaries(path):
    """For `repo` only (the fixtures' "known programs" messages list exactly
    FAKE_BINARIES): a 4-page stand-in for every other program the manifest
    names, so a new program in manifests/ needs no edit here."""
    names = re.findall(r'^\s*binary:\s*"([^"]+)"', open(path, encoding="utf-8").read(), re.M)
    return {n: 4 for n in names if n not in FAKE_BINARIES}


def fake_elf(path, pages):
    """An ELF64 with one PT_LOAD of `pages` pages at 0x400000."""
    eh = struct.pack("<4sBBBB8sHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, b"\0" * 8,
                     2, 0x3E, 1, 0x400000, 64, 0, 0, 64, 56, 1, 0, 0, 0)
    ph = struct.pack("<IIQQQQQQ", 1, 5, 0, 0x400000, 0x400000, 120,
                     pages * 4096, 4096)
    with open(path, "wb") as f:
        f.write(eh + ph)


def cases(kind):
    d = os.path.join(HERE, kind)
    return sorted(f[:-len(".textproto")] for f in os.listdir(d)
                  if f.endswith(".textproto"))


def setup(args, extra=None):
    work = args.work
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    bins = []
    for name, pages in {**FAKE_BINARIES, **(extra or {})}.items():
        p = os.path.join(work, name + ".elf")
        fake_elf(p, pages)
        bins += ["--binary", f"{name}={p}"]
    init = os.path.join(work, "init.elf")
    fake_elf(init, 8)
    return work, bins, init


def run(args, argv):
    r = subprocess.run([sys.executable, args.manifest_py] + argv,
                       capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def build_argv(args, path, work, bins, init):
    out = os.path.join(work, "manifest.bin")
    pkg = os.path.join(work, "boot.pkg")
    return out, pkg, ["build", path, "--descriptor-set", args.descriptor_set,
                      *bins, "--init", init, "--out", out, "--pkg", pkg]


def fail(msg, output=""):
    sys.stderr.write(f"FAIL: {msg}\n")
    if output:
        sys.stderr.write("--- manifest.py said:\n" + output + "---\n")
    return 1


def reject(args, name):
    work, bins, init = setup(args)
    path = os.path.join(HERE, "bad", name + ".textproto")
    expects = []
    with open(path) as f:
        for line in f:
            m = re.match(r"^#\s*expect:\s*(\d+(?::\d+)?):\s*(.*?)\s*$", line)
            if m:
                expects.append((m.group(1), m.group(2)))
    if not expects:
        return fail(f"{path} has no '# expect: LINE: REGEX' line")
    out, pkg, argv = build_argv(args, path, work, bins, init)
    rc, text = run(args, argv)
    if rc != 1:
        return fail(f"exit status {rc}, expected 1", text)
    for f_ in (out, pkg):
        if os.path.exists(f_):
            return fail(f"{f_} was written for a bad manifest", text)
    for where, rx in expects:
        pat = re.escape(f"{path}:{where}: ") + rx
        if not re.search(pat, text, re.M):
            return fail(f"no message matching /{pat}/", text)
    # validate says the same.
    rc2, text2 = run(args, ["validate", path, "--descriptor-set",
                            args.descriptor_set, *bins])
    if rc2 != 1 or text2.splitlines()[:-1] != text.splitlines()[:-1]:
        return fail("validate and build disagree", text + "=== validate:\n" + text2)
    print(text, end="")
    return 0


def accept_file(args, path, extra=None):
    from google.protobuf import text_format
    import manifest
    import mkpkg
    work, bins, init = setup(args, extra)
    out, pkg, argv = build_argv(args, path, work, bins, init)
    rc, text = run(args, argv)
    if rc != 0:
        return fail(f"exit status {rc}, expected 0", text)
    if text.strip():
        return fail("a valid manifest printed something", text)
    with open(out, "rb") as f:
        enc = f.read()
    with open(pkg, "rb") as f:
        pkg_bytes = f.read()
    pool, _ = manifest.load_pool(args.descriptor_set)
    cls = manifest.message_class(pool, "capos.System")
    decoded = cls()
    decoded.ParseFromString(enc)
    parsed = cls()
    with open(path) as f:
        text_format.Parse(f.read(), parsed)
    if decoded != parsed:
        return fail("the encoding does not decode back to the manifest")
    # Deterministic: a second build gives the same bytes.
    rc, text = run(args, argv)
    with open(out, "rb") as f:
        again = f.read()
    with open(pkg, "rb") as f:
        pkg_again = f.read()
    if rc != 0 or again != enc or pkg_again != pkg_bytes:
        return fail("a second build differs", text)
    # The package: init, manifest, each distinct binary once, by name.
    hdr = mkpkg.HEADER.unpack_from(pkg_bytes, 0)
    names, kinds = [], []
    for i in range(hdr[3]):
        e = mkpkg.ENTRY.unpack_from(pkg_bytes, mkpkg.HEADER.size + i * mkpkg.ENTRY.size)
        names.append(e[0].rstrip(b"\0").decode())
        kinds.append(e[1])
        if names[-1] == "manifest":
            data = pkg_bytes[e[3]:e[3] + e[4]]
            if data != enc:
                return fail("the package's manifest entry is not the encoding")
    want = ["init", "manifest"]
    for c in parsed.components:
        if c.binary not in want:
            want.append(c.binary)
    if names != want:
        return fail(f"package entries {names}, expected {want}")
    if kinds[1] != mkpkg.KINDS["manifest"] or kinds[0] != mkpkg.KINDS["elf"]:
        return fail(f"package entry kinds {kinds}")
    print(f"{path}: {len(enc)} bytes, package entries {', '.join(names)}")
    return 0


def cli(args):
    work, bins, init = setup(args)
    good = os.path.join(HERE, "good", "minimal.textproto")
    notelf = os.path.join(work, "not.elf")
    with open(notelf, "w") as f:
        f.write("hello\n")
    out = os.path.join(work, "m.bin")
    checks = [
        (["validate", os.path.join(work, "missing.textproto"),
          "--descriptor-set", args.descriptor_set], 1, r"cannot read .*missing"),
        (["validate", good, "--descriptor-set", args.descriptor_set,
          "--binary", f"echo={notelf}"], 1, r"--binary echo=.*not a little-endian ELF64"),
        (["validate", good, "--descriptor-set", args.descriptor_set,
          "--binary", "echo"], 1, r"not of the form name=path"),
        (["build", good, "--descriptor-set", args.descriptor_set, *bins,
          "--out", out, "--pkg", out + ".pkg"], 2, r"--pkg needs --init"),
        (["build", good, "--descriptor-set", args.descriptor_set,
          "--out", out], 2, r"needs the programs"),
        (["validate", good, "--descriptor-set", notelf], 1,
         r"not a FileDescriptorSet|holds no capos.System"),
        # --rules: each problem ends in the rule code init answers with.
        (["validate", os.path.join(HERE, "bad", "rights_kinfo_write.textproto"),
          "--descriptor-set", args.descriptor_set, "--rules"], 1,
         r"rights_kinfo_write\.textproto:4: .* carries at most READ \[rights\]\n"),
        (["emit-c", "--header", out, "--source", out + ".c",
          "--descriptor-set", notelf], 1,
         r"not a FileDescriptorSet|has no enum capos\.KernelResource"),
    ]
    for argv, want_rc, rx in checks:
        rc, text = run(args, argv)
        if rc != want_rc or not re.search(rx, text):
            return fail(f"{' '.join(argv)}: status {rc} (want {want_rc}), "
                        f"/{rx}/", text)
        if os.path.exists(out):
            return fail(f"{out} written by a failing run")
    # emit-c refuses a schema whose kernel resource has no rights row, so
    # a new KernelResource without its rights fails the build.
    import manifest
    import manifest_c
    _, fds = manifest.load_pool(args.descriptor_set)
    saved = dict(manifest.RIGHTS_TABLE)
    try:
        del manifest.RIGHTS_TABLE["KERNEL_RESOURCE_SELF"]
        manifest_c.check_tables(manifest, fds)
        return fail("emit-c accepted a KernelResource with no rights row")
    except manifest_c.TableError as e:
        if "KERNEL_RESOURCE_SELF" not in str(e):
            return fail(f"emit-c refused for another reason: {e}")
    finally:
        manifest.RIGHTS_TABLE.clear()
        manifest.RIGHTS_TABLE.update(saved)
    print(f"{len(checks) + 1} command-line checks passed")
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["list", "reject", "accept", "repo", "cli"])
    ap.add_argument("name", nargs="?")
    ap.add_argument("--manifest-py", default=os.path.join(ROOT, "codegen", "manifest.py"))
    ap.add_argument("--descriptor-set")
    ap.add_argument("--work", default="/tmp/capos-manifest-test")
    args = ap.parse_args()
    if args.mode == "list":
        for k in ("bad", "good"):
            for c in cases(k):
                print(f"{k}:{c}")
        return 0
    if not args.descriptor_set or not os.path.exists(args.descriptor_set):
        return fail(f"descriptor set {args.descriptor_set} missing: build capos_idl_gen")
    if args.mode == "reject":
        return reject(args, args.name)
    if args.mode == "accept":
        return accept_file(args, os.path.join(HERE, "good", args.name + ".textproto"))
    if args.mode == "repo":
        path = os.path.join(ROOT, "manifests", args.name + ".textproto")
        return accept_file(args, path, repo_binaries(path))
    return cli(args)


if __name__ == "__main__":
    sys.exit(main())
