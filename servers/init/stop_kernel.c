/*
 * stop_kernel.c - the kernel calls of the orderly stop (stop_seq.h's ops):
 * the notice on `stop` and the nudges, the timed Wait on `ready`, the
 * process's state, the death watch's removal, the kill, the clock. Apart from stop.c so the host
 * fuzzer and test run stop.c over fakes of these.
 */
#include <capos/kernel.h>
#include <capos/stop.h>
#include <capos/syscall.h>

#include "init.h"
#include "stop_seq.h"

/* init's death watch on a stopping component's first endpoint signals
 * this on its `ready`: not the acknowledgement, a wake-up to look. */
#define STOP_DIED_BIT (1ull << 57)

static void tell(void *ctx, uint32_t i)
{
	(void)ctx;
	struct init_component *c = &g_init.comp[i];
	/* Its end wakes the wait too, when it serves an endpoint. */
	if (c->m->serves_count)
		(void)capos_watch_death(g_init.capmgr, c->serve_ep[0], c->ready_ntfn,
					STOP_DIED_BIT);
	if (c->stop_ntfn != CAPOS_NO_CAP)
		(void)capos_signal(c->stop_ntfn, CAPOS_STOP_BIT);
	for (uint32_t k = 0; k < c->nnudge; k++)
		(void)capos_signal(c->nudge[k], CAPOS_STOP_BIT);
}

/* The wait is over: init's death watch goes (the kernel keeps a watch,
 * firing at every death, until it is removed; the kill that follows would
 * leave STOP_DIED_BIT on `ready`, and the endpoint a watch for an instance
 * that is gone). */
static void forget(void *ctx, uint32_t i)
{
	(void)ctx;
	struct init_component *c = &g_init.comp[i];
	if (c->m->serves_count)
		(void)capos_unwatch_death(g_init.capmgr, c->serve_ep[0], c->ready_ntfn);
}

static capos_status_t wait_ready(void *ctx, uint32_t i, uint64_t ns, uint64_t *bits)
{
	(void)ctx;
	uint32_t n = g_init.comp[i].ready_ntfn;
	if (n == CAPOS_NO_CAP)
		return CAPOS_WOULD_BLOCK;
	capos_status_t st = capos_wait(n, ns);
	*bits = st == CAPOS_OK ? capos_ipc()->signals : 0;
	return st;
}

static int ended(void *ctx, uint32_t i)
{
	(void)ctx;
	struct capos_process_info info;
	return capos_process_info(g_init.comp[i].proc, &info) != CAPOS_OK ||
	       info.state != CAPOS_PROCESS_ALIVE;
}

static void kill(void *ctx, uint32_t i)
{
	(void)ctx;
	capos_process_kill(g_init.comp[i].proc);
}

static uint64_t now_ns(void *ctx)
{
	(void)ctx;
	struct capos_kinfo_stats ks;
	return capos_kinfo_stats(g_init.kinfo, &ks) == CAPOS_OK ? ks.now_ns : 0;
}

const struct init_stop_ops init_stop_kernel_ops = {
	.tell = tell, .wait = wait_ready, .ended = ended, .forget = forget, .kill = kill,
	.now_ns = now_ns,
};
