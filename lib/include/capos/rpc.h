/*
 * capos/rpc.h - what generated stubs and dispatchers (codegen/) run on.
 *
 * A call's label is CAPOS_RPC_LABEL(interface id, method id); its body is
 * the nanopb encoding of the request message. The reply's label is the
 * status (enum capos_status); on CAPOS_OK its body is the encoded response.
 * The same code runs on the target (transport = system calls) and on the
 * host (transport = in-process loopback, lib/src/loopback.c).
 */
#ifndef CAPOS_RPC_H
#define CAPOS_RPC_H

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

/* One per method, generated. */
struct capos_rpc_method {
	uint32_t interface_id;
	uint32_t method_id;
	const pb_msgdesc_t *request_fields;
	const pb_msgdesc_t *response_fields;
	uint8_t idempotent;
};

/* Client side: encode req, Call, decode the response into resp (which is
 * zeroed first). Returns the transport's status or the server's. */
capos_status_t capos_rpc_call(capos_cap_t cap, const struct capos_rpc_method *m,
			      const void *req, void *resp);

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
};

/* Helpers the generated dispatchers use. Each returns CAPOS_OK or
 * CAPOS_INVALID_ARGUMENT (a body that does not decode, or a response that
 * does not fit). */
capos_status_t capos_rpc_decode(const struct capos_rpc_request *rq,
				const pb_msgdesc_t *fields, void *msg);
capos_status_t capos_rpc_encode(struct capos_rpc_request *rq, const pb_msgdesc_t *fields,
				const void *msg);

/* A generated dispatcher bound to its ops and context. */
typedef capos_status_t (*capos_rpc_dispatch_fn)(const void *ops, void *ctx,
						struct capos_rpc_request *rq);

#endif
