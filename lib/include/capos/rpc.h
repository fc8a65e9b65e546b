/*
 * capos/rpc.h - what generated stubs and dispatchers (codegen/) run on.
 *
 * A call's label is CAPOS_RPC_LABEL(interface id, method id); its body is
 * the nanopb encoding of the request message. The reply's label is the
 * status (enum capos_status); on CAPOS_OK its body is the encoded response.
 * Caps travel beside the body (the IPC buffer's caps[]), never in it: a
 * method's request_caps and reply_caps (idl/capos/options.proto) bound
 * them, and the generated code holds both sides to that (docs/codegen.md).
 * The same code runs on the target (transport = system calls) and on the
 * host (transport = in-process loopback, lib/src/loopback.c).
 */
#ifndef CAPOS_RPC_H
#define CAPOS_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pb.h>

#include <capos/abi.h>

#define CAPOS_RPC_LABEL(iface, method) (((uint64_t)(iface) << 32) | (uint64_t)(method))
#define CAPOS_RPC_INTERFACE(label)     ((uint32_t)((label) >> 32))
#define CAPOS_RPC_METHOD(label)        ((uint32_t)(label))

/* Attempts for an idempotent method whose server was DISCONNECTED (it may
 * have been restarted and the endpoint retargeted). */
#define CAPOS_RPC_IDEMPOTENT_ATTEMPTS 3

/* Caps beside a body, either direction. */
struct capos_cap_list {
	uint32_t count;                      /* entries used, <= CAPOS_MSG_MAX_CAPS */
	uint32_t move;                       /* sender side: bit i set = move cap[i], else copy */
	capos_cap_t cap[CAPOS_MSG_MAX_CAPS]; /* slots in the holder's own table */
};

/* One per method, generated. */
struct capos_rpc_method {
	uint32_t interface_id;
	uint32_t method_id;
	const pb_msgdesc_t *request_fields;
	const pb_msgdesc_t *response_fields;
	uint8_t idempotent;
	uint8_t request_caps; /* a request carries at most this many caps */
	uint8_t reply_caps;   /* an OK reply carries 1..reply_caps caps (0: none) */
	/* The generated direct codecs (capos/wire.h) when the message has
	 * them, else NULL and nanopb runs on the fields above: encode msg into
	 * buf[cap] (false: it does not fit or a string has no NUL), decode
	 * buf[len] into msg (zeroed first; false: not a valid encoding). */
	bool (*encode_request)(uint8_t *buf, uint32_t cap, const void *msg, uint32_t *len);
	bool (*decode_response)(const uint8_t *buf, uint32_t len, void *msg);
};

/* Client side: encode req, Call, decode the response into resp (which is
 * zeroed first). Returns the transport's status or the server's. The same
 * as capos_rpc_call_caps with no caps either way. */
capos_status_t capos_rpc_call(capos_cap_t cap, const struct capos_rpc_method *m,
			      const void *req, void *resp);

/*
 * capos_rpc_call with caps. send (NULL: none) may list up to
 * m->request_caps caps (more: INVALID_ARGUMENT before any call); each goes
 * moved or copied as its move bit says. On CAPOS_OK, *received (NULL: the
 * caller takes none) holds the reply's caps, 1..m->reply_caps of them, in
 * new slots of the caller's table. An OK reply with 0 caps when the method
 * promises some, or more than it promises, is refused: CAPOS_PROTOCOL_ERROR.
 * Caps that arrive where none may (an error reply, a method that promises
 * none, a refused or undecodable reply, received == NULL) are deleted by
 * the transport (capos_transport_drop); on any status but OK *received is
 * empty.
 */
capos_status_t capos_rpc_call_caps(capos_cap_t cap, const struct capos_rpc_method *m,
				   const void *req, const struct capos_cap_list *send,
				   void *resp, struct capos_cap_list *received);

/* Server side: one received call. */
struct capos_rpc_request {
	uint64_t label;
	uint64_t badge;       /* which client (minted per client by init) */
	void *client;         /* the service framework's per-badge context */
	const uint8_t *body;  /* the encoded request */
	uint32_t len;
	uint8_t *out;         /* where the encoded response goes */
	uint32_t out_cap;
	uint32_t out_len;     /* set by the dispatcher */
	struct capos_cap_list caps_in;  /* arrived with the request, now slots of the
					   server's table. A handler that keeps one sets
					   that entry to CAPOS_NO_CAP; whatever is left is
					   deleted by the transport/framework after the
					   dispatch, whatever the status. */
	struct capos_cap_list caps_out; /* sent with the reply, only when the status is OK */
	uint32_t defer_slot;  /* where the serve loop would keep this call's Reply cap
				 if the handler answers CAPOS_RPC_DEFERRED (the handle
				 to answer it by later); CAPOS_NO_CAP: it cannot wait */
};

/* Statuses a handler may return besides a real one; never on the wire. */
#define CAPOS_RPC_DEFERRED ((capos_status_t)0x7fff0001) /* answered later */
#define CAPOS_RPC_NO_REPLY ((capos_status_t)0x7fff0002) /* a Send: nothing to answer */

/* Helpers the generated dispatchers use. Each returns CAPOS_OK or
 * CAPOS_INVALID_ARGUMENT (a body that does not decode, or a response that
 * does not fit). */
capos_status_t capos_rpc_decode(const struct capos_rpc_request *rq,
				const pb_msgdesc_t *fields, void *msg);
capos_status_t capos_rpc_encode(struct capos_rpc_request *rq, const pb_msgdesc_t *fields,
				const void *msg);

/* Typed service binding: the only way to make one is the generated
 * <svc>_service() below, so ops of the wrong type do not compile. */
struct capos_rpc_service {
	uint32_t interface_id;
	capos_status_t (*dispatch)(const void *ops, void *ctx, struct capos_rpc_request *rq);
	const void *ops;
	void *ctx;
};

/* Runs rq through the service's dispatcher (UNSUPPORTED for an empty
 * binding). */
capos_status_t capos_rpc_service_dispatch(const struct capos_rpc_service *s,
					  struct capos_rpc_request *rq);

/*
 * After a dispatch answered st, what a transport does with the caps
 * (both transports and the target's serve loops share this): caps_out is
 * emptied unless st is OK; *drop gets the caps_in entries left (the
 * handler did not keep them), which the caller deletes. A left entry the
 * reply also carries is not deleted: it goes out moved (the server keeps
 * no copy of what it did not keep), as if deleted after the reply.
 */
void capos_rpc_settle(struct capos_rpc_request *rq, capos_status_t st,
		      struct capos_cap_list *drop);

#endif
