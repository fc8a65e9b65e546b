#!/usr/bin/python3
"""run_tests.py - capos-inspect tests (ctest -L inspect; tests/inspect/CMakeLists.txt).

    run_tests.py list
    run_tests.py CASE --inspect BIN --protoc PROTOC --idl DIR --proto-dir DIR
                      --mkpkg mkpkg.py --mkimage mkimage.py --work DIR

Each case builds what it needs under --work from the fixture manifest
(fixture.textproto, encoded with protoc --encode=capos.System), dummy ELF
entries and codegen/mkpkg.py (and codegen/mkimage.py for images), runs
capos-inspect and checks its exit status and output:

  - accepted inputs: stdout must equal, line for line, the package lines
    computed here from the inputs (sizes, zlib CRCs, 4096-aligned offsets)
    followed by the hand-written expected.txt / expected_defaults.txt;
  - rejected inputs: exit status 1 and the exact error line on stderr.
"""
import argparse
import os
import shutil
import struct
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ALIGN = 4096
ESP_OFFSET = 1 << 20

# Dummy program entries: any bytes will do for the inspector.
PROGRAMS = [("console", b"\x7fELF console " * 40),
            ("logd", b"\x7fELF logd " * 700),
            ("shell", b"\x7fELF shell")]
DATA = ("motd", b"hello from the boot package\n")


class Fail(Exception):
    pass


class Ctx:
    def __init__(self, args):
        self.a = args
        self.work = args.work
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(self.work)

    def path(self, name):
        return os.path.join(self.work, name)

    def write(self, name, data):
        p = self.path(name)
        with open(p, "wb") as f:
            f.write(data)
        return p

    def read(self, name):
        with open(self.path(name), "rb") as f:
            return f.read()

    def run(self, cmd, stdin=None):
        r = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        return r.returncode, r.stdout, r.stderr

    def must(self, cmd, stdin=None):
        rc, out, err = self.run(cmd, stdin)
        if rc != 0:
            raise Fail(f"{' '.join(cmd)} failed ({rc}):\n{err.decode(errors='replace')}")
        return out

    def encode(self, textproto):
        with open(os.path.join(HERE, textproto), "rb") as f:
            text = f.read()
        return self.must([self.a.protoc, "--encode=capos.System",
                          "-I", self.a.idl, "-I", self.a.proto_dir,
                          "manifest.proto"], stdin=text)

    def package(self, name, entries):
        """entries: [(name, bytes, kind)] -> path of the package."""
        specs = []
        for ename, data, kind in entries:
            p = self.write(f"in-{ename}.bin", data)
            specs.append(f"{ename}={p}:{kind}")
        out = self.path(name)
        self.must([sys.executable, self.a.mkpkg, "-o", out] + specs)
        return out

    def image(self, name, pkg):
        efi = self.write("BOOTX64.EFI", b"MZ dummy loader\n")
        kernel = self.write("kernel.elf", b"\x7fELF dummy kernel\n")
        out = self.path(name)
        self.must([sys.executable, self.a.mkimage, "-o", out, "--efi", efi,
                   "--kernel", kernel, "--pkg", pkg, "--size-mib", "8"])
        return out

    def inspect(self, target):
        rc, out, err = self.run([self.a.inspect, target])
        return rc, out.decode(), err.decode()


def fixture_entries(manifest):
    return ([("manifest", manifest, "manifest")] +
            [(n, d, "elf") for n, d in PROGRAMS] + [(DATA[0], DATA[1], "data")])


def package_lines(entries):
    """What capos-inspect must print for a package of these entries."""
    pos = (32 + 72 * len(entries) + ALIGN - 1) // ALIGN * ALIGN
    lines = []
    for i, (name, data, kind) in enumerate(entries):
        lines.append(f"  entry {i}: {name} kind={kind} size={len(data)} "
                     f"crc=0x{zlib.crc32(data):08x} offset={pos}")
        end = pos + len(data)
        pos = (end + ALIGN - 1) // ALIGN * ALIGN
    n = len(entries)
    head = f"package: {end} bytes, format version 1, {n} {'entry' if n == 1 else 'entries'}"
    return [head] + lines


def expected_file(name):
    with open(os.path.join(HERE, name)) as f:
        return f.read().splitlines()


def check_lines(what, got, want):
    got = got.splitlines()
    if got != want:
        diff = []
        for i in range(max(len(got), len(want))):
            g = got[i] if i < len(got) else "<missing>"
            w = want[i] if i < len(want) else "<missing>"
            if g != w:
                diff.append(f"  line {i + 1}:\n    want: {w}\n    got:  {g}")
        raise Fail(f"{what}: output differs from the fixture:\n" + "\n".join(diff[:20]))


def expect_ok(ctx, target, want):
    rc, out, err = ctx.inspect(target)
    if rc != 0 or err:
        raise Fail(f"capos-inspect {target}: exit {rc}, stderr:\n{err}")
    check_lines(target, out, want)


def expect_reject(ctx, target, message, exact=True):
    rc, out, err = ctx.inspect(target)
    line = f"capos-inspect: error: {target}: {message}"
    if rc != 1:
        raise Fail(f"capos-inspect {target}: exit {rc}, expected 1\nstdout:\n{out}\nstderr:\n{err}")
    lines = err.splitlines()
    ok = (line in lines) if exact else any(l.startswith(line) for l in lines)
    if not ok:
        raise Fail(f"capos-inspect {target}: stderr lacks\n  {line}\ngot:\n{err}")


# ---- the cases --------------------------------------------------------------

def fixture_pkg(ctx):
    manifest = ctx.encode("fixture.textproto")
    entries = fixture_entries(manifest)
    return manifest, entries, ctx.package("fixture.pkg", entries)


def case_pkg(ctx):
    manifest, entries, pkg = fixture_pkg(ctx)
    want = (package_lines(entries) +
            [f"manifest: entry manifest, {len(manifest)} bytes"] +
            expected_file("expected.txt"))
    expect_ok(ctx, pkg, want)


def case_img(ctx):
    manifest, entries, pkg = fixture_pkg(ctx)
    img = ctx.image("fixture.img", pkg)
    size = os.path.getsize(pkg)
    want = ([f"image: ESP at byte {ESP_OFFSET}, \\capos\\boot.pkg {size} bytes"] +
            package_lines(entries) +
            [f"manifest: entry manifest, {len(manifest)} bytes"] +
            expected_file("expected.txt"))
    expect_ok(ctx, img, want)


def case_defaults(ctx):
    # An empty manifest decodes to every default.
    entries = [("manifest", b"", "manifest"), ("init", b"\x7fELF init", "elf")]
    pkg = ctx.package("defaults.pkg", entries)
    want = (package_lines(entries) + ["manifest: entry manifest, 0 bytes"] +
            expected_file("expected_defaults.txt"))
    expect_ok(ctx, pkg, want)


def case_no_manifest(ctx):
    entries = [(n, d, "elf") for n, d in PROGRAMS]
    pkg = ctx.package("nomanifest.pkg", entries)
    want = package_lines(entries) + [
        "no manifest: the package has no manifest entry (kind 2)"]
    expect_ok(ctx, pkg, want)


def flipped(ctx, name, data, pos):
    b = bytearray(data)
    b[pos] ^= 0x40
    return ctx.write(name, bytes(b))


def case_pkg_flip(ctx):
    _, _, pkg = fixture_pkg(ctx)
    bad = flipped(ctx, "flip.pkg", ctx.read("fixture.pkg"), ALIGN + 5)
    expect_reject(ctx, bad, "invalid boot package: The boot package checksum "
                  "does not match its contents.")


def case_pkg_entry_crc(ctx):
    # Data changed and the header checksum recomputed: only the entry's own
    # CRC catches it, and the message names the entry.
    _, _, pkg = fixture_pkg(ctx)
    b = bytearray(ctx.read("fixture.pkg"))
    b[ALIGN + 5] ^= 0x40
    struct.pack_into("<I", b, 20, 0)
    struct.pack_into("<I", b, 20, zlib.crc32(bytes(b)))
    bad = ctx.write("entrycrc.pkg", bytes(b))
    expect_reject(ctx, bad, "invalid boot package: entry 0: A boot package "
                  "entry's data does not match its checksum.")


def case_pkg_truncate(ctx):
    _, _, pkg = fixture_pkg(ctx)
    data = ctx.read("fixture.pkg")
    bad = ctx.write("trunc.pkg", data[:-1])
    expect_reject(ctx, bad, "invalid boot package: The boot package is shorter "
                  "than its header or its declared size.")
    empty = ctx.write("empty.pkg", b"")
    expect_reject(ctx, empty, "invalid boot package: The boot package is shorter "
                  "than its header or its declared size.")


def case_pkg_magic(ctx):
    _, _, pkg = fixture_pkg(ctx)
    bad = flipped(ctx, "magic.pkg", ctx.read("fixture.pkg"), 0)
    expect_reject(ctx, bad, "invalid boot package: The boot package does not "
                  "start with CAPOSPKG.")


def case_manifest_garbage(ctx):
    # A length-delimited hostname that runs past the end.
    garbage = b"\x0a\x05ab"
    entries = [("manifest", garbage, "manifest"), ("init", b"\x7fELF", "elf")]
    pkg = ctx.package("garbage.pkg", entries)
    expect_reject(ctx, pkg, "manifest entry 'manifest' (4 bytes) does not "
                  "decode as capos.System (idl/manifest.proto)")


def case_manifest_two(ctx):
    manifest = ctx.encode("fixture.textproto")
    entries = [("manifest", manifest, "manifest"), ("other", manifest, "manifest")]
    pkg = ctx.package("two.pkg", entries)
    expect_reject(ctx, pkg, "the boot package has 2 manifest entries; a package "
                  "holds at most one")


def case_img_flip(ctx):
    manifest, _, pkg = fixture_pkg(ctx)
    img = ctx.image("fixture.img", pkg)
    data = ctx.read("fixture.img")
    pos = data.find(manifest, ESP_OFFSET)
    if pos < 0:
        raise Fail("the manifest bytes are not in the image")
    bad = flipped(ctx, "flip.img", data, pos + 3)
    expect_reject(ctx, bad, "invalid boot package: The boot package checksum "
                  "does not match its contents.")


def case_img_truncate(ctx):
    _, _, pkg = fixture_pkg(ctx)
    ctx.image("fixture.img", pkg)
    bad = ctx.write("trunc.img", ctx.read("fixture.img")[:2 << 20])
    expect_reject(ctx, bad, "invalid disk image: the EFI System Partition "
                  "(LBA 2048-14335) does not fit in the image (2097152 bytes; "
                  "truncated?)")


def case_img_gpt(ctx):
    _, _, pkg = fixture_pkg(ctx)
    ctx.image("fixture.img", pkg)
    bad = flipped(ctx, "gpt.img", ctx.read("fixture.img"), 512 + 40)
    expect_reject(ctx, bad, "invalid disk image: the GPT header checksum does "
                  "not match (the partition table is damaged)")
    zeros = ctx.write("zeros.img", bytes(4096))
    expect_reject(ctx, zeros, "invalid disk image: not a GPT disk image (no "
                  "\"EFI PART\" signature at byte 512)")


def case_img_no_pkg(ctx):
    _, _, pkg = fixture_pkg(ctx)
    img = ctx.image("fixture.img", pkg)
    if shutil.which("mdel") is None:
        raise Fail("mdel not found: install mtools")
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    r = subprocess.run(["mdel", "-i", f"{img}@@{ESP_OFFSET}", "::/capos/boot.pkg"],
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise Fail(f"mdel failed: {r.stdout.decode(errors='replace')}")
    expect_reject(ctx, img, "invalid disk image: mtype could not read "
                  f"\\capos\\boot.pkg from the ESP at byte {ESP_OFFSET} (exit status",
                  exact=False)


def case_unknown_fields(ctx):
    # Field 99 (varint) at the top and field 50 (varint) inside a component:
    # decoded, skipped, and counted in a note.
    comp = b"\x0a\x01x" + b"\x90\x03\x07"
    manifest = b"\x98\x06\x01" + b"\x32" + bytes([len(comp)]) + comp
    entries = [("manifest", manifest, "manifest")]
    pkg = ctx.package("unknown.pkg", entries)
    want = package_lines(entries) + [
        f"manifest: entry manifest, {len(manifest)} bytes"] + \
        expected_file("expected_defaults.txt")[:-1] + [
        "components: 1",
        "  component x:",
        "    binary: \"\"",
        "    priority: 0",
        "    time_slice_us: 0 (kernel default)",
        "    profile: none",
        "    restart: RESTART_NEVER max_restarts=0",
        "    serves: none",
        "    caps: none",
        "    watches: none",
        "note: 2 field(s) not in this tool's manifest.proto were skipped"]
    expect_ok(ctx, pkg, want)


def case_img_no_mtools(ctx):
    _, _, pkg = fixture_pkg(ctx)
    img = ctx.image("fixture.img", pkg)
    empty = ctx.path("empty-bin")
    os.makedirs(empty)
    r = subprocess.run([ctx.a.inspect, img], env=dict(os.environ, PATH=empty),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = (f"capos-inspect: error: {img}: invalid disk image: mtype not found: "
            "install mtools to read disk images (or pass the boot.pkg itself)")
    if r.returncode != 1 or line not in r.stderr.decode().splitlines():
        raise Fail(f"without mtools: exit {r.returncode}, stderr:\n{r.stderr.decode()}")


def case_usage(ctx):
    rc, _, err = ctx.run([ctx.a.inspect])
    if rc != 2 or "usage: capos-inspect" not in err.decode():
        raise Fail(f"no argument: exit {rc}, expected 2 with usage\n{err.decode()}")
    missing = ctx.path("missing.pkg")
    expect_reject(ctx, missing, "cannot open: No such file or directory")


CASES = {name[5:]: fn for name, fn in sorted(globals().items())
         if name.startswith("case_")}


def main():
    if sys.argv[1:] == ["list"]:
        print(";".join(CASES))
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(CASES))
    for opt in ("inspect", "protoc", "idl", "proto-dir", "mkpkg", "mkimage", "work"):
        ap.add_argument("--" + opt, required=True)
    args = ap.parse_args()
    ctx = Ctx(args)
    try:
        CASES[args.case](ctx)
    except Fail as e:
        print(f"FAIL {args.case}: {e}", file=sys.stderr)
        return 1
    print(f"PASS {args.case}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
