#!/usr/bin/python3
"""Self-tests of qemu/run.py: parser and matcher logic, and end-to-end runs
against a fake QEMU (a Python script that prints canned serial output, reads
`send` input and exits with a chosen status).  Standard library only."""

import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.normpath(os.path.join(HERE, "..", "..", "qemu", "run.py"))

spec = importlib.util.spec_from_file_location("capos_run", RUNNER)
run = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run)

# The fake QEMU: actions come as JSON in FAKE_QEMU_SCRIPT; argv is recorded.
FAKE_QEMU = r'''#!%(python)s
import json, os, select, subprocess, sys, time
rec = {"argv": sys.argv[1:]}
for a in sys.argv[1:]:
    if "if=pflash" in a and "unit=1" in a:
        path = a.split("file=", 1)[1]
        rec["vars_exists"] = os.path.isfile(path)
        rec["vars_path"] = path
with open(os.environ["FAKE_QEMU_RECORD"], "w") as f:
    json.dump(rec, f)
out = sys.stdout.buffer
def readline():
    buf = b""
    while not buf.endswith(b"\r"):
        c = os.read(0, 1)
        if not c:
            break
        buf += c
    return buf
for act in json.loads(os.environ["FAKE_QEMU_SCRIPT"]):
    op = act[0]
    if op == "out":
        out.write(act[1].encode()); out.flush()
    elif op == "sleep":
        time.sleep(act[1])
    elif op == "no_input":   # complain if the runner sent something too early
        r, _, _ = select.select([0], [], [], 0)
        if r:
            out.write(b"EARLY INPUT\n"); out.flush()
    elif op == "read":       # read one line up to \r and echo it like a shell
        line = readline()
        out.write(b"\r\ngot " + line.rstrip(b"\r") + b"\r\n"); out.flush()
    elif op == "child":      # a grandchild that must die with the group
        p = subprocess.Popen(["sleep", "1000"])
        with open(act[1], "w") as f:
            f.write(str(p.pid))
    elif op == "ignore_term":
        import signal
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    elif op == "err":
        sys.stderr.write(act[1]); sys.stderr.flush()
    elif op == "exit":
        sys.exit(act[1])
    elif op == "hang":
        while True:
            time.sleep(1)
sys.exit(0)
'''

ANSI_JUNK = "\x1b[2J\x1b[01;01H\x1b[=3h\x1b[1m\x1b[37m\x1b[40m"


class UnitTests(unittest.TestCase):
    # ---- serial cleaning
    def test_clean_ansi_and_cr(self):
        self.assertEqual(run.clean_line(ANSI_JUNK + "BdsDxe: hi\x1b[0m\r"), "BdsDxe: hi")
        self.assertEqual(run.clean_line("\x1b]0;title\x07text"), "text")
        self.assertEqual(run.clean_line("\x1b(Bplain\x1b[K"), "plain")
        self.assertEqual(run.clean_line("abc\b \bd"), "abd")
        self.assertEqual(run.clean_line("tab\there\x00\x07"), "tab\there")
        self.assertEqual(run.clean_line("partial\x1b[1;3"), "partial")

    def test_line_assembler_chunks(self):
        la = run.LineAssembler()
        self.assertEqual(la.feed(b"one\r\ntw"), [(0, "one")])
        self.assertEqual(la.partial(), (1, "tw"))
        # escape split across chunks
        self.assertEqual(la.feed(b"o\x1b["), [])
        self.assertEqual(la.feed(b"0mX\r\nprompt> "), [(1, "twoX")])
        self.assertEqual(la.partial(), (2, "prompt> "))
        self.assertEqual(la.finish(), [(2, "prompt> ")])
        self.assertEqual(la.lines, ["one", "twoX", "prompt> "])
        self.assertEqual(run.clean_text(b"a\r\n\x1b[1mb\r\n"), ["a", "b"])

    # ---- expectations parser
    def test_parse(self):
        exp = run.parse_expectations(textwrap.dedent("""\
            # comment

            expect ^capOS boot
            send  two spaces
            never panic
            expect   shell>\\s*$   
            exit panic
            timeout 12.5
            """), "t.exp")
        self.assertEqual([(s.kind, s.arg) for s in exp.steps],
                         [("expect", "^capOS boot"), ("send", " two spaces"),
                          ("expect", r"shell>\s*$")])
        self.assertEqual(exp.steps[0].where, "t.exp:3")
        self.assertEqual([n[0] for n in exp.never], ["panic"])
        self.assertEqual(exp.exit, 35)
        self.assertEqual(exp.timeout, 12.5)

    def test_sendraw(self):
        exp = run.parse_expectations(
            "sendraw ab\\x08\\x7fc\\x15\\x03\\e[A\\r\\n\\t\\\\ \nsend plain\n", "t.exp")
        raw, plain = exp.steps[0].arg, exp.steps[1].arg
        self.assertIsInstance(raw, run.RawSend)
        self.assertEqual(raw, "ab\x08\x7fc\x15\x03\x1b[A\r\n\t\\ ")
        self.assertNotIsInstance(plain, run.RawSend)
        for bad in ("sendraw a\\q", "sendraw \\x4", "sendraw \\xZZ", "sendraw x\\", "sendraw"):
            with self.assertRaises(run.UsageError, msg=bad):
                run.parse_expectations(bad + "\n", "t.exp")

        # What reaches QEMU's stdin: raw bytes as given, a send with \r.
        class FakeStdin:
            def __init__(self):
                self.data = b""

            def write(self, b):
                self.data += b

            def flush(self):
                pass

        class FakeProc:
            stdin = FakeStdin()

        r = run.Run.__new__(run.Run)
        r.args = type("A", (), {"verbose": False})()
        r.t0 = time.monotonic()
        r._send(FakeProc, [raw, plain, "h\u00e9"])
        self.assertEqual(FakeProc.stdin.data,
                         b"ab\x08\x7fc\x15\x03\x1b[A\r\n\t\\ " + b"plain\r" + "h\u00e9\r".encode())

    def test_parse_exit_names(self):
        self.assertEqual(run.parse_exit("pass"), 33)
        self.assertEqual(run.parse_exit("panic"), 35)
        self.assertEqual(run.parse_exit("loader-error"), 37)
        self.assertEqual(run.parse_exit("poweroff"), 0)
        self.assertEqual(run.parse_exit("0x21"), 33)
        self.assertEqual(run.parse_exit("1"), 1)
        self.assertEqual(run.parse_exit("any"), "any")
        self.assertEqual(run.parse_exit("none"), "none")
        self.assertEqual(run.Expectations().effective_exit(), 33)
        with self.assertRaises(run.UsageError):
            run.parse_exit("bogus")

    def test_parse_errors(self):
        for bad in ("expect (unclosed", "frobnicate x", "timeout soon", "expect",
                    "never", "exit", "exit 999", "timeout -1"):
            with self.assertRaises(run.UsageError, msg=bad) as cm:
                run.parse_expectations(bad, "bad.exp")
            self.assertIn("bad.exp:1", str(cm.exception))

    def test_status_meaning(self):
        self.assertEqual(run.describe_status(35), "kernel panic (debug-exit 0x11) (35)")
        self.assertIn("clean shutdown", run.describe_status(33))
        self.assertIn("loader error", run.describe_status(37))
        self.assertIn("without debug-exit", run.describe_status(0))
        self.assertIn("QEMU error", run.describe_status(1))
        self.assertIn("debug-exit value 0x20", run.describe_status(65))
        self.assertIn("SIGKILL", run.describe_status(-9))

    # ---- matcher
    def _exp(self, text):
        return run.parse_expectations(textwrap.dedent(text))

    def _feed_all(self, m, lines):
        sends = []
        for i, l in enumerate(lines):
            sends += m.feed(i, l)
        return sends

    def test_ordering(self):
        exp = self._exp("expect A\nexpect B\n")
        m = run.Matcher(exp)
        self._feed_all(m, ["x", "B", "A", "y"])
        self.assertFalse(m.done())
        self.assertEqual(m.pending().arg, "B")
        m = run.Matcher(exp)
        self._feed_all(m, ["A", "x", "B"])
        self.assertTrue(m.done())
        self.assertEqual([i for _, i, _ in m.matched], [0, 2])

    def test_one_line_one_expect(self):
        m = run.Matcher(self._exp("expect A\nexpect A\n"))
        self._feed_all(m, ["AA"])
        self.assertFalse(m.done())
        self._feed_all(m, ["AA", "A"])  # index 0 again is ignored, index 1 matches
        self.assertTrue(m.done())

    def test_send_sequencing(self):
        m = run.Matcher(self._exp("send early\nexpect login:\nsend root\nsend ls\n"
                                  "expect \\$\nsend exit\n"))
        self.assertEqual(m.start(), ["early"])
        self.assertEqual(m.feed(0, "booting"), [])
        self.assertEqual(m.feed(1, "login:"), ["root", "ls"])
        self.assertEqual(m.feed(2, "root"), [])
        self.assertEqual(m.feed(3, "$ "), ["exit"])
        self.assertTrue(m.done())
        self.assertEqual(m.sent, ["early", "root", "ls", "exit"])

    def test_partial_line_consumed(self):
        # A prompt matched as a partial line is not matched again when it completes.
        m = run.Matcher(self._exp("expect shell>\nsend ls\nexpect shell>\n"))
        self.assertEqual(m.feed(5, "shell> "), ["ls"])
        self.assertEqual(m.feed(5, "shell> ls"), [])
        self.assertFalse(m.done())
        m.feed(6, "file")
        m.feed(7, "shell> ")
        self.assertTrue(m.done())

    def test_judge(self):
        exp = self._exp("expect ok\nnever panic\nexit pass\n")
        m = run.Matcher(exp)
        lines = ["boot", "ok", "kernel panic: x"]
        self._feed_all(m, lines)
        reasons, _ = run.judge(exp, m, lines, 33, False, False)
        self.assertEqual(len(reasons), 1)
        self.assertIn("forbidden line 3", reasons[0])
        reasons, _ = run.judge(exp, m, lines[:2], 35, False, False)
        self.assertIn("wrong exit status", reasons[0])
        self.assertIn("kernel panic (debug-exit 0x11) (35)", reasons[0])
        self.assertEqual(run.judge(exp, m, lines[:2], 33, False, False)[0], [])
        exp.exit = "any"
        self.assertEqual(run.judge(exp, m, lines[:2], 1, False, False)[0], [])
        self.assertIn("timeout", run.judge(exp, m, lines[:2], None, True, False)[0][0])
        exp.exit = "none"
        self.assertEqual(run.judge(exp, m, lines[:2], None, False, True)[0], [])

    def test_named_refs(self):
        exp = self._exp(r"""
            expect ^kmem: (?P<free>\d+) frames free before init, ${free} after
            expect ^id (?P<id>\S+)$
            expect ^bye ${id}$
            never ^lost ${id}$
            """)
        m = run.Matcher(exp)
        lines = ["kmem: 120 frames free before init, 12 after",
                 "kmem: 120 frames free before init, 120 after",
                 "id a.b", "bye axb", "bye a.b"]
        self._feed_all(m, lines)
        self.assertTrue(m.done())
        self.assertEqual([i for _, i, _ in m.matched], [1, 2, 4])  # '.' was escaped
        self.assertEqual(m.captures, {"free": "120", "id": "a.b"})
        self.assertIsNone(run.find_never(exp, lines, m.captures))
        self.assertEqual(run.find_never(exp, lines + ["lost a.b"], m.captures)[0], 5)
        with self.assertRaises(run.UsageError) as cm:
            run.parse_expectations("expect a ${nope}\nexpect (?P<nope>x)\n", "r.exp")
        self.assertIn("r.exp:1: ${nope} is not captured", str(cm.exception))

    def test_host_year(self):
        import calendar
        def ts(*a):
            return calendar.timegm(a)
        self.assertEqual(run.host_year_regex(ts(2025, 6, 15, 12, 0, 0)), "2025")
        self.assertEqual(run.host_year_regex(ts(2038, 1, 2, 0, 0, 1)), "2038")
        # Within a day of New Year (UTC): either year.
        self.assertEqual(run.host_year_regex(ts(2025, 12, 31, 23, 0, 0)), "(?:2025|2026)")
        self.assertEqual(run.host_year_regex(ts(2026, 1, 1, 1, 0, 0)), "(?:2025|2026)")
        self.assertEqual(run.host_year_regex(ts(2024, 12, 31, 0, 0, 1)), "(?:2024|2025)")
        self.assertEqual(run.host_year_regex(ts(2024, 12, 30, 23, 59, 59)), "2024")
        # No arguments: the host's year now.
        self.assertIn(str(time.gmtime().tm_year), run.host_year_regex())

    def test_builtin_var_host_year(self):
        exp = self._exp(r"""
            expect ^date ${host_year}-\d\d-\d\d$
            never ^bad ${host_year}$
            """)
        year = time.gmtime().tm_year
        m = run.Matcher(exp)
        lines = ["date 1999-01-01", "date %d-xx-01" % year, "date %d-03-04" % year]
        self._feed_all(m, lines)
        self.assertTrue(m.done())
        self.assertEqual([i for _, i, _ in m.matched], [2])
        self.assertIsNone(run.find_never(exp, lines, m.captures))
        self.assertEqual(run.find_never(exp, lines + ["bad %d" % year], m.captures)[0], 3)
        # A capture of the same name wins over the built-in.
        exp = self._exp(r"""
            expect ^y (?P<host_year>\d+)$
            expect ^z ${host_year}$
            """)
        m = run.Matcher(exp)
        self._feed_all(m, ["y 1234", "z %d" % year, "z 1234"])
        self.assertEqual([i for _, i, _ in m.matched], [0, 2])
        # Other unknown names are still refused.
        with self.assertRaises(run.UsageError):
            run.parse_expectations("expect a ${host_month}\n", "r.exp")

    def test_project_expect_files_parse(self):
        qdir = os.path.join(HERE, "..", "qemu")
        for name in sorted(os.listdir(qdir)) if os.path.isdir(qdir) else []:
            if name.endswith((".expect", ".exp")):
                with open(os.path.join(qdir, name)) as f:
                    run.parse_expectations(f.read(), name)

    def test_print_match(self):
        import re
        lines = ["a", "first user instruction after 12345 instructions", "after 7 instructions"]
        rx = re.compile(r"after (\d+) instructions")
        self.assertEqual(run.find_print_match(rx, lines), "12345")
        self.assertEqual(run.find_print_match(re.compile("user"), lines), "user")
        self.assertIsNone(run.find_print_match(re.compile("zzz"), lines))


class EndToEnd(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="capos-runner-test-")
        d = self.tmp.name
        self.qemu = os.path.join(d, "fake-qemu")
        with open(self.qemu, "w") as f:
            f.write(FAKE_QEMU % {"python": sys.executable})
        os.chmod(self.qemu, 0o755)
        self.image = os.path.join(d, "disk.img")
        with open(self.image, "wb") as f:
            f.write(b"\0" * 4096)
        self.code = os.path.join(d, "CODE.fd")
        self.vars = os.path.join(d, "VARS.fd")
        for p in (self.code, self.vars):
            with open(p, "wb") as f:
                f.write(b"\xff" * 1024)
        self.record = os.path.join(d, "record.json")

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text):
        p = os.path.join(self.tmp.name, name)
        with open(p, "w") as f:
            f.write(textwrap.dedent(text))
        return p

    def runner(self, script, *args, image=None, timeout=60):
        env = dict(os.environ, FAKE_QEMU_SCRIPT=json.dumps(script),
                   FAKE_QEMU_RECORD=self.record)
        cmd = [sys.executable, RUNNER, image or self.image, "--qemu", self.qemu,
               "--ovmf-code", self.code, "--ovmf-vars", self.vars] + list(args)
        t0 = time.monotonic()
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
        self.elapsed = time.monotonic() - t0
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def recorded(self):
        with open(self.record) as f:
            return json.load(f)

    BOOT = [["out", ANSI_JUNK + "BdsDxe: loading Boot0001\r\n"],
            ["out", "capOS loader\r\n\x1b[0mcapOS kernel: ok\r\n"]]

    def test_pass_with_send(self):
        exp = self.write("t.exp", """\
            # a shell session
            expect ^BdsDxe: loading
            expect capOS kernel: ok
            expect ^shell>
            send echo hi
            expect ^got echo hi$
            never panic
            exit pass
            """)
        script = self.BOOT + [["sleep", 0.5], ["no_input"],
                              ["out", "shell> "], ["read"], ["out", "bye\r\n"],
                              ["exit", 33]]
        rc, out, err = self.runner(script, "--expect", exp)
        self.assertEqual(rc, 0, err)
        self.assertIn("PASS (4 expectations)", err)
        self.assertNotIn("EARLY INPUT", err)
        self.assertNotIn("serial transcript", err)  # quiet on success
        self.assertEqual(out, "")
        rec = self.recorded()
        argv = rec["argv"]
        self.assertTrue(rec["vars_exists"])
        self.assertNotEqual(rec["vars_path"], self.vars)
        self.assertFalse(os.path.exists(rec["vars_path"]), "temp vars copy not removed")
        self.assertIn("format=raw,file=%s,snapshot=on" % self.image, argv)
        self.assertIn("isa-debug-exit,iobase=0xf4,iosize=0x04", argv)
        for flag in (["-machine", "q35"], ["-m", "256M"], ["-serial", "stdio"],
                     ["-monitor", "none"], ["-no-reboot"]):
            i = argv.index(flag[0])
            self.assertEqual(argv[i:i + len(flag)], flag)
        self.assertNotIn("-icount", argv)
        self.assertNotIn("-S", argv)

    def test_verbose_and_log(self):
        log = os.path.join(self.tmp.name, "serial.log")
        rc, out, err = self.runner(self.BOOT + [["exit", 33]], "--expect-line", "kernel: ok",
                                   "-v", "--log", log)
        self.assertEqual(rc, 0, err)
        self.assertIn("serial transcript (3 lines)", err)
        self.assertIn("matched line 3", err)
        with open(log) as f:
            self.assertEqual(f.read(), "BdsDxe: loading Boot0001\ncapOS loader\n"
                                       "capOS kernel: ok\n")

    def test_out_of_order(self):
        rc, out, err = self.runner(self.BOOT + [["exit", 33]],
                                   "--expect-line", "capOS kernel", "--expect-line",
                                   "capOS loader")
        self.assertEqual(rc, 1)
        self.assertIn("FAIL: expectation 2 not met: expect /capOS loader/", err)
        self.assertIn("searched after line 3", err)
        self.assertIn("serial transcript (3 lines)", err)
        self.assertIn("last 3 lines seen", err)

    def test_forbidden_line(self):
        exp = self.write("t.exp", "expect kernel\nnever (?i)panic\n")
        script = self.BOOT + [["out", "PANIC: bad thing\r\n"], ["exit", 33]]
        rc, out, err = self.runner(script, "--expect", exp)
        self.assertEqual(rc, 1)
        self.assertIn("FAIL: forbidden line 4 matched never /(?i)panic/ (%s:2): "
                      "PANIC: bad thing" % exp, err)
        self.assertIn("    4| PANIC: bad thing", err)

    def test_wrong_exit_status(self):
        rc, out, err = self.runner(self.BOOT + [["err", "qemu: oops\n"], ["exit", 35]],
                                   "--expect-line", "kernel")
        self.assertEqual(rc, 1)
        self.assertIn("FAIL: wrong exit status: got kernel panic (debug-exit 0x11) (35), "
                      "expected clean shutdown / pass (debug-exit 0x10) (33)", err)
        self.assertIn("qemu: oops", err)  # QEMU's stderr is shown
        self.assertNotIn("not met", err)

    def test_expected_panic_and_cli_override(self):
        exp = self.write("t.exp", "expect kernel\nexit panic\n")
        rc, _, err = self.runner(self.BOOT + [["exit", 35]], "--expect", exp)
        self.assertEqual(rc, 0, err)
        rc, _, err = self.runner(self.BOOT + [["exit", 35]], "--expect", exp, "--exit", "37")
        self.assertEqual(rc, 1)
        self.assertIn("loader error", err)
        rc, _, err = self.runner(self.BOOT + [["exit", 0]], "--exit", "0")
        self.assertEqual(rc, 0, err)

    def test_timeout_kills_group(self):
        pidfile = os.path.join(self.tmp.name, "child.pid")
        script = self.BOOT + [["child", pidfile], ["ignore_term"], ["hang"]]
        rc, out, err = self.runner(script, "--expect-line", "kernel", "--timeout", "3")
        self.assertEqual(rc, 1)
        self.assertIn("FAIL: timeout: QEMU killed", err)
        self.assertIn("killed after 3.0 s timeout", err)
        self.assertLess(self.elapsed, 15)
        with open(pidfile) as f:
            pid = int(f.read())
        self.assertFalse(self.alive(pid), "grandchild survived the timeout kill")

    @staticmethod
    def alive(pid):
        """True while pid runs (a zombie awaiting its reaper counts as dead)."""
        for _ in range(20):
            try:
                with open("/proc/%d/stat" % pid) as f:
                    state = f.read().rsplit(")", 1)[1].split()[0]
            except FileNotFoundError:
                return False
            if state in "ZX":
                return False
            time.sleep(0.1)
        return True

    def test_timeout_from_file_and_override(self):
        exp = self.write("t.exp", "timeout 2\nexpect never-printed\n")
        rc, _, err = self.runner(self.BOOT + [["hang"]], "--expect", exp)
        self.assertEqual(rc, 1)
        self.assertIn("killed after 2.0 s timeout", err)
        self.assertIn("expectation 1 not met", err)
        rc, _, err = self.runner(self.BOOT + [["hang"]], "--expect", exp, "--timeout", "1")
        self.assertIn("killed after 1.0 s timeout", err)

    def test_exit_none_stops_early(self):
        rc, out, err = self.runner(self.BOOT + [["hang"]], "--expect-line", "kernel: ok",
                                   "--exit", "none", "--timeout", "30")
        self.assertEqual(rc, 0, err)
        self.assertIn("stopped after the last expectation", err)
        self.assertLess(self.elapsed, 10)

    def test_print_match(self):
        script = self.BOOT + [["out", "first user instruction after 123456 instructions\r\n"],
                              ["exit", 33]]
        rc, out, err = self.runner(script, "--print-match",
                                   r"first user instruction after (\d+) instructions",
                                   "--icount")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, "123456\n")
        argv = self.recorded()["argv"]
        i = argv.index("-icount")
        self.assertEqual(argv[i + 1], "shift=0,align=off,sleep=off")
        rc, out, err = self.runner(self.BOOT + [["exit", 33]], "--print-match", r"nope (\d+)")
        self.assertEqual(rc, 1)
        self.assertIn("no line matched --print-match", err)

    def test_gdb_and_extra_args(self):
        rc, out, err = self.runner(self.BOOT + [["exit", 33]], "--gdb", "--kernel",
                                   "k.elf", "--qemu-arg=-rtc", "--qemu-arg", "base=utc",
                                   "--memory", "512M", "--timeout", "1")
        self.assertEqual(rc, 0, err)
        self.assertIn("gdb k.elf -ex 'target remote :1234'", err)
        argv = self.recorded()["argv"]
        self.assertEqual(argv[-4:], ["-s", "-S", "-rtc", "base=utc"])
        self.assertEqual(argv[argv.index("-m") + 1], "512M")

    def test_gdb_disables_timeout(self):
        rc, _, err = self.runner(self.BOOT + [["sleep", 2.5], ["exit", 33]],
                                 "--gdb", "--timeout", "1")
        self.assertEqual(rc, 0, err)

    def test_usage_errors(self):
        rc, _, err = self.runner([], image=os.path.join(self.tmp.name, "missing.img"))
        self.assertEqual(rc, 2)
        self.assertIn("image not found", err)
        rc, _, err = self.runner([], "--ovmf-code", "/nonexistent/CODE.fd")
        self.assertEqual(rc, 2)
        self.assertIn("OVMF code not found", err)
        bad = self.write("bad.exp", "expect ok\nexpect (\n")
        rc, _, err = self.runner([], "--expect", bad)
        self.assertEqual(rc, 2)
        self.assertIn("bad.exp:2: bad regex", err)
        rc, _, err = self.runner([], "--qemu", "/nonexistent/qemu")
        self.assertEqual(rc, 2)
        self.assertIn("QEMU not found", err)
        rc, _, err = self.runner([], "--no-such-option")
        self.assertEqual(rc, 2)

    def test_image_unmodified_and_dry_run(self):
        rc, out, err = self.runner([], "--dry-run")
        self.assertEqual(rc, 0, err)
        self.assertIn("snapshot=on", out)
        self.assertIn("-nic none", out)
        rc, out, err = self.runner([], "--dry-run", "--interactive")
        self.assertEqual(rc, 0, err)
        self.assertIn("-serial mon:stdio", out)
        self.assertNotIn("-monitor none", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
