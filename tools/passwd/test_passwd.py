#!/usr/bin/python3
"""test_passwd.py - capos-passwd against what the broker verifies
(ctest tools_passwd, label unit).

  test_passwd.py TOOL MANIFEST

- the verifier it makes for manifests/test-broker.textproto's operator
  (the comment there gives the passphrase and the fixed salt) is the one
  in that manifest, which qemu_broker_shutdown logs in with in the guest;
- a random salt gives a different verifier for the same passphrase, of the
  same form;
- refusals: an empty passphrase, a bad cost, a salt too short (exit 1 or 2,
  nothing on stdout).
"""
import re
import subprocess
import sys

tool, manifest = sys.argv[1], sys.argv[2]
text = open(manifest).read()
want = re.search(r'verifier: "([^"]+)"', text).group(1)
salt = re.search(r"--salt ([0-9a-f]+)", text).group(1)
secret = re.search(r"echo (\S+) \| capos-passwd", text).group(1)


def run(args, stdin):
    p = subprocess.run([tool] + args, input=stdin, capture_output=True, text=True)
    return p.returncode, p.stdout.strip()


fails = []
rc, out = run(["-m", "1024", "-t", "2", "--salt", salt], secret + "\n")
if rc != 0 or out != want:
    fails.append(f"fixed salt: rc {rc}, {out!r}, want {want!r}")
rc1, a = run(["-m", "64", "-t", "1"], secret + "\n")
rc2, b = run(["-m", "64", "-t", "1"], secret + "\n")
form = re.compile(r"^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$")
if rc1 or rc2 or a == b or not form.match(a) or not form.match(b):
    fails.append(f"random salts: {a!r} {b!r}")
for args, stdin, code in ((["-m", "64"], "\n", 1), (["-m", "4"], "x\n", 2),
                          (["-t", "0"], "x\n", 2), (["--salt", "0011"], "x\n", 2),
                          (["--bogus"], "x\n", 2)):
    rc, out = run(args, stdin)
    if rc != code or out:
        fails.append(f"{args} {stdin!r}: rc {rc} (want {code}), stdout {out!r}")
for f in fails:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
