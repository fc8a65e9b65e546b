/*
 * rpc.c - the client call and the codec helpers generated code runs on.
 * Encoding goes straight into the transport buffer (the IPC buffer on the
 * target), and decoding reads from it: the kernel's copy is the only one.
 */
#include <pb_decode.h>
#include <pb_encode.h>

#include <capos/rpc.h>
#include <capos/syscall.h>
#include <capos/transport.h>

capos_status_t capos_rpc_call(capos_cap_t cap, const struct capos_rpc_method *m,
			      const void *req, void *resp)
{
	int attempts = m->idempotent ? CAPOS_RPC_IDEMPOTENT_ATTEMPTS : 1;
	capos_status_t st = CAPOS_INVALID_ARGUMENT;
	for (int a = 0; a < attempts; a++) {
		uint8_t *buf = capos_transport_buffer();
		pb_ostream_t os = pb_ostream_from_buffer(buf, CAPOS_TRANSPORT_BUFFER_SIZE);
		if (!pb_encode(&os, m->request_fields, req))
			return CAPOS_INVALID_ARGUMENT; /* the request does not fit */
		uint64_t reply_label = 0;
		uint32_t reply_len = 0;
		st = capos_transport_call(cap, CAPOS_RPC_LABEL(m->interface_id, m->method_id),
					  (uint32_t)os.bytes_written, &reply_label, &reply_len);
		if (st == CAPOS_DISCONNECTED && a + 1 < attempts) {
			/* The server may be restarting: let it come back. */
#ifndef CAPOS_HOST
			capos_yield();
#endif
			continue;
		}
		if (st != CAPOS_OK)
			return st;
		if (reply_label != CAPOS_OK)
			return (capos_status_t)reply_label;
		if (reply_len > CAPOS_TRANSPORT_BUFFER_SIZE)
			return CAPOS_INVALID_ARGUMENT;
		pb_istream_t is = pb_istream_from_buffer(capos_transport_buffer(), reply_len);
		if (!pb_decode(&is, m->response_fields, resp))
			return CAPOS_INVALID_ARGUMENT; /* a reply we cannot read */
		return CAPOS_OK;
	}
	return st;
}

capos_status_t capos_rpc_decode(const struct capos_rpc_request *rq,
				const pb_msgdesc_t *fields, void *msg)
{
	if (rq->len > CAPOS_MSG_BODY_MAX)
		return CAPOS_INVALID_ARGUMENT;
	pb_istream_t is = pb_istream_from_buffer(rq->body, rq->len);
	return pb_decode(&is, fields, msg) ? CAPOS_OK : CAPOS_INVALID_ARGUMENT;
}

capos_status_t capos_rpc_encode(struct capos_rpc_request *rq, const pb_msgdesc_t *fields,
				const void *msg)
{
	pb_ostream_t os = pb_ostream_from_buffer(rq->out, rq->out_cap);
	if (!pb_encode(&os, fields, msg)) {
		rq->out_len = 0;
		return CAPOS_INVALID_ARGUMENT;
	}
	rq->out_len = (uint32_t)os.bytes_written;
	return CAPOS_OK;
}
