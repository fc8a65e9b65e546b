/*
 * capos/spawn.h - start a program from the boot package in a new process.
 * Needs the boot package SharedBuffer (root slot CAPOS_ROOT_BOOT_PACKAGE)
 * and the caller's Process cap. Issue 6's init builds on this.
 */
#ifndef CAPOS_USER_SPAWN_H
#define CAPOS_USER_SPAWN_H

#include <stdint.h>

#include <capos/abi.h>

struct capos_spawned {
	uint32_t process; /* slot of the child's Process cap (all rights) */
	uint32_t thread;  /* slot of its first thread (not started) */
};

/*
 * Loads `program` into a new process named `name` with `limits`: segments,
 * a stack of CAPOS_USER_STACK_PAGES and one thread at `priority` with its
 * IPC buffer at CAPOS_IPC_BUFFER_VA. The caller installs caps into the
 * child's table (capos_install_cap), then starts the thread. On error the
 * half-built child is killed and its cap deleted.
 */
capos_status_t capos_spawn(const char *program, const char *name,
			   const struct capos_limits *limits, uint32_t priority,
			   uint64_t arg, struct capos_spawned *out);

#endif
