#!/usr/bin/python3
"""capOS-C QEMU runner: boot a disk image under QEMU + OVMF.

Test mode (default): capture the serial console, match it against
expectations (an expectations file and/or --expect-line), enforce a timeout,
check QEMU's exit status (isa-debug-exit) and decide pass/fail.
Interactive mode (--interactive): exec QEMU with the serial console on the
terminal.  See docs/qemu-runner.md for usage and the expectations format.

Runner exit status: 0 pass, 1 fail, 2 usage/setup error.
Python standard library only.
"""

import argparse
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time

EXIT_PASS, EXIT_FAIL, EXIT_USAGE = 0, 1, 2

DEFAULT_OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
DEFAULT_OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
DEFAULT_KERNEL = "build/kern/kernel.elf"
DEFAULT_TIMEOUT = 90.0
DEBUG_EXIT_PORT = "0xf4"

# isa-debug-exit: QEMU exits with (value << 1) | 1.
EXIT_NAMES = {
    "pass": 33,          # 0x10: clean shutdown
    "panic": 35,         # 0x11: kernel panic
    "loader-error": 37,  # 0x12: the loader stopped on a bad file
    "poweroff": 0,       # no debug-exit: ACPI power-off (servers/shutdown); QEMU exits 0
}
# Pseudo-statuses an expectations file may ask for.
EXIT_ANY = "any"    # any exit status is acceptable
EXIT_NONE = "none"  # do not wait for an exit: stop QEMU once all expects matched

STATUS_MEANING = {
    33: "clean shutdown / pass (debug-exit 0x10)",
    35: "kernel panic (debug-exit 0x11)",
    37: "loader error (debug-exit 0x12)",
    0: "QEMU exited without debug-exit (powered off, or quit from the console)",
    1: "QEMU error (or debug-exit value 0)",
}

PARTIAL_LINE_QUIET = 0.3  # seconds a partial line (a prompt) must be idle before matching
LAST_LINES = 20


class UsageError(Exception):
    """Bad command line, bad expectations file, missing image or firmware."""


def status_meaning(status):
    """Human description of a QEMU exit status (Popen returncode)."""
    if status is None:
        return "QEMU did not exit (killed by the runner)"
    if status < 0:
        try:
            name = signal.Signals(-status).name
        except ValueError:
            name = "signal %d" % -status
        return "QEMU killed by %s" % name
    if status in STATUS_MEANING:
        return STATUS_MEANING[status]
    if status & 1:
        return "debug-exit value 0x%x" % (status >> 1)
    return "QEMU exited with status %d" % status


def describe_status(status):
    if status is None:
        return status_meaning(status)
    return "%s (%d)" % (status_meaning(status), status)


def parse_exit(word):
    """'pass' | 'panic' | 'loader-error' | 'poweroff' | 'any' | 'none' | number -> int or str."""
    w = word.strip().lower()
    if w in EXIT_NAMES:
        return EXIT_NAMES[w]
    if w in (EXIT_ANY, EXIT_NONE):
        return w
    try:
        n = int(w, 0)
    except ValueError:
        raise UsageError("bad exit status %r (want pass, panic, loader-error, poweroff, any, none "
                         "or a number)" % word)
    if n < 0 or n > 255:
        raise UsageError("exit status %d out of range 0..255" % n)
    return n


def exit_label(exp_exit):
    if isinstance(exp_exit, int):
        return describe_status(exp_exit)
    return exp_exit


# ---------------------------------------------------------------- serial text

_ANSI_RE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"             # CSI ... final byte (incl. ESC[=3h)
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC ... BEL or ST
    r"|\x1b[()*+][0-~]"                    # charset designation
    r"|\x1b[@-Z\\-_]"                      # other two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"              # 8-bit CSI
)
_INCOMPLETE_ESC_RE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*|[()*+])?$")
_CTRL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_line(text):
    """Strip ANSI escapes and \\r, apply backspaces, drop other control characters."""
    text = _ANSI_RE.sub("", text)
    text = _INCOMPLETE_ESC_RE.sub("", text)
    text = text.replace("\r", "")
    if "\b" in text:
        out = []
        for ch in text:
            if ch == "\b":
                if out:
                    out.pop()
            else:
                out.append(ch)
        text = "".join(out)
    return _CTRL_RE.sub("", text)


def clean_text(data):
    """Bytes or str of serial output -> list of clean lines."""
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    lines = data.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [clean_line(l) for l in lines]


class LineAssembler:
    """Splits a byte stream into lines (index, clean text)."""

    def __init__(self):
        self.buf = b""
        self.lines = []       # complete clean lines
        self.raw = bytearray()

    def feed(self, data):
        """Returns the list of (index, text) of lines completed by data."""
        self.raw += data
        self.buf += data
        done = []
        while True:
            nl = self.buf.find(b"\n")
            if nl < 0:
                break
            raw, self.buf = self.buf[:nl], self.buf[nl + 1:]
            text = clean_line(raw.decode("utf-8", "replace"))
            self.lines.append(text)
            done.append((len(self.lines) - 1, text))
        return done

    def partial(self):
        """(index, text) of the unfinished last line, or None."""
        if not self.buf:
            return None
        text = clean_line(self.buf.decode("utf-8", "replace"))
        if not text.strip():
            return None
        return (len(self.lines), text)

    def finish(self):
        """End of stream: the unfinished line becomes a line."""
        p = self.partial()
        self.buf = b""
        if p is None:
            return []
        self.lines.append(p[1])
        return [p]


# ---------------------------------------------------------------- expectations

class RawSend(str):
    """Text of a `sendraw` line: written as it is, no \\r added."""


_RAW_ESCAPES = {"r": "\r", "n": "\n", "t": "\t", "e": "\x1b", "\\": "\\"}


def decode_raw(text, where):
    """`sendraw` text: \\xHH, \\r, \\n, \\t, \\e (ESC) and \\\\; anything else
    after a backslash is an error, so a typo cannot send the wrong keys."""
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = text[i + 1:i + 2]
        if nxt == "x" and re.match(r"[0-9a-fA-F]{2}$", text[i + 2:i + 4]):
            out.append(chr(int(text[i + 2:i + 4], 16)))
            i += 4
        elif nxt in _RAW_ESCAPES and nxt:
            out.append(_RAW_ESCAPES[nxt])
            i += 2
        else:
            raise UsageError("%s: sendraw: bad escape %r (use \\xHH, \\r, \\n, \\t, "
                             "\\e or \\\\)" % (where, text[i:i + 4]))
    if not out:
        raise UsageError("%s: sendraw needs text" % where)
    return RawSend("".join(out))


class Step:
    def __init__(self, kind, arg, where, pattern=None):
        self.kind = kind    # "expect" or "send"
        self.arg = arg      # regex source or text to send
        self.where = where  # "file:line" for messages
        self.pattern = pattern

    @property
    def regex(self):
        return self.pattern.regex if self.pattern else None

    def __repr__(self):
        return "%s %s" % (self.kind, self.arg)


class Expectations:
    def __init__(self):
        self.steps = []     # ordered expect/send steps
        self.never = []     # (regex source, compiled, where)
        self.exit = None    # None = not given (defaults to pass)
        self.timeout = None

    @property
    def expects(self):
        return [s for s in self.steps if s.kind == "expect"]

    def effective_exit(self):
        return EXIT_NAMES["pass"] if self.exit is None else self.exit


_REF_RE = re.compile(r"\$\{(\w+)\}")


def host_year_regex(now=None):
    """The host's UTC year as a regex, for a guest clock read from the RTC
    (QEMU's RTC starts at the host's UTC time): within a day of New Year
    either year is accepted, since the guest reads its clock a little
    after the runner started and may sit in another time zone's idea of
    the day; e.g. "2025", or "(?:2025|2026)" on 31 December."""
    import datetime
    t = time.time() if now is None else now
    years = []
    for delta in (-86400, 0, 86400):
        y = datetime.datetime.fromtimestamp(t + delta, datetime.timezone.utc).year
        if str(y) not in years:
            years.append(str(y))
    return years[0] if len(years) == 1 else "(?:%s)" % "|".join(years)


# Variables the runner itself provides, usable as ${name} in any expect or
# never without a capture: name -> function giving a regex (not escaped).
# A capture of the same name wins over the built-in.
BUILTIN_VARS = {
    "host_year": host_year_regex,
}


class Pattern:
    """A regex that may use ${name}: a group (?P<name>...) of the same regex
    becomes the back-reference (?P=name); any other name is filled in, escaped,
    with what an earlier expect captured, when the pattern is used."""

    def __init__(self, src, where):
        self.src, self.where = src, where
        own = set(re.findall(r"\(\?P<(\w+)>", src))
        self.refs = []

        def sub(m):
            if m.group(1) in own:
                return "(?P=%s)" % m.group(1)
            self.refs.append(m.group(1))
            return m.group(0)
        self.prepared = _REF_RE.sub(sub, src)
        probe = _REF_RE.sub("(?:x)", self.prepared) if self.refs else self.prepared
        try:
            rx = re.compile(probe)
        except re.error as e:
            raise UsageError("%s: bad regex %r: %s" % (where, src, e))
        self.regex = None if self.refs else rx
        self.names = set(rx.groupindex)

    def resolve(self, captures):
        """Compiled regex for these captures (and the built-in variables),
        or None if a name is missing."""
        if self.regex is not None:
            return self.regex
        if any(r not in captures and r not in BUILTIN_VARS for r in self.refs):
            return None

        def value(m):
            name = m.group(1)
            if name in captures:
                return re.escape(captures[name])
            return BUILTIN_VARS[name]()
        return re.compile(_REF_RE.sub(value, self.prepared))

    @property
    def pattern(self):
        return self.src


def _compile(src, where):
    return Pattern(src, where)


def check_refs(exp):
    """Every ${name} outside its own regex must be captured by an earlier expect
    (for never: by any expect)."""
    seen = set(BUILTIN_VARS)
    for step in exp.steps:
        if step.kind != "expect":
            continue
        for r in step.pattern.refs:
            if r not in seen:
                raise UsageError("%s: ${%s} is not captured by an earlier expect"
                                 % (step.where, r))
        seen |= step.pattern.names
    for src, pat, where in exp.never:
        for r in pat.refs:
            if r not in seen:
                raise UsageError("%s: ${%s} is not captured by any expect" % (where, r))


def parse_expectations(text, name="<expectations>", into=None):
    """Parse an expectations file's text. Raises UsageError."""
    exp = into if into is not None else Expectations()
    for n, line in enumerate(text.splitlines(), 1):
        where = "%s:%d" % (name, n)
        line = line.rstrip("\r\n")
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        m = re.match(r"\s*(\S+)(?:\s(.*))?$", line)
        key, rest = m.group(1), (m.group(2) or "")
        if key == "send":
            # Text is literal; only the one separating space is removed.
            exp.steps.append(Step("send", rest, where))
            continue
        if key == "sendraw":
            # Keys as typed (control characters by escape), no \r added.
            exp.steps.append(Step("send", decode_raw(rest, where), where))
            continue
        rest = rest.strip()
        if key == "expect":
            if not rest:
                raise UsageError("%s: expect needs a regex" % where)
            exp.steps.append(Step("expect", rest, where, _compile(rest, where)))
        elif key == "never":
            if not rest:
                raise UsageError("%s: never needs a regex" % where)
            exp.never.append((rest, _compile(rest, where), where))
        elif key == "exit":
            if not rest:
                raise UsageError("%s: exit needs a status" % where)
            try:
                exp.exit = parse_exit(rest)
            except UsageError as e:
                raise UsageError("%s: %s" % (where, e))
        elif key == "timeout":
            try:
                exp.timeout = float(rest)
            except ValueError:
                raise UsageError("%s: bad timeout %r" % (where, rest))
            if exp.timeout <= 0:
                raise UsageError("%s: timeout must be positive" % where)
        else:
            raise UsageError("%s: unknown directive %r (want expect, never, send, sendraw, exit, "
                             "timeout)" % (where, key))
    if into is None:
        check_refs(exp)
    return exp


class Matcher:
    """Streams lines through the ordered expect/send steps.

    feed(index, text) is called for every line (and possibly earlier for an
    idle partial line with the same index).  Each line can satisfy at most one
    expect; the next expect only looks at later lines.  Returns the texts to
    send now (sends that follow a just-matched expect).
    """

    def __init__(self, exp):
        self.exp = exp
        self.pos = 0
        self.consumed = -1      # index of the last line an expect matched
        self.matched = []       # (step, line index, elapsed or None)
        self.sent = []
        self.captures = {}      # named groups captured by matched expects

    def start(self):
        """Sends due before any expect (leading send lines)."""
        return self._due_sends()

    def _due_sends(self):
        out = []
        while self.pos < len(self.exp.steps) and self.exp.steps[self.pos].kind == "send":
            out.append(self.exp.steps[self.pos].arg)
            self.pos += 1
        self.sent.extend(out)
        return out

    def done(self):
        return self.pos >= len(self.exp.steps)

    def pending(self):
        return None if self.done() else self.exp.steps[self.pos]

    def feed(self, index, text, elapsed=None):
        if index <= self.consumed or self.done():
            return []
        step = self.exp.steps[self.pos]
        rx = step.pattern.resolve(self.captures) if step.kind == "expect" else None
        m = rx.search(text) if rx is not None else None
        if m:
            self.captures.update({k: v for k, v in m.groupdict().items() if v is not None})
            self.matched.append((step, index, elapsed))
            self.consumed = index
            self.pos += 1
            return self._due_sends()
        return []


def find_never(exp, lines, captures=None):
    """First (line index, regex source, where) of a forbidden line, or None."""
    nevers = [(src, pat.resolve(captures or {}), where) for src, pat, where in exp.never]
    for i, line in enumerate(lines):
        for src, rx, where in nevers:
            if rx is not None and rx.search(line):
                return (i, src, where)
    return None


def find_print_match(rx, lines):
    """First group (or whole match) of the first matching line, or None."""
    for line in lines:
        m = rx.search(line)
        if m:
            return m.group(1) if m.groups() else m.group(0)
    return None


def exit_ok(expected, status):
    if expected == EXIT_ANY:
        return status is not None
    if expected == EXIT_NONE:
        return True
    return status == expected


def judge(exp, matcher, lines, status, timed_out, stopped_early, print_rx=None):
    """Return (reasons, print_value). Empty reasons = pass."""
    reasons = []
    if not matcher.done():
        step = matcher.pending()
        n = sum(1 for s in exp.steps[:matcher.pos + 1] if s.kind == "expect")
        after = ("after line %d" % (matcher.consumed + 1)) if matcher.consumed >= 0 \
            else "from the start"
        reasons.append("expectation %d not met: expect /%s/ (%s), searched %s"
                       % (n, step.arg, step.where, after))
    bad = find_never(exp, lines, matcher.captures)
    if bad is not None:
        i, src, where = bad
        reasons.append("forbidden line %d matched never /%s/ (%s): %s"
                       % (i + 1, src, where, lines[i]))
    if timed_out:
        reasons.append("timeout: QEMU killed")
    expected = exp.effective_exit()
    if not timed_out and not stopped_early and not exit_ok(expected, status):
        reasons.append("wrong exit status: got %s, expected %s"
                       % (describe_status(status), exit_label(expected)))
    value = None
    if print_rx is not None:
        value = find_print_match(print_rx, lines)
        if value is None:
            reasons.append("no line matched --print-match /%s/" % print_rx.pattern)
    return reasons, value


# ---------------------------------------------------------------- command line

def build_qemu_cmd(args, vars_path, interactive):
    cmd = [args.qemu,
           "-machine", "q35",
           "-cpu", "max",
           "-m", args.memory,
           "-smp", "1",
           "-display", "none",
           "-no-reboot"]
    if interactive:
        # mon:stdio multiplexes the monitor: Ctrl-A X quits, Ctrl-A C = monitor.
        cmd += ["-serial", "mon:stdio"]
    else:
        cmd += ["-serial", "stdio", "-monitor", "none"]
    cmd += ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=%s" % args.ovmf_code,
            "-drive", "if=pflash,format=raw,unit=1,file=%s" % vars_path,
            # snapshot=on: writes go to a temporary overlay, the image is untouched.
            "-drive", "format=raw,file=%s,snapshot=on" % args.image,
            "-device", "isa-debug-exit,iobase=%s,iosize=0x04" % DEBUG_EXIT_PORT]
    if not args.net:
        cmd += ["-nic", "none"]  # no iPXE detour in the boot order
    if args.icount:
        cmd += ["-icount", "shift=0,align=off,sleep=off"]
    if args.gdb:
        cmd += ["-s", "-S"]
    cmd += args.qemu_arg
    return cmd


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="run.py",
        description="Boot a capOS disk image under QEMU + OVMF; in test mode match the "
                    "serial transcript against expectations (exit 0 pass, 1 fail, 2 usage).")
    p.add_argument("image", help="raw disk image to boot (never modified)")
    p.add_argument("--expect", metavar="FILE", help="expectations file (test mode)")
    p.add_argument("--expect-line", metavar="REGEX", action="append", default=[],
                   help="an extra `expect REGEX` step after the file's steps (repeatable)")
    p.add_argument("--never", metavar="REGEX", action="append", default=[],
                   help="an extra `never REGEX` (repeatable)")
    p.add_argument("--exit", metavar="STATUS", dest="exit_status",
                   help="expected exit: pass, panic, loader-error, any, none or a number "
                        "(overrides the file)")
    p.add_argument("--print-match", metavar="REGEX",
                   help="print the first group of the first matching serial line to stdout")
    p.add_argument("--timeout", type=float, metavar="SECONDS",
                   help="kill QEMU after this long (default: the file's `timeout`, else %g)"
                        % DEFAULT_TIMEOUT)
    p.add_argument("--log", metavar="FILE", help="save the cleaned serial transcript here")
    p.add_argument("--raw-log", metavar="FILE", help="save the raw serial bytes here")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="print the transcript and match times on success too")
    p.add_argument("--echo", action="store_true",
                   help="echo serial lines to stderr as they arrive")
    p.add_argument("--interactive", "-i", action="store_true",
                   help="serial console on this terminal (exec QEMU; Ctrl-A X quits)")
    p.add_argument("--gdb", action="store_true",
                   help="add -s -S (gdbstub on tcp::1234, CPU halted); disables the timeout")
    p.add_argument("--kernel", default=DEFAULT_KERNEL, metavar="ELF",
                   help="kernel ELF named in the gdb hint (default %s)" % DEFAULT_KERNEL)
    p.add_argument("--icount", action="store_true",
                   help="add -icount shift=0,align=off,sleep=off (1 insn = 1 ns; rdtsc "
                        "counts instructions)")
    p.add_argument("--memory", "-m", default="256M", help="guest memory (default 256M)")
    p.add_argument("--net", action="store_true",
                   help="keep QEMU's default NIC (default: -nic none)")
    p.add_argument("--qemu", default="qemu-system-x86_64", metavar="PATH",
                   help="QEMU binary (default qemu-system-x86_64)")
    p.add_argument("--qemu-arg", action="append", default=[], metavar="ARG",
                   help="extra QEMU argument (repeatable; use --qemu-arg=-foo for dashes)")
    p.add_argument("--ovmf-code", default=DEFAULT_OVMF_CODE, metavar="FILE")
    p.add_argument("--ovmf-vars", default=DEFAULT_OVMF_VARS, metavar="FILE",
                   help="template; each run boots a fresh copy")
    p.add_argument("--dry-run", action="store_true",
                   help="print the QEMU command line and exit")
    return p.parse_args(argv)


def eprint(*a):
    print(*a, file=sys.stderr, flush=True)


def check_setup(args):
    for what, path in (("image", args.image), ("OVMF code", args.ovmf_code),
                       ("OVMF vars", args.ovmf_vars)):
        if not os.path.isfile(path):
            raise UsageError("%s not found: %s" % (what, path))
    if shutil.which(args.qemu) is None:
        raise UsageError("QEMU not found: %s" % args.qemu)


def gdb_hint(args):
    eprint("capOS: QEMU halted for gdb (tcp::1234); attach with:\n"
           "  gdb %s -ex 'target remote :1234'" % args.kernel)


# ---------------------------------------------------------------- interactive

def run_interactive(args):
    # exec leaves nobody to delete a temp copy of the vars: copy it, keep an
    # inherited descriptor, unlink it and hand QEMU /proc/self/fd/N.
    tmpdir = tempfile.mkdtemp(prefix="capos-qemu-")
    vars_path = os.path.join(tmpdir, "OVMF_VARS.fd")
    shutil.copyfile(args.ovmf_vars, vars_path)
    fd = os.open(vars_path, os.O_RDWR)
    os.set_inheritable(fd, True)
    if os.path.isdir("/proc/self/fd"):
        os.unlink(vars_path)
        os.rmdir(tmpdir)
        vars_arg = "/proc/self/fd/%d" % fd
    else:
        vars_arg = vars_path
    cmd = build_qemu_cmd(args, vars_arg, interactive=True)
    if args.dry_run:
        print(" ".join(cmd))
        return EXIT_PASS
    if args.gdb:
        gdb_hint(args)
    eprint("capOS: serial console; Ctrl-A X quits QEMU")
    os.execvp(cmd[0], cmd)


# ---------------------------------------------------------------- test mode

class Run:
    """One QEMU run in test mode."""

    def __init__(self, args, exp, timeout, print_rx):
        self.args = args
        self.exp = exp
        self.timeout = timeout
        self.print_rx = print_rx
        self.lines = LineAssembler()
        self.matcher = Matcher(exp)
        self.qemu_err = bytearray()
        self.status = None
        self.timed_out = False
        self.stopped_early = False
        self.elapsed = 0.0
        self.t0 = None
        self.print_seen = print_rx is None

    def _send(self, proc, texts):
        for t in texts:
            if self.args.verbose:
                eprint("capOS runner: send %r at %.1f s" % (t, time.monotonic() - self.t0))
            try:
                # sendraw: each character one byte (\xHH); send: UTF-8 + \r.
                data = t.encode("latin-1") if isinstance(t, RawSend) else (t + "\r").encode()
                proc.stdin.write(data)
                proc.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                pass

    def _feed_lines(self, proc, done):
        now = time.monotonic() - self.t0
        for idx, text in done:
            if self.args.echo:
                eprint("serial| %s" % text)
            if not self.print_seen and self.print_rx.search(text):
                self.print_seen = True
            self._send(proc, self.matcher.feed(idx, text, now))

    def _kill(self, proc):
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()

    def execute(self, cmd):
        self.t0 = time.monotonic()
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, start_new_session=True)
        except OSError as e:
            raise UsageError("cannot start %s: %s" % (cmd[0], e))
        deadline = None if self.timeout is None else self.t0 + self.timeout
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ, "out")
        sel.register(proc.stderr, selectors.EVENT_READ, "err")
        open_streams = 2
        last_data = time.monotonic()
        partial_tried = None
        want_exit = self.exp.effective_exit() != EXIT_NONE
        try:
            self._send(proc, self.matcher.start())
            while open_streams:
                now = time.monotonic()
                if deadline is not None and now >= deadline:
                    self.timed_out = True
                    break
                if not want_exit and self.matcher.done() and self.print_seen:
                    self.stopped_early = True
                    break
                wait = 0.1
                if deadline is not None:
                    wait = min(wait, max(0.0, deadline - now))
                for key, _ in sel.select(wait):
                    data = os.read(key.fileobj.fileno(), 65536)
                    if not data:
                        sel.unregister(key.fileobj)
                        open_streams -= 1
                        continue
                    if key.data == "err":
                        self.qemu_err += data
                        continue
                    last_data = time.monotonic()
                    self._feed_lines(proc, self.lines.feed(data))
                # An idle unfinished line (a prompt) may satisfy an expect.
                p = self.lines.partial()
                if p is not None and p != partial_tried and \
                        time.monotonic() - last_data >= PARTIAL_LINE_QUIET:
                    partial_tried = p
                    self._send(proc, self.matcher.feed(p[0], p[1],
                                                       time.monotonic() - self.t0))
            if self.timed_out or self.stopped_early:
                self._kill(proc)
            else:
                # Output closed: QEMU is exiting.
                remaining = 10.0 if deadline is None else max(1.0, deadline - time.monotonic())
                try:
                    proc.wait(timeout=remaining)
                except subprocess.TimeoutExpired:
                    self.timed_out = True
                    self._kill(proc)
            if not self.timed_out and not self.stopped_early:
                self.status = proc.returncode
        except BaseException:
            self._kill(proc)
            raise
        finally:
            sel.close()
            for f in (proc.stdin, proc.stdout, proc.stderr):
                try:
                    f.close()
                except OSError:
                    pass
        self.elapsed = time.monotonic() - self.t0
        self._feed_lines(proc, self.lines.finish())
        return self.status


def print_transcript(lines):
    eprint("--- serial transcript (%d lines) ---" % len(lines))
    for i, line in enumerate(lines, 1):
        eprint("%5d| %s" % (i, line))
    eprint("--- end of transcript ---")


def run_test(args, exp, timeout, print_rx):
    tmpdir = tempfile.mkdtemp(prefix="capos-qemu-")
    try:
        vars_path = os.path.join(tmpdir, "OVMF_VARS.fd")
        shutil.copyfile(args.ovmf_vars, vars_path)
        cmd = build_qemu_cmd(args, vars_path, interactive=False)
        if args.dry_run:
            print(" ".join(cmd))
            return EXIT_PASS
        if args.gdb:
            gdb_hint(args)
        if args.verbose:
            eprint("capOS runner: %s" % " ".join(cmd))
        run = Run(args, exp, timeout, print_rx)
        run.execute(cmd)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)

    lines = run.lines.lines
    if args.log:
        with open(args.log, "w") as f:
            f.write("".join(l + "\n" for l in lines))
    if args.raw_log:
        with open(args.raw_log, "wb") as f:
            f.write(bytes(run.lines.raw))

    reasons, value = judge(exp, run.matcher, lines, run.status, run.timed_out,
                           run.stopped_early, print_rx)
    failed = bool(reasons)
    if failed or args.verbose:
        print_transcript(lines)
        err = run.qemu_err.decode("utf-8", "replace").strip()
        if err:
            eprint("--- QEMU stderr ---\n%s\n--- end of QEMU stderr ---" % err)
    if args.verbose:
        for step, idx, t in run.matcher.matched:
            eprint("capOS runner: expect /%s/ matched line %d at %.1f s"
                   % (step.arg, idx + 1, t if t is not None else run.elapsed))
    if failed and not run.matcher.done():
        tail = lines[-LAST_LINES:]
        eprint("--- last %d lines seen ---" % len(tail))
        for l in tail:
            eprint("  %s" % l)
    if run.timed_out:
        status_text = "none, killed after %.1f s timeout" % timeout
    elif run.stopped_early:
        status_text = "none, stopped after the last expectation (exit none)"
    else:
        status_text = describe_status(run.status)
    eprint("capOS runner: QEMU exit status: %s; %d serial lines; %.1f s"
           % (status_text, len(lines), run.elapsed))
    if value is not None:
        print(value, flush=True)
    if failed:
        for r in reasons:
            eprint("capOS runner: FAIL: %s" % r)
        return EXIT_FAIL
    eprint("capOS runner: PASS (%d expectations)" % len(exp.expects))
    return EXIT_PASS


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        check_setup(args)
        if args.interactive:
            return run_interactive(args)
        exp = Expectations()
        if args.expect:
            try:
                with open(args.expect) as f:
                    text = f.read()
            except OSError as e:
                raise UsageError("cannot read expectations file: %s" % e)
            parse_expectations(text, args.expect, into=exp)
        for i, rx in enumerate(args.expect_line, 1):
            where = "--expect-line #%d" % i
            exp.steps.append(Step("expect", rx, where, _compile(rx, where)))
        for i, rx in enumerate(args.never, 1):
            where = "--never #%d" % i
            exp.never.append((rx, _compile(rx, where), where))
        if args.exit_status is not None:
            exp.exit = parse_exit(args.exit_status)
        check_refs(exp)
        print_rx = None
        if args.print_match:
            pat = _compile(args.print_match, "--print-match")
            if pat.refs:
                raise UsageError("--print-match cannot use ${name}")
            print_rx = pat.regex
        if args.gdb:
            timeout = None
        elif args.timeout is not None:
            if args.timeout <= 0:
                raise UsageError("--timeout must be positive")
            timeout = args.timeout
        elif exp.timeout is not None:
            timeout = exp.timeout
        else:
            timeout = DEFAULT_TIMEOUT
        return run_test(args, exp, timeout, print_rx)
    except UsageError as e:
        eprint("capOS runner: error: %s" % e)
        return EXIT_USAGE
    except KeyboardInterrupt:
        eprint("capOS runner: interrupted")
        return EXIT_FAIL


if __name__ == "__main__":
    sys.exit(main())
