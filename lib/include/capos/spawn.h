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

/* Special sources for struct capos_spawn_cap.src: caps of the child
 * itself, which the caller cannot name before the spawn. */
#define CAPOS_SPAWN_CHILD_PROCESS 0xfffffff0u /* the child's Process cap */
#define CAPOS_SPAWN_CHILD_THREAD  0xfffffff1u /* the child's first Thread */
#define CAPOS_SPAWN_CHILD_CAPMGR  0xfffffff2u /* a CapabilityManager of the child's table */

/* One cap to install into the child, and record in its startup page. */
struct capos_spawn_cap {
	const char *name; /* local name (1-23 chars); NULL: install, do not record */
	uint32_t src;     /* slot in the caller's table, or CAPOS_SPAWN_CHILD_* */
	uint32_t dst;     /* slot in the child's table */
	uint32_t rights;  /* ANDed with the source's rights */
	uint32_t type;    /* type to record; 0: looked up (the caller's "capmgr") */
	int set_badge;
	uint64_t badge;
};

/*
 * Loads `program` into a new process named `name` with `limits`: segments,
 * a stack of CAPOS_USER_STACK_PAGES, a TLS page at CAPOS_TLS_VA (TCB with
 * a fresh stack-protector canary), one thread at `priority` with its IPC
 * buffer at CAPOS_IPC_BUFFER_VA and FS base CAPOS_TLS_VA, the `ncaps` caps
 * installed, and the read-only startup page at CAPOS_STARTUP_VA naming
 * those with a name. The caller may install more caps (capos_install_cap,
 * not recorded), then starts the thread. On error the half-built child is
 * killed and the caller's caps to it deleted.
 *
 * The caller's own caps are found by startup name ("self", "capmgr",
 * "boot_package"), falling back to the root slots.
 */
capos_status_t capos_spawn_caps(const char *program, const char *name,
				const struct capos_limits *limits, uint32_t priority,
				uint64_t arg, const struct capos_spawn_cap *caps,
				uint32_t ncaps, struct capos_spawned *out);

/* A parameter for the child's startup page (capos_param). */
struct capos_spawn_param {
	const char *key;   /* 1-31 chars of [a-z0-9_.] */
	const char *value;
};

/* capos_spawn_caps, and the parameters recorded in the startup page
 * (CAPOS_STARTUP_PARAMS_MAX bytes in all; INVALID_ARGUMENT beyond). */
capos_status_t capos_spawn_params(const char *program, const char *name,
				  const struct capos_limits *limits, uint32_t priority,
				  uint64_t arg, const struct capos_spawn_cap *caps,
				  uint32_t ncaps, const struct capos_spawn_param *params,
				  uint32_t nparams, struct capos_spawned *out);

/* capos_spawn_caps with no caps: the child's startup page names nothing. */
capos_status_t capos_spawn(const char *program, const char *name,
			   const struct capos_limits *limits, uint32_t priority,
			   uint64_t arg, struct capos_spawned *out);

#endif
