#!/usr/bin/env python3
"""mkpkg.py - writes a capOS boot package (format: kern/include/capos/bootpkg.h).

Usage: mkpkg.py -o OUT name=path[:kind] ...
  kind is elf (default), manifest or data. Entries keep command-line order.

Layout: a 32-byte header, 72-byte entries, then each entry's data starting on
a 4096-byte boundary (zero padding in between). total_size ends at the last
entry's data. The header checksum is zlib.crc32 of the whole package with the
checksum field zero. Output is a pure function of the inputs (no timestamps)
and is written atomically (temporary file + rename), so a failed run never
leaves a half-written package for the image build to pick up.
"""
import argparse
import os
import struct
import sys
import tempfile
import zlib

MAGIC = b"CAPOSPKG"
VERSION = 1
MAX_ENTRIES = 64
NAME_MAX = 48  # including the NUL
ALIGN = 4096
KINDS = {"elf": 1, "manifest": 2, "data": 3}

# struct capos_pkg_header / capos_pkg_entry, little endian, no padding.
HEADER = struct.Struct("<8sIIIIQ")
ENTRY = struct.Struct("<48sIIQQ")
assert HEADER.size == 32 and ENTRY.size == 72
CHECKSUM_OFF = 20


class PkgError(Exception):
    pass


def parse_spec(spec):
    """name=path[:kind] -> (name, path, kind)."""
    if "=" not in spec:
        raise PkgError(f"entry '{spec}' is not of the form name=path[:kind]")
    name, rest = spec.split("=", 1)
    path, kind = rest, "elf"
    if ":" in rest:
        head, tail = rest.rsplit(":", 1)
        if tail in KINDS:
            path, kind = head, tail
        elif "/" not in tail and not os.path.exists(rest):
            raise PkgError(f"entry '{name}': unknown kind '{tail}' "
                           f"(expected one of {', '.join(KINDS)})")
    if not path:
        raise PkgError(f"entry '{name}': empty path")
    return name, path, kind


def check_name(name):
    if not name:
        raise PkgError("entry name is empty")
    if "\0" in name:
        raise PkgError(f"entry name {name!r} contains a NUL byte")
    try:
        raw = name.encode("utf-8")
    except UnicodeEncodeError:
        raise PkgError(f"entry name {name!r} is not valid UTF-8") from None
    if len(raw) >= NAME_MAX:
        raise PkgError(f"entry name '{name}' is too long: {len(raw)} bytes, "
                       f"at most {NAME_MAX - 1} allowed")
    return raw


def align_up(x):
    return (x + ALIGN - 1) // ALIGN * ALIGN


def build(specs):
    if not specs:
        raise PkgError("no entries given; a package needs at least one")
    if len(specs) > MAX_ENTRIES:
        raise PkgError(f"too many entries: {len(specs)}, at most {MAX_ENTRIES}")
    entries = []
    seen = set()
    for spec in specs:
        name, path, kind = parse_spec(spec)
        raw = check_name(name)
        if raw in seen:
            raise PkgError(f"duplicate entry name '{name}'")
        seen.add(raw)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            raise PkgError(f"entry '{name}': file not found: {path}") from None
        except IsADirectoryError:
            raise PkgError(f"entry '{name}': is a directory: {path}") from None
        except OSError as e:
            raise PkgError(f"entry '{name}': cannot read {path}: {e.strerror}") from None
        entries.append((raw, KINDS[kind], data))

    first = align_up(HEADER.size + ENTRY.size * len(entries))
    table = bytearray()
    offsets = []
    pos = first
    for raw, kind, data in entries:
        table += ENTRY.pack(raw, kind, zlib.crc32(data), pos, len(data))
        offsets.append(pos)
        pos = align_up(pos + len(data))
    # Ends at the last entry's data: no padding after it.
    total = offsets[-1] + len(entries[-1][2])

    pkg = bytearray(total)
    HEADER.pack_into(pkg, 0, MAGIC, VERSION, HEADER.size, len(entries), 0, total)
    pkg[HEADER.size:HEADER.size + len(table)] = table
    for off, (_, _, data) in zip(offsets, entries):
        pkg[off:off + len(data)] = data
    struct.pack_into("<I", pkg, CHECKSUM_OFF, zlib.crc32(pkg))
    return bytes(pkg)


def write_atomic(out, data):
    d = os.path.dirname(os.path.abspath(out))
    fd, tmp = tempfile.mkstemp(prefix=".mkpkg-", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def main(argv=None):
    ap = argparse.ArgumentParser(description="Write a capOS boot package.")
    ap.add_argument("-o", "--output", required=True, help="package file to write")
    ap.add_argument("entries", nargs="*", metavar="name=path[:kind]",
                    help="kind is elf (default), manifest or data")
    args = ap.parse_args(argv)
    try:
        data = build(args.entries)
        write_atomic(args.output, data)
    except PkgError as e:
        print(f"mkpkg: error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"mkpkg: error: cannot write {args.output}: {e.strerror}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
