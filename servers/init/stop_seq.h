/*
 * stop_seq.h - one component's part of the orderly stop (stop_seq.c),
 * apart from the kernel so the host test (tests/component/test_init_stop.c)
 * runs it against a fake one. stop.c gives it the real calls.
 */
#ifndef INIT_STOP_SEQ_H
#define INIT_STOP_SEQ_H

#include <stdint.h>

#include <capos/abi.h>

enum init_stop_outcome {
	INIT_STOP_ACKED,  /* acknowledged (CAPOS_STOPPED_BIT) within the bound */
	INIT_STOP_ENDED,  /* gone within the bound without acknowledging */
	INIT_STOP_KILLED, /* still running at the bound */
};

struct init_stop_ops {
	void *ctx;
	/* Signals the notice to component i. */
	void (*tell)(void *ctx, uint32_t i);
	/* Waits at most ns (0: only looks) for bits on i's `ready`
	 * notification: CAPOS_OK with *bits, else TIMEOUT or WOULD_BLOCK. */
	capos_status_t (*wait)(void *ctx, uint32_t i, uint64_t ns, uint64_t *bits);
	/* Whether i's process has ended (exit, fault or kill). */
	int (*ended)(void *ctx, uint32_t i);
	/* Undoes what tell set up beyond the notice (init's death watch on
	 * i's endpoint), once the wait is over and before the kill, so no
	 * watch outlives the stop and the kill leaves no bit on `ready`.
	 * Optional (NULL: nothing to undo). */
	void (*forget)(void *ctx, uint32_t i);
	void (*kill)(void *ctx, uint32_t i);
	uint64_t (*now_ns)(void *ctx);
};

/* stop_kernel.c: init's real ones (on g_init's components). */
extern const struct init_stop_ops init_stop_kernel_ops;

/* Tells component i to stop and waits for its acknowledgement, or its
 * end, for at most grace_ns; then forgets what the telling set up and
 * kills it whatever happened (an acknowledged process is on its way out;
 * the kill only makes sure).
 * *waited_ns: how long it took. */
enum init_stop_outcome init_stop_one(const struct init_stop_ops *ops, uint32_t i,
				     uint64_t grace_ns, uint64_t *waited_ns);

#endif
