/*
 * stop_seq.c - one component's part of the orderly stop (stop_seq.h;
 * docs/init.md, "Orderly stop").
 *
 * The component's `ready` notification is its only way to speak to init,
 * and only it holds the signalling side: readiness is any bit,
 * CAPOS_STOPPED_BIT is the acknowledgement its runtime sends as it exits
 * after the notice. Bits already there before the notice (a readiness
 * init has not looked at yet) are taken first, so they cannot pass for an
 * acknowledgement. The wait is a timed Wait on that notification, never a
 * loop that spins: each wake-up is a signal, and one that is not the
 * acknowledgement (a late readiness, init's death watch) only makes init
 * look whether the process is still there.
 */
#include <capos/stop.h>

#include "stop_seq.h"

enum init_stop_outcome init_stop_one(const struct init_stop_ops *ops, uint32_t i,
				     uint64_t grace_ns, uint64_t *waited_ns)
{
	uint64_t bits = 0;
	(void)ops->wait(ops->ctx, i, 0, &bits); /* what was there before */
	ops->tell(ops->ctx, i);
	uint64_t start = ops->now_ns(ops->ctx);
	enum init_stop_outcome out = INIT_STOP_KILLED;
	for (;;) {
		uint64_t now = ops->now_ns(ops->ctx);
		uint64_t spent = now > start ? now - start : 0;
		if (spent >= grace_ns)
			break;
		bits = 0;
		capos_status_t st = ops->wait(ops->ctx, i, grace_ns - spent, &bits);
		if (st == CAPOS_OK && (bits & CAPOS_STOPPED_BIT)) {
			out = INIT_STOP_ACKED;
			break;
		}
		if (st != CAPOS_OK)
			break; /* TIMEOUT: the bound is reached */
		if (ops->ended(ops->ctx, i)) {
			out = INIT_STOP_ENDED;
			break;
		}
	}
	uint64_t end = ops->now_ns(ops->ctx);
	*waited_ns = end > start ? end - start : 0;
	if (out == INIT_STOP_KILLED && ops->ended(ops->ctx, i))
		out = INIT_STOP_ENDED; /* it went while nothing told us */
	if (ops->forget)
		ops->forget(ops->ctx, i); /* the watch goes before the kill fires it */
	ops->kill(ops->ctx, i);
	return out;
}
