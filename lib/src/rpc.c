/*
 * rpc.c - the client call and the codec helpers generated code runs on.
 * Encoding goes straight into the transport buffer (the IPC buffer on the
 * target), and decoding reads from it: the kernel's copy is the only one.
 *
 * Caps: the caller's caps leave with the request (moved or copied); the
 * reply's caps arrive in new slots. Any that arrive where the method does
 * not allow them are deleted here (capos_transport_drop) after the body
 * has been read, since on the target deleting is a kernel call through
 * the same IPC buffer.
 */
#include <pb_decode.h>
#include <pb_encode.h>

#include <capos/rpc.h>
#include <capos/syscall.h>
#include <capos/transport.h>

capos_status_t capos_rpc_call(capos_cap_t cap, const struct capos_rpc_method *m,
			      const void *req, void *resp)
{
	return capos_rpc_call_caps(cap, m, req, NULL, resp, NULL);
}

/* The reply's body, in the transport buffer, into resp. */
static capos_status_t decode_reply(const struct capos_rpc_method *m, uint32_t len, void *resp)
{
	const uint8_t *buf = capos_transport_buffer();
	if (m->decode_response)
		return m->decode_response(buf, len, resp) ? CAPOS_OK : CAPOS_INVALID_ARGUMENT;
	pb_istream_t is = pb_istream_from_buffer(buf, len);
	return pb_decode(&is, m->response_fields, resp) ? CAPOS_OK : CAPOS_INVALID_ARGUMENT;
}

/* The reply to one Call, already in the transport buffer: its status,
 * the body decoded into resp, its caps checked against the method. */
static capos_status_t take_reply(const struct capos_rpc_method *m, uint64_t reply_label,
				 uint32_t reply_len, struct capos_cap_list *got, void *resp,
				 struct capos_cap_list *received)
{
	capos_status_t st;
	if (reply_label == CAPOS_OK && got->count == 0 && m->reply_caps == 0 &&
	    reply_len <= CAPOS_TRANSPORT_BUFFER_SIZE) {
		/* The common case: no caps either way. */
		return decode_reply(m, reply_len, resp);
	}
	if (reply_label != CAPOS_OK)
		st = (capos_status_t)reply_label;
	else if (got->count > m->reply_caps || (m->reply_caps && got->count == 0))
		st = CAPOS_PROTOCOL_ERROR; /* the server broke the method's contract */
	else if (reply_len > CAPOS_TRANSPORT_BUFFER_SIZE)
		st = CAPOS_INVALID_ARGUMENT;
	else
		st = decode_reply(m, reply_len, resp); /* unreadable: its caps go too */
	if (st == CAPOS_OK && received) {
		*received = *got;
		received->move = 0;
		return CAPOS_OK;
	}
	if (got->count)
		capos_transport_drop(got);
	return st;
}

capos_status_t capos_rpc_call_caps(capos_cap_t cap, const struct capos_rpc_method *m,
				   const void *req, const struct capos_cap_list *send,
				   void *resp, struct capos_cap_list *received)
{
	if (received) {
		received->count = 0;
		received->move = 0;
	}
	if (send) {
		if (send->count > m->request_caps || send->count > CAPOS_MSG_MAX_CAPS)
			return CAPOS_INVALID_ARGUMENT; /* more than the method takes: nothing sent */
		if (send->count == 0)
			send = NULL;
	}
	int attempts = m->idempotent ? CAPOS_RPC_IDEMPOTENT_ATTEMPTS : 1;
	capos_status_t st = CAPOS_INVALID_ARGUMENT;
	for (int a = 0; a < attempts; a++) {
		uint8_t *buf = capos_transport_buffer();
		uint32_t len;
		if (m->encode_request) {
			if (!m->encode_request(buf, CAPOS_TRANSPORT_BUFFER_SIZE, req, &len))
				return CAPOS_INVALID_ARGUMENT; /* the request does not fit */
		} else {
			pb_ostream_t os = pb_ostream_from_buffer(buf, CAPOS_TRANSPORT_BUFFER_SIZE);
			if (!pb_encode(&os, m->request_fields, req))
				return CAPOS_INVALID_ARGUMENT;
			len = (uint32_t)os.bytes_written;
		}
		uint64_t reply_label = 0;
		uint32_t reply_len = 0;
		struct capos_cap_list got; /* the transport sets count */
		st = capos_transport_call(cap, CAPOS_RPC_LABEL(m->interface_id, m->method_id),
					  len, send, &reply_label,
					  &reply_len, &got);
		if (st == CAPOS_DISCONNECTED && a + 1 < attempts) {
			/* The server may be restarting: let it come back. */
#ifndef CAPOS_HOST
			capos_yield();
#endif
			continue;
		}
		if (st != CAPOS_OK)
			return st;
		return take_reply(m, reply_label, reply_len, &got, resp, received);
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

capos_status_t capos_rpc_service_dispatch(const struct capos_rpc_service *s,
					  struct capos_rpc_request *rq)
{
	if (!s->dispatch) {
		rq->out_len = 0;
		rq->caps_out = (struct capos_cap_list){ .count = 0 };
		return CAPOS_UNSUPPORTED;
	}
	return s->dispatch(s->ops, s->ctx, rq);
}

/* How many times caps_out names slot. */
static uint32_t times_sent(const struct capos_cap_list *out, capos_cap_t slot)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < out->count; i++)
		n += out->cap[i] == slot;
	return n;
}

void capos_rpc_settle(struct capos_rpc_request *rq, capos_status_t st,
		      struct capos_cap_list *drop)
{
	struct capos_cap_list *out = &rq->caps_out;
	*drop = (struct capos_cap_list){ .count = 0 };
	if (st != CAPOS_OK || out->count > CAPOS_MSG_MAX_CAPS)
		*out = (struct capos_cap_list){ .count = 0 };
	out->move &= (1u << out->count) - 1u;
	uint32_t n = rq->caps_in.count <= CAPOS_MSG_MAX_CAPS ? rq->caps_in.count : 0;
	for (uint32_t i = 0; i < n; i++) {
		capos_cap_t c = rq->caps_in.cap[i];
		if (c == CAPOS_NO_CAP)
			continue; /* the handler kept it */
		uint32_t sent = times_sent(out, c);
		if (sent == 0) {
			drop->cap[drop->count++] = c;
			continue;
		}
		/* Sent once: moved, the server keeps nothing. Sent more than
		 * once it must stay (a cap cannot be moved twice): as copies. */
		if (sent == 1)
			for (uint32_t j = 0; j < out->count; j++)
				if (out->cap[j] == c)
					out->move |= 1u << j;
	}
}
