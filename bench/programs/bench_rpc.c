/*
 * bench_rpc - the cost of the generated-stub layer, in guest instructions
 * (QEMU -icount shift=0: one TSC tick per guest instruction).
 *
 * Root (arg 0): spawns itself as a LogSink server on the generated
 * dispatcher (arg = endpoint slot | STUB) and as a raw IPC server (arg =
 * endpoint slot | RAW), then times, over ROUNDS calls each:
 *   - LogSink.Write through the generated stub with a LogRecord whose
 *     encoding is 64 bytes: encode, Call, decode, handle, encode, reply,
 *     decode;
 *   - the raw Call + ReplyRecv round trip with a 64-byte body;
 *   - the same LogSink.Write served by a minimal hand-written loop (Recv,
 *     dispatch, ReplyRecv: what servers ran before the service framework),
 *     so the framework's own cost per call is the difference;
 * and prints them and their ratio.
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/service.h>
#include <capos/spawn.h>
#include <pb_encode.h>

#include "log.capos.h"

#define ROUNDS 10000u
#define STUB 0x100u
#define RAW 0x200u
#define HAND 0x400u
#define CHILD_EP 4u

int main(uint64_t arg);

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t sequence;

static capos_status_t sink_write(void *ctx, struct capos_rpc_request *rq,
				 const capos_LogRecord *req, capos_LogWriteResult *resp)
{
	(void)ctx;
	(void)rq;
	resp->accepted = req->level >= capos_LogLevel_LOG_LEVEL_INFO;
	resp->sequence = ++sequence;
	return CAPOS_OK;
}

static const struct logsink_ops sink_ops = { .write = sink_write };

/* The least a server loop can do with the generated dispatcher. */
static void hand_server(capos_cap_t ep)
{
	struct capos_ipc_buffer *b = capos_ipc();
	struct capos_rpc_service svc = logsink_service(&sink_ops, NULL);
	capos_status_t st = capos_recv(ep);
	while (st == CAPOS_OK) {
		struct capos_rpc_request rq = {
			.label = b->label, .badge = b->badge, .body = b->body, .len = b->len,
			.out = b->body, .out_cap = CAPOS_MSG_BODY_MAX,
		};
		capos_status_t r = capos_rpc_service_dispatch(&svc, &rq);
		b->label = (uint64_t)r;
		b->len = r == CAPOS_OK ? rq.out_len : 0;
		b->ncaps = 0;
		st = capos_reply_recv(ep);
	}
	capos_exit(st);
}

static void raw_server(capos_cap_t ep)
{
	capos_status_t st = capos_recv(ep);
	while (st == CAPOS_OK)
		st = capos_reply_recv(ep); /* echo: label, len and body as received */
	capos_exit(st);
}

int main(uint64_t arg)
{
	if (arg & STUB) {
		static struct capos_server s;
		capos_server_init(&s, CAPOS_NO_CAP, NULL);
		capos_server_add(&s, (capos_cap_t)(arg & 0xff), logsink_service(&sink_ops, NULL));
		return (int)capos_server_run(&s);
	}
	if (arg & RAW)
		raw_server((capos_cap_t)(arg & 0xff));
	if (arg & HAND)
		hand_server((capos_cap_t)(arg & 0xff));

	struct capos_limits lim = { 32, 2, 256, 4 };
	uint32_t ep_stub, ep_raw, ep_hand;
	struct capos_spawned stub, raw, hand;
	if (capos_endpoint_create(CAPOS_ROOT_PROCESS, LOGSINK_INTERFACE_ID, &ep_stub) ||
	    capos_endpoint_create(CAPOS_ROOT_PROCESS, 0, &ep_raw) ||
	    capos_endpoint_create(CAPOS_ROOT_PROCESS, LOGSINK_INTERFACE_ID, &ep_hand) ||
	    capos_spawn("bench_rpc", "bench_hand", &lim, 255, HAND | CHILD_EP, &hand) ||
	    capos_install_cap(hand.process, ep_hand, CHILD_EP, CAPOS_RIGHT_RECV, 0, 0) ||
	    capos_thread_start(hand.thread) ||
	    capos_spawn("bench_rpc", "bench_sink", &lim, 255, STUB | CHILD_EP, &stub) ||
	    capos_spawn("bench_rpc", "bench_raw", &lim, 255, RAW | CHILD_EP, &raw) ||
	    capos_install_cap(stub.process, ep_stub, CHILD_EP, CAPOS_RIGHT_RECV, 0, 0) ||
	    capos_install_cap(raw.process, ep_raw, CHILD_EP, CAPOS_RIGHT_RECV, 0, 0) ||
	    capos_thread_start(stub.thread) || capos_thread_start(raw.thread)) {
		capos_printf("bench-rpc: set-up failed\n");
		return 1;
	}

	capos_LogRecord rec = capos_LogRecord_init_zero;
	rec.level = capos_LogLevel_LOG_LEVEL_INFO;
	const char *text = "bench: a log line of sixty characters, give or take a few...";
	strcpy(rec.text, text);
	size_t encoded = 0;
	pb_get_encoded_size(&encoded, capos_LogRecord_fields, &rec);

	capos_LogWriteResult res;
	uint64_t t0 = 0;
	for (uint32_t i = 0; i < ROUNDS + 100; i++) {
		if (i == 100)
			t0 = rdtsc();
		if (logsink_write(ep_stub, &rec, &res) != CAPOS_OK || !res.accepted) {
			capos_printf("bench-rpc: write %u failed\n", i);
			return 2;
		}
	}
	uint64_t stub_cost = (rdtsc() - t0) / ROUNDS;

	for (uint32_t i = 0; i < ROUNDS + 100; i++) {
		if (i == 100)
			t0 = rdtsc();
		if (logsink_write(ep_hand, &rec, &res) != CAPOS_OK || !res.accepted) {
			capos_printf("bench-rpc: hand-loop write %u failed\n", i);
			return 2;
		}
	}
	uint64_t hand_cost = (rdtsc() - t0) / ROUNDS;

	struct capos_ipc_buffer *b = capos_ipc();
	for (uint32_t i = 0; i < ROUNDS + 100; i++) {
		if (i == 100)
			t0 = rdtsc();
		b->label = 1;
		b->len = 64;
		b->ncaps = 0;
		if (capos_call(ep_raw) != CAPOS_OK || b->len != 64) {
			capos_printf("bench-rpc: raw call %u failed\n", i);
			return 3;
		}
	}
	uint64_t raw_cost = (rdtsc() - t0) / ROUNDS;

	capos_printf("bench-rpc: LogSink.Write via generated stubs, %u-byte LogRecord: %lu guest instructions per round trip\n",
		     (unsigned)encoded, (unsigned long)stub_cost);
	capos_printf("bench-rpc: the same through a minimal hand-written serve loop: %lu guest instructions per round trip (the service framework costs %ld per call)\n",
		     (unsigned long)hand_cost, (long)stub_cost - (long)hand_cost);
	capos_printf("bench-rpc: raw Call+ReplyRecv, 64-byte body: %lu guest instructions per round trip\n",
		     (unsigned long)raw_cost);
	capos_printf("bench-rpc: stub overhead ratio %lu.%02lu\n",
		     (unsigned long)(stub_cost / raw_cost),
		     (unsigned long)(stub_cost * 100 / raw_cost % 100));
	capos_process_kill(stub.process);
	capos_process_kill(raw.process);
	capos_process_kill(hand.process);
	return 0;
}
