/*
 * capos/service.h - the serve loop every server runs.
 *
 * serve() takes calls on the endpoint with Recv/ReplyRecv, gives each to
 * the generated dispatcher with the client's context (looked up from the
 * badge init minted for that client), and answers with the dispatcher's
 * status as the reply label. It returns when the endpoint is retargeted to
 * another server (live upgrade: this one drains and exits), when the
 * handler asks to stop, or on a transport error.
 */
#ifndef CAPOS_SERVICE_H
#define CAPOS_SERVICE_H

#include <capos/rpc.h>

struct capos_service {
	capos_cap_t endpoint;
	capos_rpc_dispatch_fn dispatch;
	const void *ops;
	void *ctx;
	/* Optional: the context for a client, by badge (NULL: none). */
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

#endif
