#!/usr/bin/python3
"""Makes deliberately broken images for the loader tests.

  broken_image.py corrupt-pkg OUT.img --efi E --kernel K --pkg P
      the package with one byte of its last entry's data flipped
  broken_image.py missing-pkg OUT.img --efi E --kernel K --pkg P
      a good image with \\capos\\boot.pkg deleted from the ESP
  broken_image.py corrupt-kernel OUT.img --efi E --kernel K --pkg P
      the kernel ELF with e_machine changed to i386
"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MKIMAGE = os.path.join(HERE, "..", "..", "codegen", "mkimage.py")
ESP_OFFSET = 1024 * 1024  # mkimage.py puts the ESP at 1 MiB


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["corrupt-pkg", "missing-pkg", "corrupt-kernel"])
    ap.add_argument("out")
    ap.add_argument("--efi", required=True)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--pkg", required=True)
    a = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        pkg = a.pkg
        if a.mode == "corrupt-pkg":
            data = bytearray(open(a.pkg, "rb").read())
            data[len(data) - 100] ^= 0x40  # inside the last entry's data
            pkg = os.path.join(tmp, "boot.pkg")
            with open(pkg, "wb") as f:
                f.write(data)
        kernel = a.kernel
        if a.mode == "corrupt-kernel":
            data = bytearray(open(a.kernel, "rb").read())
            data[18:20] = (3).to_bytes(2, "little")  # e_machine = EM_386
            kernel = os.path.join(tmp, "kernel.elf")
            with open(kernel, "wb") as f:
                f.write(data)
        subprocess.run([sys.executable, MKIMAGE, "-o", a.out, "--efi", a.efi,
                        "--kernel", kernel, "--pkg", pkg], check=True)
        if a.mode == "missing-pkg":
            subprocess.run(["mdel", "-i", f"{a.out}@@{ESP_OFFSET}", "::/capos/boot.pkg"],
                           check=True)


if __name__ == "__main__":
    main()
