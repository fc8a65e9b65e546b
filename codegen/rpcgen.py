#!/usr/bin/python3
"""rpcgen.py - C client stubs, server ops tables and dispatchers for capOS-C.

Reads a FileDescriptorSet made by

    protoc --descriptor_set_out=SET --include_imports --include_source_info \
           -I <idl dir> -I <nanopb proto dir> <files>

and, for every target .proto named on the command line, writes
<out>/<base>.capos.h and <out>/<base>.capos.c, where <base> is the file's
name as protoc knows it (relative to its -I directory) without ".proto".
The layout mirrors nanopb's (`-D <out>` gives <out>/<base>.pb.h), so one
include directory, <out>, serves both.

Before writing anything it checks every target file and reports every
problem as `file.proto:LINE: sentence` on stderr, then exits with status 1
(nothing is written): services without an interface id, methods without a
method id, ids that are 0 or duplicated, unbounded string/bytes/repeated
fields (bounds come from nanopb .options files or inline (nanopb) options),
streaming methods, request_caps/reply_caps above CAPOS_MSG_MAX_CAPS, and
generated C names that collide.

Usage:
  rpcgen.py --descriptor-set SET --out-dir DIR
            [--options FILE]... [--global-options FILE]...
            TARGET.proto...

--options FILE applies FILE to the .proto with the same base name (the
file's path ends in <base>.options for a target <base>.proto), as nanopb does
with the .options file found beside a .proto. --global-options FILE applies
to every file, as nanopb's -f does. docs/codegen.md describes the output.
"""

import argparse
import fnmatch
import os
import re
import sys

try:
    from google.protobuf import descriptor_pb2
    from google.protobuf import text_format
except ImportError:  # pragma: no cover
    sys.stderr.write("rpcgen.py: needs python3-protobuf (run it with /usr/bin/python3)\n")
    sys.exit(2)

try:
    from proto import nanopb_pb2  # Debian's nanopb package
except ImportError:  # pragma: no cover
    sys.path.insert(0, "/usr/lib/python3/dist-packages")
    try:
        from proto import nanopb_pb2
    except ImportError:
        sys.stderr.write("rpcgen.py: needs nanopb's nanopb_pb2 (Debian package nanopb)\n")
        sys.exit(2)

FD = descriptor_pb2.FieldDescriptorProto

# Paths in SourceCodeInfo (descriptor.proto field numbers).
FILE_MESSAGE_TYPE = 4
FILE_SERVICE = 6
MESSAGE_FIELD = 2
MESSAGE_NESTED = 3
SERVICE_METHOD = 2

# nanopb's extension number on FileOptions/MessageOptions/FieldOptions.
NANOPB_EXT = 1010

# CAPOS_MSG_MAX_CAPS (kern/include/capos/abi.h): caps one message carries.
MSG_MAX_CAPS = 4

C_RESERVED = frozenset("""
auto break case char const continue default do double else enum extern float
for goto if inline int long register restrict return short signed sizeof
static struct switch typedef union unsigned void volatile while bool true
false asm typeof
""".split())


class Problems:
    """Every error found, reported together in a fixed order."""

    def __init__(self):
        self.items = []

    def add(self, where, text):
        self.items.append((where[0], where[1], text))

    def report(self):
        for name, line, text in sorted(set(self.items)):
            sys.stderr.write("%s:%d: %s\n" % (name, line, text))
        return bool(self.items)


# ---- Raw option parsing ----------------------------------------------------
# The capos options are custom extensions the Python runtime does not know,
# so they are read from the options message's serialized bytes (unknown
# fields survive parsing) by field number.

def _varint(data, pos):
    result = shift = 0
    while True:
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def raw_fields(data):
    """[(number, wire_type, value)] of a serialized message."""
    out = []
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        num, wt = key >> 3, key & 7
        if wt == 0:
            val, pos = _varint(data, pos)
        elif wt == 1:
            val, pos = data[pos:pos + 8], pos + 8
        elif wt == 2:
            n, pos = _varint(data, pos)
            val, pos = data[pos:pos + n], pos + n
        elif wt == 5:
            val, pos = data[pos:pos + 4], pos + 4
        else:
            raise ValueError("unsupported wire type %d in options" % wt)
        out.append((num, wt, val))
    return out


def option_value(opts, numbers):
    """The last varint value of any field in `numbers`, or None."""
    if not numbers:
        return None
    val = None
    for num, wt, v in raw_fields(opts.SerializeToString()):
        if num in numbers and wt == 0:
            val = v
    return val


def inline_nanopb(opts):
    """The (nanopb) option set inline on a file, message or field."""
    out = nanopb_pb2.NanoPBOptions()
    for num, wt, v in raw_fields(opts.SerializeToString()):
        if num == NANOPB_EXT and wt == 2:
            out.MergeFromString(v)
    return out


# ---- nanopb .options files -------------------------------------------------

def read_options_file(path, problems):
    """[(namemask, NanoPBOptions)] with nanopb's own syntax."""
    with open(path, encoding="utf-8") as f:
        data = f.read()
    rel = os.path.basename(path)
    data = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), data,
                  flags=re.DOTALL)
    data = re.sub(r"//.*?$", "", data, flags=re.MULTILINE)
    data = re.sub(r"#.*?$", "", data, flags=re.MULTILINE)
    out = []
    for i, line in enumerate(data.split("\n")):
        line = line.strip()
        if not line:
            continue
        parts = line.split(None, 1)
        if len(parts) < 2:
            problems.add((rel, i + 1), "option line '%s' names no option" % line)
            continue
        opts = nanopb_pb2.NanoPBOptions()
        try:
            text_format.Merge(parts[1], opts)
        except text_format.ParseError as e:
            problems.add((rel, i + 1), "option line '%s' does not parse (%s)" % (line, e))
            continue
        out.append((parts[0], opts))
    return out


# ---- The descriptor set ----------------------------------------------------

class Model:
    def __init__(self, fds, problems):
        self.problems = problems
        self.files = {f.name: f for f in fds.file}
        self.order = [f.name for f in fds.file]
        self.locs = {}
        for f in fds.file:
            self.locs[f.name] = {tuple(l.path): l.span[0] + 1
                                 for l in f.source_code_info.location}
        # message full name (".pkg.Msg") -> (file, DescriptorProto, path, dotted name)
        self.messages = {}
        for f in fds.file:
            prefix = "." + f.package if f.package else ""
            for i, m in enumerate(f.message_type):
                self._add_message(f, m, prefix, (FILE_MESSAGE_TYPE, i))
        # capos option numbers, found by name so any package works.
        self.ext = {"interface_id": set(), "method_id": set(), "idempotent": set(),
                    "request_caps": set(), "reply_caps": set()}
        extendee = {"interface_id": ".google.protobuf.ServiceOptions",
                    "method_id": ".google.protobuf.MethodOptions",
                    "idempotent": ".google.protobuf.MethodOptions",
                    "request_caps": ".google.protobuf.MethodOptions",
                    "reply_caps": ".google.protobuf.MethodOptions"}
        for f in fds.file:
            exts = list(f.extension)
            stack = list(f.message_type)
            while stack:
                m = stack.pop()
                exts.extend(m.extension)
                stack.extend(m.nested_type)
            for e in exts:
                if e.name in extendee and e.extendee == extendee[e.name]:
                    self.ext[e.name].add(e.number)

    def _add_message(self, f, m, prefix, path):
        full = prefix + "." + m.name
        self.messages[full] = (f.name, m, path, full.lstrip("."))
        for j, n in enumerate(m.nested_type):
            self._add_message(f, n, full, path + (MESSAGE_NESTED, j))

    def line(self, fname, path):
        return (fname, self.locs.get(fname, {}).get(tuple(path), 1))

    def c_type(self, full):
        """nanopb's C type name: package and nesting joined with '_'."""
        return full.lstrip(".").replace(".", "_")


# ---- Bounds ----------------------------------------------------------------

class Bounds:
    """nanopb's option resolution: file -> message -> field, each level the
    merge of matching .options lines and inline (nanopb) options."""

    def __init__(self, model, per_file, global_opts):
        self.model = model
        self.per_file = per_file      # proto name -> [(mask, opts)]
        self.global_opts = global_opts

    def _merge(self, base, fname, dotted, inline):
        out = nanopb_pb2.NanoPBOptions()
        out.CopyFrom(base)
        for mask, opts in self.global_opts + self.per_file.get(fname, []):
            if fnmatch.fnmatchcase(dotted, mask):
                out.MergeFrom(opts)
        out.MergeFrom(inline)
        return out

    def field_options(self, fname, msg, dotted_msg, field):
        f = self.model.files[fname]
        fo = self._merge(nanopb_pb2.NanoPBOptions(), fname, fname, inline_nanopb(f.options))
        mo = self._merge(fo, fname, dotted_msg, inline_nanopb(msg.options))
        return self._merge(mo, fname, dotted_msg + "." + field.name,
                           inline_nanopb(field.options))


def check_bounds(model, bounds, targets, problems):
    """Every string, bytes and repeated field reachable from a target file
    (its messages, its methods' types, and their message fields) must be
    bounded so nanopb makes it a static array."""
    todo = []
    for t in targets:
        todo.extend(k for k, v in model.messages.items() if v[0] == t)
        for s in model.files[t].service:
            for m in s.method:
                todo.extend([m.input_type, m.output_type])
    seen = set()
    while todo:
        full = todo.pop()
        if full in seen or full not in model.messages:
            continue
        seen.add(full)
        fname, msg, path, dotted = model.messages[full]
        for i, fld in enumerate(msg.field):
            opts = bounds.field_options(fname, msg, dotted, fld)
            if opts.HasField("type") and opts.type == nanopb_pb2.FT_IGNORE:
                continue
            where = model.line(fname, path + (MESSAGE_FIELD, i))
            what = "field %s.%s" % (dotted, fld.name)
            if opts.HasField("type") and opts.type in (nanopb_pb2.FT_CALLBACK,
                                                       nanopb_pb2.FT_POINTER):
                problems.add(where, "%s has nanopb type %s: it must be static (bounded)"
                             % (what, nanopb_pb2.FieldType.Name(opts.type)))
                continue
            if fld.label == FD.LABEL_REPEATED and not opts.HasField("max_count"):
                problems.add(where, "%s is repeated without a bound: give it max_count "
                             "in the .options file" % what)
            if fld.type == FD.TYPE_STRING and not (opts.HasField("max_size")
                                                    or opts.HasField("max_length")):
                problems.add(where, "%s is a string without a bound: give it max_size "
                             "or max_length in the .options file" % what)
            if fld.type == FD.TYPE_BYTES and not opts.HasField("max_size"):
                problems.add(where, "%s is bytes without a bound: give it max_size "
                             "in the .options file" % what)
            if fld.type in (FD.TYPE_MESSAGE, FD.TYPE_GROUP):
                todo.append(fld.type_name)


# ---- Services --------------------------------------------------------------

def snake(name):
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = re.sub(r"_+", "_", s.lower()).strip("_")
    return s


def service_c_name(name):
    return re.sub(r"[^0-9a-zA-Z]", "", name).lower()


class Method:
    pass


class Service:
    pass


def collect_services(model, targets, problems):
    """Services of every file in the set (ids are global); only targets'
    services are generated and fully checked."""
    services = []
    iface_numbers = model.ext["interface_id"]
    # By file name, not protoc's order, so the output does not depend on the
    # order of the command line.
    for fname in sorted(model.order):
        f = model.files[fname]
        for si, s in enumerate(f.service):
            sv = Service()
            sv.file = fname
            sv.name = s.name
            sv.full = (f.package + "." if f.package else "") + s.name
            sv.where = model.line(fname, (FILE_SERVICE, si))
            sv.target = fname in targets
            sv.iface = option_value(s.options, iface_numbers)
            sv.c = service_c_name(s.name)
            sv.methods = []
            for mi, m in enumerate(s.method):
                me = Method()
                me.name = m.name
                me.where = model.line(fname, (FILE_SERVICE, si, SERVICE_METHOD, mi))
                me.id = option_value(m.options, model.ext["method_id"])
                me.idempotent = bool(option_value(m.options, model.ext["idempotent"]))
                me.req_caps = option_value(m.options, model.ext["request_caps"]) or 0
                me.rep_caps = option_value(m.options, model.ext["reply_caps"]) or 0
                me.c = snake(m.name)
                me.req = model.c_type(m.input_type)
                me.resp = model.c_type(m.output_type)
                me.req_full = m.input_type
                me.resp_full = m.output_type
                me.streaming = m.client_streaming or m.server_streaming
                sv.methods.append(me)
            services.append(sv)
    return services


def check_services(services, problems):
    by_iface = {}
    for sv in services:
        if sv.iface is None:
            if sv.target:
                problems.add(sv.where, "service %s has no interface_id option" % sv.full)
        elif sv.iface == 0:
            problems.add(sv.where, "service %s has interface_id 0 (ids start at 1)" % sv.full)
        elif sv.iface in by_iface:
            first = by_iface[sv.iface]
            problems.add(sv.where, "service %s reuses interface_id %d of service %s (%s:%d)"
                         % (sv.full, sv.iface, first.full, first.where[0], first.where[1]))
        else:
            by_iface[sv.iface] = sv
        if not sv.target:
            continue
        by_method = {}
        for me in sv.methods:
            if me.streaming:
                problems.add(me.where, "method %s.%s is a streaming rpc, which capOS "
                             "calls do not support" % (sv.full, me.name))
            if me.id is None:
                problems.add(me.where, "method %s.%s has no method_id option"
                             % (sv.full, me.name))
            elif me.id == 0:
                problems.add(me.where, "method %s.%s has method_id 0 (ids start at 1)"
                             % (sv.full, me.name))
            elif me.id in by_method:
                first = by_method[me.id]
                problems.add(me.where, "method %s.%s reuses method_id %d of method %s "
                             "(line %d)" % (sv.full, me.name, me.id, first.name,
                                            first.where[1]))
            else:
                by_method[me.id] = me
            for opt, n in (("request_caps", me.req_caps), ("reply_caps", me.rep_caps)):
                if n > MSG_MAX_CAPS:
                    problems.add(me.where, "method %s.%s has %s %d: a message carries at "
                                 "most CAPOS_MSG_MAX_CAPS (%d) caps"
                                 % (sv.full, me.name, opt, n, MSG_MAX_CAPS))
            if me.c in C_RESERVED:
                problems.add(me.where, "method %s.%s becomes the C keyword '%s'"
                             % (sv.full, me.name, me.c))
            if not me.c or not re.match(r"[a-z_]", me.c):
                problems.add(me.where, "method %s.%s gives no valid C name" % (sv.full, me.name))


def generated_names(sv):
    """[((namespace, identifier), entity, where)] for everything a service
    defines in C; entity names the service or method that causes it."""
    up = sv.c.upper()
    me_s = "service " + sv.full
    names = [(("macro", up + "_INTERFACE_ID"), me_s, sv.where),
             (("ident", sv.c + "_dispatch"), me_s, sv.where),
             (("ident", sv.c + "_dispatch_untyped"), me_s, sv.where),
             (("ident", sv.c + "_service"), me_s, sv.where),
             (("tag", sv.c + "_ops"), me_s, sv.where)]
    for me in sv.methods:
        ent = "method %s.%s" % (sv.full, me.name)
        names += [(("macro", "%s_%s_METHOD_ID" % (up, me.c.upper())), ent, me.where),
                  (("ident", "%s_%s_method" % (sv.c, me.c)), ent, me.where),
                  (("ident", "%s_%s" % (sv.c, me.c)), ent, me.where),
                  (("ident", "%s_%s_serve" % (sv.c, me.c)), ent, me.where),
                  (("member:" + sv.c, me.c), ent, me.where)]
    return names


def check_names(services, problems):
    seen = {}
    clashes = {}
    for sv in services:
        if not sv.target:
            continue
        if not sv.c or not re.match(r"[a-z_]", sv.c):
            problems.add(sv.where, "service %s gives no valid C name" % sv.full)
            continue
        for key, ent, where in generated_names(sv):
            if key in seen:
                o_ent, o_where = seen[key]
                if o_ent != ent:
                    clashes.setdefault((where, ent, o_ent, o_where), []).append(key[1])
            else:
                seen[key] = (ent, where)
    for (where, ent, o_ent, o_where), names in clashes.items():
        problems.add(where, "%s collides in C with %s (%s:%d): both define %s"
                     % (ent, o_ent, o_where[0], o_where[1], ", ".join(sorted(set(names)))))


# ---- Direct codecs ---------------------------------------------------------
# A message whose fields are scalars, bounded strings/bytes, such messages,
# and bounded repeated fields of any of these (proto3, no oneof or proto3
# `optional`, no nanopb option but the bounds) gets straight-line
# encode/decode functions (capos/wire.h) that produce and accept exactly
# what nanopb does, without its descriptor walk. Every other message goes
# through nanopb (docs/idl.md, "Direct codecs").

# proto type -> (wire type, kind)
DIRECT_SCALARS = {
    FD.TYPE_DOUBLE: (1, "fixed64"), FD.TYPE_FIXED64: (1, "fixed64"),
    FD.TYPE_SFIXED64: (1, "fixed64"),
    FD.TYPE_FLOAT: (5, "fixed32"), FD.TYPE_FIXED32: (5, "fixed32"),
    FD.TYPE_SFIXED32: (5, "fixed32"),
    FD.TYPE_INT64: (0, "int64"), FD.TYPE_UINT64: (0, "uint64"),
    FD.TYPE_INT32: (0, "int32"), FD.TYPE_UINT32: (0, "uint32"),
    FD.TYPE_SINT32: (0, "sint32"), FD.TYPE_SINT64: (0, "sint64"),
    FD.TYPE_BOOL: (0, "bool"), FD.TYPE_ENUM: (0, "enum"),
    FD.TYPE_STRING: (2, "string"), FD.TYPE_BYTES: (2, "bytes"),
    FD.TYPE_MESSAGE: (2, "message"),
}
DIRECT_OPTIONS = frozenset(["max_size", "max_length", "max_count"])


class Direct:
    """Which messages get direct codecs (memoised, recursion-safe)."""

    def __init__(self, model, bounds, targets):
        self.model = model
        self.bounds = bounds
        self.targets = targets  # only their files' codecs are generated
        self.memo = {}
        self.enums = {}
        for f in model.files.values():
            prefix = "." + f.package if f.package else ""
            for e in f.enum_type:
                self.enums[prefix + "." + e.name] = e
            stack = [(prefix + "." + m.name, m) for m in f.message_type]
            while stack:
                full, m = stack.pop()
                for e in m.enum_type:
                    self.enums[full + "." + e.name] = e
                stack.extend((full + "." + n.name, n) for n in m.nested_type)

    def ok(self, full):
        if full in self.memo:
            return self.memo[full]
        self.memo[full] = False  # a message inside itself: nanopb's
        if full not in self.model.messages:
            return False
        fname, msg, _, dotted = self.model.messages[full]
        if fname not in self.targets or self.model.files[fname].syntax != "proto3":
            return False
        for fld in msg.field:
            if fld.HasField("oneof_index"):
                return False  # oneof and proto3 optional: nanopb's
            if fld.type not in DIRECT_SCALARS:
                return False
            opts = self.bounds.field_options(fname, msg, dotted, fld)
            if any(d.name not in DIRECT_OPTIONS for d, _ in opts.ListFields()):
                return False
            if fld.type == FD.TYPE_MESSAGE and not self.ok(fld.type_name):
                return False
            if fld.type == FD.TYPE_ENUM and fld.type_name not in self.enums:
                return False
        self.memo[full] = True
        return True

    def unsigned_enum(self, type_name):
        """nanopb's UENUM: an enum with no negative value."""
        return all(v.number >= 0 for v in self.enums[type_name].value)


def direct_messages(model, direct, fname):
    """Full names of the messages of fname with direct codecs, in file order."""
    return [full for full, v in model.messages.items()
            if v[0] == fname and direct.ok(full)]


def direct_fn(model, full, what):
    return "%s_wire_%s" % (model.c_type(full), what)


def put_key_expr(number, wt):
    key = (number << 3) | wt
    return ("capos_wire_put_byte(w, %du)" % key if key < 0x80
            else "capos_wire_put_varint(w, %du)" % key)


def varint_value(direct, fld, kind, f):
    """The uint64_t a varint-encoded scalar f goes out as (nanopb's
    sign extension: int32 and signed enums as 64-bit negatives)."""
    if kind == "enum":
        if direct.unsigned_enum(fld.type_name):
            return "(uint64_t)(uint32_t)%s" % f
        return "(uint64_t)(int64_t)(int32_t)%s" % f
    return {
        "int64": "(uint64_t)%s" % f,
        "uint64": "%s" % f,
        "int32": "(uint64_t)(int64_t)%s" % f,
        "uint32": "%s" % f,
        "sint32": "capos_wire_zigzag(%s)" % f,
        "sint64": "capos_wire_zigzag(%s)" % f,
        "bool": "(uint64_t)(%s ? 1 : 0)" % f,
    }[kind]


def encode_repeated(model, direct, ct, fld, kind, w):
    """nanopb's encode_array: every element, empty ones too; scalars always
    packed (one length-delimited run)."""
    f = "m->" + fld.name
    cnt = "m->%s_count" % fld.name
    w("\tif ((size_t)%s > CAPOS_WIRE_COUNT(%s))" % (cnt, f))
    w("\t\treturn false; /* nanopb: \"array max size exceeded\" */")
    el = f + "[i]"
    if kind in ("message", "string", "bytes"):
        put_key = put_key_expr(fld.number, 2)
        w("\tfor (pb_size_t i = 0; i < %s; i++) {" % cnt)
        if kind == "message":
            w("\t\tuint8_t *len_at;")
            w("\t\tif (!%s || (len_at = capos_wire_sub_begin(w)) == NULL ||" % put_key)
            w("\t\t    !%s(w, &%s) || !capos_wire_sub_end(w, len_at))"
              % (direct_fn(model, fld.type_name, "encode"), el))
        elif kind == "string":
            w("\t\tif (!%s || !capos_wire_put_string(w, %s, sizeof(%s)))"
              % (put_key, el, el))
        else:
            w("\t\tif (%s.size > sizeof(%s) - offsetof(%s_%s_t, bytes) ||"
              % (el, el, ct, fld.name))
            w("\t\t    !%s || !capos_wire_put_lenbytes(w, %s.bytes, %s.size))"
              % (put_key, el, el))
        w("\t\t\treturn false;")
        w("\t}")
        return
    w("\tif (%s) {" % cnt)
    w("\t\tuint8_t *len_at;")
    w("\t\tif (!%s || (len_at = capos_wire_sub_begin(w)) == NULL)"
      % put_key_expr(fld.number, 2))
    w("\t\t\treturn false;")
    w("\t\tfor (pb_size_t i = 0; i < %s; i++)" % cnt)
    if kind in ("fixed32", "fixed64"):
        w("\t\t\tif (!capos_wire_put_raw(w, &%s, %d))" % (el, 4 if kind == "fixed32" else 8))
    else:
        w("\t\t\tif (!capos_wire_put_varint(w, %s))" % varint_value(direct, fld, kind, el))
    w("\t\t\t\treturn false;")
    w("\t\tif (!capos_wire_sub_end(w, len_at))")
    w("\t\t\treturn false;")
    w("\t}")


def gen_direct_encode(model, direct, full, w):
    _, msg, _, _ = model.messages[full]
    ct = model.c_type(full)
    w("")
    w("bool %s(struct capos_wire_out *w, const %s *m)" % (direct_fn(model, full, "encode"), ct))
    w("{")
    if not msg.field:
        w("\t(void)w;")
        w("\t(void)m;")
    for fld in sorted(msg.field, key=lambda f: f.number):
        wt, kind = DIRECT_SCALARS[fld.type]
        put_key = put_key_expr(fld.number, wt)
        f = "m->" + fld.name
        if fld.label == FD.LABEL_REPEATED:
            w("\t/* %s = %d, repeated */" % (fld.name, fld.number))
            encode_repeated(model, direct, ct, fld, kind, w)
            continue
        w("\t/* %s = %d */" % (fld.name, fld.number))
        if kind == "message":
            w("\tif (m->has_%s) {" % fld.name)
            w("\t\tuint8_t *len_at;")
            w("\t\tif (!%s || (len_at = capos_wire_sub_begin(w)) == NULL ||" % put_key)
            w("\t\t    !%s(w, &%s) || !capos_wire_sub_end(w, len_at))"
              % (direct_fn(model, fld.type_name, "encode"), f))
            w("\t\t\treturn false;")
            w("\t}")
            continue
        if kind == "string":
            w("\tif (%s[0] && (!%s || !capos_wire_put_string(w, %s, sizeof(%s))))"
              % (f, put_key, f, f))
            w("\t\treturn false;")
            continue
        if kind == "bytes":
            w("\tif (%s.size && (%s.size > sizeof(%s) - offsetof(%s_%s_t, bytes) ||"
              % (f, f, f, ct, fld.name))
            w("\t    !%s || !capos_wire_put_lenbytes(w, %s.bytes, %s.size)))" % (put_key, f, f))
            w("\t\treturn false;")
            continue
        if kind in ("fixed32", "fixed64"):
            n = 4 if kind == "fixed32" else 8
            # nanopb skips a value whose bytes are all zero (-0.0 is sent).
            w("\t{")
            w("\t\tuint%d_t bits;" % (n * 8))
            w("\t\tcapos_wire_memcpy(&bits, &%s, %d);" % (f, n))
            w("\t\tif (bits && (!%s || !capos_wire_put_raw(w, &bits, %d)))" % (put_key, n))
            w("\t\t\treturn false;")
            w("\t}")
            continue
        w("\tif (%s && (!%s || !capos_wire_put_varint(w, %s)))"
          % (f, put_key, varint_value(direct, fld, kind, f)))
        w("\t\treturn false;")
    w("\treturn true;")
    w("}")


def decode_scalar(direct, fld, kind, f, rd):
    """Lines that read one scalar of `kind` from reader rd into lvalue f
    (nanopb's pb_dec_varint/pb_dec_bool/pb_decode_fixed*), or return false.
    Uses the decoder's temporaries v (uint64_t) and b (uint32_t)."""
    out = []
    o = out.append
    if kind in ("fixed32", "fixed64"):
        o("if (!capos_wire_get_raw(%s, &%s, %d))" % (rd, f, 4 if kind == "fixed32" else 8))
        o("\treturn false;")
        return out
    if kind == "bool":
        o("if (!capos_wire_get_varint32(%s, &b))" % rd)
        o("\treturn false;")
        o("%s = b != 0;" % f)
        return out
    o("if (!capos_wire_get_varint(%s, &v))" % rd)
    o("\treturn false;")
    if kind == "uint64":
        o("%s = v;" % f)
    elif kind == "int64":
        o("%s = (int64_t)v;" % f)
    elif kind == "uint32":
        o("if (v > UINT32_MAX)")
        o("\treturn false; /* nanopb: \"integer too large\" */")
        o("%s = (uint32_t)v;" % f)
    elif kind == "int32":
        o("%s = (int32_t)v; /* nanopb takes a 64-bit negative too */" % f)
    elif kind == "sint64":
        o("%s = capos_wire_unzigzag(v);" % f)
    elif kind == "sint32":
        o("if (capos_wire_unzigzag(v) != (int32_t)capos_wire_unzigzag(v))")
        o("\treturn false; /* nanopb: \"integer too large\" */")
        o("%s = (int32_t)capos_wire_unzigzag(v);" % f)
    elif kind == "enum":
        if direct.unsigned_enum(fld.type_name):
            o("if (v > UINT32_MAX)")
            o("\treturn false; /* nanopb: \"integer too large\" */")
            o("{")
            o("\tuint32_t u = (uint32_t)v;")
            o("\tcapos_wire_memcpy(&%s, &u, sizeof(u));" % f)
            o("}")
        else:
            o("{")
            o("\tint32_t i = (int32_t)v;")
            o("\tcapos_wire_memcpy(&%s, &i, sizeof(i));" % f)
            o("}")
    return out


def decode_repeated(model, direct, ct, fld, wt, kind, w):
    """nanopb's decode_static_field for a repeated field: one element per
    occurrence, or (scalars) a packed run of them; a full array is
    "array overflow". Elements land in zeroed memory (the _buf form zeroes
    the struct, and a slot is never filled twice), which is what nanopb's
    per-element set-to-defaults leaves too."""
    f = "m->" + fld.name
    cnt = "m->%s_count" % fld.name
    el = "%s[%s]" % (f, cnt)
    full = "(size_t)%s >= CAPOS_WIRE_COUNT(%s)" % (cnt, f)

    def emit(lines, ind):
        for line in lines:
            w(ind + line)

    if kind in ("message", "string", "bytes"):
        w("\t\t\tif ((key & 7u) != 2u)")
        w("\t\t\t\treturn false; /* nanopb: \"wrong wire type\" */")
        w("\t\t\tif (%s)" % full)
        w("\t\t\t\treturn false; /* nanopb: \"array overflow\" */")
        if kind == "message":
            w("\t\t\tif (!capos_wire_get_len(r, &n))")
            w("\t\t\t\treturn false;")
            w("\t\t\t{")
            w("\t\t\t\tstruct capos_wire_in sub = { r->p, r->p + n };")
            w("\t\t\t\tif (!%s(&sub, &%s))"
              % (direct_fn(model, fld.type_name, "decode"), el))
            w("\t\t\t\t\treturn false;")
            w("\t\t\t}")
            w("\t\t\tr->p += n;")
        elif kind == "string":
            w("\t\t\tif (!capos_wire_get_string(r, %s, sizeof(%s)))" % (el, el))
            w("\t\t\t\treturn false;")
        else:
            w("\t\t\tif (!capos_wire_get_bytes(r, &%s, offsetof(%s_%s_t, bytes), sizeof(%s),"
              % (el, ct, fld.name, el))
            w("\t\t\t\t\t\t  &%s.size, sizeof(%s.size)))" % (el, el))
            w("\t\t\t\treturn false;")
        w("\t\t\t%s++;" % cnt)
        return
    w("\t\t\tif ((key & 7u) == 2u) { /* packed */")
    w("\t\t\t\tif (!capos_wire_get_len(r, &n))")
    w("\t\t\t\t\treturn false;")
    w("\t\t\t\tstruct capos_wire_in sub = { r->p, r->p + n };")
    w("\t\t\t\twhile (sub.p != sub.end && (size_t)%s < CAPOS_WIRE_COUNT(%s)) {" % (cnt, f))
    emit(decode_scalar(direct, fld, kind, el, "&sub"), "\t\t\t\t\t")
    w("\t\t\t\t\t%s++;" % cnt)
    w("\t\t\t\t}")
    w("\t\t\t\tif (sub.p != sub.end)")
    w("\t\t\t\t\treturn false; /* nanopb: \"array overflow\" */")
    w("\t\t\t\tr->p += n;")
    w("\t\t\t\tbreak;")
    w("\t\t\t}")
    w("\t\t\tif ((key & 7u) != %du)" % wt)
    w("\t\t\t\treturn false; /* nanopb: \"wrong wire type\" */")
    w("\t\t\tif (%s)" % full)
    w("\t\t\t\treturn false; /* nanopb: \"array overflow\" */")
    emit(decode_scalar(direct, fld, kind, el, "r"), "\t\t\t")
    w("\t\t\t%s++;" % cnt)


def gen_direct_decode(model, direct, full, w):
    _, msg, _, _ = model.messages[full]
    ct = model.c_type(full)
    kinds = [(fld, DIRECT_SCALARS[fld.type]) for fld in msg.field]
    rep = lambda fld: fld.label == FD.LABEL_REPEATED
    w("")
    w("bool %s(struct capos_wire_in *r, %s *m)" % (direct_fn(model, full, "decode"), ct))
    w("{")
    if not msg.field:
        w("\t(void)m;")
    w("\twhile (r->p != r->end) {")
    w("\t\tuint32_t key;")
    if any(k == "message" or (rep(fl) and wt != 2) for fl, (wt, k) in kinds):
        w("\t\tuint32_t n;")
    if any(wt == 0 and k != "bool" for fl, (wt, k) in kinds):
        w("\t\tuint64_t v;")
    if any(k == "bool" for fl, (wt, k) in kinds):
        w("\t\tuint32_t b;")
    w("\t\tif (!capos_wire_get_varint32(r, &key) || (key >> 3) == 0)")
    w("\t\t\treturn false; /* nanopb: \"zero tag\" */")
    w("\t\tswitch (key >> 3) {")
    for fld in sorted(msg.field, key=lambda f: f.number):
        wt, kind = DIRECT_SCALARS[fld.type]
        f = "m->" + fld.name
        w("\t\tcase %du:" % fld.number)
        if rep(fld):
            decode_repeated(model, direct, ct, fld, wt, kind, w)
            w("\t\t\tbreak;")
            continue
        w("\t\t\tif ((key & 7u) != %du)" % wt)
        w("\t\t\t\treturn false; /* nanopb: \"wrong wire type\" */")
        if kind == "message":
            w("\t\t\tif (!capos_wire_get_len(r, &n))")
            w("\t\t\t\treturn false;")
            w("\t\t\t{")
            w("\t\t\t\tstruct capos_wire_in sub = { r->p, r->p + n };")
            w("\t\t\t\tm->has_%s = true; /* a second one merges, as in nanopb */" % fld.name)
            w("\t\t\t\tif (!%s(&sub, &%s))" % (direct_fn(model, fld.type_name, "decode"), f))
            w("\t\t\t\t\treturn false;")
            w("\t\t\t}")
            w("\t\t\tr->p += n;")
        elif kind == "string":
            w("\t\t\tif (!capos_wire_get_string(r, %s, sizeof(%s)))" % (f, f))
            w("\t\t\t\treturn false;")
        elif kind == "bytes":
            w("\t\t\tif (!capos_wire_get_bytes(r, &%s, offsetof(%s_%s_t, bytes), sizeof(%s),"
              % (f, ct, fld.name, f))
            w("\t\t\t\t\t\t  &%s.size, sizeof(%s.size)))" % (f, f))
            w("\t\t\t\treturn false;")
        else:
            for line in decode_scalar(direct, fld, kind, f, "r"):
                w("\t\t\t" + line)
        w("\t\t\tbreak;")
    w("\t\tdefault:")
    w("\t\t\tif (!capos_wire_skip(r, key & 7u))")
    w("\t\t\t\treturn false;")
    w("\t\t\tbreak;")
    w("\t\t}")
    w("\t}")
    w("\treturn true;")
    w("}")


def gen_direct_buffers(model, full, w):
    """The whole-buffer forms struct capos_rpc_method points at."""
    ct = model.c_type(full)
    w("")
    w("bool %s(uint8_t *buf, uint32_t cap, const void *msg, uint32_t *len)"
      % direct_fn(model, full, "encode_buf"))
    w("{")
    w("\tstruct capos_wire_out w = { buf, buf + cap };")
    w("\tif (!%s(&w, msg))" % direct_fn(model, full, "encode"))
    w("\t\treturn false;")
    w("\t*len = (uint32_t)(w.p - buf);")
    w("\treturn true;")
    w("}")
    w("")
    w("bool %s(const uint8_t *buf, uint32_t len, void *msg)"
      % direct_fn(model, full, "decode_buf"))
    w("{")
    w("\tstruct capos_wire_in r = { buf, buf + len };")
    w("\tcapos_wire_memset(msg, 0, sizeof(%s));" % ct)
    w("\treturn %s(&r, msg);" % direct_fn(model, full, "decode"))
    w("}")


def gen_direct_decls(model, direct, fname, w):
    fulls = direct_messages(model, direct, fname)
    if not fulls:
        return
    w("")
    w("/* Direct codecs (capos/wire.h): the same bytes as nanopb, without its")
    w(" * descriptor walk. _encode/_decode work on a stream (decode merges into")
    w(" * *m); the _buf forms take a whole buffer (decode zeroes *msg first). */")
    for full in fulls:
        ct = model.c_type(full)
        w("#define %s_WIRE 1" % ct)
        w("bool %s(struct capos_wire_out *w, const %s *m);"
          % (direct_fn(model, full, "encode"), ct))
        w("bool %s(struct capos_wire_in *r, %s *m);" % (direct_fn(model, full, "decode"), ct))
        w("bool %s(uint8_t *buf, uint32_t cap, const void *msg, uint32_t *len);"
          % direct_fn(model, full, "encode_buf"))
        w("bool %s(const uint8_t *buf, uint32_t len, void *msg);"
          % direct_fn(model, full, "decode_buf"))


def gen_direct_defs(model, direct, fname, w):
    fulls = direct_messages(model, direct, fname)
    if fulls:
        w("")
        w("/* ---- direct codecs ---- */")
    for full in fulls:
        gen_direct_encode(model, direct, full, w)
        gen_direct_decode(model, direct, full, w)
        gen_direct_buffers(model, full, w)


# ---- Output ----------------------------------------------------------------

def guard(base):
    return "RPCGEN_" + re.sub(r"[^0-9A-Za-z]", "_", base).upper() + "_CAPOS_H"


def stub_params(me):
    """The client stub's parameters after `cap`."""
    ps = ["const %s *req" % me.req]
    if me.req_caps:
        ps.append("const struct capos_cap_list *send")
    ps.append("%s *resp" % me.resp)
    if me.rep_caps:
        ps.append("struct capos_cap_list *received")
    return ps


def op_params(me):
    """The op's parameters after `ctx, rq`."""
    ps = ["const %s *req" % me.req]
    if me.req_caps:
        ps.append("struct capos_cap_list *caps_in")
    ps.append("%s *resp" % me.resp)
    if me.rep_caps:
        ps.append("struct capos_cap_list *caps_out")
    return ps


def caps_note(me):
    """What a method's caps are, in a comment; None without caps."""
    if not me.req_caps and not me.rep_caps:
        return None
    req = "up to %d" % me.req_caps if me.req_caps else "none"
    if not me.rep_caps:
        rep = "reply none"
    elif me.rep_caps == 1:
        rep = "OK reply exactly 1"
    else:
        rep = "OK reply 1 to %d" % me.rep_caps
    return "%s caps: request %s, %s" % (me.name, req, rep)


def wrap_call(head, params, tail, width=90):
    """head(params)tail, params wrapped greedily at `width` columns (a tab
    counts 8), continuation lines indented by one tab."""
    lines = []
    cur = head + "("
    for i, p in enumerate(params):
        piece = p + ("," if i + 1 < len(params) else ")" + tail)
        cand = cur + ("" if cur.endswith("(") else " ") + piece
        if len(cand.expandtabs(8)) > width and not cur.endswith("("):
            lines.append(cur)
            cur = "\t" + piece
        else:
            cur = cand
    lines.append(cur)
    return lines


def param_lines(ps):
    """Parameters after the first line, in pairs: (req[, caps_in]) then
    (resp[, caps_out]), or all on one line when there are no caps."""
    if len(ps) == 2:
        return [", ".join(ps)]
    half = 2 if ps[1].endswith("*send") or ps[1].endswith("*caps_in") else 1
    return [", ".join(ps[:half]), ", ".join(ps[half:])]


def gen_header(fname, base, services, model, direct, targets):
    out = []
    w = out.append
    w("/* Generated by codegen/rpcgen.py from %s. Do not edit. */" % fname)
    w("#ifndef %s" % guard(base))
    w("#define %s" % guard(base))
    w("")
    w("#include <capos/rpc.h>")
    w("#include <capos/wire.h>")
    w("")
    w('#include "%s.pb.h"' % base)
    for dep in model.files[fname].dependency:
        if dep in targets:
            w('#include "%s.capos.h"' % dep[:-len(".proto")])
    gen_direct_decls(model, direct, fname, w)
    for sv in services:
        up = sv.c.upper()
        w("")
        w("/* ---- service %s ---- */" % sv.full)
        w("")
        w("#define %s_INTERFACE_ID %du" % (up, sv.iface))
        for me in sv.methods:
            w("#define %s_%s_METHOD_ID %du" % (up, me.c.upper(), me.id))
        w("")
        for me in sv.methods:
            w("extern const struct capos_rpc_method %s_%s_method;" % (sv.c, me.c))
        if sv.methods:
            w("")
            w("/* Client stubs: encode *req, Call cap, decode the reply into *resp.")
            w(" * A method with caps takes `send` (NULL: none; more than it may carry:")
            w(" * INVALID_ARGUMENT, nothing sent) and fills `received` on CAPOS_OK")
            w(" * (slots of the caller's table); an OK reply without the caps it")
            w(" * promises, or with more, is refused: CAPOS_PROTOCOL_ERROR. */")
        for me in sv.methods:
            note = caps_note(me)
            if note:
                w("/* %s. */" % note)
            if note:
                for l in wrap_call("capos_status_t %s_%s" % (sv.c, me.c),
                                   ["capos_cap_t cap"] + stub_params(me), ";"):
                    w(l)
            else:
                w("capos_status_t %s_%s(capos_cap_t cap, %s);"
                  % (sv.c, me.c, ", ".join(stub_params(me))))
        w("")
        w("/* Server: one op per method (NULL answers CAPOS_UNSUPPORTED). An op")
        w(" * fills *resp and returns CAPOS_OK, or returns the status to answer.")
        w(" * caps_in: the request's caps (an op that keeps one sets its entry to")
        w(" * CAPOS_NO_CAP; the rest are deleted after the call). caps_out: starts")
        w(" * empty; on CAPOS_OK the op sets count, cap[] and move bits. */")
        w("struct %s_ops {" % sv.c)
        for me in sv.methods:
            note = caps_note(me)
            if note:
                w("\t/* %s. */" % note)
            w("\tcapos_status_t (*%s)(void *ctx, struct capos_rpc_request *rq," % me.c)
            lines = param_lines(op_params(me))
            for i, l in enumerate(lines):
                w("\t\t%s%s" % (l, ");" if i == len(lines) - 1 else ","))
        w("};")
        w("")
        w("/* Decodes rq, calls the op, encodes the response into rq->out; the")
        w(" * status is the reply's label. A request with more caps than the method")
        w(" * takes: INVALID_ARGUMENT (the op is not called). An op's OK with 0 caps")
        w(" * or more than the method promises (any, if it promises none):")
        w(" * CAPOS_PROTOCOL_ERROR. Any status but OK: out_len 0, caps_out empty. */")
        w("capos_status_t %s_dispatch(const struct %s_ops *ops, void *ctx,"
          % (sv.c, sv.c))
        w("\tstruct capos_rpc_request *rq);")
        w("/* ops and ctx bound as a service (capos_rpc_service_dispatch). */")
        w("struct capos_rpc_service %s_service(const struct %s_ops *ops, void *ctx);"
          % (sv.c, sv.c))
    w("")
    w("#endif")
    return "\n".join(out) + "\n"


def gen_source(fname, base, services, model, direct):
    out = []
    w = out.append
    w("/* Generated by codegen/rpcgen.py from %s. Do not edit. */" % fname)
    w("#include <stddef.h>")
    w("")
    w('#include "%s.capos.h"' % base)
    gen_direct_defs(model, direct, fname, w)
    types = sorted({t for sv in services for me in sv.methods for t in (me.req, me.resp)})
    if types:
        w("")
        w("/* Every message must fit one IPC body. */")
        for t in types:
            w("#ifdef %s_size" % t)
            w('_Static_assert(%s_size <= CAPOS_MSG_BODY_MAX, "%s does not fit a message body");'
              % (t, t))
            w("#endif")
    for sv in services:
        up = sv.c.upper()
        w("")
        w("/* ---- service %s ---- */" % sv.full)
        for me in sv.methods:
            mup = me.c.upper()
            w("")
            w("const struct capos_rpc_method %s_%s_method = {" % (sv.c, me.c))
            w("\t.interface_id = %s_INTERFACE_ID," % up)
            w("\t.method_id = %s_%s_METHOD_ID," % (up, mup))
            w("\t.request_fields = &%s_msg," % me.req)
            w("\t.response_fields = &%s_msg," % me.resp)
            w("\t.idempotent = %d," % (1 if me.idempotent else 0))
            w("\t.request_caps = %d," % me.req_caps)
            w("\t.reply_caps = %d," % me.rep_caps)
            if direct.ok(me.req_full):
                w("\t.encode_request = %s," % direct_fn(model, me.req_full, "encode_buf"))
            if direct.ok(me.resp_full):
                w("\t.decode_response = %s," % direct_fn(model, me.resp_full, "decode_buf"))
            w("};")
            w("")
            if me.req_caps or me.rep_caps:
                for l in wrap_call("capos_status_t %s_%s" % (sv.c, me.c),
                                   ["capos_cap_t cap"] + stub_params(me), ""):
                    w(l)
            else:
                w("capos_status_t %s_%s(capos_cap_t cap, %s)"
                  % (sv.c, me.c, ", ".join(stub_params(me))))
            w("{")
            if me.req_caps or me.rep_caps:
                w("\treturn capos_rpc_call_caps(cap, &%s_%s_method, req, %s, resp, %s);"
                  % (sv.c, me.c, "send" if me.req_caps else "NULL",
                     "received" if me.rep_caps else "NULL"))
            else:
                w("\treturn capos_rpc_call(cap, &%s_%s_method, req, resp);" % (sv.c, me.c))
            w("}")
        for me in sv.methods:
            w("")
            w("static capos_status_t %s_%s_serve(const struct %s_ops *o, void *ctx,"
              % (sv.c, me.c, sv.c))
            w("\t\t\t\tstruct capos_rpc_request *rq)")
            w("{")
            if direct.ok(me.req_full):
                w("\t%s req; /* zeroed by the decoder */" % me.req)
            else:
                w("\t%s req = %s_init_zero;" % (me.req, me.req))
            w("\t%s resp = %s_init_zero;" % (me.resp, me.resp))
            w("\tcapos_status_t st;")
            w("")
            w("\tif (o->%s == NULL)" % me.c)
            w("\t\treturn CAPOS_UNSUPPORTED;")
            w("\tif (rq->caps_in.count > %du)" % me.req_caps)
            w("\t\treturn CAPOS_INVALID_ARGUMENT;")
            if direct.ok(me.req_full):
                w("\tif (rq->len > CAPOS_MSG_BODY_MAX ||")
                w("\t    !%s(rq->body, rq->len, &req))"
                  % direct_fn(model, me.req_full, "decode_buf"))
            else:
                w("\tif (capos_rpc_decode(rq, &%s_msg, &req) != CAPOS_OK)" % me.req)
            w("\t\treturn CAPOS_INVALID_ARGUMENT;")
            args = ["ctx", "rq", "&req"]
            if me.req_caps:
                args.append("&rq->caps_in")
            args.append("&resp")
            if me.rep_caps:
                args.append("&rq->caps_out")
            w("\tst = o->%s(%s);" % (me.c, ", ".join(args)))
            w("\tif (st != CAPOS_OK)")
            w("\t\treturn st;")
            if me.rep_caps:
                w("\tif (rq->caps_out.count == 0 || rq->caps_out.count > %du)" % me.rep_caps)
            else:
                w("\tif (rq->caps_out.count != 0)")
            w("\t\treturn CAPOS_PROTOCOL_ERROR;")
            if direct.ok(me.resp_full):
                w("\tif (!%s(rq->out, rq->out_cap, &resp, &rq->out_len)) {"
                  % direct_fn(model, me.resp_full, "encode_buf"))
                w("\t\trq->out_len = 0;")
                w("\t\treturn CAPOS_INVALID_ARGUMENT;")
                w("\t}")
            else:
                w("\tif (capos_rpc_encode(rq, &%s_msg, &resp) != CAPOS_OK)" % me.resp)
                w("\t\treturn CAPOS_INVALID_ARGUMENT;")
            w("\treturn CAPOS_OK;")
            w("}")
        w("")
        w("capos_status_t %s_dispatch(const struct %s_ops *ops, void *ctx,"
          % (sv.c, sv.c))
        w("\tstruct capos_rpc_request *rq)")
        w("{")
        if not sv.methods:
            w("\t(void)ops;")
            w("\t(void)ctx;")
        w("\tcapos_status_t st;")
        w("")
        w("\trq->caps_out = (struct capos_cap_list){ .count = 0 };")
        w("\tif (CAPOS_RPC_INTERFACE(rq->label) != %s_INTERFACE_ID) {" % up)
        w("\t\trq->out_len = 0;")
        w("\t\treturn CAPOS_UNSUPPORTED;")
        w("\t}")
        w("\tswitch (CAPOS_RPC_METHOD(rq->label)) {")
        for me in sv.methods:
            w("\tcase %s_%s_METHOD_ID:" % (up, me.c.upper()))
            w("\t\tst = %s_%s_serve(ops, ctx, rq);" % (sv.c, me.c))
            w("\t\tbreak;")
        w("\tdefault:")
        w("\t\tst = CAPOS_UNSUPPORTED;")
        w("\t\tbreak;")
        w("\t}")
        w("\tif (st != CAPOS_OK) {")
        w("\t\trq->out_len = 0;")
        w("\t\trq->caps_out = (struct capos_cap_list){ .count = 0 };")
        w("\t}")
        w("\treturn st;")
        w("}")
        w("")
        w("static capos_status_t %s_dispatch_untyped(const void *ops, void *ctx," % sv.c)
        w("\tstruct capos_rpc_request *rq)")
        w("{")
        w("\treturn %s_dispatch(ops, ctx, rq);" % sv.c)
        w("}")
        w("")
        w("struct capos_rpc_service %s_service(const struct %s_ops *ops, void *ctx)"
          % (sv.c, sv.c))
        w("{")
        w("\tstruct capos_rpc_service s = {")
        w("\t\t.interface_id = %s_INTERFACE_ID," % up)
        w("\t\t.dispatch = %s_dispatch_untyped," % sv.c)
        w("\t\t.ops = ops,")
        w("\t\t.ctx = ctx,")
        w("\t};")
        w("\treturn s;")
        w("}")
    return "\n".join(out) + "\n"


def write_if_changed(path, text):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                # Touch so build tools see the output as newer than inputs.
                os.utime(path, None)
                return
    except FileNotFoundError:
        pass
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv):
    ap = argparse.ArgumentParser(description="capOS-C RPC stub generator")
    ap.add_argument("--descriptor-set", required=True,
                    help="protoc --descriptor_set_out output (with --include_imports "
                         "--include_source_info)")
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--options", action="append", default=[],
                    help="nanopb .options file for the .proto of the same base name")
    ap.add_argument("--global-options", action="append", default=[],
                    help="nanopb .options file applied to every file (like nanopb -f)")
    ap.add_argument("targets", nargs="+", help="target .proto names as protoc knows them")
    args = ap.parse_args(argv)

    problems = Problems()
    fds = descriptor_pb2.FileDescriptorSet()
    with open(args.descriptor_set, "rb") as f:
        fds.ParseFromString(f.read())
    model = Model(fds, problems)

    targets = []
    for t in args.targets:
        if t not in model.files:
            sys.stderr.write("rpcgen.py: %s is not in the descriptor set\n" % t)
            return 2
        if t not in targets:
            targets.append(t)

    per_file = {}
    global_opts = []
    for path in args.options:
        norm = path.replace(os.sep, "/")
        matches = [n for n in model.order
                   if norm.endswith("/" + n[:-len(".proto")] + ".options")
                   or norm == n[:-len(".proto")] + ".options"]
        if not matches:
            sys.stderr.write("rpcgen.py: %s matches no .proto in the descriptor set "
                             "(use --global-options)\n" % path)
            return 2
        # The longest match is the file it sits beside.
        per_file.setdefault(max(matches, key=len), []).extend(
            read_options_file(path, problems))
    for path in args.global_options:
        global_opts.extend(read_options_file(path, problems))

    bounds = Bounds(model, per_file, global_opts)
    check_bounds(model, bounds, targets, problems)
    services = collect_services(model, set(targets), problems)
    check_services(services, problems)
    check_names(services, problems)
    if problems.report():
        return 1

    direct = Direct(model, bounds, set(targets))
    for t in targets:
        base = t[:-len(".proto")] if t.endswith(".proto") else t
        svs = [sv for sv in services if sv.file == t]
        write_if_changed(os.path.join(args.out_dir, base + ".capos.h"),
                         gen_header(t, base, svs, model, direct, set(targets)))
        write_if_changed(os.path.join(args.out_dir, base + ".capos.c"),
                         gen_source(t, base, svs, model, direct))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
