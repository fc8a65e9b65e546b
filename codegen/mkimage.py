#!/usr/bin/python3
"""mkimage.py - build a bootable capOS disk image (GPT + FAT ESP).

    mkimage.py -o OUT.img --efi BOOTX64.EFI --kernel kernel.elf --pkg boot.pkg
               [--size-mib 64]

The image is a GPT disk (protective MBR, primary and backup headers and
entry arrays) with one EFI System Partition from 1 MiB to the last whole MiB
before the backup GPT. The ESP is formatted FAT with mtools (no root, no loop
devices) and holds:

    \\EFI\\BOOT\\BOOTX64.EFI   the loader
    \\capos\\kernel.elf        the kernel
    \\capos\\boot.pkg          the boot package

Output is deterministic for identical inputs: GUIDs derive from the input
contents, the FAT volume serial is fixed, and file/directory timestamps come
from SOURCE_DATE_EPOCH (default 2000-01-01). The image is written to a
temporary file next to OUT and renamed into place, so a failed run never
leaves a half-written image behind.
"""

import argparse
import hashlib
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import uuid
import zlib

SECTOR = 512
ESP_START_LBA = 2048                 # 1 MiB
GPT_ENTRIES = 128
GPT_ENTRY_SIZE = 128
GPT_ARRAY_SECTORS = GPT_ENTRIES * GPT_ENTRY_SIZE // SECTOR  # 32
ESP_TYPE = uuid.UUID("C12A7328-F81F-11D2-BA4B-00A0C93EC93B")
VOLUME_SERIAL = "0xCA905C00"
VOLUME_LABEL = "CAPOS"
DEFAULT_EPOCH = 946684800            # 2000-01-01T00:00:00Z
FAT32_MIN_MIB = 40                   # below this, FAT16


class ImageError(Exception):
    pass


def die(msg):
    print(f"mkimage: error: {msg}", file=sys.stderr)
    sys.exit(1)


def gpt_header(current, backup, first_usable, last_usable, disk_guid,
               entries_lba, entries_crc):
    fmt = "<8sIIIIQQQQ16sQIII"
    hdr = struct.pack(fmt, b"EFI PART", 0x00010000, 92, 0, 0,
                      current, backup, first_usable, last_usable,
                      disk_guid.bytes_le, entries_lba, GPT_ENTRIES,
                      GPT_ENTRY_SIZE, entries_crc)
    crc = zlib.crc32(hdr) & 0xFFFFFFFF
    hdr = hdr[:16] + struct.pack("<I", crc) + hdr[20:]
    return hdr.ljust(SECTOR, b"\0")


def gpt_entries(part_guid, first_lba, last_lba, name):
    ent = struct.pack("<16s16sQQQ72s", ESP_TYPE.bytes_le, part_guid.bytes_le,
                      first_lba, last_lba, 0, name.encode("utf-16-le"))
    return ent.ljust(GPT_ENTRIES * GPT_ENTRY_SIZE, b"\0")


def protective_mbr(total_sectors):
    mbr = bytearray(SECTOR)
    size = min(total_sectors - 1, 0xFFFFFFFF)
    # status, CHS first (0/0/2), type 0xEE, CHS last (max), LBA 1, size
    mbr[446:462] = struct.pack("<B3sB3sII", 0, b"\x00\x02\x00", 0xEE,
                               b"\xff\xff\xff", 1, size)
    mbr[510:512] = b"\x55\xaa"
    return bytes(mbr)


def run(cmd, env):
    try:
        r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    except FileNotFoundError:
        raise ImageError(f"{cmd[0]} not found (install mtools)")
    if r.returncode != 0:
        raise ImageError(f"{' '.join(cmd)} failed (status {r.returncode}):\n"
                         f"{r.stdout.strip()}")


def build(tmp, args, files, total_sectors):
    last_usable = total_sectors - 1 - 1 - GPT_ARRAY_SECTORS  # 34 at the end
    esp_end = (last_usable + 1) // ESP_START_LBA * ESP_START_LBA - 1
    if esp_end <= ESP_START_LBA:
        raise ImageError("image too small for an ESP")
    esp_sectors = esp_end - ESP_START_LBA + 1
    payload = sum(os.path.getsize(src) for src, _ in files)
    if payload + (1 << 20) > esp_sectors * SECTOR:
        raise ImageError(f"files ({payload} bytes) do not fit a "
                         f"{args.size_mib} MiB image; use --size-mib")

    # GUIDs from the contents: same inputs, same image.
    h = hashlib.sha256()
    for src, dst in files:
        h.update(dst.encode())
        with open(src, "rb") as f:
            h.update(hashlib.sha256(f.read()).digest())
    h.update(str(total_sectors).encode())
    digest = h.digest()
    disk_guid = uuid.UUID(bytes=digest[:16], version=4)
    part_guid = uuid.UUID(bytes=digest[16:32], version=4)

    entries = gpt_entries(part_guid, ESP_START_LBA, esp_end, "EFI System")
    ecrc = zlib.crc32(entries) & 0xFFFFFFFF
    backup_lba = total_sectors - 1
    backup_entries_lba = backup_lba - GPT_ARRAY_SECTORS
    first_usable = 2 + GPT_ARRAY_SECTORS
    primary = gpt_header(1, backup_lba, first_usable, last_usable, disk_guid,
                         2, ecrc)
    backup = gpt_header(backup_lba, 1, first_usable, last_usable, disk_guid,
                        backup_entries_lba, ecrc)

    with open(tmp, "wb") as f:
        f.truncate(total_sectors * SECTOR)
        f.seek(0)
        f.write(protective_mbr(total_sectors))
        f.write(primary)
        f.write(entries)
        f.seek(backup_entries_lba * SECTOR)
        f.write(entries)
        f.write(backup)

    # FAT filesystem inside the partition, via mtools' image@@offset syntax.
    env = dict(os.environ)
    env["MTOOLS_SKIP_CHECK"] = "1"
    env.setdefault("SOURCE_DATE_EPOCH", str(DEFAULT_EPOCH))
    env["TZ"] = "UTC"
    env.pop("MTOOLSRC", None)
    target = f"{tmp}@@{ESP_START_LBA * SECTOR}"
    fmt = ["mformat", "-i", target, "-T", str(esp_sectors), "-h", "64",
           "-s", "32", "-H", str(ESP_START_LBA), "-N", VOLUME_SERIAL[2:],
           "-v", VOLUME_LABEL]
    if args.size_mib >= FAT32_MIN_MIB:
        fmt.append("-F")
    fmt.append("::")
    run(fmt, env)
    dirs = set()
    for _, dst in files:
        parts = dst.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]))
    for d in sorted(dirs, key=lambda p: (p.count("/"), p)):
        run(["mmd", "-i", target, "::/" + d], env)
    epoch = int(env["SOURCE_DATE_EPOCH"])
    for src, dst in files:
        # Stamp a private copy so mcopy -m gives a fixed time.
        stamped = tmp + ".file"
        shutil.copyfile(src, stamped)
        os.utime(stamped, (epoch, epoch))
        try:
            run(["mcopy", "-m", "-o", "-i", target, stamped, "::/" + dst], env)
        finally:
            os.unlink(stamped)


def main():
    ap = argparse.ArgumentParser(description="Build a capOS GPT/FAT disk image.")
    ap.add_argument("-o", "--output", required=True, help="image to write")
    ap.add_argument("--efi", required=True, help="the loader, BOOTX64.EFI")
    ap.add_argument("--kernel", required=True, help="the kernel ELF")
    ap.add_argument("--pkg", required=True, help="the boot package")
    ap.add_argument("--size-mib", type=int, default=64,
                    help="image size in MiB (default 64)")
    args = ap.parse_args()

    files = [(args.efi, "EFI/BOOT/BOOTX64.EFI"),
             (args.kernel, "capos/kernel.elf"),
             (args.pkg, "capos/boot.pkg")]
    for src, dst in files:
        if not os.path.isfile(src):
            die(f"input file {src} (for \\{dst.replace('/', chr(92))}) not found")
    if args.size_mib < 8 or args.size_mib > 1 << 20:
        die("--size-mib must be between 8 and 1048576")
    for tool in ("mformat", "mmd", "mcopy"):
        if shutil.which(tool) is None:
            die(f"{tool} not found: install mtools")

    out = os.path.abspath(args.output)
    total_sectors = args.size_mib * (1 << 20) // SECTOR
    fd, tmp = tempfile.mkstemp(prefix=".mkimage-", suffix=".img",
                               dir=os.path.dirname(out))
    os.close(fd)
    try:
        build(tmp, args, files, total_sectors)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except ImageError as e:
        os.unlink(tmp)
        die(str(e))
    except BaseException:
        os.unlink(tmp)
        raise


if __name__ == "__main__":
    main()
