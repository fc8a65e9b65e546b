/*
 * capos/service.h - the serve loop every server runs.
 *
 * serve() takes calls on the endpoint with Recv/ReplyRecv, gives each to
 * the service's generated dispatcher (bound with <svc>_service()) with the
 * client's context (looked up from the badge init minted for that client)
 * and the caps the call carried, and answers with the dispatcher's status
 * as the reply label and the handler's caps_out. It returns when the
 * endpoint is retargeted to another server (live upgrade: this one drains
 * and exits), when the handler asks to stop, or on a transport error.
 */
#ifndef CAPOS_SERVICE_H
#define CAPOS_SERVICE_H

#include <capos/rpc.h>

struct capos_service {
	capos_cap_t endpoint;
	struct capos_rpc_service service; /* <svc>_service(&ops, ctx) */
	/* Optional: the context for a client, by badge (NULL: none); gets
	 * service.ctx. */
	void *(*client)(void *ctx, uint64_t badge);
	/* Optional: signals of the thread's bound notification arrived. */
	void (*signals)(void *ctx, uint64_t bits);
	int stop; /* set by a handler: answer this call, then return */
	uint64_t served;
};

/* Serves until retargeted (returns CAPOS_RETARGETED), stopped (CAPOS_OK)
 * or a transport error (that status). */
capos_status_t capos_service_serve(struct capos_service *s);

/* Tells whoever waits for this server (init) that it is ready: signals
 * `bits` on the notification. */
capos_status_t capos_service_ready(capos_cap_t ntfn, uint64_t bits);

/*
 * The two halves of answering one call for a hand-written loop (console,
 * log and init use them until the service framework replaces their loops;
 * capos_service_serve is built on them):
 *
 * capos_service_request sets all of rq from the message just received in
 * this thread's IPC buffer b: label, badge, the body read in place, the
 * response encoded over it (out = b->body: the dispatcher decodes the
 * request first), caps_in from its ncaps and caps[], caps_out empty,
 * client NULL. capos_service_take_caps sets only caps_in, for a loop that
 * copies the body elsewhere. Call either before the dispatch: a handler
 * that makes a call of its own overwrites the buffer.
 *
 * capos_service_put_reply, after the dispatch answered st: settles the
 * caps (capos_rpc_settle), deletes the leftovers through the program's
 * `capmgr` (capos_transport_drop; without one they stay), and writes the
 * reply into the IPC buffer for ReplyRecv: label st, the body rq->out
 * holds (copied into the buffer when rq->out is elsewhere), caps_out with
 * its move bits. The encoded body survives the deletions (kernel calls
 * through the same buffer).
 */
struct capos_ipc_buffer;
void capos_service_request(struct capos_rpc_request *rq, struct capos_ipc_buffer *b);
void capos_service_take_caps(struct capos_rpc_request *rq, const struct capos_ipc_buffer *b);
void capos_service_put_reply(struct capos_rpc_request *rq, capos_status_t st);

#endif
