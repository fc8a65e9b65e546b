/*
 * capos/service.h - the service framework every server runs on
 * (lib/src/service.c; docs/writing-a-server.md).
 *
 * One struct capos_server describes what one thread serves:
 *  - up to CAPOS_SERVER_MAX_ENDPOINTS endpoints, each with up to
 *    CAPOS_SERVER_MAX_SERVICES generated services (struct capos_rpc_service,
 *    made by the typed <svc>_service() constructors) told apart by the
 *    interface id in the call's label, or by a `route` hook;
 *  - an optional notification bound to the thread: its signals (an IRQ,
 *    readiness, anything) reach the `signal` hook through the same Recv;
 *  - with more than one endpoint, the kernel's NOTIFY_ARRIVAL: the thread
 *    blocks on the first endpoint and a high bit of the bound notification
 *    says another has callers waiting, so nothing polls;
 *  - deferred replies: a handler that cannot answer yet returns
 *    CAPOS_RPC_DEFERRED; the framework keeps the call's Reply cap in
 *    rq->defer_slot (a slot of its pool) and the server answers later with
 *    capos_server_answer();
 *  - timeouts: the `wait_ns` hook bounds each wait, the `tick` hook runs
 *    when a wait ends or after each event;
 *  - caps in and out: request caps are in rq->caps_in (the handler keeps
 *    an entry by setting it to CAPOS_NO_CAP; the rest are deleted after the
 *    call), reply caps in rq->caps_out travel with an OK reply;
 *  - the startup boilerplate: the endpoint by start argument or name
 *    (capos_service_endpoint), the `ready` signal, and the exit on
 *    RETARGETED (capos_service_main);
 *  - endpoints added while it runs: a serve notice (below) from init
 *    after a ProcessControl.Retarget moved an endpoint here.
 *
 * The IPC buffer: the framework hands the handler a decoded request and
 * encodes the reply after the handler returns, so a handler may make any
 * calls of its own; it never needs to know the buffer is shared.
 */
#ifndef CAPOS_SERVICE_H
#define CAPOS_SERVICE_H

#include <capos/rpc.h>

#define CAPOS_SERVER_MAX_ENDPOINTS 4
#define CAPOS_SERVER_MAX_SERVICES 4
#define CAPOS_SERVER_REPLY_POOL 16 /* deferred calls held at once, at most */

/* CAPOS_RPC_DEFERRED and CAPOS_RPC_NO_REPLY: capos/rpc.h. */

struct capos_server;

struct capos_server_endpoint {
	capos_cap_t cap;
	struct capos_rpc_service svc[CAPOS_SERVER_MAX_SERVICES];
	uint32_t nsvc;
	uint64_t arrival_bit; /* endpoints after the first: NOTIFY_ARRIVAL bit */
	uint32_t as;          /* the index the hooks see: its own, or for an
			       * endpoint added by a serve notice, the one whose
			       * services it shares */
};

struct capos_server {
	/* Set up with capos_server_init/_add/_bind; then owned by the loop. */
	struct capos_server_endpoint ep[CAPOS_SERVER_MAX_ENDPOINTS];
	uint32_t nep;
	capos_cap_t capmgr;  /* own table (WRITE): deletes, saved replies, arrivals */
	capos_cap_t ntfn;    /* notification bound to this thread, or CAPOS_NO_CAP */
	uint64_t arrival_mask;

	/* Hooks (all optional); ctx is the server's own. */
	void *ctx;
	/* The per-client context for a badge (rq->client). */
	void *(*client)(void *ctx, uint64_t badge);
	/* Which service of the endpoint takes the call (an index), or -1 to
	 * choose by interface id. */
	int (*route)(void *ctx, uint32_t endpoint, const struct capos_rpc_request *rq);
	/* A message no service claims (a label outside any interface, e.g. a
	 * crash record): answer with a status, or CAPOS_RPC_NO_REPLY. NULL:
	 * UNSUPPORTED. */
	capos_status_t (*raw)(void *ctx, uint32_t endpoint, struct capos_rpc_request *rq);
	/* Bits signalled on the bound notification (arrival bits removed). */
	void (*signal)(void *ctx, uint64_t bits);
	/* How long the next wait may block, ns (CAPOS_WAIT_FOREVER: no bound). */
	uint64_t (*wait_ns)(void *ctx);
	/* After each event, and when a bounded wait ends with nothing. */
	void (*tick)(void *ctx);
	/* A deferred call's slot could not hold its Reply cap: forget it (the
	 * caller gets LIMIT_EXCEEDED). */
	void (*defer_failed)(void *ctx, capos_cap_t slot);
	/* Work to do after the reply went out (see capos_server_after_reply). */
	void (*after_reply)(void *ctx);

	/* Run `tick` before each call too (the call waits aside meanwhile):
	 * for a server that must poll a device between calls. */
	int tick_calls;
	/* Take endpoints a serve notice names (below); off: such a message is
	 * an ordinary one, answered like any other. */
	int take_endpoints;

	/* State. */
	int stop;              /* capos_server_stop: answer this call, return */
	int reply_first;       /* capos_server_after_reply was asked this call */
	uint64_t served;       /* calls dispatched */
	capos_cap_t pool[CAPOS_SERVER_REPLY_POOL]; /* free slots for saved replies */
	uint32_t npool;
	/* The answer owed, kept here until the moment it is sent. */
	uint64_t out_label;
	uint32_t out_len;
	int out_in_ipc;        /* the answer was encoded in the IPC buffer */
	int plain;             /* set by the loop: no hook runs before a dispatch */
	struct capos_cap_list out_caps;
	uint8_t out[CAPOS_MSG_BODY_MAX];
	uint8_t in[CAPOS_MSG_BODY_MAX]; /* a call set aside (tick_calls, raw) */
};

/* Clears s; capmgr may be CAPOS_NO_CAP (no deferral, no cap cleanup, one
 * endpoint only). ctx is passed to every hook. */
void capos_server_init(struct capos_server *s, capos_cap_t capmgr, void *ctx);
/* Serves svc on ep (the same ep again adds a second service to it).
 * INVALID_ARGUMENT beyond the limits. */
capos_status_t capos_server_add(struct capos_server *s, capos_cap_t ep,
				struct capos_rpc_service svc);
/* Binds ntfn to `thread` (this thread's cap): its signals arrive through
 * the loop's Recv. Needed for a second endpoint or for IRQ signals. */
capos_status_t capos_server_bind(struct capos_server *s, capos_cap_t thread, capos_cap_t ntfn);
/* Reserves up to n free slots of the table for deferred replies (from the
 * top of the table, where the kernel puts nothing it hands out). */
uint32_t capos_server_reserve_replies(struct capos_server *s, uint32_t n);

/* Serves until RETARGETED (returned), stopped (CAPOS_OK) or a transport
 * error (that status). */
capos_status_t capos_server_run(struct capos_server *s);

/* From a handler: answer this call, then return from capos_server_run. */
void capos_server_stop(struct capos_server *s);
/* From a handler: send the reply before running the after_reply hook, so
 * the caller is not kept waiting by the server's follow-up work. */
void capos_server_after_reply(struct capos_server *s);
/* Answers a deferred call kept in `slot` (rq->defer_slot when it was
 * deferred): status, and on OK the encoded msg and caps. The slot goes back
 * to the pool whatever happens (DISCONNECTED: the caller died meanwhile). */
capos_status_t capos_server_answer(struct capos_server *s, capos_cap_t slot,
				   capos_status_t status, const pb_msgdesc_t *fields,
				   const void *msg, const struct capos_cap_list *caps);

/* The endpoint a server was started to serve: the start argument when a
 * parent passed one, else the startup cap `name`. */
capos_cap_t capos_service_endpoint(uint64_t start_arg, const char *name);
/* In the badge of an endpoint cap init minted from a grant with
 * `input: true` (docs/manifest.md): its holder may read the server's input
 * (the console: Read, ReadLine); every other caller is answered DENIED.
 * init badges every grant of such an endpoint, so no holder of an
 * unbadged cap can mint itself this bit (the kernel lets a badge be set
 * only once). Far above the client badges (component index + 1). */
#define CAPOS_BADGE_INPUT (1ull << 62)

/* The startup name of init's readiness doorbell (docs/init.md,
 * "Readiness"): it only wakes init, which then looks at `ready`. */
#define CAPOS_READY_BELL_NAME "ready.bell"
/* Tells whoever waits for this server (init) that it is ready: signals
 * `bits` (any non-zero) on `ntfn` (its own `ready`), then rings the
 * CAPOS_READY_BELL_NAME doorbell if it holds one. */
capos_status_t capos_service_ready(capos_cap_t ntfn, uint64_t bits);
/* A serve notice (docs/recovery.md, "Retarget to a running server"): a
 * Send with this label, on an endpoint the server blocks on, saying that
 * a RECV cap for an endpoint moved to this process waits in `slot`. A
 * server that set take_endpoints then serves it with the services of its first endpoint that has
 * one for `interface_id` (the hooks see that endpoint's index), through
 * NOTIFY_ARRIVAL: it needs capmgr and a bound notification, and a free
 * place (CAPOS_SERVER_MAX_ENDPOINTS); otherwise it prints why and ignores
 * the notice. Anyone may send one, but it can only name a cap already in
 * the server's own table, and the kernel arms the arrival only for a cap
 * with RECV: a server is never made to serve what it could not already
 * receive on. A server that holds RECV on endpoints it does not serve
 * (init) must not take notices. Init sends it (servers/init/retarget.c). */
#define CAPOS_LABEL_SERVE_NOTICE 0x5345525645ull /* "SERVE" */
struct capos_serve_notice {
	uint32_t slot;
	uint32_t reserved; /* 0 */
	uint64_t interface_id;
};

/* The usual server: signals `ready` (startup name) once, runs s, and turns
 * the outcome into main's return value: 0 when retargeted away (a live
 * upgrade or restart took over) or stopped, else the status. */
int capos_service_main(struct capos_server *s);

#endif
