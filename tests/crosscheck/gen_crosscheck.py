#!/usr/bin/python3
"""gen_crosscheck.py - generate the nanopb <-> protobuf-c cross-check tables.

Reads protoc's descriptor set (--include_imports) and writes one C file with,
for every message of the named .proto files (nested messages included):

  fill_<T>(m, depth)  fills a nanopb struct with random values within its
                      bounds. The bounds are not read from the .options
                      files: the C code takes them from the nanopb struct
                      itself (sizeof of the char/bytes arrays, pb_arraysize
                      of the repeated arrays), so the harness always follows
                      what nanopb generated.
  cmp_<T>(a, b, path) compares a nanopb struct with a protobuf-c message,
                      field by field, proto3 rules (an unset scalar is 0,
                      an unset string "", an unset submessage NULL in
                      protobuf-c and has_<f> == false in nanopb).
  the typed protobuf-c calls (<t>__unpack, __get_packed_size, __pack,
                      __free_unpacked) behind a table, xc_messages[], that
                      crosscheck.c runs.

Usage: gen_crosscheck.py --descriptor-set SET --out FILE [--missing F.proto]...
                         TARGET.proto...
TARGET.proto names are as protoc knows them (relative to its -I). --missing
names files that have no nanopb codec: the test reports them as failures.

The shapes assumed are nanopb's defaults for bounded fields (char[N] for
string, PB_BYTES_ARRAY_T(N) for bytes, <f>_count + array for repeated,
has_<f> for submessages and proto3 optional). An .options file that asks for
another shape (fixed_length, fixed_count, FT_POINTER, FT_CALLBACK) makes the
generated file fail to compile rather than be silently skipped; oneof and
map fields are rejected here for the same reason (the IDL has none).
"""

import argparse
import sys

from google.protobuf import descriptor_pb2

F = descriptor_pb2.FieldDescriptorProto

# protobuf-c's FieldName(): lower case, "_" appended to C/C++ keywords.
PBC_KEYWORDS = {
    "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case",
    "catch", "char", "class", "compl", "const", "const_cast", "continue",
    "default", "delete", "do", "double", "dynamic_cast", "else", "enum",
    "explicit", "extern", "false", "float", "for", "friend", "goto", "if",
    "inline", "int", "long", "mutable", "namespace", "new", "not", "not_eq",
    "operator", "or", "or_eq", "private", "protected", "public", "register",
    "reinterpret_cast", "return", "short", "signed", "sizeof", "static",
    "static_cast", "struct", "switch", "template", "this", "throw", "true",
    "try", "typedef", "typeid", "typename", "union", "unsigned", "using",
    "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
}

# scalar type -> (fill expression, compare helper, cast for compare)
SCALARS = {
    F.TYPE_UINT32: ("xc_u32()", "xc_cmp_u64", "uint64_t"),
    F.TYPE_FIXED32: ("xc_u32()", "xc_cmp_u64", "uint64_t"),
    F.TYPE_UINT64: ("xc_u64()", "xc_cmp_u64", "uint64_t"),
    F.TYPE_FIXED64: ("xc_u64()", "xc_cmp_u64", "uint64_t"),
    F.TYPE_INT32: ("xc_i32()", "xc_cmp_i64", "int64_t"),
    F.TYPE_SINT32: ("xc_i32()", "xc_cmp_i64", "int64_t"),
    F.TYPE_SFIXED32: ("xc_i32()", "xc_cmp_i64", "int64_t"),
    F.TYPE_INT64: ("xc_i64()", "xc_cmp_i64", "int64_t"),
    F.TYPE_SINT64: ("xc_i64()", "xc_cmp_i64", "int64_t"),
    F.TYPE_SFIXED64: ("xc_i64()", "xc_cmp_i64", "int64_t"),
    F.TYPE_BOOL: ("xc_bool()", "xc_cmp_u64", "uint64_t"),
    F.TYPE_FLOAT: ("xc_float()", "xc_cmp_float", None),
    F.TYPE_DOUBLE: ("xc_double()", "xc_cmp_double", None),
}


def die(msg):
    print("gen_crosscheck.py: " + msg, file=sys.stderr)
    sys.exit(1)


def to_camel(s):
    """protobuf-c's ToCamel: capitalise the first letter and each letter after
    an underscore, dropping the underscores."""
    out = []
    up = True
    for c in s:
        if c == "_":
            up = True
        elif up:
            out.append(c.upper())
            up = False
        else:
            out.append(c)
    return "".join(out)


def camel_to_lower(s):
    """protobuf-c's CamelToLower: "_" before an upper-case letter that
    follows a lower-case one, everything lower case."""
    out = []
    was_upper = True
    for c in s:
        if c.isupper():
            if not was_upper:
                out.append("_")
            out.append(c.lower())
            was_upper = True
        else:
            out.append(c)
            was_upper = False
    return "".join(out)


class Msg:
    def __init__(self, full, proto, package, path):
        self.full = full        # capos.Outer.Inner
        self.proto = proto      # DescriptorProto
        pkg = package.split(".") if package else []
        self.npb = "_".join(pkg + path)                      # capos_Outer_Inner
        self.pbc = "__".join(to_camel(p) for p in pkg + path)  # Capos__Outer__Inner
        self.pbc_lower = "__".join(camel_to_lower(p) for p in pkg + path)


def collect(fds, targets):
    files = {f.name: f for f in fds.file}
    for t in targets:
        if t not in files:
            die("%s is not in the descriptor set" % t)
    msgs = {}   # full name -> Msg, every file (for field types)
    enums = {}  # full name -> (nanopb type, [values])
    order = []  # messages of the target files, in file order

    def walk(f, prefix, path, mlist, elist):
        pkg = f.package
        for e in elist:
            full = ".".join(filter(None, [prefix, e.name]))
            npb = "_".join((pkg.split(".") if pkg else []) + path + [e.name])
            enums["." + full] = (npb, [v.number for v in e.value])
        for m in mlist:
            full = ".".join(filter(None, [prefix, m.name]))
            msg = Msg(full, m, pkg, path + [m.name])
            msgs["." + full] = msg
            if f.name in targets and not m.options.map_entry:
                order.append(msg)
            walk(f, full, path + [m.name], m.nested_type, m.enum_type)

    for f in fds.file:
        walk(f, f.package, [], f.message_type, f.enum_type)
    return msgs, enums, order


def pbc_field(name):
    n = name.lower()
    return n + "_" if n in PBC_KEYWORDS else n


def check_fields(msg, msgs):
    for fd in msg.proto.field:
        where = "%s.%s" % (msg.full, fd.name)
        if fd.HasField("oneof_index") and not fd.proto3_optional:
            die("%s: oneof fields are not supported; extend the generator" % where)
        if fd.type == F.TYPE_GROUP:
            die("%s: groups are not supported" % where)
        if fd.type == F.TYPE_MESSAGE and msgs[fd.type_name].proto.options.map_entry:
            die("%s: map fields are not supported; extend the generator" % where)
        if fd.label == F.LABEL_REQUIRED:
            die("%s: proto2 required fields are not supported" % where)


def gen_fill(msg, msgs, enums):
    T = msg.npb
    out = ["static void fill_%s(%s *m, int depth)" % (T, T), "{"]
    fields = sorted(msg.proto.field, key=lambda f: f.number)
    if any(f.label == F.LABEL_REPEATED for f in fields):
        out.append("\tsize_t i;")
    out.append("\t(void)m;")
    out.append("\t(void)depth;")
    for fd in fields:
        n = fd.name
        rep = fd.label == F.LABEL_REPEATED
        if rep:
            if fd.type == F.TYPE_MESSAGE:
                out.append("\tm->%s_count = (pb_size_t)(depth < XC_MAX_DEPTH ? "
                           "xc_count(pb_arraysize(%s, %s)) : 0);" % (n, T, n))
            else:
                out.append("\tm->%s_count = (pb_size_t)xc_count(pb_arraysize(%s, %s));"
                           % (n, T, n))
            out.append("\tfor (i = 0; i < m->%s_count; i++)" % n)
            lv = "m->%s[i]" % n
            ind = "\t\t"
        else:
            lv = "m->%s" % n
            ind = "\t"
        if fd.type == F.TYPE_MESSAGE:
            sub = msgs[fd.type_name].npb
            if rep:
                out.append("%sfill_%s(&%s, depth + 1);" % (ind, sub, lv))
            else:
                out.append("\tm->has_%s = depth < XC_MAX_DEPTH && xc_bool();" % n)
                out.append("\tif (m->has_%s)" % n)
                out.append("\t\tfill_%s(&%s, depth + 1);" % (sub, lv))
            continue
        if fd.proto3_optional:
            out.append("\tm->has_%s = xc_bool();" % n)
            out.append("\tif (m->has_%s)" % n)
            ind = "\t\t"
        if fd.type == F.TYPE_STRING:
            out.append("%sxc_fill_str(%s, sizeof %s);" % (ind, lv, lv))
        elif fd.type == F.TYPE_BYTES:
            out.append("%sxc_fill_bytes(%s.bytes, &%s.size, sizeof %s.bytes);"
                       % (ind, lv, lv, lv))
        elif fd.type == F.TYPE_ENUM:
            et, _ = enums[fd.type_name]
            out.append("%s%s = (%s)XC_PICK(xc_enum_%s);" % (ind, lv, et, et))
        else:
            out.append("%s%s = %s;" % (ind, lv, SCALARS[fd.type][0]))
    out.append("}")
    return out


def gen_cmp(msg, msgs):
    T = msg.npb
    out = ["static int cmp_%s(const %s *a, const %s *b, const char *path)"
           % (T, T, msg.pbc), "{"]
    fields = sorted(msg.proto.field, key=lambda f: f.number)
    out.append("\tint bad = 0;")
    if any(f.label == F.LABEL_REPEATED for f in fields):
        out.append("\tsize_t i;")
    if any(f.type == F.TYPE_MESSAGE for f in fields):
        out.append("\tchar sub[XC_PATH_MAX];")
    out.append("\t(void)a;")
    out.append("\t(void)b;")
    out.append("\t(void)path;")
    for fd in fields:
        n = fd.name
        pn = pbc_field(n)
        rep = fd.label == F.LABEL_REPEATED
        body = []
        if rep:
            out.append('\tbad += xc_cmp_count(path, "%s", (size_t)a->%s_count, b->n_%s);'
                       % (n, n, pn))
            out.append("\tfor (i = 0; i < a->%s_count && i < b->n_%s; i++) {" % (n, pn))
            la, lb, idx, ind = "a->%s[i]" % n, "b->%s[i]" % pn, "(long)i", "\t\t"
        else:
            la, lb, idx, ind = "a->%s" % n, "b->%s" % pn, "-1", "\t"
        if fd.proto3_optional:
            out.append('\tbad += xc_cmp_presence(path, "%s", a->has_%s, b->has_%s);'
                       % (n, n, pn))
            out.append("\tif (a->has_%s && b->has_%s) {" % (n, pn))
            ind = "\t\t"
        if fd.type == F.TYPE_MESSAGE:
            sub = msgs[fd.type_name].npb
            if rep:
                body.append('xc_path(sub, sizeof sub, path, "%s", %s);' % (n, idx))
                body.append("bad += cmp_%s(&%s, %s, sub);" % (sub, la, lb))
            else:
                out.append('\tbad += xc_cmp_presence(path, "%s", a->has_%s, b->%s != NULL);'
                           % (n, n, pn))
                out.append("\tif (a->has_%s && b->%s != NULL) {" % (n, pn))
                ind = "\t\t"
                body.append('xc_path(sub, sizeof sub, path, "%s", -1);' % n)
                body.append("bad += cmp_%s(&%s, %s, sub);" % (sub, la, lb))
        elif fd.type == F.TYPE_STRING:
            body.append('bad += xc_cmp_str(path, "%s", %s, %s, %s);' % (n, idx, la, lb))
        elif fd.type == F.TYPE_BYTES:
            body.append('bad += xc_cmp_bytes(path, "%s", %s, %s.bytes, %s.size, '
                        '%s.data, %s.len);' % (n, idx, la, la, lb, lb))
        elif fd.type == F.TYPE_ENUM:
            body.append('bad += xc_cmp_i64(path, "%s", %s, (int64_t)%s, (int64_t)%s);'
                        % (n, idx, la, lb))
        else:
            _, helper, cast = SCALARS[fd.type]
            if cast:
                body.append('bad += %s(path, "%s", %s, (%s)%s, (%s)%s);'
                            % (helper, n, idx, cast, la, cast, lb))
            else:
                body.append('bad += %s(path, "%s", %s, %s, %s);' % (helper, n, idx, la, lb))
        out.extend(ind + line for line in body)
        if fd.proto3_optional or (fd.type == F.TYPE_MESSAGE and not rep):
            out.append("\t}")
        if rep:
            out.append("\t}")
    out.append("\treturn bad;")
    out.append("}")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--descriptor-set", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--missing", action="append", default=[],
                    help="a .proto in idl/ with no nanopb codec (reported)")
    ap.add_argument("targets", nargs="+")
    args = ap.parse_args()

    fds = descriptor_pb2.FileDescriptorSet()
    with open(args.descriptor_set, "rb") as fh:
        fds.ParseFromString(fh.read())
    files = {f.name: f for f in fds.file}
    msgs, enums, order = collect(fds, set(args.targets))
    for m in order:
        check_fields(m, msgs)
    if not order:
        die("no messages in %s" % " ".join(args.targets))

    o = []
    o.append("/* Generated by tests/crosscheck/gen_crosscheck.py from %s. Do not edit. */"
             % ", ".join(args.targets))
    o.append("#include <stddef.h>")
    o.append("#include <stdint.h>")
    o.append("")
    o.append('#include "crosscheck.h"')
    o.append("")
    for t in args.targets:
        if not files[t].message_type and not files[t].enum_type:
            continue  # nothing to cross-check (capos/options.proto)
        base = t[:-len(".proto")] if t.endswith(".proto") else t
        o.append('#include "%s.pb.h"' % base)
        o.append('#include "%s.pb-c.h"' % base)
        # rpcgen's direct codecs (<T>_WIRE says a message has them).
        o.append('#include "%s.capos.h"' % base)
    o.append("")

    used_enums = set()
    for m in order:
        for fd in m.proto.field:
            if fd.type == F.TYPE_ENUM:
                used_enums.add(fd.type_name)
    for en in sorted(used_enums, key=lambda e: enums[e][0]):
        et, vals = enums[en]
        o.append("static const int32_t xc_enum_%s[] = { %s };"
                 % (et, ", ".join(str(v) for v in vals)))
    o.append("")

    for m in order:
        o.append("static void fill_%s(%s *m, int depth);" % (m.npb, m.npb))
        o.append("static int cmp_%s(const %s *a, const %s *b, const char *path);"
                 % (m.npb, m.npb, m.pbc))
    o.append("")

    for m in order:
        o.append("/* %s */" % m.full)
        o.extend(gen_fill(m, msgs, enums))
        o.append("")
        o.extend(gen_cmp(m, msgs))
        o.append("")
        T, L = m.npb, m.pbc_lower
        o.append("static void xc_fill_%s(void *m)" % T)
        o.append("{")
        o.append("\tfill_%s(m, 0);" % T)
        o.append("}")
        o.append("")
        o.append("static int xc_cmp_%s(const void *a, const ProtobufCMessage *b, const char *path)"
                 % T)
        o.append("{")
        o.append("\treturn cmp_%s(a, (const %s *)b, path);" % (T, m.pbc))
        o.append("}")
        o.append("")
        o.append("static ProtobufCMessage *xc_unpack_%s(size_t len, const uint8_t *data)" % T)
        o.append("{")
        o.append("\treturn (ProtobufCMessage *)%s__unpack(NULL, len, data);" % L)
        o.append("}")
        o.append("")
        o.append("static size_t xc_packed_size_%s(const ProtobufCMessage *p)" % T)
        o.append("{")
        o.append("\treturn %s__get_packed_size((const %s *)p);" % (L, m.pbc))
        o.append("}")
        o.append("")
        o.append("static size_t xc_pack_%s(const ProtobufCMessage *p, uint8_t *out)" % T)
        o.append("{")
        o.append("\treturn %s__pack((const %s *)p, out);" % (L, m.pbc))
        o.append("}")
        o.append("")
        o.append("static void xc_free_%s(ProtobufCMessage *p)" % T)
        o.append("{")
        o.append("\t%s__free_unpacked((%s *)p, NULL);" % (L, m.pbc))
        o.append("}")
        o.append("")

    # Element wire types of repeated fields (packable scalars: 0, 1, 5).
    elem_wt = {F.TYPE_FIXED64: 1, F.TYPE_SFIXED64: 1, F.TYPE_DOUBLE: 1,
               F.TYPE_FIXED32: 5, F.TYPE_SFIXED32: 5, F.TYPE_FLOAT: 5,
               F.TYPE_STRING: 2, F.TYPE_BYTES: 2, F.TYPE_MESSAGE: 2}
    for m in order:
        T = m.npb
        reps = [fd for fd in sorted(m.proto.field, key=lambda f: f.number)
                if fd.label == F.LABEL_REPEATED]
        o.append("static const struct xc_rep xc_rep_%s[] = {" % T)
        for fd in reps:
            o.append("\t{ %d, %d, pb_arraysize(%s, %s) }," % (fd.number, elem_wt.get(fd.type, 0),
                                                            T, fd.name))
        o.append("\t{ 0, 0, 0 },")
        o.append("};")
    o.append("")
    for m in order:
        T = m.npb
        o.append("#ifdef %s_WIRE" % T)
        o.append("#define XC_DIRECT_%s %s_wire_encode_buf, %s_wire_decode_buf" % (T, T, T))
        o.append("#else")
        o.append("#define XC_DIRECT_%s NULL, NULL" % T)
        o.append("#endif")
    o.append("")
    o.append("const struct xc_msg xc_messages[] = {")
    for m in order:
        T = m.npb
        o.append("\t{ \"%s\", %s_fields, sizeof(%s), %s_size, xc_fill_%s, xc_cmp_%s,"
                 % (m.full, T, T, T, T, T))
        o.append("\t  xc_unpack_%s, xc_packed_size_%s, xc_pack_%s, xc_free_%s,"
                 % (T, T, T, T))
        o.append("\t  XC_DIRECT_%s, xc_rep_%s }," % (T, T))
    o.append("};")
    o.append("const size_t xc_message_count = sizeof xc_messages / sizeof xc_messages[0];")
    o.append("const char *const xc_missing[] = { %s };"
             % ", ".join(['"%s"' % m for m in args.missing] + ["NULL"]))
    o.append("const size_t xc_missing_count = %d;" % len(args.missing))
    text = "\n".join(o) + "\n"
    with open(args.out, "w") as fh:
        fh.write(text)


if __name__ == "__main__":
    main()
