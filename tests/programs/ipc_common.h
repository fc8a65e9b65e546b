/*
 * ipc_common.h - helpers shared by the IPC QEMU test programs
 * (tests/programs/ipc_*.c): spawning children from the boot package,
 * sleeping on a private notification, waiting for a child to end.
 * Only the first thread of a process may use these (capos_ipc() is the
 * first thread's IPC buffer).
 */
#ifndef CAPOS_TEST_IPC_COMMON_H
#define CAPOS_TEST_IPC_COMMON_H

#include <stdint.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/spawn.h>
#include <capos/syscall.h>

int main(uint64_t arg);

static const struct capos_limits ipc_child_limits = {
	.max_slots = 64,
	.max_threads = 8,
	.max_pages = 1024,
	.max_endpoints = 16,
};

/* Spawns `prog` with `arg`; gives it COM1 (the root IOPort) at slot 3. The
 * thread is not started. Exits the caller on failure. */
static inline struct capos_spawned ipc_spawn(const char *prog, uint32_t prio, uint64_t arg)
{
	struct capos_spawned s;
	capos_status_t st = capos_spawn(prog, prog, &ipc_child_limits, prio, arg, &s);
	if (st != CAPOS_OK) {
		capos_printf("spawn %s failed: %ld\n", prog, (long)st);
		capos_exit(100);
	}
	st = capos_install_cap(s.process, CAPOS_ROOT_IOPORT, CAPOS_ROOT_IOPORT,
			       CAPOS_RIGHTS_ALL, 0, 0);
	if (st != CAPOS_OK) {
		capos_printf("install io into %s failed: %ld\n", prog, (long)st);
		capos_exit(101);
	}
	return s;
}

static inline uint64_t ipc_now(void)
{
	struct capos_kinfo_stats k;
	if (capos_kinfo_stats(CAPOS_ROOT_KERNEL_INFO, &k) != CAPOS_OK)
		return 0;
	return k.now_ns;
}

/* A notification nobody signals, for sleeping with a timed Wait. */
static inline uint32_t ipc_sleeper(void)
{
	uint32_t n = CAPOS_NO_CAP;
	if (capos_notification_create(CAPOS_ROOT_PROCESS, &n) != CAPOS_OK) {
		capos_printf("no sleeper notification\n");
		capos_exit(102);
	}
	return n;
}

/* Waits (sleeping 1 ms at a time) until the process ends, at most max_ms.
 * Returns its state; *code gets its exit code. */
static inline uint32_t ipc_wait_exit(uint32_t proc, uint32_t sleeper, uint32_t max_ms,
				     int64_t *code)
{
	struct capos_process_info info;
	for (uint32_t ms = 0;; ms++) {
		if (capos_process_info(proc, &info) != CAPOS_OK)
			return 0;
		if (info.state != CAPOS_PROCESS_ALIVE || ms >= max_ms)
			break;
		capos_wait(sleeper, 1000000);
	}
	if (code)
		*code = info.exit_code;
	return info.state;
}

#endif
