/*
 * Component test: the echo server's real dispatcher (generated) with the
 * real generated client stubs, over the host loopback transport.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pb_encode.h>

#include <capos/transport.h>

#include "echo.capos.h"
#include "echo_service.h"

#define ECHO_CAP 5

static struct echo_state state;

static int setup(void **st)
{
	(void)st;
	memset(&state, 0, sizeof(state));
	capos_loopback_reset();
	capos_loopback_register(ECHO_CAP, echo_service(&echo_service_ops, &state), 0x42);
	return 0;
}

static capos_status_t echo_bytes(const char *text, capos_EchoReply *out)
{
	capos_EchoRequest req = capos_EchoRequest_init_zero;
	req.data.size = (pb_size_t)strlen(text);
	memcpy(req.data.bytes, text, req.data.size);
	memset(out, 0x5a, sizeof(*out)); /* the stub must not leave junk */
	return echo_echo(ECHO_CAP, &req, out);
}

static void test_round_trip(void **st)
{
	(void)st;
	capos_EchoReply r;
	assert_int_equal(echo_bytes("hello, capOS", &r), CAPOS_OK);
	assert_int_equal(r.data.size, 12);
	assert_memory_equal(r.data.bytes, "hello, capOS", 12);
	assert_int_equal(r.count, 1);
	assert_int_equal(echo_bytes("", &r), CAPOS_OK);
	assert_int_equal(r.data.size, 0);
	assert_int_equal(r.count, 2);

	capos_Empty e = capos_Empty_init_zero;
	capos_EchoCount c;
	assert_int_equal(echo_count(ECHO_CAP, &e, &c), CAPOS_OK);
	assert_int_equal(c.count, 2);
}

static void test_largest_body(void **st)
{
	(void)st;
	capos_EchoRequest req = capos_EchoRequest_init_zero;
	req.data.size = sizeof(req.data.bytes);
	for (size_t i = 0; i < req.data.size; i++)
		req.data.bytes[i] = (uint8_t)(i * 7 + 1);
	capos_EchoReply r;
	assert_int_equal(echo_echo(ECHO_CAP, &req, &r), CAPOS_OK);
	assert_int_equal(r.data.size, req.data.size);
	assert_memory_equal(r.data.bytes, req.data.bytes, req.data.size);
}

static void test_server_status(void **st)
{
	(void)st;
	capos_EchoFail f = capos_EchoFail_init_zero;
	capos_Empty e;
	f.status = (capos_Status)CAPOS_DENIED;
	assert_int_equal(echo_fail(ECHO_CAP, &f, &e), CAPOS_DENIED);
	f.status = (capos_Status)CAPOS_OK;
	assert_int_equal(echo_fail(ECHO_CAP, &f, &e), CAPOS_OK);
}

static capos_status_t raw_call(uint64_t label, const void *body, uint32_t len,
			       uint64_t *reply_label, uint32_t *reply_len)
{
	memcpy(capos_transport_buffer(), body, len);
	return capos_transport_call(ECHO_CAP, label, len, NULL, reply_label, reply_len, NULL);
}

static void test_malformed_and_unknown(void **st)
{
	(void)st;
	uint64_t rl;
	uint32_t rn;
	/* field 1 (bytes) claiming 200 bytes with 3 present: truncated */
	const uint8_t truncated[] = { 0x0a, 0xc8, 0x01, 'a', 'b', 'c' };
	assert_int_equal(raw_call(CAPOS_RPC_LABEL(ECHO_INTERFACE_ID, ECHO_ECHO_METHOD_ID),
				  truncated, sizeof(truncated), &rl, &rn), CAPOS_OK);
	assert_int_equal(rl, CAPOS_INVALID_ARGUMENT);
	assert_int_equal(rn, 0);
	/* a length beyond the field's bound (1024) */
	uint8_t big[1100];
	memset(big, 'x', sizeof(big));
	big[0] = 0x0a;
	big[1] = 0xc0; /* 1088 = 0x440: varint c0 08 */
	big[2] = 0x08;
	assert_int_equal(raw_call(CAPOS_RPC_LABEL(ECHO_INTERFACE_ID, ECHO_ECHO_METHOD_ID),
				  big, 3 + 1088, &rl, &rn), CAPOS_OK);
	assert_int_equal(rl, CAPOS_INVALID_ARGUMENT);
	/* an invalid wire type */
	const uint8_t badwire[] = { 0x0f, 0x01 };
	assert_int_equal(raw_call(CAPOS_RPC_LABEL(ECHO_INTERFACE_ID, ECHO_ECHO_METHOD_ID),
				  badwire, sizeof(badwire), &rl, &rn), CAPOS_OK);
	assert_int_equal(rl, CAPOS_INVALID_ARGUMENT);
	/* an unknown method, and another interface's label */
	assert_int_equal(raw_call(CAPOS_RPC_LABEL(ECHO_INTERFACE_ID, 99), "", 0, &rl, &rn),
			 CAPOS_OK);
	assert_int_equal(rl, CAPOS_UNSUPPORTED);
	assert_int_equal(raw_call(CAPOS_RPC_LABEL(0x0200, ECHO_ECHO_METHOD_ID), "", 0, &rl, &rn),
			 CAPOS_OK);
	assert_int_equal(rl, CAPOS_UNSUPPORTED);
	/* none of that was counted, and the server still serves */
	capos_EchoReply r;
	assert_int_equal(echo_bytes("still here", &r), CAPOS_OK);
	assert_int_equal(r.count, 1);
}

static void test_idempotent_retry(void **st)
{
	(void)st;
	capos_Empty e = capos_Empty_init_zero;
	capos_EchoCount c;
	/* Count is idempotent: two DISCONNECTED, then it gets through. */
	capos_loopback_fail_next(ECHO_CAP, CAPOS_DISCONNECTED, 2);
	assert_int_equal(echo_count(ECHO_CAP, &e, &c), CAPOS_OK);
	assert_int_equal(capos_loopback_delivered(ECHO_CAP), 1);
	/* ...but the retry is bounded */
	capos_loopback_fail_next(ECHO_CAP, CAPOS_DISCONNECTED, CAPOS_RPC_IDEMPOTENT_ATTEMPTS);
	assert_int_equal(echo_count(ECHO_CAP, &e, &c), CAPOS_DISCONNECTED);
	assert_int_equal(capos_loopback_delivered(ECHO_CAP), 1);
	capos_loopback_fail_next(ECHO_CAP, CAPOS_DISCONNECTED, 0);
	/* Echo is not idempotent: one attempt only. */
	capos_loopback_fail_next(ECHO_CAP, CAPOS_DISCONNECTED, 1);
	capos_EchoReply r;
	assert_int_equal(echo_bytes("once", &r), CAPOS_DISCONNECTED);
	assert_int_equal(capos_loopback_delivered(ECHO_CAP), 1);
	assert_int_equal(state.count, 0);
	/* and other errors are not retried either */
	capos_loopback_fail_next(ECHO_CAP, CAPOS_INVALID_CAP, 1);
	assert_int_equal(echo_count(ECHO_CAP, &e, &c), CAPOS_INVALID_CAP);
	assert_int_equal(echo_count(ECHO_CAP, &e, &c), CAPOS_OK);
}

static void test_no_such_cap(void **st)
{
	(void)st;
	capos_Empty e = capos_Empty_init_zero;
	capos_EchoCount c;
	assert_int_equal(echo_count(7, &e, &c), CAPOS_INVALID_CAP);
}

/* ---- caps through the stubs (Exchange: up to 2 in, exactly 1 back) ---- */

/* Echo's real Exchange, watched: what arrived, and that it ran. */
static struct {
	int calls;
	uint32_t count;
	uint64_t token[CAPOS_MSG_MAX_CAPS];
	int present[CAPOS_MSG_MAX_CAPS];
	uint64_t badge;
} spy;

static capos_status_t spy_exchange(void *ctx, struct capos_rpc_request *rq,
				   const capos_EchoExchange *req, struct capos_cap_list *caps_in,
				   capos_EchoExchangeResult *resp, struct capos_cap_list *caps_out)
{
	spy.calls++;
	spy.badge = rq->badge;
	spy.count = caps_in->count;
	for (uint32_t i = 0; i < caps_in->count; i++) {
		spy.present[i] = capos_loopback_cap_present(caps_in->cap[i]);
		spy.token[i] = capos_loopback_cap_token(caps_in->cap[i]);
	}
	return echo_service_ops.exchange(ctx, rq, req, caps_in, resp, caps_out);
}

static struct echo_ops spy_ops;

static int setup_caps(void **st)
{
	(void)st;
	memset(&state, 0, sizeof(state));
	memset(&spy, 0, sizeof(spy));
	spy_ops = echo_service_ops;
	spy_ops.exchange = spy_exchange;
	capos_loopback_reset();
	capos_loopback_register(ECHO_CAP, echo_service(&spy_ops, &state), 0x42);
	return 0;
}

static capos_status_t exchange(capos_cap_t ep, uint32_t give_back, int keep, int no_cap,
			       capos_status_t status, const struct capos_cap_list *send,
			       capos_EchoExchangeResult *res, struct capos_cap_list *got)
{
	capos_EchoExchange req = capos_EchoExchange_init_zero;
	req.give_back = give_back;
	req.keep = keep;
	req.no_cap = no_cap;
	req.status = (capos_Status)status;
	memset(got, 0x5a, sizeof(*got)); /* the stub must not leave junk */
	return echo_exchange(ep, &req, send, res, got);
}

static void test_caps_arrive_moved_and_copied(void **st)
{
	(void)st;
	capos_cap_t a = capos_loopback_new_object(0xa1), b = capos_loopback_new_object(0xb2);
	assert_int_not_equal(a, CAPOS_NO_CAP);
	assert_int_not_equal(b, CAPOS_NO_CAP);
	assert_int_equal(capos_loopback_caps_used(), 3); /* echo's endpoint, a, b */
	/* a moved, b copied; b comes back (moved: echo keeps none). */
	struct capos_cap_list send = { .count = 2, .move = 1u << 0, .cap = { a, b } };
	capos_EchoExchangeResult res;
	struct capos_cap_list got;
	assert_int_equal(exchange(ECHO_CAP, 1, 0, 0, CAPOS_OK, &send, &res, &got), CAPOS_OK);
	/* Both arrived at the handler, in the server's slots. */
	assert_int_equal(spy.calls, 1);
	assert_int_equal(spy.count, 2);
	assert_true(spy.present[0] && spy.present[1]);
	assert_int_equal(spy.token[0], 0xa1);
	assert_int_equal(spy.token[1], 0xb2);
	assert_int_equal(res.received, 2);
	/* The moved one left the sender; the copied one stayed. */
	assert_false(capos_loopback_cap_present(a));
	assert_true(capos_loopback_cap_present(b));
	assert_int_equal(capos_loopback_cap_token(b), 0xb2);
	/* The reply's cap is in a new slot of ours, the same object. */
	assert_int_equal(got.count, 1);
	assert_int_not_equal(got.cap[0], b);
	assert_int_not_equal(got.cap[0], ECHO_CAP);
	assert_int_equal(capos_loopback_cap_token(got.cap[0]), 0xb2);
	/* a (not taken by the handler) was deleted, and echo kept nothing:
	 * endpoint, b, the returned copy of b. */
	assert_int_equal(state.has_kept, 0);
	assert_int_equal(capos_loopback_caps_used(), 3);
}

static void test_handler_keeps_and_copies_back(void **st)
{
	(void)st;
	capos_cap_t a = capos_loopback_new_object(0xa1);
	struct capos_cap_list send = { .count = 1, .move = 1, .cap = { a } };
	capos_EchoExchangeResult res;
	struct capos_cap_list got;
	assert_int_equal(exchange(ECHO_CAP, 0, 1, 0, CAPOS_OK, &send, &res, &got), CAPOS_OK);
	/* echo holds a (moved to it: a new slot), we hold a copy, which the
	 * lowest free slot - a's old one - took: two slots in all. */
	assert_int_not_equal(state.kept, a);
	assert_int_equal(got.cap[0], a);
	assert_true(state.has_kept);
	assert_int_equal(capos_loopback_cap_token(state.kept), 0xa1);
	assert_int_equal(got.count, 1);
	assert_int_not_equal(got.cap[0], state.kept);
	assert_int_equal(capos_loopback_cap_token(got.cap[0]), 0xa1);
	assert_int_equal(capos_loopback_caps_used(), 3);
	/* The next kept cap replaces it: the older one is deleted. */
	capos_cap_t old = state.kept;
	capos_cap_t c = capos_loopback_new_object(0xc3);
	send = (struct capos_cap_list){ .count = 1, .move = 0, .cap = { c } };
	assert_int_equal(exchange(ECHO_CAP, 0, 1, 0, CAPOS_OK, &send, &res, &got), CAPOS_OK);
	assert_true(capos_loopback_cap_present(c)); /* copied: ours stays */
	assert_int_equal(capos_loopback_cap_token(state.kept), 0xc3);
	assert_int_not_equal(state.kept, old);
	/* endpoint, our copy of a, c, echo's c, our copy of c (6 had echo's
	 * a stayed) */
	assert_int_equal(capos_loopback_caps_used(), 5);
	assert_int_equal(capos_loopback_cap_token(got.cap[0]), 0xc3);
}

static void test_ok_without_promised_cap(void **st)
{
	(void)st;
	capos_cap_t a = capos_loopback_new_object(0xa1), b = capos_loopback_new_object(0xb2);
	struct capos_cap_list send = { .count = 2, .move = 1u << 1, .cap = { a, b } };
	capos_EchoExchangeResult res;
	struct capos_cap_list got;
	/* The op answers OK with no cap: the dispatcher refuses it. */
	assert_int_equal(exchange(ECHO_CAP, 0, 0, 1, CAPOS_OK, &send, &res, &got),
			 CAPOS_PROTOCOL_ERROR);
	assert_int_equal(spy.calls, 1);
	assert_int_equal(got.count, 0);
	/* a was copied (ours stays), b moved; the server's went. */
	assert_true(capos_loopback_cap_present(a));
	assert_false(capos_loopback_cap_present(b));
	assert_int_equal(capos_loopback_caps_used(), 2);
}

static void test_too_many_caps(void **st)
{
	(void)st;
	capos_cap_t c[3];
	for (int i = 0; i < 3; i++)
		c[i] = capos_loopback_new_object(0x100u + (unsigned)i);
	struct capos_cap_list send = { .count = 3, .move = 0x7, .cap = { c[0], c[1], c[2] } };
	capos_EchoExchangeResult res;
	struct capos_cap_list got;
	/* The stub refuses before any call: nothing moved, nothing delivered. */
	assert_int_equal(exchange(ECHO_CAP, 0, 0, 0, CAPOS_OK, &send, &res, &got),
			 CAPOS_INVALID_ARGUMENT);
	assert_int_equal(got.count, 0);
	assert_int_equal(capos_loopback_delivered(ECHO_CAP), 0);
	for (int i = 0; i < 3; i++)
		assert_true(capos_loopback_cap_present(c[i]));
	/* Straight through the transport: the dispatcher refuses it and the
	 * handler never runs; the caps that went (moved) are deleted. */
	capos_EchoExchange req = capos_EchoExchange_init_zero;
	pb_ostream_t os = pb_ostream_from_buffer(capos_transport_buffer(),
						 CAPOS_TRANSPORT_BUFFER_SIZE);
	assert_true(pb_encode(&os, capos_EchoExchange_fields, &req));
	uint64_t rl;
	uint32_t rn;
	send.move = 0x1; /* c[0] moved, c[1] and c[2] copied */
	assert_int_equal(capos_transport_call(ECHO_CAP,
					      CAPOS_RPC_LABEL(ECHO_INTERFACE_ID,
							      ECHO_EXCHANGE_METHOD_ID),
					      (uint32_t)os.bytes_written, &send, &rl, &rn, &got),
			 CAPOS_OK);
	assert_int_equal(rl, CAPOS_INVALID_ARGUMENT);
	assert_int_equal(got.count, 0);
	assert_int_equal(spy.calls, 0);
	assert_int_equal(capos_loopback_delivered(ECHO_CAP), 1);
	assert_false(capos_loopback_cap_present(c[0]));
	assert_true(capos_loopback_cap_present(c[1]));
	assert_true(capos_loopback_cap_present(c[2]));
	assert_int_equal(capos_loopback_caps_used(), 3);
	/* A method that takes none (Echo) refuses any. */
	send = (struct capos_cap_list){ .count = 1, .move = 0, .cap = { c[1] } };
	capos_EchoRequest er = capos_EchoRequest_init_zero;
	os = pb_ostream_from_buffer(capos_transport_buffer(), CAPOS_TRANSPORT_BUFFER_SIZE);
	assert_true(pb_encode(&os, capos_EchoRequest_fields, &er));
	assert_int_equal(capos_transport_call(ECHO_CAP,
					      CAPOS_RPC_LABEL(ECHO_INTERFACE_ID, ECHO_ECHO_METHOD_ID),
					      (uint32_t)os.bytes_written, &send, &rl, &rn, &got),
			 CAPOS_OK);
	assert_int_equal(rl, CAPOS_INVALID_ARGUMENT);
	assert_int_equal(state.count, 0);
	assert_int_equal(capos_loopback_caps_used(), 3);
}

static void test_error_reply_carries_no_caps(void **st)
{
	(void)st;
	capos_cap_t a = capos_loopback_new_object(0xa1);
	struct capos_cap_list send = { .count = 1, .move = 1, .cap = { a } };
	capos_EchoExchangeResult res;
	struct capos_cap_list got;
	/* The op names a in caps_out, then answers DENIED: nothing comes
	 * back, and the server's copy is deleted rather than leaked. */
	assert_int_equal(exchange(ECHO_CAP, 0, 0, 0, CAPOS_DENIED, &send, &res, &got),
			 CAPOS_DENIED);
	assert_int_equal(spy.calls, 1);
	assert_int_equal(got.count, 0);
	assert_false(capos_loopback_cap_present(a));
	assert_int_equal(capos_loopback_caps_used(), 1);
	/* Bad give_back: INVALID_ARGUMENT from the op, likewise no cap. */
	a = capos_loopback_new_object(0xa1);
	send = (struct capos_cap_list){ .count = 1, .move = 0, .cap = { a } };
	assert_int_equal(exchange(ECHO_CAP, 1, 0, 0, CAPOS_OK, &send, &res, &got),
			 CAPOS_INVALID_ARGUMENT);
	assert_int_equal(got.count, 0);
	assert_true(capos_loopback_cap_present(a));
	assert_int_equal(capos_loopback_caps_used(), 2);
}

static void test_endpoint_caps(void **st)
{
	(void)st;
	/* A minted cap reaches the same service with its own badge. */
	capos_cap_t m = capos_loopback_mint(ECHO_CAP, 0x77);
	assert_int_not_equal(m, CAPOS_NO_CAP);
	capos_EchoReply r;
	assert_int_equal(echo_bytes("x", &r), CAPOS_OK);
	capos_EchoRequest req = capos_EchoRequest_init_zero;
	assert_int_equal(echo_echo(m, &req, &r), CAPOS_OK);
	assert_int_equal(r.count, 2);
	assert_int_equal(capos_loopback_delivered(m), 2);
	/* An endpoint cap sent and returned (copied into a new slot) still
	 * reaches echo, with the badge it carried. */
	struct capos_cap_list send = { .count = 1, .move = 0, .cap = { m } };
	capos_EchoExchangeResult res;
	struct capos_cap_list got;
	assert_int_equal(exchange(ECHO_CAP, 0, 0, 0, CAPOS_OK, &send, &res, &got), CAPOS_OK);
	assert_int_equal(spy.badge, 0x42);
	assert_int_equal(capos_loopback_cap_token(got.cap[0]), 0); /* not a plain object */
	assert_int_equal(exchange(got.cap[0], 0, 0, 0, CAPOS_OK, &send, &res, &got), CAPOS_OK);
	assert_int_equal(spy.badge, 0x77);
	assert_int_equal(echo_echo(got.cap[0], &req, &r), CAPOS_OK);
	assert_int_equal(r.count, 3);
	/* A plain object is not something to call. */
	capos_cap_t o = capos_loopback_new_object(5);
	capos_Empty e = capos_Empty_init_zero;
	capos_EchoCount c;
	assert_int_equal(echo_count(o, &e, &c), CAPOS_WRONG_TYPE);
}

/* A server that breaks the contract past the generated dispatcher (a
 * hand-made binding): the stub refuses its replies and deletes their caps. */
static int rogue_caps;

static capos_status_t rogue(const void *ops, void *ctx, struct capos_rpc_request *rq)
{
	(void)ops;
	(void)ctx;
	rq->out_len = 0; /* an empty body decodes as any message */
	rq->caps_out = (struct capos_cap_list){ .count = 0 };
	for (int i = 0; i < rogue_caps; i++)
		rq->caps_out.cap[rq->caps_out.count++] = capos_loopback_new_object(0xbad);
	rq->caps_out.move = 0xf; /* the server keeps none */
	return CAPOS_OK;
}

static void test_stub_refuses_broken_replies(void **st)
{
	(void)st;
	struct capos_rpc_service bad = { .interface_id = ECHO_INTERFACE_ID, .dispatch = rogue };
	capos_loopback_register(ECHO_CAP, bad, 1);
	capos_EchoExchangeResult res;
	struct capos_cap_list got;
	/* OK with no cap where one is promised */
	rogue_caps = 0;
	assert_int_equal(exchange(ECHO_CAP, 0, 0, 0, CAPOS_OK, NULL, &res, &got),
			 CAPOS_PROTOCOL_ERROR);
	assert_int_equal(got.count, 0);
	/* two where one is promised: refused, both deleted */
	rogue_caps = 2;
	assert_int_equal(exchange(ECHO_CAP, 0, 0, 0, CAPOS_OK, NULL, &res, &got),
			 CAPOS_PROTOCOL_ERROR);
	assert_int_equal(got.count, 0);
	assert_int_equal(capos_loopback_caps_used(), 1);
	/* one where none is promised (Count): refused, deleted */
	rogue_caps = 1;
	capos_Empty e = capos_Empty_init_zero;
	capos_EchoCount c;
	assert_int_equal(echo_count(ECHO_CAP, &e, &c), CAPOS_PROTOCOL_ERROR);
	assert_int_equal(capos_loopback_caps_used(), 1);
	/* and exactly one is taken */
	assert_int_equal(exchange(ECHO_CAP, 0, 0, 0, CAPOS_OK, NULL, &res, &got), CAPOS_OK);
	assert_int_equal(got.count, 1);
	assert_int_equal(capos_loopback_cap_token(got.cap[0]), 0xbad);
	assert_int_equal(capos_loopback_caps_used(), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_round_trip, setup),
		cmocka_unit_test_setup(test_largest_body, setup),
		cmocka_unit_test_setup(test_server_status, setup),
		cmocka_unit_test_setup(test_malformed_and_unknown, setup),
		cmocka_unit_test_setup(test_idempotent_retry, setup),
		cmocka_unit_test_setup(test_no_such_cap, setup),
		cmocka_unit_test_setup(test_caps_arrive_moved_and_copied, setup_caps),
		cmocka_unit_test_setup(test_handler_keeps_and_copies_back, setup_caps),
		cmocka_unit_test_setup(test_ok_without_promised_cap, setup_caps),
		cmocka_unit_test_setup(test_too_many_caps, setup_caps),
		cmocka_unit_test_setup(test_error_reply_carries_no_caps, setup_caps),
		cmocka_unit_test_setup(test_endpoint_caps, setup_caps),
		cmocka_unit_test_setup(test_stub_refuses_broken_replies, setup_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
