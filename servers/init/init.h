/*
 * init.h - the root task's shared state (docs/init.md).
 *
 * main.c        finds, decodes and checks the manifest, then runs the rest
 * manifest_check.c  the boot-time re-validation (manifest_check.h): the
 *                   rules of codegen/manifest.py, from its generated tables
 * build.c       endpoints, start order, spawning a component with exactly
 *               its granted caps, restarts
 * spawner.c     ProcessSpawner.Spawn for components with a SPAWNER grant
 * supervise.c   the one endpoint init serves: ProcessSpawner calls, crash
 *               records, readiness signals; restart policy; halt
 * audited.c     the audit records of supervision (audit_queue.c keeps them
 *               while the audit server is down)
 * retarget.c    ProcessControl.Retarget
 * stop.c        ProcessControl.Stop: each component told, with a bound
 *               (stop_seq.c: one component's part)
 */
#ifndef INIT_INIT_H
#define INIT_INIT_H

#include <stddef.h>
#include <stdint.h>

#include <capos/abi.h>
#include <capos/rpc.h>
#include <capos/service.h>

#include "manifest.pb.h"
#include "audit.capos.h"
#include "process.capos.h"
#include "manifest_check.h"

#define INIT_MAX_COMPONENTS 16 /* capos.System.components max_count */
#define INIT_MAX_SERVES 4
#define INIT_MAX_CHILDREN 16   /* processes made through ProcessSpawner */
#define INIT_MAX_NUDGES 4      /* notifications kept per instance for the stop notice */

/* Badges on init's one endpoint: the top bits say what sent the message,
 * the low bits which component (its index in the manifest). */
#define INIT_BADGE_SUPERVISOR 0x5355500000000000ull /* "SUP": crash record of a component */
#define INIT_BADGE_CHILD      0x4348490000000000ull /* "CHI": crash record of a spawned child */
#define INIT_BADGE_SPAWNER    0x5350570000000000ull /* "SPW": ProcessSpawner call */
#define INIT_BADGE_CONTROL    0x5043540000000000ull /* "PCT": ProcessControl call */
#define INIT_BADGE_CHILDCTL   0x4343540000000000ull /* "CCT": ProcessControl of one child */
#define INIT_BADGE_HANDLE(b)  ((b) & 0xffffffffffull) /* CCT: the child's handle */
#define INIT_CONTROL_WRITE    0x0000000080000000ull /* the grant had CONTROL: Kill */
#define INIT_BADGE_KIND(b)    ((b) & 0xffffff0000000000ull)
#define INIT_BADGE_INDEX(b)   ((uint32_t)((b) & 0xffffu))

/* Endpoint grants with badge: true carry the caller's component index + 1
 * (0 stays "unbadged"), so a server tells its manifest clients apart. */
#define INIT_CLIENT_BADGE(i) ((uint64_t)(i) + 1u)

/* Readiness (supervise.c): each instance of a component gets a fresh
 * notification of its own under `ready` (SEND only; init keeps the other
 * side), and a signal-only cap to init's bound notification under
 * INIT_BELL_NAME, the doorbell. A component signals its own `ready`, then
 * rings the bell; the bell only wakes init, which then asks each component
 * not yet ready whether its own notification was signalled. So only the
 * component itself can announce itself ready: whatever bits anyone rings
 * the bell with mean nothing. The name holds a '.', which no manifest local
 * name can (codegen/manifest.py NAME_CHARS), so it never clashes. */
#define INIT_BELL_NAME CAPOS_READY_BELL_NAME

struct init_component {
	const capos_Component *m; /* its manifest entry */
	struct capos_limits limits;
	uint32_t serve_ep[INIT_MAX_SERVES]; /* init's slots, RECV|SEND, unbadged */
	uint32_t proc, thread;    /* init's slots for the running instance */
	uint32_t pid;
	uint32_t restarts;
	int alive;
	int ended;                /* dead for good (no restart pending) */
	int ready;                /* signalled `ready` (or ended) at least once */
	uint32_t ready_ntfn;      /* init's side of this instance's `ready`, or CAPOS_NO_CAP */
	/* The stop notice (stop.c, capos/stop.h): this instance's `stop`, and
	 * the other notifications init made for it, nudged with the notice in
	 * case the component bound one of them in place of `stop`. */
	uint32_t stop_ntfn;       /* or CAPOS_NO_CAP */
	uint32_t nudge[INIT_MAX_NUDGES];
	uint32_t nnudge;
	uint32_t last_state;      /* enum capos_process_state of the last instance */
	int64_t last_exit_code;
	char binary[48];          /* what it runs now (an Upgrade may change it) */
	/* The instance an Upgrade replaced, until it has drained and exited. */
	int draining;
	uint32_t drain_proc, drain_thread, drain_pid;
	struct capos_limits children; /* summed limits of its live spawned children */
};

struct init_child {
	int used;
	uint32_t parent;           /* component index */
	uint32_t proc, thread;
	uint32_t pid;
	struct capos_limits limits;
	uint64_t handle;           /* ProcessControl's name for it, never reused */
	uint32_t priority;
	char name[32];
	char binary[64];
};

struct init_state {
	capos_System *sys;
	uint32_t n;                     /* components */
	struct init_component comp[INIT_MAX_COMPONENTS];
	uint32_t order[INIT_MAX_COMPONENTS]; /* start order (dependencies first) */
	struct init_child child[INIT_MAX_CHILDREN];
	uint32_t endpoint;  /* init's own endpoint: supervisor + ProcessSpawner */
	uint32_t bell;      /* bound to init's thread; components ring it (INIT_BELL_NAME) */
	uint32_t nready;
	int system_ready_told;
	uint64_t next_handle;
	/* init's own caps */
	uint32_t self, capmgr, thread, ioport, irq_control, kinfo, pctl;
};

extern struct init_state g_init;

/* build.c */
/* A slot of init's table kept free for short-lived minted caps. */
#define INIT_SCRATCH_SLOT 1000u
/* Where a cap for a reply waits (a Spawn's scoped ProcessControl, moved
 * out with the reply; one the caller never took stays until the next). */
#define INIT_REPLY_SLOT 1001u
/* Sets init's endpoint, badged `badge`, as proc's supervisor. */
capos_status_t init_supervise_process(uint32_t proc, uint64_t badge);
capos_status_t init_create_endpoints(void);
enum init_spawn_mode {
	INIT_START,   /* the first instance */
	INIT_RESTART, /* after a death: retarget its endpoints to the new one */
	INIT_UPGRADE, /* live: the same, while the old instance still runs */
};
/* Starts component i from `binary` (NULL: its current one). */
capos_status_t init_spawn_component(uint32_t i, enum init_spawn_mode mode, const char *binary);

/* Where init's cap to the AuditLog lives, and its badge there (one above
 * any manifest client's: named "init" by the audit server, build.c). */
#define INIT_AUDIT_SLOT 1002u
#define INIT_AUDIT_BADGE 64u

/* audited.c: records of supervision in the audit log (docs/init.md). */
void init_audit_setup(void);
/* Component i was started, restarted, upgraded or died: if it is the
 * audit server, init's cap follows it and what was queued is sent. */
void init_audit_changed(uint32_t i);
int init_is_audit_server(uint32_t i);
/* The redacted crash record of component i's running instance. */
void init_audit_crash(uint32_t i, const struct capos_crash_record *r);
/* A record made elsewhere (crash_lost.c), sent or queued like the rest. */
void init_audit_submit_record(const capos_AuditRecord *r);
__attribute__((format(printf, 4, 5))) void init_audit(capos_AuditKind kind,
						      capos_status_t outcome,
						      const char *action, const char *fmt, ...);
uint64_t init_audit_appended(void);

/* captable.c: ProcessControl.CapTable (the debug server only) */
capos_status_t init_cap_table(void *ctx, struct capos_rpc_request *rq,
			      const capos_CapTableRequest *req, capos_CapList *resp);
capos_status_t init_inject_fault(void *ctx, struct capos_rpc_request *rq,
				 const capos_ProcessRef *req, capos_Empty *resp);

/* retarget.c */
capos_status_t init_retarget(void *ctx, struct capos_rpc_request *rq,
			     const capos_RetargetRequest *req, capos_Empty *resp);

/* control.c and spawner.c: the two services on init's endpoint
 * (supervise.c routes a call to one by the kind in its badge). */
extern const struct processcontrol_ops init_control_ops;
extern const struct processspawner_ops init_spawner_ops;

/* policy.c: the `policy` param of the `broker` binary (base64 of the
 * manifest's BrokerPolicy) */
const char *init_broker_policy_param(void);

/* stop.c: ProcessControl.Stop */
capos_status_t init_stop_system(void *ctx, struct capos_rpc_request *rq,
				const capos_StopRequest *req, capos_StopResult *resp);
/* A new instance of component i was started with `stop` and the nudges
 * (init's slots): they replace the last instance's, which are deleted. */
void init_stop_adopt(uint32_t i, uint32_t stop, const uint32_t *nudge, uint32_t n);
/* The same slots of an instance that did not start. */
void init_stop_drop(uint32_t stop, const uint32_t *nudge, uint32_t n);

/* spawner.c */
void init_child_died(uint32_t k, const struct capos_crash_record *r);

/* main.c: s (a spawn name, a binary someone asked for: anything up to 64
 * bytes) made visible text for init's lines (capos/escape.h). The result
 * lives until the fourth call after; one printf may use up to four. */
const char *init_shown(const char *s);

/* supervise.c: never returns when halt_when_done is false. */
int init_supervise(void);

#endif
