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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_round_trip, setup),
		cmocka_unit_test_setup(test_largest_body, setup),
		cmocka_unit_test_setup(test_server_status, setup),
		cmocka_unit_test_setup(test_malformed_and_unknown, setup),
		cmocka_unit_test_setup(test_idempotent_retry, setup),
		cmocka_unit_test_setup(test_no_such_cap, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
