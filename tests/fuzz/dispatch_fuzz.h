/*
 * dispatch_fuzz.h - one libFuzzer driver for every server's generated
 * dispatcher (dispatch_fuzz.c), with the server's real logic behind it,
 * over the host loopback transport (lib/src/loopback.c).
 *
 * A server's fuzzer is one file, tests/fuzz/fuzz_srv_<name>.c, that defines
 * `const struct fuzz_server fuzz_server` (below), and one CMake line,
 * capos_server_fuzzer(<name> <server sources>...) (tests/fuzz/
 * CMakeLists.txt; docs/testing.md).
 *
 * An input is a run of records, each
 *
 *   u8  endpoint   which of the server's endpoints (index mod count); 0xf0
 *                  and above: not a call but bytes for the server's `feed`
 *                  hook (the UART for the console), if it has one
 *   u8  caps       low 3 bits: caps sent with the call (mod 5, so 0..4, the
 *                  ABI's limit); bits 4..7: which of them are moved
 *   u64 label      little-endian: interface id << 32 | method id
 *   u16 length     little-endian; the last record takes what is left
 *   ... body       `length` bytes (cut to one IPC body)
 *
 * After every record the driver checks, and aborts on a breach:
 *  - the transport took the call (the loopback refuses nothing here);
 *  - the answer is a status of enum capos_status, never PROTOCOL_ERROR
 *    (a server breaking its own interface), DEFERRED only where the server
 *    says it defers; a label that is no method of the server (another
 *    interface, or an unknown method) answers UNSUPPORTED;
 *  - an OK answer's body decodes as the method's response and carries no
 *    more caps than the method promises;
 *  - no cap leaked: the caller's table is back to what it held before (the
 *    server keeps none of the caps it was sent unless keeps_caps);
 *  - the server keeps serving: its `check` (a known-good request) answers
 *    OK with the right value.
 * The server's state is set up afresh for every input, so any input that
 * fails replays alone.
 */
#ifndef TESTS_FUZZ_DISPATCH_FUZZ_H
#define TESTS_FUZZ_DISPATCH_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include <capos/abi.h>
#include <capos/rpc.h>
#include <capos/transport.h>

#define FUZZ_MAX_ENDPOINTS 8
#define FUZZ_MAX_METHODS 16
#define FUZZ_FEED 0xf0u  /* an endpoint byte at or above: a feed record */

/* A real request the seeds are made of: encoded with the generated
 * encoder (method->request_fields) when the fuzzer writes its seeds.
 * method NULL: a feed record of feed_len bytes at request. */
struct fuzz_seed {
	uint8_t endpoint;                     /* index into endpoints[] */
	const struct capos_rpc_method *method;
	const void *request;                  /* the method's request struct */
	uint8_t caps;                         /* the record's caps byte */
	size_t feed_len;
};

struct fuzz_server {
	const char *name;
	/* Fresh state and loopback registrations (the loopback is reset just
	 * before). Called before every input. */
	void (*setup)(void);
	capos_cap_t endpoints[FUZZ_MAX_ENDPOINTS]; /* slots setup registered */
	uint32_t nendpoints;
	/* Every method the endpoints serve (the answer's body is checked
	 * against its response message). NULL-terminated. */
	const struct capos_rpc_method *methods[FUZZ_MAX_METHODS];
	/* Called after every record: the known-good request, and any
	 * invariant of the server's state. Returns 0 when all is well, else
	 * prints what is wrong and returns non-zero. */
	int (*check)(void);
	/* Optional: bytes from outside that are not a call (a feed record). */
	void (*feed)(const uint8_t *data, size_t len);
	/* Optional: before each call (e.g. the serve loop's deferral handle). */
	void (*before_call)(void);
	const struct fuzz_seed *seeds;
	size_t nseeds;
	int may_defer;  /* CAPOS_RPC_DEFERRED is a legitimate answer */
	int keeps_caps; /* the server may keep caps it was sent */
};

extern const struct fuzz_server fuzz_server;

/* For a server's check: prints "fuzz <server>: <what>" to stderr and
 * returns 1 when cond is false. */
int fuzz_expect(int cond, const char *what);

#endif
