/*
 * rec_common.h - helpers of the recovery QEMU tests (tests/programs/rec_*.c):
 * crash propagation, retarget, resource limits, kill-and-revive. The one
 * helper program rec_child plays every child role, chosen by its start
 * argument: role in bits 0-7, p1 in bits 8-31, p2 in bits 32-63 (arg 0 =
 * started by the kernel as a root task: exits at once).
 */
#ifndef CAPOS_TEST_REC_COMMON_H
#define CAPOS_TEST_REC_COMMON_H

#include <stddef.h>

#include "ipc_common.h"

void *memcpy(void *dst, const void *src, size_t n);

/* Slots in a child's table (the root installs them). */
#define REC_SELF 1   /* the child's own Process cap (roles that need it) */
#define REC_IO 3     /* COM1 */
#define REC_EP 4     /* the endpoint under test (SEND or RECV) */
#define REC_NTFN 5   /* a notification to signal the root (SEND) */
#define REC_WAIT 6   /* a notification of its own to wait on (RECV) */
#define REC_KINFO 7  /* KernelInfo (limits role) */

enum rec_role {
	REC_ROLE_HOLD = 1,      /* receive one call, signal, never answer; p1=1: fault on go */
	REC_ROLE_CLIENT = 2,    /* p1 = index: signal bit, Call twice, report */
	REC_ROLE_RT_CLIENT = 3, /* p1 = calls, p2 = call number at which to signal */
	REC_ROLE_SERVER = 4,    /* p1 = version, p2 = spin per call */
	REC_ROLE_LIMIT = 5,     /* create endpoints until refused; then a map over the limit */
};

static inline uint64_t rec_arg(uint32_t role, uint32_t p1, uint32_t p2)
{
	return (uint64_t)role | ((uint64_t)p1 << 8) | ((uint64_t)p2 << 32);
}

/* Spawns rec_child as `name` with the role in arg, COM1 installed. The
 * thread is not started. Exits the caller on failure. */
static inline struct capos_spawned rec_spawn(const char *name, const struct capos_limits *lim,
					     uint32_t prio, uint64_t arg)
{
	struct capos_spawned s;
	capos_status_t st = capos_spawn("rec_child", name, lim, prio, arg, &s);
	if (st != CAPOS_OK) {
		capos_printf("rec: spawn %s failed: %ld\n", name, (long)st);
		capos_exit(100);
	}
	st = capos_install_cap(s.process, CAPOS_ROOT_IOPORT, REC_IO, CAPOS_RIGHTS_ALL, 0, 0);
	if (st != CAPOS_OK) {
		capos_printf("rec: install io into %s failed: %ld\n", name, (long)st);
		capos_exit(101);
	}
	return s;
}

static inline void rec_install(struct capos_spawned *s, uint32_t src, uint32_t dst,
			       uint32_t rights, uint64_t badge)
{
	capos_status_t st = capos_install_cap(s->process, src, dst, rights, badge != 0, badge);
	if (st != CAPOS_OK) {
		capos_printf("rec: install %u -> %u failed: %ld\n", src, dst, (long)st);
		capos_exit(102);
	}
}

/* Drops the root's caps to a child (process and thread). */
static inline void rec_forget(struct capos_spawned *s)
{
	capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, s->process);
	capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, s->thread);
}

static inline struct capos_kinfo_stats rec_stats(void)
{
	struct capos_kinfo_stats k = { 0 };
	capos_kinfo_stats(CAPOS_ROOT_KERNEL_INFO, &k);
	return k;
}

static inline void rec_check(const char *tag)
{
	struct capos_kinfo_check c = { 0, 0 };
	capos_status_t st = capos_kinfo_check(CAPOS_ROOT_KERNEL_INFO, &c);
	capos_printf("%s: invariant check -> status %ld, %lu objects, %lu violations\n", tag,
		     (long)st, (unsigned long)c.objects_checked, (unsigned long)c.violations);
}

static inline void rec_sleep_ms(uint32_t sleeper, uint32_t ms)
{
	capos_wait(sleeper, (uint64_t)ms * 1000000ull);
}

/* Waits (timed) on `n` until every bit of `want` has come; returns the bits. */
static inline uint64_t rec_collect(uint32_t n, uint64_t want, uint32_t max_ms)
{
	uint64_t got = 0;
	uint64_t t0 = ipc_now();
	while ((got & want) != want && ipc_now() - t0 < (uint64_t)max_ms * 1000000ull)
		if (capos_wait(n, 10000000ull) == CAPOS_OK)
			got |= capos_ipc()->signals;
	return got;
}

#endif
