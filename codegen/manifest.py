#!/usr/bin/python3
"""manifest.py - validate a capOS system manifest and build its boot package.

    manifest.py validate MANIFEST [--descriptor-set DESC] [--options OPTS]
                         [--binary NAME=PATH ...]
    manifest.py build MANIFEST --out MANIFEST.bin [--pkg BOOT.pkg --init PATH]
                      [--descriptor-set DESC] [--options OPTS]
                      [--binary NAME=PATH ...]
    manifest.py emit-c --header H --source C [--descriptor-set DESC]

MANIFEST is protobuf text format of capos.System (idl/manifest.proto). The
schema is read from DESC, a FileDescriptorSet with every idl file (the
build's gen/capos_idl/capos_idl.desc); without --descriptor-set, protoc is
run on idl/ into a temporary file. OPTS is idl/manifest.options (the
default): the nanopb bounds init decodes with, checked here too.

Every problem is reported as `file:line: sentence` (parse errors as
`file:line:column: sentence`) on stderr, all of them, sorted by line; then
the exit status is 1, nothing is written and `build` removes --out and
--pkg left by an earlier run. With --rules each problem ends in its rule
code (` [rule]`, RULES below), the one init's checker answers with. `build` writes the
deterministic binary encoding to --out and, with --pkg, a boot package
(codegen/mkpkg.py) holding `init` (the --init ELF), `manifest` and each
distinct binary the manifest names, once. The rules are in docs/manifest.md.
`emit-c` writes those rules as C for init (codegen/manifest_c.py).

Exit status: 0 valid (and written), 1 invalid manifest or unusable input,
2 usage.
"""
import argparse
import os
import re
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

try:
    from google.protobuf import descriptor_pb2, descriptor_pool
    from google.protobuf import message_factory, text_format
except ImportError:  # pragma: no cover
    sys.stderr.write("manifest.py: python3-protobuf is missing; run it with "
                     "/usr/bin/python3 (Debian's, which has it)\n")
    sys.exit(1)

import mkpkg  # noqa: E402

PAGE = 4096
# The rules (docs/manifest.md, "Validation"). init checks the same ones with
# the same values: `manifest.py emit-c` writes them, this rights table and
# the rule codes below into a C header and source for init's checker
# (servers/init/manifest_check.c), so nothing here is copied by hand.
PRIORITY_MIN, PRIORITY_MAX = 1, 254     # 255 is init's
TIME_SLICE_MAX_US = 100000  # CAPOS_MAX_TIME_SLICE_US (init asserts they agree)
RUNTIME_SLOTS = 3        # slots the runtime/spawn needs beyond the grants: ready, ready.bell, stop
STACK_PAGES = 16         # CAPOS_USER_STACK_PAGES (init asserts they agree)
RUNTIME_PAGES = 8        # TLS, startup page, IPC buffer, page tables, heap seed
IRQ_MAX = 15             # ISA IRQs 0-15
PORT_END = 0x10000       # ports 0-0xffff
INTERFACE_MAX = 0xFFFF   # interface ids are 16 bits (docs/idl.md)
INTERFACE_RESERVED_END = 0x100   # 0x0001-0x00FF are reserved
INTERFACE_PRIVATE_BASE = 0xF100  # 0xF100-0xFFFF: experiments, need no IDL
LOCAL_NAME_MAX = 23      # Grant/Serve/Watch.name max_size 24, less the NUL
IRQ_ACK_SUFFIX = "_ack"  # init names an IRQ grant's handler <name>_ack
IRQ_NAME_MAX = LOCAL_NAME_MAX - len(IRQ_ACK_SUFFIX)
RESERVED_PKG_NAMES = ("init", "manifest")
RESERVED_LOCAL_NAME = "ready"  # init's readiness cap in every component
_DIGITS = "0123456789"
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_LETTERS = _LOWER.upper() + _LOWER
NAME_CHARS = _LETTERS + _DIGITS + "_-"
BINARY_CHARS = _LETTERS + _DIGITS + "_.+-"
HOSTNAME_CHARS = _LETTERS + _DIGITS + ".-"
PARAM_KEY_CHARS = _LOWER + _DIGITS + "_."
PARAM_KEY_MAX = 31


def _charset_re(chars, count="+"):
    return re.compile("^[" + re.escape(chars) + "]" + count + "$")


NAME_RE = _charset_re(NAME_CHARS)
BINARY_RE = _charset_re(BINARY_CHARS)
HOSTNAME_RE = _charset_re(HOSTNAME_CHARS)
PARAM_KEY_RE = _charset_re(PARAM_KEY_CHARS, "{1,%d}" % PARAM_KEY_MAX)
# Set by init for every component (docs/runtime.md): a manifest may not
# override them per component.
RESERVED_PARAMS = ("hostname", "log_level", "log_ring_records", "seed_utc_seconds")
RESERVED_PARAM_PREFIX = "badge."

# The authority broker's policy (BrokerPolicy, servers/broker,
# docs/servers/broker.md). Grant names are a closed set; an anonymous
# session may only ever get those in BROKER_ANONYMOUS_GRANTS, and
# "maintenance" only a maintenance principal.
BROKER_GRANTS = ("shutdown", "maintenance", "log-reader", "process-control")
BROKER_ANONYMOUS_GRANTS = ("log-reader",)
BROKER_MAINTENANCE_GRANT = "maintenance"
PRINCIPAL_CHARS = _LOWER + _DIGITS + "_-"
PRINCIPAL_MAX = 31
# init hands the policy over as base64 in the broker's startup page
# (servers/init/policy.c): bound the encoding so it fits beside the rest.
BROKER_POLICY_MAX = 1100
# Argon2id verifiers as capos-passwd writes them; one lane (the broker
# runs no threads), and salt and hash long enough to mean something.
ARGON2_SALT_MIN = 8
ARGON2_HASH_MIN = 16
ARGON2_M_MIN = 8         # KiB (libargon2's minimum for one lane)
ARGON2_M_MAX = 65536     # KiB: the broker's heap must hold it
ARGON2_T_MAX = 64
P256_KEY_LEN = 65        # uncompressed SEC1: 0x04 || X || Y
# Numbers beyond what the system can honour (docs/manifest.md, "Bounds").
LOG_RING_MAX = 256           # the log server's largest ring (LOG_RING_MAX)
# A profile may not allow more pages than the machine has: 256 MiB, the
# RAM qemu/run.py gives every guest (--memory 256M). A bigger machine needs
# a bigger bound here, not a profile beyond it.
PROFILE_PAGES_MAX = 65536
# Quotas nest (docs/kernel.md "Quotas"): init, a root task, has
# CAPOS_ROOT_MAX_PAGES (init asserts they agree) and every process it
# creates reserves its whole max_pages from them. INIT_OWN_PAGES is what
# init keeps for itself: its image, stack, heap and tables, and the
# objects it makes for the components (their process objects, endpoints,
# notifications).
INIT_PAGES = 16384
INIT_OWN_PAGES = 1024
SEED_MAX = 253402300799      # 9999-12-31 23:59:59 UTC: the last four-digit year
# A host name: dot-separated labels (RFC 1123), each 1-63 letters, digits
# and '-', neither starting nor ending with '-'; one final '.' is allowed.
HOSTNAME_LABEL_MAX = 63
# A principal (the broker's principals and maintenance_principals alike):
# 1-31 of PRINCIPAL_CHARS, the first not '-'; each listed once.
PRINCIPAL_FIRST_CHARS = _LOWER + _DIGITS + "_"

# I/O ports the kernel or the platform keeps (first, last, what): no
# component gets them, except that the component running SHUTDOWN_BINARY
# may hold SHUTDOWN_PORTS (the power and reset registers are its job).
RESERVED_PORTS = (
    (0x20, 0x21, "the master PIC"),
    (0x40, 0x43, "the PIT"),
    (0xA0, 0xA1, "the slave PIC"),
    (0xF4, 0xF7, "QEMU's debug-exit device (qemu/run.py)"),
    (0x600, 0x67F, "the ACPI PM registers (q35 PMBASE 0x600: PM1 control, "
                   "the PM timer)"),
    (0xCF9, 0xCF9, "the reset control register"),
)
SHUTDOWN_BINARY = "shutdown"
SHUTDOWN_PORTS = (
    (0x604, 0x605, "ACPI PM1a control"),
    (0xCF9, 0xCF9, "reset control"),
)

# What a grant may ask, per source (GrantRight names without the prefix),
# and what an empty `rights` means. RECV on an endpoint belongs to its
# server (given by `serves`), never to a grant. Every KernelResource but
# NONE must have a row (emit-c refuses a schema with one missing).
RIGHTS_TABLE = {
    "endpoint": (("SEND", "GRANT"), ("SEND",)),
    "KERNEL_RESOURCE_IOPORT": (("READ", "WRITE"), ("READ", "WRITE")),
    "KERNEL_RESOURCE_IRQ": (("SEND", "RECV"), ("RECV",)),
    "KERNEL_RESOURCE_KERNEL_INFO": (("READ",), ("READ",)),
    "KERNEL_RESOURCE_SPAWNER": (("SEND", "GRANT"), ("SEND",)),
    "KERNEL_RESOURCE_CAP_MANAGER": (("READ", "WRITE", "GRANT", "CONTROL"),
                                    ("READ", "WRITE", "GRANT", "CONTROL")),
    "KERNEL_RESOURCE_PROCESS_CONTROL": (("READ", "CONTROL"), ("READ",)),
    "KERNEL_RESOURCE_THREAD": (("CONTROL",), ("CONTROL",)),
    "KERNEL_RESOURCE_NOTIFICATION": (("SEND", "RECV"), ("SEND", "RECV")),
    # Its own Process: READ is Info, WRITE is MapAnon/Unmap/CreateThread
    # (within its profile); CONTROL (caps into itself, supervisor, memory
    # writes, kill) stays init's.
    "KERNEL_RESOURCE_SELF": (("READ", "WRITE"), ("READ", "WRITE")),
}
SOURCE_WORDS = {
    "endpoint": "an endpoint grant",
    "KERNEL_RESOURCE_IOPORT": "an IOPORT grant",
    "KERNEL_RESOURCE_IRQ": "an IRQ grant (its notification)",
    "KERNEL_RESOURCE_KERNEL_INFO": "a KERNEL_INFO grant",
    "KERNEL_RESOURCE_SPAWNER": "a SPAWNER grant",
    "KERNEL_RESOURCE_CAP_MANAGER": "a CAP_MANAGER grant",
    "KERNEL_RESOURCE_PROCESS_CONTROL": "a PROCESS_CONTROL grant",
    "KERNEL_RESOURCE_THREAD": "a THREAD grant",
    "KERNEL_RESOURCE_NOTIFICATION": "a NOTIFICATION grant",
    "KERNEL_RESOURCE_SELF": "a SELF grant (its own process)",
}

# Every problem carries one of these rule codes (`validate --rules` prints
# it); init's checker answers with the same codes (manifest_rules.h), and
# tests/manifest/check_init.py holds the two to each other.
RULES = (
    ("parse", "not protobuf text of capos.System (never reaches init)"),
    ("bounds", "a string or list beyond its nanopb bound (init cannot decode it)"),
    ("enum", "a number that is no value of its enum"),
    ("hostname", "hostname characters or labels"),
    ("seed", "a negative seed_utc_seconds, or one after the year 9999"),
    ("principal", "an empty, malformed or repeated maintenance principal"),
    ("no_components", "no components"),
    ("name", "a missing or malformed name"),
    ("duplicate", "a profile or component defined twice"),
    ("reserved_name", "a local name init keeps for itself"),
    ("irq_name", "an IRQ grant name with no room for its handler's suffix"),
    ("local_name", "a local name used twice in one component"),
    ("profile_limits", "a profile without usable limits"),
    ("binary", "a missing, malformed, reserved or unknown program"),
    ("priority", "a priority outside the components' range"),
    ("max_restarts", "max_restarts without a restart policy"),
    ("interface_id", "a reserved, too wide or undeclared interface id"),
    ("endpoint_ref", "a reference to an endpoint nobody serves"),
    ("grant_kind", "a grant of both or neither an endpoint and a kernel resource"),
    ("grant_field", "a field another kind of grant takes"),
    ("ioport_range", "an empty or out-of-range I/O port range"),
    ("irq_range", "an IRQ line outside 0-15"),
    ("rights", "more rights than the grant's source carries (an escalation)"),
    ("rights_list", "NONE or a repeated right in a rights list"),
    ("watch", "a watch of its own endpoint, or with no bits"),
    ("param", "a malformed, reserved or repeated param"),
    ("profile_ref", "no profile, or one that is not defined"),
    ("profile_too_small", "a profile too small for the component"),
    ("cycle", "a dependency cycle between components"),
    ("input", "an endpoint's input granted to more than one component"),
    ("time_slice", "a time slice above CAPOS_MAX_TIME_SLICE_US"),
    ("broker_policy", "a broker policy that does not add up: principals, verifiers, "
     "keys, grants, back-off"),
    ("ioport_shared", "the same I/O port granted to two components"),
    ("ioport_reserved", "a port the kernel or the platform keeps"),
    ("irq_shared", "the same IRQ line granted twice"),
    ("ring_size", "a ring larger than its server holds"),
    ("profile_pages", "a profile allowing more pages than the machine has"),
    ("init_pages", "components whose pages do not fit in init's quota"),
)
RULE_NAMES = tuple(r for r, _ in RULES)


class UsageError(Exception):
    pass


# ---------------------------------------------------------------- broker

_B64_RE = re.compile(r"^[A-Za-z0-9+/]+$")
_ARGON2_RE = re.compile(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([^$]*)\$([^$]*)$")


def _b64_len(text):
    """Bytes an unpadded base64 text decodes to, or None if it is not one."""
    if not _B64_RE.match(text) or len(text) % 4 == 1:
        return None
    return len(text) * 3 // 4


def argon2_verifier_problem(v):
    """None for a well-formed Argon2id verifier as capos-passwd writes it,
    else why not."""
    m = _ARGON2_RE.match(v)
    if not m:
        return "not of the form $argon2id$v=19$m=M,t=T,p=1$SALT$HASH"
    mem, t, p = int(m.group(1)), int(m.group(2)), int(m.group(3))
    salt, digest = _b64_len(m.group(4)), _b64_len(m.group(5))
    if p != 1:
        return f"p={p}; the broker runs one lane (p=1)"
    if not ARGON2_M_MIN <= mem <= ARGON2_M_MAX:
        return f"m={mem} KiB is outside {ARGON2_M_MIN}-{ARGON2_M_MAX}"
    if not 1 <= t <= ARGON2_T_MAX:
        return f"t={t} is outside 1-{ARGON2_T_MAX}"
    if salt is None or digest is None:
        return "salt or hash is not unpadded base64"
    if salt < ARGON2_SALT_MIN:
        return f"a {salt}-byte salt is shorter than {ARGON2_SALT_MIN}"
    if digest < ARGON2_HASH_MIN:
        return f"a {digest}-byte hash is shorter than {ARGON2_HASH_MIN}"
    return None


# NIST P-256 (SEC 2 secp256r1): y^2 = x^3 - 3x + b over GF(p).
P256_P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff
P256_B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b


def p256_key_problem(key):
    """None for an uncompressed SEC1 point on P-256, else why not."""
    if len(key) != P256_KEY_LEN or key[0] != 4:
        return (f"is {len(key)} bytes; want {P256_KEY_LEN}: 0x04, then X and Y "
                "(uncompressed SEC1)")
    x = int.from_bytes(key[1:33], "big")
    y = int.from_bytes(key[33:], "big")
    if x >= P256_P or y >= P256_P:
        return "has a coordinate beyond the field"
    if (y * y - (x * x * x - 3 * x + P256_B)) % P256_P:
        return "is not a point on the P-256 curve"
    return None


def hostname_labels_ok(h):
    """RFC 1123 labels (the characters are checked apart)."""
    labels = h[:-1].split(".") if h.endswith(".") else h.split(".")
    return all(0 < len(x) <= HOSTNAME_LABEL_MAX and x[0] != "-" and x[-1] != "-"
               for x in labels)


def principal_ok(p):
    return (0 < len(p) <= PRINCIPAL_MAX and p[0] in PRINCIPAL_FIRST_CHARS
            and all(ch in PRINCIPAL_CHARS for ch in p))


# ---------------------------------------------------------------- schema

def load_pool(desc_path):
    fds = descriptor_pb2.FileDescriptorSet()
    try:
        with open(desc_path, "rb") as f:
            fds.ParseFromString(f.read())
    except OSError as e:
        raise UsageError(f"cannot read descriptor set {desc_path}: {e.strerror}")
    except Exception:
        raise UsageError(f"{desc_path} is not a FileDescriptorSet")
    pool = descriptor_pool.DescriptorPool()
    for fd in fds.file:
        pool.Add(fd)
    return pool, fds


def compile_descriptor_set():
    """No --descriptor-set: run protoc over every file of idl/."""
    idl = os.path.join(ROOT, "idl")
    fd, out = tempfile.mkstemp(prefix="manifest-", suffix=".desc")
    os.close(fd)
    cmd = ["protoc", f"--descriptor_set_out={out}", "--include_imports",
           "-I", idl, "-I", "/usr/lib/python3/dist-packages/proto",
           ] + sorted(os.path.relpath(os.path.join(d, f), idl)
                      for d, _, fs in os.walk(idl) for f in fs if f.endswith(".proto"))
    try:
        r = subprocess.run(cmd, cwd=idl, capture_output=True, text=True)
    except FileNotFoundError:
        os.unlink(out)
        raise UsageError("protoc not found; pass --descriptor-set")
    if r.returncode != 0:
        os.unlink(out)
        raise UsageError("protoc failed on idl/:\n" + r.stderr)
    return out


def message_class(pool, full_name):
    desc = pool.FindMessageTypeByName(full_name)
    get = getattr(message_factory, "GetMessageClass", None)
    if get:
        return get(desc)
    return message_factory.MessageFactory(pool).GetPrototype(desc)


def _varints(raw, want):
    """Field `want` (varint) in serialized options bytes, else None."""
    i, n = 0, len(raw)

    def varint():
        nonlocal i
        v = s = 0
        while True:
            b = raw[i]
            i += 1
            v |= (b & 0x7F) << s
            s += 7
            if not b & 0x80:
                return v
    while i < n:
        key = varint()
        num, wt = key >> 3, key & 7
        if wt == 0:
            v = varint()
            if num == want:
                return v
        elif wt == 1:
            i += 8
        elif wt == 2:
            i += varint()
        elif wt == 5:
            i += 4
        else:
            return None
    return None


def interface_ids(fds):
    """{interface id: service full name} of every service in the set."""
    ids = {}
    for fd in fds.file:
        for sv in fd.service:
            v = _varints(sv.options.SerializeToString(), 50001)
            if v:
                ids[v] = f"{fd.package}.{sv.name}" if fd.package else sv.name
    return ids


def load_bounds(path):
    """manifest.options -> {"capos.Msg.field": {"max_size": n, "max_count": n}}."""
    bounds = {}
    try:
        with open(path) as f:
            lines = f.readlines()
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e.strerror}")
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        name, opts = parts[0], parts[1:]
        for o in opts:
            k, _, v = o.partition(":")
            if k in ("max_size", "max_count") and v.isdigit():
                bounds.setdefault(name, {})[k] = int(v)
    return bounds


# ---------------------------------------------------------------- locations

class Locations:
    """Line of every field in the text, keyed by path:
    ("components", 2, "caps", 0, "rights", 1). Built by re-tokenizing the
    text (which text_format already accepted) against the descriptor."""

    def __init__(self, text, root_desc):
        self.lines = {}
        self.tok = text_format.Tokenizer(text.splitlines())
        self._message(root_desc, (), None)

    def _message(self, desc, path, end):
        tok = self.tok
        counts = {}
        while not tok.AtEnd():
            if end and tok.TryConsume(end):
                return
            line = tok._line + 1
            if tok.TryConsume("["):  # extension / Any: skip to ]
                while not tok.TryConsume("]"):
                    tok.NextToken()
                name = None
            else:
                name = tok.ConsumeIdentifierOrNumber()
            field = desc.fields_by_name.get(name) if name else None
            if field is None and name:
                field = next((f for f in desc.fields if str(f.number) == name), None)
            key = field.name if field else name
            repeated = field is not None and field.label == field.LABEL_REPEATED
            is_msg = field is not None and field.type == field.TYPE_MESSAGE

            def at(p=path):
                nonlocal counts
                if repeated:
                    i = counts.get(key, 0)
                    counts[key] = i + 1
                    p = p + (key, i)
                else:
                    p = p + (key,)
                self.lines.setdefault(p, line)
                self.lines.setdefault(p[:-1] if repeated else p, line)
                return p

            if is_msg:
                tok.TryConsume(":")
                if tok.TryConsume("["):
                    while not tok.TryConsume("]"):
                        p = at()
                        closing = "}" if tok.TryConsume("{") else (tok.Consume("<") or ">")
                        self._message(field.message_type, p, closing)
                        tok.TryConsume(",")
                else:
                    p = at()
                    closing = "}" if tok.TryConsume("{") else (tok.Consume("<") or ">")
                    self._message(field.message_type, p, closing)
            else:
                tok.Consume(":")
                if tok.TryConsume("["):
                    while not tok.TryConsume("]"):
                        at()
                        self._value()
                        tok.TryConsume(",")
                else:
                    at()
                    self._value()
            if not tok.TryConsume(","):
                tok.TryConsume(";")

    def _value(self):
        tok = self.tok
        if tok.token.startswith(("'", '"')):
            while tok.token.startswith(("'", '"')):
                tok.NextToken()
            return
        tok.TryConsume("-")
        tok.NextToken()

    def line(self, *path):
        """Line of path, else of its nearest enclosing element."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return 1


# ---------------------------------------------------------------- ELF

def elf_load_pages(path):
    """Distinct 4 KiB pages covered by the PT_LOAD segments of an ELF64."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 64 or data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError("not a little-endian ELF64 file")
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    if phentsize < 56 or phoff + phentsize * phnum > len(data):
        raise ValueError("its program headers lie outside the file")
    pages = set()
    for i in range(phnum):
        p_type, _flags, _off, vaddr, _pa, _filesz, memsz, _al = struct.unpack_from(
            "<IIQQQQQQ", data, phoff + i * phentsize)
        if p_type != 1 or memsz == 0:
            continue
        first, last = vaddr // PAGE, (vaddr + memsz + PAGE - 1) // PAGE
        if last - first > 1 << 20:
            raise ValueError("a loadable segment is larger than 4 GiB")
        pages.update(range(first, last))
    return len(pages)


# ---------------------------------------------------------------- checks

class Problems:
    def __init__(self, filename):
        self.filename = filename
        self.items = []

    def add(self, line, text, col=None, rule=None):
        assert rule in RULE_NAMES, rule
        self.items.append((line, col or 0, text, rule))

    def report(self, out=sys.stderr, rules=False):
        """Every problem, by line; with rules, each ends in ` [rule]`."""
        for line, col, text, rule in sorted(self.items, key=lambda t: (t[0], t[1])):
            where = f"{self.filename}:{line}:{col}" if col else f"{self.filename}:{line}"
            tag = f" [{rule}]" if rules else ""
            out.write(f"{where}: {text}{tag}\n")
        return len(self.items)


def short_enum(value_name, prefix):
    return value_name[len(prefix):] if value_name.startswith(prefix) else value_name


class Checker:
    def __init__(self, msg, locs, problems, bounds, binaries, iface_ids):
        self.m = msg
        self.loc = locs
        self.p = problems
        self.bounds = bounds
        self.binaries = binaries      # {name: pages} or None (not given)
        self.iface_ids = iface_ids

    def err(self, rule, path, text):
        self.p.add(self.loc.line(*path), text, rule=rule)

    # Generic: every string/repeated bound of manifest.options, every enum
    # value known (proto3 text format accepts any number for an open enum).
    def generic(self, msg, path, what, kind=""):  # kind: what, unnamed
        d = msg.DESCRIPTOR
        for f in d.fields:
            b = self.bounds.get(f"{d.full_name}.{f.name}", {})
            val = getattr(msg, f.name)
            label = f"{what} {f.name}".strip()
            if f.label == f.LABEL_REPEATED:
                n = len(val)
                if "max_count" in b and n > b["max_count"]:
                    self.err("bounds", path + (f.name, b["max_count"]),
                             f"{label} has {n} entries; at most {b['max_count']} fit "
                             f"(idl/manifest.options)")
                items = list(enumerate(val))
            else:
                items = [(None, val)]
            for i, v in items:
                vp = path + ((f.name, i) if i is not None else (f.name,))
                if f.type == f.TYPE_STRING and "max_size" in b:
                    lim = b["max_size"] - 1  # nanopb counts the NUL
                    if len(v.encode("utf-8")) > lim:
                        # "component name 'x...'", not "component 'x...' name 'x...'"
                        lab = (f"{kind} name".strip() if f.name == "name" else label)
                        self.err("bounds", vp, f"{lab} '{v}' is longer than {lim} characters")
                elif f.type == f.TYPE_ENUM:
                    if f.enum_type.values_by_number.get(v) is None:
                        self.err("enum", vp, f"{label} has unknown value {v}; "
                                 f"{f.enum_type.name} has "
                                 + ", ".join(x.name for x in f.enum_type.values))
                elif f.type == f.TYPE_MESSAGE and (i is not None or msg.HasField(f.name)):
                    self.generic(v, vp, self.describe(v, f.name, i, what),
                                 self.describe(v, f.name, i, what, bare=True))

    def describe(self, v, field, i, outer, bare=False):
        name = "" if bare else getattr(v, "name", "")
        kind = {"components": "component", "profiles": "profile", "serves": "endpoint",
                "caps": "cap", "watches": "watch", "limits": "limits",
                "broker_policy": "broker_policy"}.get(field, field)
        if bare:
            base = kind
        elif name:
            base = f"{kind} '{name}'"
        elif i is not None:
            base = f"{kind} #{i + 1}"
        else:
            base = kind
        if outer and kind in ("endpoint", "cap", "watch"):
            return f"{outer} {base}"
        return base

    def run(self):
        m = self.m
        self.generic(m, (), "")
        if m.hostname:
            if not HOSTNAME_RE.match(m.hostname):
                self.err("hostname", ("hostname",),
                         f"hostname '{m.hostname}' may hold only letters, "
                         "digits, '-' and '.'")
            elif not hostname_labels_ok(m.hostname):
                self.err("hostname", ("hostname",),
                         f"hostname '{m.hostname}' is not a host name: dot-separated "
                         f"labels of 1-{HOSTNAME_LABEL_MAX} characters, none starting "
                         "or ending with '-'")
        if m.seed_utc_seconds < 0:
            self.err("seed", ("seed_utc_seconds",), "seed_utc_seconds is negative; 0 means "
                     "no seed, else seconds since 1970")
        elif m.seed_utc_seconds > SEED_MAX:
            self.err("seed", ("seed_utc_seconds",), f"seed_utc_seconds {m.seed_utc_seconds} "
                     f"is after the year 9999 (at most {SEED_MAX})")
        if m.log_ring_records > LOG_RING_MAX:
            self.err("ring_size", ("log_ring_records",),
                     f"log_ring_records {m.log_ring_records} is more than the log server "
                     f"holds ({LOG_RING_MAX})")
        principals = {}
        for i, pr in enumerate(m.broker_policy.maintenance_principals):
            pp = ("broker_policy", "maintenance_principals", i)
            if not pr:
                self.err("principal", pp, "broker_policy has an empty maintenance principal")
            elif not principal_ok(pr):
                self.err("principal", pp,
                         f"maintenance principal '{pr}' is not a valid name: 1-"
                         f"{PRINCIPAL_MAX} letters, digits, '_', '-' and '.', "
                         "starting with a letter, digit or '_'")
            elif pr in principals:
                self.err("principal", pp, f"maintenance principal '{pr}' is listed twice "
                         f"(first on line {self.loc.line(*pp[:2], principals[pr])})")
            else:
                principals[pr] = i
        self.profiles = {}
        for i, pf in enumerate(m.profiles):
            self.check_profile(i, pf)
        if not m.components:
            self.err("no_components", (),
                     "the manifest has no components; a system needs at least one")
        self.comps = {}
        self.serves = {}   # component -> {endpoint name: index}
        self.inputs = {}   # endpoint -> (component, path) of its input grant
        for i, c in enumerate(m.components):
            self.check_component_names(i, c)
        for i, c in enumerate(m.components):
            self.check_component(i, c)
        self.check_cycles()
        self.check_broker_policy()
        self.check_devices()
        self.check_init_pages()

    def check_init_pages(self):
        """The components' quotas nest in init's: each component's max_pages,
        twice for one holding a SPAWNER grant (its children may take as much
        again), plus the largest once more (an upgrade runs the new instance
        beside the old), within INIT_PAGES - INIT_OWN_PAGES. Reported at the
        first component that goes over (init's check stops at the same)."""
        budget = INIT_PAGES - INIT_OWN_PAGES
        total = largest = 0
        for i, c in enumerate(self.m.components):
            if c.profile not in self.profiles:
                continue  # reported as profile_ref
            pages = self.profiles[c.profile][1].limits.max_pages
            kinds = c.DESCRIPTOR.fields_by_name["caps"].message_type.fields_by_name["kernel"]
            spawner = kinds.enum_type.values_by_name["KERNEL_RESOURCE_SPAWNER"].number
            spawns = any(not g.endpoint and g.kernel == spawner for g in c.caps)
            total += pages * (2 if spawns else 1)
            largest = max(largest, pages)
            if total + largest > budget:
                self.err("init_pages", ("components", i, "profile"),
                         f"component '{c.name}' brings the components' pages to {total} "
                         f"(children of SPAWNER holders counted, and {largest} more for an "
                         f"upgrade), more than init can give: {budget} "
                         f"({INIT_PAGES} of its quota, {INIT_OWN_PAGES} its own)")
                return

    def check_devices(self):
        """I/O ports and IRQ lines: one holder each, none the kernel keeps."""
        ports = []  # (first, last, component index, cap index)
        irqs = {}   # line -> (component index, cap index)
        ioport = "KERNEL_RESOURCE_IOPORT"
        for i, c in enumerate(self.m.components):
            who = f"component '{c.name or '#%d' % (i + 1)}'"
            for j, g in enumerate(c.caps):
                kv = g.DESCRIPTOR.fields_by_name["kernel"].enum_type.values_by_number.get(
                    g.kernel)
                kname = kv.name if kv and not g.endpoint else None
                gp = ("components", i, "caps", j)
                what = f"{who} cap '{g.name}'"
                if kname == "KERNEL_RESOURCE_IRQ" and g.irq <= IRQ_MAX:
                    if g.irq in irqs:
                        i0, j0 = irqs[g.irq]
                        self.err("irq_shared", gp + ("irq",),
                                 f"{what} irq {g.irq} is granted already to component "
                                 f"'{self.m.components[i0].name}' (line "
                                 f"{self.loc.line('components', i0, 'caps', j0)}); "
                                 "an IRQ line has one handler")
                    else:
                        irqs[g.irq] = (i, j)
                if kname != ioport or g.port_count == 0 or \
                        g.port_base + g.port_count > PORT_END:
                    continue  # not ports, or reported as ioport_range
                first, last = g.port_base, g.port_base + g.port_count - 1
                for lo, hi, words in RESERVED_PORTS:
                    a, b = max(first, lo), min(last, hi)
                    if a > b:
                        continue
                    if c.binary == SHUTDOWN_BINARY and any(
                            s_lo <= a and b <= s_hi for s_lo, s_hi, _ in SHUTDOWN_PORTS):
                        continue
                    only = (f"; only a '{SHUTDOWN_BINARY}' component may hold "
                            + " and ".join(f"{s_lo:#x}-{s_hi:#x} ({w})"
                                           for s_lo, s_hi, w in SHUTDOWN_PORTS)
                            if any(s_lo <= hi and lo <= s_hi
                                   for s_lo, s_hi, _ in SHUTDOWN_PORTS) else "")
                    self.err("ioport_reserved", gp + ("port_base",),
                             f"{what} ports {first:#x}-{last:#x} include {a:#x}-{b:#x}, "
                             f"{words}, which the kernel or the platform keeps{only}")
                for lo, hi, i0, j0 in ports:
                    if i0 != i and first <= hi and lo <= last:
                        self.err("ioport_shared", gp + ("port_base",),
                                 f"{what} ports {first:#x}-{last:#x} overlap ports "
                                 f"{lo:#x}-{hi:#x} of component "
                                 f"'{self.m.components[i0].name}' (line "
                                 f"{self.loc.line('components', i0, 'caps', j0)}); an I/O "
                                 "port is granted to one component only")
                        break
                ports.append((first, last, i, j))

    def check_name(self, path, what, name):
        if not name:
            self.err("name", path, f"{what} has no name")
            return False
        if not NAME_RE.match(name):
            self.err("name", path + ("name",), f"{what} name '{name}' may hold only letters, "
                     "digits, '_' and '-'")
            return False
        return True

    def check_profile(self, i, pf):
        path = ("profiles", i)
        what = f"profile '{pf.name}'" if pf.name else f"profile #{i + 1}"
        if not self.check_name(path, f"profile #{i + 1}", pf.name):
            return
        if pf.name in self.profiles:
            first = self.loc.line("profiles", self.profiles[pf.name][0])
            self.err("duplicate", path + ("name",),
                     f"{what} is defined twice (first on line {first})")
            return
        self.profiles[pf.name] = (i, pf)
        if not pf.HasField("limits"):
            self.err("profile_limits", path,
                     f"{what} has no limits; it needs max_slots, max_threads, "
                     "max_pages and max_endpoints")
            return
        if pf.limits.max_threads == 0:
            self.err("profile_limits", path + ("limits", "max_threads"),
                     f"{what} allows 0 threads (max_threads); a component needs at least 1")
        # Even a profile no component names: init refuses it as unusable.
        for field in ("max_slots", "max_pages"):
            if getattr(pf.limits, field) == 0:
                self.err("profile_limits", path + ("limits", field),
                         f"{what} allows 0 {field[4:]} ({field}); no component can run in it")
        if pf.limits.max_pages > PROFILE_PAGES_MAX:
            self.err("profile_pages", path + ("limits", "max_pages"),
                     f"{what} allows {pf.limits.max_pages} pages (max_pages), more than the "
                     f"machine has: at most {PROFILE_PAGES_MAX} (256 MiB)")

    def check_component_names(self, i, c):
        path = ("components", i)
        if not self.check_name(path, f"component #{i + 1}", c.name):
            return
        if c.name in self.comps:
            first = self.loc.line("components", self.comps[c.name])
            self.err("duplicate", path + ("name",),
                     f"component '{c.name}' is defined twice (first on line {first})")
            return
        self.comps[c.name] = i
        eps = {}
        for j, s in enumerate(c.serves):
            sp = path + ("serves", j)
            if not self.check_name(sp, f"component '{c.name}' endpoint #{j + 1}", s.name):
                continue
            if s.name in eps:
                self.err("local_name", sp + ("name",), f"component '{c.name}' serves endpoint "
                         f"'{s.name}' twice (first on line "
                         f"{self.loc.line(*path, 'serves', eps[s.name])})")
                continue
            eps[s.name] = j
        self.serves[c.name] = eps

    def resolve(self, path, what, ref, owner):
        """'component.endpoint' -> (component, endpoint) or None (reported)."""
        if not ref:
            self.err("endpoint_ref", path, f"{what} names no endpoint")
            return None
        parts = ref.split(".")
        if len(parts) != 2 or not all(parts):
            self.err("endpoint_ref", path, f"{what} endpoint '{ref}' is not of the form "
                     "'component.endpoint'")
            return None
        comp, ep = parts
        if comp not in self.comps:
            self.err("endpoint_ref", path,
                     f"{what} endpoint '{ref}': there is no component '{comp}'")
            return None
        if ep not in self.serves.get(comp, {}):
            served = ", ".join(sorted(self.serves.get(comp, {}))) or "nothing"
            self.err("endpoint_ref", path,
                     f"{what} endpoint '{ref}': component '{comp}' serves no "
                     f"endpoint '{ep}' (it serves {served})")
            return None
        return comp, ep

    def check_component(self, i, c):
        path = ("components", i)
        cn = c.name or f"#{i + 1}"
        who = f"component '{cn}'"
        # binary
        if not c.binary:
            self.err("binary", path, f"{who} has no binary")
        elif not BINARY_RE.match(c.binary):
            self.err("binary", path + ("binary",), f"{who} binary '{c.binary}' may hold only "
                     "letters, digits, '_', '-', '.' and '+'")
        elif c.binary in RESERVED_PKG_NAMES:
            self.err("binary", path + ("binary",),
                     f"{who} binary '{c.binary}' is reserved: the "
                     "boot package's '" + c.binary + "' entry is not a component's program")
        elif self.binaries is not None and c.binary not in self.binaries:
            known = ", ".join(sorted(self.binaries)) or "none"
            self.err("binary", path + ("binary",), f"{who} binary '{c.binary}' is not a known "
                     f"program (known: {known})")
        # priority, restart
        if c.priority == 0:
            self.err("priority", path, f"{who} priority missing; give one from {PRIORITY_MIN} "
                     f"to {PRIORITY_MAX}")
        elif not PRIORITY_MIN <= c.priority <= PRIORITY_MAX:
            self.err("priority", path + ("priority",),
                     f"{who} priority {c.priority} is out of range "
                     f"{PRIORITY_MIN}-{PRIORITY_MAX} (255 is init's)")
        if c.time_slice_us > TIME_SLICE_MAX_US:
            self.err("time_slice", path + ("time_slice_us",),
                     f"{who} time_slice_us {c.time_slice_us} is above "
                     f"{TIME_SLICE_MAX_US} (100 ms, CAPOS_MAX_TIME_SLICE_US): one "
                     "thread would hold the CPU from its priority's others that long")
        if c.max_restarts and c.restart == 0:
            self.err("max_restarts", path + ("max_restarts",),
                     f"{who} sets max_restarts but its restart "
                     "policy is RESTART_NEVER")
        # serves
        for j, s in enumerate(c.serves):
            sid = s.interface_id
            sp = path + ("serves", j, "interface_id")
            if sid == 0:
                continue
            if sid > INTERFACE_MAX:
                self.err("interface_id", sp,
                         f"{who} endpoint '{s.name}' interface_id {sid:#x} is wider "
                         "than 16 bits")
            elif sid < INTERFACE_RESERVED_END:
                self.err("interface_id", sp,
                         f"{who} endpoint '{s.name}' interface_id {sid:#x} is in the "
                         "reserved range 0x0001-0x00FF")
            elif (sid < INTERFACE_PRIVATE_BASE and self.iface_ids is not None
                  and sid not in self.iface_ids):
                self.err("interface_id", sp,
                         f"{who} endpoint '{s.name}' interface_id {sid:#x} is not "
                         "declared by any service in idl/")
        # local names: serves, caps and watches share the startup page
        local = {}
        for field in ("serves", "caps", "watches"):
            for j, x in enumerate(getattr(c, field)):
                if field != "serves" and not self.check_name(
                        path + (field, j), f"{who} {field[:-1] if field != 'watches' else 'watch'} #{j + 1}",
                        x.name):
                    continue
                if not x.name or not NAME_RE.match(x.name):
                    continue
                if field == "serves" and self.serves.get(c.name, {}).get(x.name) != j:
                    continue  # a duplicate endpoint, reported already
                if x.name == RESERVED_LOCAL_NAME:
                    # init gives every component its readiness cap under this name
                    self.err("reserved_name", path + (field, j, "name"), f"{who} local name "
                             f"'{RESERVED_LOCAL_NAME}' is reserved: init grants every "
                             f"component a '{RESERVED_LOCAL_NAME}' cap")
                    continue
                kdesc = x.DESCRIPTOR.fields_by_name.get("kernel")
                kval = (kdesc.enum_type.values_by_number.get(x.kernel)
                        if field == "caps" and kdesc else None)
                if (kval is not None and kval.name == "KERNEL_RESOURCE_IRQ"
                        and len(x.name) > IRQ_NAME_MAX):
                    # init also names the handler '<name>_ack' (a local name too)
                    self.err("irq_name", path + (field, j, "name"),
                             f"{who} IRQ grant name '{x.name}' "
                             f"is longer than {IRQ_NAME_MAX} characters (init adds "
                             f"'{IRQ_ACK_SUFFIX}' for its handler)")
                    continue
                if x.name in local:
                    f0, j0 = local[x.name]
                    self.err("local_name", path + (field, j, "name"),
                             f"{who} local name '{x.name}' is "
                             f"used twice (first on line {self.loc.line(*path, f0, j0)})")
                else:
                    local[x.name] = (field, j)
        # grants
        self.deps = getattr(self, "deps", {})
        edges = self.deps.setdefault(c.name, [])
        for j, g in enumerate(c.caps):
            self.check_grant(path + ("caps", j), who, c, g, edges, j)
        # watches
        for j, w in enumerate(c.watches):
            wp = path + ("watches", j)
            what = f"{who} watch '{w.name}'"
            r = self.resolve(wp + ("endpoint",), what, w.endpoint, c.name)
            if r and r[0] == c.name:
                self.err("watch", wp + ("endpoint",), f"{what} watches its own endpoint "
                         f"'{w.endpoint}'")
            if w.bits == 0:
                self.err("watch", wp + ("bits",),
                         f"{what} has bits 0; a death signal needs at least one bit")
        # params
        seen = {}
        for j, pr in enumerate(c.params):
            pp = path + ("params", j)
            if not PARAM_KEY_RE.match(pr.key):
                self.err("param", pp + ("key",) if pr.key else pp,
                         f"{who} param key '{pr.key}' must "
                         "be 1-31 characters of a-z, 0-9, '_' and '.'")
            elif pr.key in RESERVED_PARAMS or pr.key.startswith(RESERVED_PARAM_PREFIX):
                self.err("param", pp + ("key",),
                         f"{who} param key '{pr.key}' is reserved: init "
                         "sets it (hostname, log_level, log_ring_records, "
                         "seed_utc_seconds, badge.<N>)")
            elif pr.key in seen:
                self.err("param", pp + ("key",), f"{who} param key '{pr.key}' is given twice "
                         f"(first on line {self.loc.line(*path, 'params', seen[pr.key])})")
            else:
                seen[pr.key] = j
            if "\0" in pr.value:
                self.err("param", pp + ("value",),
                         f"{who} param '{pr.key}' value holds a NUL byte")
        self.check_limits(path, who, c)

    def check_grant(self, gp, who, c, g, edges, j):
        what = f"{who} cap '{g.name}'"
        kname = g.DESCRIPTOR.fields_by_name["kernel"].enum_type.values_by_number.get(g.kernel)
        kname = kname.name if kname else None
        if g.endpoint and g.kernel:
            self.err("grant_kind", gp,
                     f"{what} sets both endpoint and kernel; a grant is one or the other")
            return
        if not g.endpoint and not g.kernel:
            self.err("grant_kind", gp,
                     f"{what} sets neither endpoint nor kernel; say what it grants")
            return
        if g.kernel and kname is None:
            return  # reported by generic()
        source = "endpoint" if g.endpoint else kname
        if g.endpoint:
            r = self.resolve(gp + ("endpoint",), what, g.endpoint, c.name)
            if r and r[0] != c.name:
                edges.append((r[0], j))
        # fields that belong to another kind of grant
        if source != "KERNEL_RESOURCE_IOPORT" and (g.port_base or g.port_count):
            self.err("grant_field", gp + ("port_base" if g.port_base else "port_count",),
                     f"{what} sets port_base/port_count, which only an IOPORT grant takes")
        if source != "KERNEL_RESOURCE_IRQ" and g.irq:
            self.err("grant_field", gp + ("irq",),
                     f"{what} sets irq, which only an IRQ grant takes")
        if g.badge and source != "endpoint":
            self.err("grant_field", gp + ("badge",),
                     f"{what} asks for a badge, which only an endpoint "
                     "grant can carry")
        if g.input and source != "endpoint":
            self.err("grant_field", gp + ("input",),
                     f"{what} asks for input, which only an endpoint grant can carry")
        elif g.input:
            # The operator's keystrokes go to one component (the session):
            # a second reader could take them first (docs/security.md).
            first = self.inputs.setdefault(g.endpoint, (c.name, gp))
            if first[0] != c.name:
                self.err("input", gp + ("input",),
                         f"{what} asks for input on '{g.endpoint}', which is "
                         f"granted already to component '{first[0]}' (line "
                         f"{self.loc.line(*first[1])}); input goes to one component only")
        if source == "KERNEL_RESOURCE_IOPORT":
            if g.port_count == 0:
                self.err("ioport_range", gp, f"{what} grants 0 I/O ports; set port_count")
            elif g.port_base >= PORT_END or g.port_base + g.port_count > PORT_END:
                self.err("ioport_range", gp + ("port_base",), f"{what} ports {g.port_base:#x}+"
                         f"{g.port_count} reach beyond port 0xffff")
        if source == "KERNEL_RESOURCE_IRQ" and g.irq > IRQ_MAX:
            self.err("irq_range", gp + ("irq",), f"{what} irq {g.irq} is outside 0-{IRQ_MAX}")
        # rights
        allowed, _default = RIGHTS_TABLE[source]
        seen = set()
        rnames = g.DESCRIPTOR.fields_by_name["rights"].enum_type.values_by_number
        for k, rv in enumerate(g.rights):
            v = rnames.get(rv)
            if v is None:
                continue  # reported by generic()
            r = short_enum(v.name, "GRANT_RIGHT_")
            rp = gp + ("rights", k)
            if r == "NONE":
                self.err("rights_list", rp,
                         f"{what} lists NONE among its rights; leave rights empty "
                         "for the default")
            elif r in seen:
                self.err("rights_list", rp, f"{what} lists right {r} twice")
            elif r not in allowed:
                extra = (" (RECV belongs to the server, through serves)"
                         if source == "endpoint" and r == "RECV" else "")
                self.err("rights", rp, f"{what} asks for right {r}, more than the source has: "
                         f"{SOURCE_WORDS[source]} carries at most "
                         f"{', '.join(allowed)}{extra}")
            seen.add(r)

    def check_limits(self, path, who, c):
        if not c.profile:
            self.err("profile_ref", path,
                     f"{who} has no profile; name one of the manifest's profiles")
            return
        if c.profile not in self.profiles:
            known = ", ".join(self.profiles) or "none defined"
            self.err("profile_ref", path + ("profile",),
                     f"{who} profile '{c.profile}' is not defined "
                     f"(profiles: {known})")
            return
        pf = self.profiles[c.profile][1]
        if not pf.HasField("limits"):
            return
        lim = pf.limits
        pp = path + ("profile",)
        slots = len(c.caps) + len(c.serves) + len(c.watches) + RUNTIME_SLOTS
        if lim.max_slots < slots:
            self.err("profile_too_small", pp,
                     f"{who} needs {slots} capability slots ({len(c.caps)} caps + "
                     f"{len(c.serves)} serves + {len(c.watches)} watches + "
                     f"{RUNTIME_SLOTS} for the runtime) but profile '{c.profile}' has "
                     f"max_slots {lim.max_slots}")
        eps = len(c.serves) + len(c.watches)
        if lim.max_endpoints < eps:
            self.err("profile_too_small", pp,
                     f"{who} needs {eps} endpoints ({len(c.serves)} serves + "
                     f"{len(c.watches)} watches) but profile '{c.profile}' has "
                     f"max_endpoints {lim.max_endpoints}")
        load = 0
        if self.binaries and c.binary in self.binaries:
            load = self.binaries[c.binary]
        pages = load + STACK_PAGES + RUNTIME_PAGES
        if lim.max_pages < pages:
            src = (f"{load} for binary '{c.binary}' + " if self.binaries is not None
                   else "")
            self.err("profile_too_small", pp,
                     f"{who} needs at least {pages} pages ({src}{STACK_PAGES} stack "
                     f"+ {RUNTIME_PAGES} runtime) but profile '{c.profile}' has "
                     f"max_pages {lim.max_pages}")

    # ---- the broker policy (rule broker_policy) --------------------------

    def check_broker_policy(self):
        bp = self.m.broker_policy
        where = ("broker_policy",)
        if bp.anonymous_may_shutdown:
            self.err("broker_policy", where + ("anonymous_may_shutdown",),
                     "broker_policy anonymous_may_shutdown is true; an anonymous session "
                     "never shuts the system down (leave it false)")
        names = {}
        for i, pr in enumerate(bp.principals):
            self.check_principal(i, pr, names, bp)
        if bp.principals:
            for j, mp in enumerate(bp.maintenance_principals):
                if mp and mp not in names:
                    self.err("broker_policy", where + ("maintenance_principals", j),
                             f"broker_policy maintenance principal '{mp}' is not one of "
                             "its principals")
        self.check_grant_names(where + ("anonymous_grants",), "broker_policy anonymous_grants",
                               bp.anonymous_grants, anonymous=True)
        if bp.backoff_ms and bp.backoff_max_ms and bp.backoff_max_ms < bp.backoff_ms:
            self.err("broker_policy", where + ("backoff_max_ms",),
                     f"broker_policy backoff_max_ms {bp.backoff_max_ms} is below backoff_ms "
                     f"{bp.backoff_ms}")
        size = len(bp.SerializeToString(deterministic=True))
        if size > BROKER_POLICY_MAX:
            self.err("broker_policy", where,
                     f"broker_policy encodes to {size} bytes, more than the {BROKER_POLICY_MAX} "
                     "init can hand the broker in its startup page")

    def check_principal(self, i, pr, names, bp):
        path = ("broker_policy", "principals", i)
        who = f"broker_policy principal '{pr.name}'" if pr.name else \
            f"broker_policy principal #{i + 1}"
        if not pr.name:
            self.err("broker_policy", path, f"{who} has no name")
        elif (len(pr.name) > PRINCIPAL_MAX or
              any(ch not in PRINCIPAL_CHARS for ch in pr.name)):
            self.err("broker_policy", path + ("name",), f"{who} name may hold only "
                     f"1-{PRINCIPAL_MAX} of a-z, 0-9, '_' and '-'")
        elif pr.name in names:
            first = self.loc.line("broker_policy", "principals", names[pr.name])
            self.err("broker_policy", path + ("name",),
                     f"{who} is defined twice (first on line {first})")
        else:
            names[pr.name] = i
        if bool(pr.verifier) == bool(pr.public_key):
            self.err("broker_policy", path,
                     f"{who} needs exactly one of verifier (a passphrase) and public_key "
                     "(a signature key)")
        if pr.verifier:
            why = argon2_verifier_problem(pr.verifier)
            if why:
                self.err("broker_policy", path + ("verifier",), f"{who} verifier is malformed: "
                         f"{why} (make one with capos-passwd)")
        if pr.public_key:
            why = p256_key_problem(pr.public_key)
            if why:
                self.err("broker_policy", path + ("public_key",), f"{who} public_key {why}")
        self.check_grant_names(path + ("grants",), f"{who} grants", pr.grants)
        if (BROKER_MAINTENANCE_GRANT in pr.grants and pr.name
                and pr.name not in bp.maintenance_principals):
            k = list(pr.grants).index(BROKER_MAINTENANCE_GRANT)
            self.err("broker_policy", path + ("grants", k),
                     f"{who} is given the '{BROKER_MAINTENANCE_GRANT}' grant but is not among "
                     "maintenance_principals")

    def check_grant_names(self, path, what, grants, anonymous=False):
        seen = set()
        for k, g in enumerate(grants):
            if g not in BROKER_GRANTS:
                self.err("broker_policy", path + (k,), f"{what} names unknown grant '{g}' "
                         f"(known: {', '.join(BROKER_GRANTS)})")
            elif g in seen:
                self.err("broker_policy", path + (k,), f"{what} names '{g}' twice")
            elif anonymous and g not in BROKER_ANONYMOUS_GRANTS:
                self.err("broker_policy", path + (k,), f"{what} names '{g}', which an "
                         "anonymous session never gets (only "
                         f"{', '.join(BROKER_ANONYMOUS_GRANTS)})")
            seen.add(g)

    def check_cycles(self):
        deps = getattr(self, "deps", {})
        order = [c.name for c in self.m.components if c.name in self.comps]
        graph = {n: [] for n in order}
        via = {}
        for n in order:
            for target, j in deps.get(n, []):
                if target not in graph[n]:
                    graph[n].append(target)
                    via[(n, target)] = j
        # Tarjan's strongly connected components, in file order.
        index, low, stack, on, sccs = {}, {}, [], set(), []
        counter = [0]

        def strong(v):
            index[v] = low[v] = counter[0]
            counter[0] += 1
            stack.append(v)
            on.add(v)
            for w in graph[v]:
                if w not in index:
                    strong(w)
                    low[v] = min(low[v], low[w])
                elif w in on:
                    low[v] = min(low[v], index[w])
            if low[v] == index[v]:
                scc = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    scc.append(w)
                    if w == v:
                        break
                if len(scc) > 1:
                    sccs.append(scc)
        for v in order:
            if v not in index:
                strong(v)
        for scc in sccs:
            members = set(scc)
            start = min(scc, key=order.index)
            # Shortest way back to start inside the component (BFS).
            prev = {start: None}
            queue = [start]
            found = None
            while queue and not found:
                nxt = []
                for v in queue:
                    for w in graph[v]:
                        if w not in members:
                            continue
                        if w == start:
                            found = v
                            break
                        if w not in prev:
                            prev[w] = v
                            nxt.append(w)
                    if found:
                        break
                queue = nxt
            path = [found]
            while prev[path[-1]] is not None:
                path.append(prev[path[-1]])
            path.reverse()
            cycle = path + [start]
            holds = []
            for a, b in zip(cycle, cycle[1:]):
                g = self.m.components[self.comps[a]].caps[via[(a, b)]]
                holds.append(f"'{a}' holds {g.endpoint}")
            self.err("cycle", ("components", self.comps[start], "caps", via[(start, cycle[1])]),
                     
                     "dependency cycle: " + " -> ".join(cycle) + " ("
                     + ", ".join(holds) + "); no start order satisfies it")


# ---------------------------------------------------------------- driver

def parse_binaries(specs):
    bins = {}
    for spec in specs:
        name, sep, path = spec.partition("=")
        if not sep or not name or not path:
            raise UsageError(f"--binary '{spec}' is not of the form name=path")
        if name in bins:
            raise UsageError(f"--binary '{name}' given twice")
        try:
            bins[name] = (path, elf_load_pages(path))
        except OSError as e:
            raise UsageError(f"--binary {name}={path}: cannot read it: {e.strerror}")
        except ValueError as e:
            raise UsageError(f"--binary {name}={path}: {e}")
    return bins


def load_and_check(args):
    desc = args.descriptor_set
    tmp = None
    if not desc:
        desc = tmp = compile_descriptor_set()
    try:
        pool, fds = load_pool(desc)
    finally:
        if tmp:
            os.unlink(tmp)
    try:
        cls = message_class(pool, "capos.System")
    except KeyError:
        raise UsageError(f"{desc} holds no capos.System (idl/manifest.proto)")
    bounds = load_bounds(args.options)
    bins = parse_binaries(args.binary)
    try:
        with open(args.manifest, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise UsageError(f"cannot read {args.manifest}: {e.strerror}")
    except UnicodeDecodeError:
        raise UsageError(f"{args.manifest} is not UTF-8 text")
    problems = Problems(args.manifest)
    msg = cls()
    try:
        text_format.Parse(text, msg)
    except text_format.ParseError as e:
        line, col = e.GetLine(), e.GetColumn()
        text_ = str(e)
        m = re.match(r"^\d+:\d+ : (.*)$", text_, re.S)
        if m:
            text_ = m.group(1)
        # Some messages quote the whole source line first: drop it.
        src = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else None
        if src is not None and text_.startswith(f"'{src}': "):
            text_ = text_[len(src) + 4:]
        problems.add(line or 1, text_.rstrip("."), col, rule="parse")
        return None, problems, bins
    locs = Locations(text, cls.DESCRIPTOR)
    binaries = {n: pages for n, (_, pages) in bins.items()} if args.binary else None
    Checker(msg, locs, problems, bounds, binaries, interface_ids(fds)).run()
    return msg, problems, bins


def main(argv=None):
    ap = argparse.ArgumentParser(prog="manifest.py",
                                 description="Validate a capOS manifest; build its "
                                 "encoding and boot package.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("validate", "build"):
        p = sub.add_parser(name)
        p.add_argument("manifest", help="manifests/<name>.textproto")
        p.add_argument("--descriptor-set", help="FileDescriptorSet of idl/ "
                       "(default: run protoc)")
        p.add_argument("--options", default=os.path.join(ROOT, "idl", "manifest.options"),
                       help="nanopb bounds (default: idl/manifest.options)")
        p.add_argument("--binary", action="append", default=[], metavar="NAME=PATH",
                       help="a program components may name (an ELF); repeatable")
        p.add_argument("--rules", action="store_true",
                       help="end each problem with its rule code, as [rule]")
        if name == "build":
            p.add_argument("--out", required=True, help="binary encoding to write")
            p.add_argument("--pkg", help="boot package to write (needs --init)")
            p.add_argument("--init", help="the init ELF, entry 'init' of the package")
    p = sub.add_parser("emit-c", help="the rules as C for init's checker")
    p.add_argument("--header", required=True, help="manifest_rules.h to write")
    p.add_argument("--source", required=True, help="manifest_rules.c to write")
    p.add_argument("--descriptor-set", help="FileDescriptorSet of idl/ "
                   "(default: run protoc)")
    args = ap.parse_args(argv)
    if args.cmd == "emit-c":
        return emit_c(args)
    if args.cmd == "build" and args.pkg and not args.init:
        ap.error("--pkg needs --init")
    if args.cmd == "build" and not args.binary:
        ap.error("build needs the programs (--binary NAME=PATH)")
    try:
        msg, problems, bins = load_and_check(args)
        n = problems.report(rules=args.rules)
        if n:
            sys.stderr.write(f"manifest.py: {args.manifest}: {n} problem"
                             f"{'s' if n != 1 else ''}; nothing written\n")
            remove_outputs(args)
            return 1
        if args.cmd == "validate":
            return 0
        data = msg.SerializeToString(deterministic=True)
        specs = []
        if args.pkg:
            specs.append(f"init={args.init}:elf")
            specs.append(f"manifest={os.path.abspath(args.out)}:manifest")
            done = set()
            for c in msg.components:
                if c.binary not in done:
                    done.add(c.binary)
                    specs.append(f"{c.binary}={bins[c.binary][0]}:elf")
            # The init ELF must be readable before anything is written.
            try:
                elf_load_pages(args.init)
            except OSError as e:
                raise UsageError(f"--init {args.init}: cannot read it: {e.strerror}")
            except ValueError as e:
                raise UsageError(f"--init {args.init}: {e}")
        mkpkg.write_atomic(args.out, data)
        if args.pkg:
            try:
                pkg = mkpkg.build(specs)
            except mkpkg.PkgError as e:
                os.unlink(args.out)
                raise UsageError(f"boot package: {e}")
            mkpkg.write_atomic(args.pkg, pkg)
        return 0
    except UsageError as e:
        sys.stderr.write(f"manifest.py: error: {e}\n")
        remove_outputs(args)
        return 1
    except OSError as e:
        sys.stderr.write(f"manifest.py: error: {e}\n")
        remove_outputs(args)
        return 1


def emit_c(args):
    """manifest_c.py's header and source, written only when they change (so
    init is not rebuilt for nothing)."""
    import manifest_c
    desc = args.descriptor_set
    tmp = None
    try:
        if not desc:
            desc = tmp = compile_descriptor_set()
        _, fds = load_pool(desc)
        h, c = manifest_c.render(sys.modules[__name__], fds, interface_ids(fds))
    except (UsageError, manifest_c.TableError) as e:
        sys.stderr.write(f"manifest.py: error: {e}\n")
        return 1
    finally:
        if tmp:
            os.unlink(tmp)
    for path, text in ((args.header, h), (args.source, c)):
        try:
            with open(path) as f:
                if f.read() == text:
                    continue
        except OSError:
            pass
        mkpkg.write_atomic(path, text.encode())
    return 0


def remove_outputs(args):
    """A failed build leaves no output of an earlier run behind, so a stale
    package is never taken for this manifest's (make's .DELETE_ON_ERROR)."""
    if args.cmd != "build":
        return
    for f in (args.out, args.pkg):
        if f:
            try:
                os.unlink(f)
            except FileNotFoundError:
                pass


if __name__ == "__main__":
    sys.exit(main())
