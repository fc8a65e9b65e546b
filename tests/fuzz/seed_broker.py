#!/usr/bin/python3
"""Writes fuzz_broker's seed programs (tests/fuzz/fuzz_broker.c reads them).

  seed_broker.py OUT...   one seed per OUT, in the order of SEEDS below
                          (the build names them; each file's name ends in
                          the seed's name)

A seed is a program of calls, each: the index of a cap the program holds,
an index into fuzz_broker.c's ifaces[], the method, the body's length, the
body (protobuf). The program starts holding, in order: 0 the
AuthorityBroker, 1 an anonymous session, 2 the operator's session, 3 its
"shutdown" grant, 4 its "log-reader" grant; every cap a call hands back is
appended. The shutdown seeds let the fuzzer reach an accepted Shutdown at
once, so its stop invariant runs from the first executions.
"""
import sys

# fuzz_broker.c's ifaces[] indices.
BROKER, SESSION, SHUTDOWN = 0, 1, 2
# Methods (idl/broker.proto).
OPEN_ANONYMOUS, OPEN_SESSION = 1, 3
REQUEST_GRANT, CLOSE = 2, 3
SHUTDOWN_CALL = 1
POWER_OFF, REBOOT, HALT = 1, 2, 3


def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def field(num, value):
    """One protobuf field: an int (varint) or bytes/str (length-delimited)."""
    if isinstance(value, int):
        return varint(num << 3) + varint(value)
    if isinstance(value, str):
        value = value.encode()
    return varint(num << 3 | 2) + varint(len(value)) + value


def call(cap, iface, method, body=b""):
    assert len(body) < 256
    return bytes([cap, iface, method, len(body)]) + body


def login(cap_after):
    """The operator logs in with the passphrase (its session lands at
    cap_after), asks that session for "shutdown" (at cap_after + 1)."""
    return (call(0, BROKER, OPEN_SESSION,
                 field(1, "operator") + field(2, 1) + field(3, "pw")) +
            call(cap_after, SESSION, REQUEST_GRANT,
                 field(1, "shutdown") + field(2, "fuzz seed")))


def shutdown(cap, mode, reason="fuzz seed"):
    body = (field(1, mode) if mode else b"") + (field(2, reason) if reason else b"")
    return call(cap, SHUTDOWN, SHUTDOWN_CALL, body)


SEEDS = {
    # An anonymous session asks for "log-reader" (the first seed).
    "broker": call(0, BROKER, OPEN_ANONYMOUS) +
              call(1, SESSION, REQUEST_GRANT, field(1, "log-reader")),
    # The held shutdown grant: a power-off at once.
    "shutdown": shutdown(3, POWER_OFF),
    # A fresh passphrase login, its grant, a power-off.
    "login_shutdown": login(5) + shutdown(6, POWER_OFF),
    # A reboot, then a halt on the same grant (each its own stop).
    "reboot_halt": login(5) + shutdown(6, REBOOT) + shutdown(6, HALT),
    # Refusals first (no mode, no reason, the anonymous session asking for
    # "shutdown"), then a power-off that is accepted.
    "refused_then_shutdown": shutdown(3, 0) + shutdown(3, POWER_OFF, "") +
                             call(1, SESSION, REQUEST_GRANT, field(1, "shutdown")) +
                             shutdown(3, HALT),
    # The session closed: its grant is stale, the Shutdown refused; the
    # held grant still powers off.
    "closed_session": login(5) + call(5, SESSION, CLOSE) + shutdown(6, POWER_OFF) +
                      shutdown(3, POWER_OFF),
}


def main():
    outs = sys.argv[1:]
    if len(outs) != len(SEEDS):
        sys.exit(f"seed_broker.py: {len(SEEDS)} outputs wanted, {len(outs)} given")
    for out, (name, data) in zip(outs, SEEDS.items()):
        if not out.endswith(name + ".bin"):
            sys.exit(f"seed_broker.py: {out} is not seed {name}")
        with open(out, "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
