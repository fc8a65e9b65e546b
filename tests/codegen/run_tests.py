#!/usr/bin/python3
"""Tests of codegen/rpcgen.py (ctest -L codegen).

  run_tests.py golden       generated output == tests/codegen/golden/*
  run_tests.py determinism  two runs give byte-identical output
  run_tests.py reject CASE  a bad fixture fails with the expected messages
  run_tests.py reject-all   every rejection case
  run_tests.py refresh      rewrite tests/codegen/golden/ from the fixtures
  run_tests.py list         the rejection cases (for CMake)
  run_tests.py typed --cc CC --cflag F...
                            typed_ops.c compiles against the golden header,
                            and does not with another service's ops

Run with /usr/bin/python3 (python3-protobuf). Paths default to this tree
and Debian's tools; --work is a scratch directory (default: a temp dir).
"""

import argparse
import filecmp
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# Each case: the .proto files given to rpcgen (relative to fixtures/), and
# every message expected, as (file, line, substring): each must appear as
# "file:line: ...substring..." and there must be no others.
REJECT = {
    "no_interface_id": (["reject/no_interface_id.proto"], [
        ("reject/no_interface_id.proto", 9, "service Anon has no interface_id option"),
    ]),
    "no_method_id": (["reject/no_method_id.proto"], [
        ("reject/no_method_id.proto", 12, "method nopkg.Svc.Second has no method_id option"),
    ]),
    "zero_interface_id": (["reject/zero_interface_id.proto"], [
        ("reject/zero_interface_id.proto", 9, "service t.Zero has interface_id 0"),
    ]),
    "zero_method_id": (["reject/zero_method_id.proto"], [
        ("reject/zero_method_id.proto", 11, "method t.Svc.Zero has method_id 0"),
    ]),
    "dup_interface_id": (["reject/dup_interface_id.proto"], [
        ("reject/dup_interface_id.proto", 15,
         "service t.Second reuses interface_id 42 of service t.First "
         "(reject/dup_interface_id.proto:9)"),
    ]),
    "dup_interface_id_files": (["reject/dup_iface_a.proto", "reject/dup_iface_b.proto"], [
        ("reject/dup_iface_b.proto", 9,
         "service b.Bravo reuses interface_id 77 of service a.Alpha "
         "(reject/dup_iface_a.proto:9)"),
    ]),
    "dup_method_id": (["reject/dup_method_id.proto"], [
        ("reject/dup_method_id.proto", 14,
         "method t.Svc.Two reuses method_id 5 of method One (line 11)"),
    ]),
    "unbounded_string": (["reject/unbounded_string.proto"], [
        ("reject/unbounded_string.proto", 8,
         "field t.Req.name is a string without a bound"),
    ]),
    "unbounded_bytes": (["reject/unbounded_bytes.proto"], [
        ("reject/unbounded_bytes.proto", 8, "field t.Req.blob is bytes without a bound"),
    ]),
    "unbounded_repeated": (["reject/unbounded_repeated.proto"], [
        ("reject/unbounded_repeated.proto", 7,
         "field t.Req.ids is repeated without a bound"),
    ]),
    # The unbounded field sits two messages deep, in an imported file.
    "unbounded_nested": (["reject/unbounded_nested.proto"], [
        ("reject/nested_dep.proto", 9, "field dep.Leaf.note is a string without a bound"),
    ]),
    "callback_field": (["reject/callback_field.proto"], [
        ("reject/callback_field.proto", 8,
         "field t.Req.text has nanopb type FT_CALLBACK"),
    ]),
    "clash_methods": (["reject/clash_methods.proto"], [
        ("reject/clash_methods.proto", 14, "method t.Svc.get_foo collides in C with method "
         "t.Svc.GetFoo (reject/clash_methods.proto:11): both define SVC_GET_FOO_METHOD_ID, "
         "get_foo, svc_get_foo, svc_get_foo_method, svc_get_foo_serve"),
    ]),
    "clash_services": (["reject/clash_services.proto"], [
        ("reject/clash_services.proto", 16, "service t.Log_Sink collides in C with service "
         "t.LogSink (reject/clash_services.proto:9): both define LOGSINK_INTERFACE_ID, "
         "logsink_dispatch, logsink_dispatch_untyped, logsink_ops, logsink_service"),
    ]),
    "clash_service_ctor": (["reject/clash_service_ctor.proto"], [
        ("reject/clash_service_ctor.proto", 12, "method t.Svc.Service collides in C with "
         "service t.Svc (reject/clash_service_ctor.proto:10): both define svc_service"),
    ]),
    # 4 each way is the limit (CAPOS_MSG_MAX_CAPS); every excess is reported.
    "too_many_caps": (["reject/too_many_caps.proto"], [
        ("reject/too_many_caps.proto", 16, "method t.Svc.Give has request_caps 5: a message "
         "carries at most CAPOS_MSG_MAX_CAPS (4) caps"),
        ("reject/too_many_caps.proto", 20, "method t.Svc.Take has reply_caps 9: a message "
         "carries at most CAPOS_MSG_MAX_CAPS (4) caps"),
        ("reject/too_many_caps.proto", 24, "method t.Svc.Both has request_caps 6"),
        ("reject/too_many_caps.proto", 24, "method t.Svc.Both has reply_caps 7"),
    ]),
    "clash_helper": (["reject/clash_helper.proto"], [
        ("reject/clash_helper.proto", 14, "method t.Svc.Dispatch collides in C with service "
         "t.Svc (reject/clash_helper.proto:9): both define svc_dispatch"),
    ]),
    "keyword_method": (["reject/keyword_method.proto"], [
        ("reject/keyword_method.proto", 11, "method t.Svc.Default becomes the C keyword "
         "'default'"),
    ]),
    "streaming": (["reject/streaming.proto"], [
        ("reject/streaming.proto", 11, "method t.Svc.Watch is a streaming rpc"),
    ]),
    # Every problem is reported, not only the first.
    "many": (["reject/many.proto"], [
        ("reject/many.proto", 7, "field t.Req.name is a string without a bound"),
        ("reject/many.proto", 10, "service t.NoId has no interface_id option"),
        ("reject/many.proto", 11, "method t.NoId.A has no method_id option"),
        ("reject/many.proto", 21, "service t.Dup2 reuses interface_id 9 of service t.Dup "
         "(reject/many.proto:14)"),
        ("reject/many.proto", 17, "method t.Dup.C has method_id 0"),
        ("reject/many.proto", 18, "method t.Dup.D reuses method_id 4 of method B"),
    ]),
}


def find_nanopb_proto_dir():
    for d in ["/usr/lib/python3/dist-packages/proto"]:
        if os.path.exists(os.path.join(d, "nanopb.proto")):
            return d
    sys.exit("run_tests.py: nanopb.proto not found (give --nanopb-proto-dir)")


def descriptor_set(args, work, protos):
    out = os.path.join(work, "set.desc")
    cmd = [args.protoc, "--descriptor_set_out=" + out, "--include_imports",
           "--include_source_info", "-I", args.fixtures, "-I", args.nanopb_proto_dir] + protos
    subprocess.run(cmd, check=True, cwd=args.fixtures)
    return out


def options_for(args, protos):
    out = []
    for p in protos:
        o = os.path.join(args.fixtures, p[:-len(".proto")] + ".options")
        if os.path.exists(o):
            out += ["--options", o]
    return out


def rpcgen(args, work, protos, outdir):
    desc = descriptor_set(args, work, protos)
    cmd = [sys.executable, args.rpcgen, "--descriptor-set", desc, "--out-dir", outdir] + \
        options_for(args, protos) + protos
    return subprocess.run(cmd, capture_output=True, text=True)


GOLDEN_PROTOS = ["golden.proto"]
# Kept as <file>.expected in tests/codegen/golden/: they are test data, not
# generated code of the project (which lives only in the build folder).
GOLDEN_FILES = ["golden.capos.h", "golden.capos.c"]


def generate_golden(args, work, outdir):
    r = rpcgen(args, work, GOLDEN_PROTOS, outdir)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        sys.exit("FAIL: rpcgen rejected the golden fixture (status %d)" % r.returncode)


def cmd_golden(args, work):
    out = os.path.join(work, "golden")
    generate_golden(args, work, out)
    bad = 0
    for f in GOLDEN_FILES:
        got, want = os.path.join(out, f), os.path.join(args.golden, f + ".expected")
        if not os.path.exists(want) or not filecmp.cmp(got, want, shallow=False):
            subprocess.run(["diff", "-u", want, got])
            print("FAIL: %s differs from the golden copy (refresh: %s refresh)"
                  % (f, os.path.relpath(__file__, ROOT)))
            bad = 1
        else:
            print("ok: %s" % f)
    return bad


def cmd_refresh(args, work):
    out = os.path.join(work, "golden")
    generate_golden(args, work, out)
    os.makedirs(args.golden, exist_ok=True)
    for f in GOLDEN_FILES:
        shutil.copyfile(os.path.join(out, f), os.path.join(args.golden, f + ".expected"))
        print("wrote %s" % os.path.join(args.golden, f + ".expected"))
    return 0


def cmd_determinism(args, work):
    a, b = os.path.join(work, "run1"), os.path.join(work, "run2")
    generate_golden(args, os.path.join(work), a)
    generate_golden(args, os.path.join(work), b)
    bad = 0
    for f in GOLDEN_FILES:
        if not filecmp.cmp(os.path.join(a, f), os.path.join(b, f), shallow=False):
            print("FAIL: %s differs between two runs" % f)
            bad = 1
    # Same again with the targets given in the other order (dup check).
    r1 = rpcgen(args, work, REJECT["dup_interface_id_files"][0], os.path.join(work, "x"))
    r2 = rpcgen(args, work, list(reversed(REJECT["dup_interface_id_files"][0])),
                os.path.join(work, "y"))
    if r1.stderr != r2.stderr:
        print("FAIL: error output depends on argument order:\n%s---\n%s" % (r1.stderr, r2.stderr))
        bad = 1
    if not bad:
        print("ok: two runs are byte-identical")
    return bad


def cmd_reject(args, work, case):
    protos, expected = REJECT[case]
    out = os.path.join(work, "out-" + case)
    r = rpcgen(args, work, protos, out)
    bad = 0
    if r.returncode != 1:
        print("FAIL %s: exit status %d, want 1" % (case, r.returncode))
        bad = 1
    lines = r.stderr.splitlines()
    for fname, line, text in expected:
        prefix = "%s:%d: " % (fname, line)
        if not any(l.startswith(prefix) and text in l for l in lines):
            print("FAIL %s: no message '%s...%s'" % (case, prefix, text))
            bad = 1
    if len(lines) != len(expected):
        print("FAIL %s: %d messages, want exactly %d" % (case, len(lines), len(expected)))
        bad = 1
    for l in lines:
        if not re.match(r"^[^:]+\.proto:\d+: \S", l):
            print("FAIL %s: message not in file:line: form: %s" % (case, l))
            bad = 1
    if os.path.exists(out) and os.listdir(out):
        print("FAIL %s: output written despite errors" % case)
        bad = 1
    if bad:
        sys.stdout.write("rpcgen said:\n" + r.stderr)
    else:
        print("ok: %s (%d messages)" % (case, len(lines)))
    return bad


def cmd_typed(args):
    """The typed binding: the right ops compile, the wrong ones do not
    (an incompatible pointer type, an error under -Werror)."""
    src = os.path.join(HERE, "typed_ops.c")
    base = [args.cc, "-fsyntax-only", "-Werror", "-Wall", "-Wextra"] + args.cflag + [src]
    bad = 0
    r = subprocess.run(base, capture_output=True, text=True)
    if r.returncode != 0:
        print("FAIL: typed_ops.c does not compile with matching ops:\n" + r.stderr)
        return 1
    print("ok: matching ops compile")
    for wrong in ("WRONG_SERVICE", "WRONG_DISPATCH"):
        r = subprocess.run(base + ["-D" + wrong], capture_output=True, text=True)
        if r.returncode == 0:
            print("FAIL: %s compiles: the binding is not typed" % wrong)
            bad = 1
        elif "incompatible pointer type" not in r.stderr:
            print("FAIL: %s fails for another reason:\n%s" % (wrong, r.stderr))
            bad = 1
        else:
            print("ok: %s is refused (incompatible pointer type)" % wrong)
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["golden", "determinism", "reject", "reject-all",
                                        "refresh", "list", "typed"])
    ap.add_argument("case", nargs="?")
    ap.add_argument("--rpcgen", default=os.path.join(ROOT, "codegen", "rpcgen.py"))
    ap.add_argument("--protoc", default=shutil.which("protoc") or "/usr/bin/protoc")
    ap.add_argument("--nanopb-proto-dir")
    ap.add_argument("--fixtures", default=os.path.join(HERE, "fixtures"))
    ap.add_argument("--golden", default=os.path.join(HERE, "golden"))
    ap.add_argument("--work")
    ap.add_argument("--cc", default="cc")
    ap.add_argument("--cflag", action="append", default=[],
                    help="typed: a compiler flag (include dirs, definitions)")
    args = ap.parse_args()
    if args.command == "list":
        print(";".join(sorted(REJECT)))
        return 0
    if args.command == "typed":
        return cmd_typed(args)
    if not args.nanopb_proto_dir:
        args.nanopb_proto_dir = find_nanopb_proto_dir()

    with tempfile.TemporaryDirectory(prefix="rpcgen-test-") as tmp:
        work = args.work or tmp
        if args.work:
            shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work, exist_ok=True)
        if args.command == "golden":
            return cmd_golden(args, work)
        if args.command == "refresh":
            return cmd_refresh(args, work)
        if args.command == "determinism":
            return cmd_determinism(args, work)
        if args.command == "reject":
            if args.case not in REJECT:
                sys.exit("unknown case %r (one of %s)" % (args.case, ", ".join(sorted(REJECT))))
            return cmd_reject(args, work, args.case)
        return max(cmd_reject(args, work, c) for c in sorted(REJECT))


if __name__ == "__main__":
    sys.exit(main())
