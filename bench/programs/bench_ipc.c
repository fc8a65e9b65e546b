/*
 * bench_ipc - IPC cost in guest instructions (run under QEMU -icount
 * shift=0, where the TSC advances one tick per guest instruction).
 *
 * As a root task (arg 0) it is the client: it spawns itself as the server
 * (arg 1) and a signaller (arg 2), then times round trips:
 *   - Call + ReplyRecv with a 0-byte and a 64-byte body;
 *   - Call + ReplyRecv moving one cap to the server and back in the reply;
 *   - Signal + Wait between two processes (two notifications, ping-pong).
 * Each figure is the mean over ROUNDS round trips after a warm-up.
 */
#include <stdint.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/spawn.h>

#define ROUNDS 10000u
#define SERVER_EP 3   /* slots in the children */
#define CHILD_NTFN_IN 3
#define CHILD_NTFN_OUT 4

int main(uint64_t arg);

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static void serve(void)
{
	struct capos_ipc_buffer *b = capos_ipc();
	capos_status_t st = capos_recv(SERVER_EP);
	for (;;) {
		if (st != CAPOS_OK)
			capos_exit(100 + st);
		/* Echo: label and body stay; a received cap goes back by move. */
		if (b->ncaps) {
			b->caps[0] = b->caps[0];
			b->cap_move = 1;
		}
		st = capos_reply_recv(SERVER_EP);
	}
}

static void signaller(void)
{
	for (;;) {
		if (capos_wait(CHILD_NTFN_IN, CAPOS_WAIT_FOREVER) != CAPOS_OK)
			capos_exit(101);
		capos_signal(CHILD_NTFN_OUT, 1);
	}
}

static uint64_t time_calls(uint32_t ep, uint32_t len, int with_cap, uint32_t cap_slot)
{
	struct capos_ipc_buffer *b = capos_ipc();
	uint64_t t0 = 0;
	for (uint32_t i = 0; i < ROUNDS + 100; i++) {
		if (i == 100)
			t0 = rdtsc();
		b->label = 7;
		b->len = len;
		b->ncaps = with_cap ? 1 : 0;
		b->caps[0] = cap_slot;
		b->cap_move = 1;
		capos_status_t st = capos_call(ep);
		if (st != CAPOS_OK || b->len != len) {
			capos_printf("bench-ipc: call %u failed: status %ld len %u\n", i, (long)st,
				     b->len);
			capos_exit(2);
		}
		if (with_cap) {
			if (b->ncaps != 1) {
				capos_printf("bench-ipc: cap not returned\n");
				capos_exit(3);
			}
			cap_slot = b->caps[0];
		}
	}
	return (rdtsc() - t0) / ROUNDS;
}

int main(uint64_t arg)
{
	if (arg == 1)
		serve();
	if (arg == 2)
		signaller();

	struct capos_limits lim = { 64, 4, 512, 8 };
	uint32_t ep, n_in, n_out, spare;
	struct capos_spawned server, sig;
	if (capos_endpoint_create(CAPOS_ROOT_PROCESS, 0, &ep) != CAPOS_OK ||
	    capos_notification_create(CAPOS_ROOT_PROCESS, &n_in) != CAPOS_OK ||
	    capos_notification_create(CAPOS_ROOT_PROCESS, &n_out) != CAPOS_OK ||
	    capos_notification_create(CAPOS_ROOT_PROCESS, &spare) != CAPOS_OK ||
	    capos_spawn("bench_ipc", "bench_server", &lim, 255, 1, &server) != CAPOS_OK ||
	    capos_spawn("bench_ipc", "bench_signal", &lim, 255, 2, &sig) != CAPOS_OK ||
	    capos_install_cap(server.process, ep, SERVER_EP, CAPOS_RIGHTS_ALL, 0, 0) != CAPOS_OK ||
	    capos_install_cap(sig.process, n_in, CHILD_NTFN_IN, CAPOS_RIGHTS_ALL, 0, 0) != CAPOS_OK ||
	    capos_install_cap(sig.process, n_out, CHILD_NTFN_OUT, CAPOS_RIGHTS_ALL, 0, 0) != CAPOS_OK ||
	    capos_thread_start(server.thread) != CAPOS_OK ||
	    capos_thread_start(sig.thread) != CAPOS_OK) {
		capos_printf("bench-ipc: set-up failed\n");
		return 1;
	}

	uint64_t zero = time_calls(ep, 0, 0, 0);
	uint64_t body = time_calls(ep, 64, 0, 0);
	uint64_t cap = time_calls(ep, 0, 1, spare);

	uint64_t t0 = 0;
	for (uint32_t i = 0; i < ROUNDS + 100; i++) {
		if (i == 100)
			t0 = rdtsc();
		capos_signal(n_in, 1);
		if (capos_wait(n_out, CAPOS_WAIT_FOREVER) != CAPOS_OK)
			return 4;
	}
	uint64_t sigwait = (rdtsc() - t0) / ROUNDS / 2;

	capos_printf("bench-ipc: call+replyrecv, 0-byte body: %lu guest instructions per round trip\n",
		     (unsigned long)zero);
	capos_printf("bench-ipc: call+replyrecv, 64-byte body: %lu guest instructions per round trip\n",
		     (unsigned long)body);
	capos_printf("bench-ipc: call+replyrecv, one cap moved each way: %lu guest instructions per round trip\n",
		     (unsigned long)cap);
	capos_printf("bench-ipc: signal+wait between two processes: %lu guest instructions per pair\n",
		     (unsigned long)sigwait);
	capos_process_kill(server.process);
	capos_process_kill(sig.process);
	return 0;
}
