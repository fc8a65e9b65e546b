/*
 * rt_libc.c - the userspace runtime in QEMU (tests/qemu/rt_libc.expect).
 * Built with -fstack-protector-all and linked with Debian's
 * libprotobuf-nanopb.a and libbearssl.a, which were themselves built with
 * the stack protector and call memcpy/memset/realloc/free,
 * __memcpy_chk and friends. As the root task (arg 0) it checks
 * the TLS block and canary its creator set up, the startup page's names,
 * snprintf, the heap, nanopb encode/decode, Thread.SET_TLS, a second
 * thread with its own TCB, and then spawns itself as children (arg = role):
 *   1  named caps through capos_spawn_caps: lookups and a heap of its own;
 *   2  a stack smash: "stack smashing detected", exit 134;
 *   3  a double free: "heap: double free", exit 134;
 *   4  a failed assert: file:line and the expression, exit 134.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bearssl.h>
#include <pb_decode.h>
#include <pb_encode.h>

#include <capos/runtime.h>
#include <capos/startup.h>

#include "ipc_common.h"

/* A nanopb message described by hand, as nanopb_generator would. */
typedef struct {
	int32_t a;
	char b[8];
} Tiny;
#define Tiny_FIELDLIST(X, a_) \
	X(a_, STATIC, SINGULAR, INT32, a, 1) \
	X(a_, STATIC, SINGULAR, STRING, b, 2)
#define Tiny_CALLBACK NULL
#define Tiny_DEFAULT NULL
PB_BIND(Tiny, Tiny, AUTO)
#define Tiny_fields &Tiny_msg

static volatile size_t smash_len = 16;

__attribute__((noinline)) static int protected_fill(size_t n)
{
	char buf[16];
	memset(buf, 'A', n);
	return buf[0] + buf[n ? n - 1 : 0];
}

static uint64_t rng = 0x1234567887654321ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void heap_test(void)
{
	enum { N = 64 };
	uint8_t *p[N] = { 0 };
	size_t len[N] = { 0 };
	uint32_t bad = 0, misaligned = 0, ops = 0;
	for (uint32_t i = 0; i < 3000; i++, ops++) {
		uint32_t k = (uint32_t)(rnd() % N);
		if (p[k]) {
			for (size_t j = 0; j < len[k]; j++)
				if (p[k][j] != (uint8_t)(k + j))
					bad++;
		}
		uint64_t r = rnd();
		size_t n = (r >> 8) % 4 == 0 ? (size_t)(r >> 16) % 40000 : (size_t)(r >> 16) % 300;
		if (r % 3 == 0) {
			free(p[k]);
			p[k] = NULL;
			len[k] = 0;
			continue;
		}
		uint8_t *q = r % 3 == 1 ? realloc(p[k], n) : (free(p[k]), malloc(n));
		if (r % 3 == 1 && q)
			for (size_t j = 0; j < (len[k] < n ? len[k] : n); j++)
				if (q[j] != (uint8_t)(k + j))
					bad++;
		if (!q && n) {
			bad++;
			p[k] = NULL;
			len[k] = 0;
			continue;
		}
		if ((uintptr_t)q & 15)
			misaligned++;
		p[k] = q;
		len[k] = n;
		for (size_t j = 0; j < n; j++)
			q[j] = (uint8_t)(k + j);
	}
	struct capos_heap_stats s;
	int check = capos_heap_stats(&s);
	for (uint32_t k = 0; k < N; k++)
		free(p[k]);
	struct capos_heap_stats e;
	int check2 = capos_heap_stats(&e);
	uint8_t *z = calloc(1000, 4);
	uint32_t nonzero = 0;
	for (uint32_t j = 0; z && j < 4000; j++)
		nonzero += z[j] != 0;
	free(z);
	capos_printf("rt: heap: %u ops, %u pattern errors, %u misaligned, check %d/%d, live after free-all %lu, calloc nonzero %u, heap at %p\n",
		     ops, bad, misaligned, check, check2, (unsigned long)e.allocs, nonzero, (void *)z);
}

static void nanopb_test(void)
{
	uint8_t buf[32];
	Tiny m = { 150, "hi" };
	pb_ostream_t os = pb_ostream_from_buffer(buf, sizeof(buf));
	bool ok = pb_encode(&os, Tiny_fields, &m);
	char hex[80];
	size_t h = 0;
	for (size_t i = 0; i < os.bytes_written; i++)
		h += (size_t)snprintf(hex + h, sizeof(hex) - h, "%02x", buf[i]);
	hex[h] = '\0';
	Tiny back;
	memset(&back, 0, sizeof(back));
	pb_istream_t is = pb_istream_from_buffer(buf, os.bytes_written);
	bool ok2 = pb_decode(&is, Tiny_fields, &back);
	uint8_t vb[16];
	pb_ostream_t vs = pb_ostream_from_buffer(vb, sizeof(vb));
	pb_encode_varint(&vs, 300);
	capos_printf("rt: nanopb: encode %d -> %s, decode %d -> a %d b %s; varint 300 -> %02x%02x\n",
		     ok, hex, ok2, (int)back.a, back.b, vb[0], vb[1]);
}

static void bearssl_test(void)
{
	br_sha256_context c;
	uint8_t out[32];
	br_sha256_init(&c);
	br_sha256_update(&c, "abc", 3);
	br_sha256_out(&c, out);
	char hex[65];
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", out[i]);
	br_hmac_drbg_context d;
	br_hmac_drbg_init(&d, &br_sha256_vtable, "seed", 4);
	uint64_t r[2] = { 0, 0 };
	br_hmac_drbg_generate(&d, r, sizeof(r));
	capos_printf("rt: bearssl: sha256(abc) %s; drbg %s\n", hex, r[0] | r[1] ? "ok" : "zero");
}

static struct capos_tcb other_tcb __attribute__((aligned(64)));
static struct capos_tcb worker_tcb __attribute__((aligned(64)));
static volatile uint64_t worker_saw;

static void worker(struct capos_ipc_buffer *ipc, uint64_t ntfn)
{
	(void)ipc;
	worker_saw = (uint64_t)(uintptr_t)capos_tls_self();
	protected_fill(8);
	capos_signal((capos_cap_t)ntfn, 1);
	for (;;)
		capos_wait((capos_cap_t)ntfn, CAPOS_WAIT_FOREVER); /* bits go to the main thread */
}

static void tls_test(void)
{
	struct capos_tcb *t = capos_tls_self();
	uint64_t canary = t->stack_guard;
	capos_printf("rt: tls: fs base %p, self ok %d, canary set %d, low byte %lu\n", (void *)t,
		     t->self == CAPOS_TLS_VA && t->self2 == CAPOS_TLS_VA, canary != 0,
		     (unsigned long)(canary & 0xff));
	capos_cap_t th = capos_cap_lookup("thread");
	capos_tls_init(&other_tcb);
	capos_status_t s1 = capos_thread_set_tls(th, (uint64_t)(uintptr_t)&other_tcb);
	int moved = capos_tls_self() == &other_tcb;
	int r1 = protected_fill(4); /* the canary of other_tcb (copied) */
	capos_status_t s2 = capos_thread_set_tls(th, CAPOS_TLS_VA);
	int back = capos_tls_self() == t;
	capos_status_t s3 = capos_thread_set_tls(th, 0x0000800000000000ull);
	capos_status_t s4 = capos_thread_set_tls(th, 0xffff800000001000ull);
	capos_printf("rt: set_tls: own thread -> %ld (moved %d, call %d), back -> %ld (%d); non-canonical -> %ld, kernel -> %ld\n",
		     (long)s1, moved, r1 == 'A' * 2, (long)s2, back, (long)s3, (long)s4);

	/* A second thread with a TCB of its own. */
	uint32_t ntfn;
	capos_notification_create(capos_cap_lookup("self"), &ntfn);
	static uint8_t stack[16384] __attribute__((aligned(16)));
	capos_tls_init(&worker_tcb);
	struct capos_thread_create tc = {
		.entry = (uint64_t)(uintptr_t)worker,
		.stack = (uint64_t)(uintptr_t)(stack + sizeof(stack) - 8),
		.ipc_buffer = 0x0000200000000000ull,
		.tls_base = (uint64_t)(uintptr_t)&worker_tcb,
		.arg = ntfn,
		.priority = 100,
	};
	uint32_t wt;
	capos_status_t c = capos_thread_create(capos_cap_lookup("self"), &tc, &wt);
	capos_status_t s = capos_thread_start(wt);
	capos_status_t w = capos_wait(ntfn, 2000000000ull);
	capos_printf("rt: thread: create %ld start %ld wait %ld; its fs base is its TCB %d\n",
		     (long)c, (long)s, (long)w, worker_saw == (uint64_t)(uintptr_t)&worker_tcb);
}

static void child_main(void)
{
	capos_debug_port = capos_cap_lookup("console");
	uint32_t type = 0;
	capos_cap_t self = capos_cap_lookup_type("self", &type);
	capos_cap_t kinfo = capos_cap_lookup("kinfo");
	const struct capos_startup *su = capos_startup();
	char *big = malloc(100000);
	if (big)
		memset(big, 7, 100000);
	struct capos_heap_stats hs;
	int hc = capos_heap_stats(&hs);
	capos_printf("rt child: program %s, %u names: self %u (type %u), console %u, kinfo %u, thread %s; malloc 100000 -> %s, heap check %d, mapped %lu\n",
		     su ? su->program : "?", su ? su->ncaps : 0, self, type,
		     capos_debug_port, kinfo,
		     capos_cap_lookup("thread") == CAPOS_NO_CAP ? "absent" : "present",
		     big ? "ok" : "NULL", hc, (unsigned long)hs.mapped);
	free(big);
}

static struct capos_spawned spawn_role(const char *name, uint64_t role)
{
	struct capos_spawn_cap caps[] = {
		{ "self", CAPOS_SPAWN_CHILD_PROCESS, 1, CAPOS_RIGHTS_ALL, 0, 0, 0 },
		{ "console", CAPOS_ROOT_IOPORT, 3, CAPOS_RIGHTS_ALL, 0, 0, 0 },
		{ "kinfo", CAPOS_ROOT_KERNEL_INFO, 5, CAPOS_RIGHT_READ, 0, 0, 0 },
	};
	struct capos_spawned s = { CAPOS_NO_CAP, CAPOS_NO_CAP };
	capos_status_t st = capos_spawn_caps("rt_libc", name, &ipc_child_limits, 100, role, caps,
					     3, &s);
	if (st != CAPOS_OK)
		capos_printf("rt: spawn %s -> %ld\n", name, (long)st);
	return s;
}

static void run_child(const char *name, uint64_t role, uint32_t sleeper)
{
	struct capos_spawned s = spawn_role(name, role);
	capos_thread_start(s.thread);
	int64_t code = -1;
	uint32_t state = ipc_wait_exit(s.process, sleeper, 5000, &code);
	capos_printf("rt: child %s: state %u code %ld\n", name, state, (long)code);
}

int main(uint64_t arg)
{
	if (arg == 1) {
		child_main();
		return 0;
	}
	if (arg >= 2)
		capos_debug_port = capos_cap_lookup("console");
	if (arg == 2) {
		smash_len = 64;
		protected_fill(smash_len);
		capos_printf("rt child: smash returned\n");
		return 1;
	}
	if (arg == 3) {
		char *p = malloc(40);
		free(p);
		free(p);
		return 1;
	}
	if (arg == 4) {
		assert(arg == 0);
		return 1;
	}

	capos_printf("rt: startup: capmgr %u self %u thread %u ioport %u irq_control %u kernel_info %u boot_package %u process_control %u, nosuch %s\n",
		     capos_cap_lookup("capmgr"), capos_cap_lookup("self"),
		     capos_cap_lookup("thread"), capos_cap_lookup("ioport"),
		     capos_cap_lookup("irq_control"), capos_cap_lookup("kernel_info"),
		     capos_cap_lookup("boot_package"), capos_cap_lookup("process_control"),
		     capos_cap_lookup("nosuch") == CAPOS_NO_CAP ? "absent" : "present");
	char buf[160];
	int n = snprintf(buf, sizeof(buf), "[%5d|%-5d|%05d|%x|%X|%lx|%lu|%ld|%zu|%.3s|%c|%p|%%]",
			 42, -7, -42, 0xbeefu, 0xbeefu, 0x123456789abcul, 18446744073709551615ul,
			 -9000000000l, (size_t)77, "abcdef", 'Z', (void *)0x1000);
	capos_printf("rt: snprintf %d %s\n", n, buf);
	tls_test();
	heap_test();
	nanopb_test();
	bearssl_test();
	uint32_t sleeper = ipc_sleeper();
	run_child("rt_named", 1, sleeper);
	run_child("rt_smash", 2, sleeper);
	run_child("rt_dfree", 3, sleeper);
	run_child("rt_assert", 4, sleeper);
	capos_printf("rt: done\n");
	return 0;
}
