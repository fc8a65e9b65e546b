/*
 * test_dispatch.c - the committed golden stubs and dispatchers
 * (tests/codegen/golden/golden.capos.c.expected, copied to the build folder) on the host.
 *
 * The capos_rpc_* runtime here is a minimal stand-in for lib/'s (this test
 * checks the generated code, not the transport): capos_rpc_call encodes,
 * builds a capos_rpc_request and runs the registered dispatcher directly.
 */
#include <stdio.h>
#include <string.h>

#include <pb_decode.h>
#include <pb_encode.h>

#include "golden.capos.h"

static int failures;

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, \
				__LINE__, #cond);                            \
			failures++;                                          \
		}                                                            \
	} while (0)

/* ---- stand-in runtime ---- */

capos_status_t capos_rpc_decode(const struct capos_rpc_request *rq,
				const pb_msgdesc_t *fields, void *msg)
{
	pb_istream_t in = pb_istream_from_buffer(rq->body, rq->len);
	return pb_decode(&in, fields, msg) ? CAPOS_OK : CAPOS_INVALID_ARGUMENT;
}

capos_status_t capos_rpc_encode(struct capos_rpc_request *rq, const pb_msgdesc_t *fields,
				const void *msg)
{
	pb_ostream_t out = pb_ostream_from_buffer(rq->out, rq->out_cap);
	if (!pb_encode(&out, fields, msg))
		return CAPOS_INVALID_ARGUMENT;
	rq->out_len = (uint32_t)out.bytes_written;
	return CAPOS_OK;
}

static capos_rpc_dispatch_fn server_dispatch;
static const void *server_ops;
static void *server_ctx;
static uint64_t last_label;

capos_status_t capos_rpc_call(capos_cap_t cap, const struct capos_rpc_method *m,
			      const void *req, void *resp)
{
	static uint8_t in[CAPOS_MSG_BODY_MAX], out[CAPOS_MSG_BODY_MAX];
	pb_ostream_t os = pb_ostream_from_buffer(in, sizeof in);
	struct capos_rpc_request rq;
	capos_status_t st;

	(void)cap;
	if (!pb_encode(&os, m->request_fields, req))
		return CAPOS_INVALID_ARGUMENT;
	memset(&rq, 0, sizeof rq);
	rq.label = CAPOS_RPC_LABEL(m->interface_id, m->method_id);
	last_label = rq.label;
	rq.body = in;
	rq.len = (uint32_t)os.bytes_written;
	rq.out = out;
	rq.out_cap = sizeof out;
	st = server_dispatch(server_ops, server_ctx, &rq);
	if (st != CAPOS_OK)
		return st;
	pb_istream_t is = pb_istream_from_buffer(out, rq.out_len);
	return pb_decode(&is, m->response_fields, resp) ? CAPOS_OK : CAPOS_INVALID_ARGUMENT;
}

/* ---- a server ---- */

struct server {
	int calls;
	capos_status_t answer;
};

static capos_status_t wall_time(void *ctx, struct capos_rpc_request *rq,
				const capos_golden_WallTimeRequest *req,
				capos_golden_WallTimeReply *resp)
{
	struct server *s = ctx;
	(void)rq;
	(void)req;
	s->calls++;
	resp->unix_ns = 1234567890123ull;
	resp->utc_offset_s = -3600;
	return s->answer;
}

static capos_status_t put(void *ctx, struct capos_rpc_request *rq,
			  const capos_golden_PutRequest *req, capos_golden_PutReply *resp)
{
	struct server *s = ctx;
	(void)rq;
	s->calls++;
	resp->stored = (uint32_t)req->tags_count + (uint32_t)req->entry.value.size;
	return s->answer;
}

static capos_status_t http_list(void *ctx, struct capos_rpc_request *rq,
				const capos_golden_ListRequest *req, capos_golden_ListReply *resp)
{
	struct server *s = ctx;
	(void)rq;
	s->calls++;
	resp->entries_count = 4;
	for (int i = 0; i < 4; i++) {
		snprintf(resp->entries[i].key, sizeof resp->entries[i].key, "%.8s-%c",
			 req->prefix, (char)('0' + i));
		resp->entries[i].value.size = 64;
	}
	resp->has_page = true;
	resp->page.more = true;
	return s->answer;
}

static const struct clock_ops clock_ops = { .wall_time = wall_time };
static const struct keyvaluestore_ops kv_ops = { .put = put, .http_list = http_list };

static void serve(capos_rpc_dispatch_fn fn, const void *ops, struct server *s)
{
	server_dispatch = fn;
	server_ops = ops;
	server_ctx = s;
}

/* A raw call straight into a dispatcher. */
static capos_status_t raw(capos_rpc_dispatch_fn fn, const void *ops, struct server *s,
			  uint64_t label, const uint8_t *body, uint32_t len, uint32_t out_cap,
			  uint32_t *out_len)
{
	static uint8_t out[CAPOS_MSG_BODY_MAX];
	struct capos_rpc_request rq;
	capos_status_t st;

	memset(&rq, 0, sizeof rq);
	rq.label = label;
	rq.body = body;
	rq.len = len;
	rq.out = out;
	rq.out_cap = out_cap;
	rq.out_len = 12345; /* the dispatcher must set it */
	st = fn(ops, s, &rq);
	*out_len = rq.out_len;
	return st;
}

int main(void)
{
	struct server s = { 0, CAPOS_OK };
	uint32_t out_len;

	/* Descriptors. */
	CHECK(clock_wall_time_method.interface_id == 257);
	CHECK(clock_wall_time_method.method_id == 1);
	CHECK(clock_wall_time_method.idempotent == 1);
	CHECK(clock_wall_time_method.request_fields == &capos_golden_WallTimeRequest_msg);
	CHECK(clock_wall_time_method.response_fields == &capos_golden_WallTimeReply_msg);
	CHECK(keyvaluestore_put_method.idempotent == 0);
	CHECK(keyvaluestore_http_list_method.idempotent == 1);
	CHECK(keyvaluestore_http_list_method.method_id == KEYVALUESTORE_HTTP_LIST_METHOD_ID);
	CHECK(KEYVALUESTORE_HTTP_LIST_METHOD_ID == 7u);
	CHECK(keyvaluestore_delete_method.method_id == 3);

	/* A call through the stub and the dispatcher. */
	serve(clock_dispatch, &clock_ops, &s);
	capos_golden_WallTimeRequest wreq = capos_golden_WallTimeRequest_init_zero;
	capos_golden_WallTimeReply wresp = capos_golden_WallTimeReply_init_zero;
	CHECK(clock_wall_time(5, &wreq, &wresp) == CAPOS_OK);
	CHECK(last_label == ((257ull << 32) | 1));
	CHECK(wresp.unix_ns == 1234567890123ull);
	CHECK(wresp.utc_offset_s == -3600);
	CHECK(s.calls == 1);

	/* The op's status is the answer; nothing is encoded. */
	s.answer = CAPOS_DENIED;
	CHECK(clock_wall_time(5, &wreq, &wresp) == CAPOS_DENIED);
	CHECK(raw(clock_dispatch, &clock_ops, &s, CAPOS_RPC_LABEL(257, 1), NULL, 0,
		  CAPOS_MSG_BODY_MAX, &out_len) == CAPOS_DENIED);
	CHECK(out_len == 0);
	s.answer = CAPOS_OK;

	/* Wrong interface, unknown method, missing op. */
	CHECK(raw(clock_dispatch, &clock_ops, &s, CAPOS_RPC_LABEL(258, 1), NULL, 0,
		  CAPOS_MSG_BODY_MAX, &out_len) == CAPOS_UNSUPPORTED);
	CHECK(out_len == 0);
	CHECK(raw(clock_dispatch, &clock_ops, &s, CAPOS_RPC_LABEL(257, 2), NULL, 0,
		  CAPOS_MSG_BODY_MAX, &out_len) == CAPOS_UNSUPPORTED);
	CHECK(out_len == 0);
	CHECK(raw(keyvaluestore_dispatch, &kv_ops, &s, CAPOS_RPC_LABEL(258, 3), NULL, 0,
		  CAPOS_MSG_BODY_MAX, &out_len) == CAPOS_UNSUPPORTED);
	CHECK(out_len == 0);

	/* A malformed body never reaches the op. */
	int before = s.calls;
	static const uint8_t junk[] = { 0x0a, 0x7f, 0x01 }; /* entry: 127 bytes, 1 present */
	CHECK(raw(keyvaluestore_dispatch, &kv_ops, &s, CAPOS_RPC_LABEL(258, 1), junk,
		  sizeof junk, CAPOS_MSG_BODY_MAX, &out_len) == CAPOS_INVALID_ARGUMENT);
	CHECK(out_len == 0);
	static const uint8_t too_many[] = { 0x12, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9 }; /* 9 tags > 8 */
	CHECK(raw(keyvaluestore_dispatch, &kv_ops, &s, CAPOS_RPC_LABEL(258, 1), too_many,
		  sizeof too_many, CAPOS_MSG_BODY_MAX, &out_len) == CAPOS_INVALID_ARGUMENT);
	CHECK(s.calls == before);

	/* Nested messages and repeated fields both ways. */
	serve(keyvaluestore_dispatch, &kv_ops, &s);
	capos_golden_PutRequest preq = capos_golden_PutRequest_init_zero;
	capos_golden_PutReply presp = capos_golden_PutReply_init_zero;
	preq.has_entry = true;
	strcpy(preq.entry.key, "k");
	preq.entry.value.size = 10;
	preq.tags_count = 3;
	CHECK(keyvaluestore_put(5, &preq, &presp) == CAPOS_OK);
	CHECK(presp.stored == 13);
	capos_golden_ListRequest lreq = capos_golden_ListRequest_init_zero;
	capos_golden_ListReply lresp = capos_golden_ListReply_init_zero;
	strcpy(lreq.prefix, "abc");
	CHECK(keyvaluestore_http_list(5, &lreq, &lresp) == CAPOS_OK);
	CHECK(lresp.entries_count == 4);
	CHECK(strcmp(lresp.entries[3].key, "abc-3") == 0);
	CHECK(lresp.has_page && lresp.page.more);

	/* A response that does not fit the reply buffer. */
	CHECK(raw(keyvaluestore_dispatch, &kv_ops, &s, CAPOS_RPC_LABEL(258, 7), NULL, 0, 16,
		  &out_len) == CAPOS_INVALID_ARGUMENT);
	CHECK(out_len == 0);

	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("ok: generated stubs and dispatchers\n");
	return 0;
}
