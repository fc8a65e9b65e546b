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

capos_status_t capos_rpc_service_dispatch(const struct capos_rpc_service *s,
					  struct capos_rpc_request *rq)
{
	return s->dispatch(s->ops, s->ctx, rq);
}

static struct capos_rpc_service server;
static uint64_t last_label;

/* Caps "travel" as they are: the server sees the caller's slot numbers. */
capos_status_t capos_rpc_call_caps(capos_cap_t cap, const struct capos_rpc_method *m,
				   const void *req, const struct capos_cap_list *send,
				   void *resp, struct capos_cap_list *received)
{
	static uint8_t in[CAPOS_MSG_BODY_MAX], out[CAPOS_MSG_BODY_MAX];
	pb_ostream_t os = pb_ostream_from_buffer(in, sizeof in);
	struct capos_rpc_request rq;
	capos_status_t st;

	(void)cap;
	if (received)
		memset(received, 0, sizeof *received);
	if (!pb_encode(&os, m->request_fields, req))
		return CAPOS_INVALID_ARGUMENT;
	memset(&rq, 0, sizeof rq);
	rq.label = CAPOS_RPC_LABEL(m->interface_id, m->method_id);
	last_label = rq.label;
	rq.body = in;
	rq.len = (uint32_t)os.bytes_written;
	rq.out = out;
	rq.out_cap = sizeof out;
	if (send)
		rq.caps_in = *send;
	st = capos_rpc_service_dispatch(&server, &rq);
	if (st != CAPOS_OK)
		return st;
	if (received)
		*received = rq.caps_out;
	pb_istream_t is = pb_istream_from_buffer(out, rq.out_len);
	return pb_decode(&is, m->response_fields, resp) ? CAPOS_OK : CAPOS_INVALID_ARGUMENT;
}

capos_status_t capos_rpc_call(capos_cap_t cap, const struct capos_rpc_method *m,
			      const void *req, void *resp)
{
	return capos_rpc_call_caps(cap, m, req, NULL, resp, NULL);
}

/* ---- a server ---- */

struct server {
	int calls;
	capos_status_t answer;
	/* caps: what the op saw, and what it answers with */
	struct capos_cap_list seen_in;
	uint32_t out_count_at_entry;
	struct capos_cap_list give;
	int stray_out; /* an op without caps_out sets rq->caps_out anyway */
};

static capos_status_t wall_time(void *ctx, struct capos_rpc_request *rq,
				const capos_golden_WallTimeRequest *req,
				capos_golden_WallTimeReply *resp)
{
	struct server *s = ctx;
	(void)req;
	s->calls++;
	resp->unix_ns = 1234567890123ull;
	resp->utc_offset_s = -3600;
	if (s->stray_out)
		rq->caps_out = (struct capos_cap_list){ .count = 1, .cap = { 9 } };
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

/* KeyVault: each op records the caps it saw and answers s->give. */
static capos_status_t take_caps(struct server *s, struct capos_rpc_request *rq,
				const struct capos_cap_list *caps_in,
				struct capos_cap_list *caps_out)
{
	s->calls++;
	s->out_count_at_entry = rq->caps_out.count;
	if (caps_in) {
		CHECK(caps_in == &rq->caps_in);
		s->seen_in = *caps_in;
	}
	if (caps_out) {
		CHECK(caps_out == &rq->caps_out);
		*caps_out = s->give;
	} else if (s->stray_out) {
		rq->caps_out = s->give;
	}
	return s->answer;
}

static capos_status_t generate(void *ctx, struct capos_rpc_request *rq,
			       const capos_golden_PutRequest *req,
			       struct capos_cap_list *caps_in, capos_golden_PutReply *resp,
			       struct capos_cap_list *caps_out)
{
	resp->stored = (uint32_t)req->tags_count;
	return take_caps(ctx, rq, caps_in, caps_out);
}

static capos_status_t attach(void *ctx, struct capos_rpc_request *rq,
			     const capos_golden_Entry *req, struct capos_cap_list *caps_in,
			     capos_golden_PutReply *resp)
{
	(void)req;
	resp->stored = 1;
	return take_caps(ctx, rq, caps_in, NULL);
}

static capos_status_t open_op(void *ctx, struct capos_rpc_request *rq,
			      const capos_golden_WallTimeRequest *req,
			      capos_golden_WallTimeReply *resp, struct capos_cap_list *caps_out)
{
	(void)req;
	resp->unix_ns = 77;
	return take_caps(ctx, rq, NULL, caps_out);
}

static const struct clock_ops clock_ops = { .wall_time = wall_time };
static const struct keyvaluestore_ops kv_ops = { .put = put, .http_list = http_list };
static const struct keyvault_ops vault_ops = { .generate = generate, .attach = attach,
					       .open = open_op };

static void serve(struct capos_rpc_service svc)
{
	server = svc;
}

/* A raw call straight into a service's dispatcher, with caps_in set to
 * ncaps slots (40, 41, ...) and caps_out full of junk. */
static capos_status_t raw_caps(struct capos_rpc_service svc, uint64_t label,
			       const uint8_t *body, uint32_t len, uint32_t ncaps,
			       uint32_t out_cap, uint32_t *out_len,
			       struct capos_cap_list *caps_out)
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
	rq.caps_in.count = ncaps;
	for (uint32_t i = 0; i < ncaps && i < CAPOS_MSG_MAX_CAPS; i++)
		rq.caps_in.cap[i] = 40 + i;
	rq.caps_out = (struct capos_cap_list){ .count = 3, .move = 7, .cap = { 1, 2, 3 } };
	st = capos_rpc_service_dispatch(&svc, &rq);
	*out_len = rq.out_len;
	if (caps_out)
		*caps_out = rq.caps_out;
	return st;
}

static capos_status_t raw(struct capos_rpc_service svc, uint64_t label, const uint8_t *body,
			  uint32_t len, uint32_t out_cap, uint32_t *out_len)
{
	return raw_caps(svc, label, body, len, 0, out_cap, out_len, NULL);
}

/* The caps contract, held by the generated dispatcher (KeyVault:
 * Generate takes up to 2 and answers 1..2; Attach takes 1, answers none;
 * Open takes none, answers exactly 1). */
static void test_caps(void)
{
	struct server s;
	struct capos_rpc_service vault;
	struct capos_cap_list out, got;
	uint32_t out_len;

	memset(&s, 0, sizeof s);
	vault = keyvault_service(&vault_ops, &s);
	CHECK(keyvault_generate_method.request_caps == 2);
	CHECK(keyvault_generate_method.reply_caps == 2);
	CHECK(keyvault_attach_method.request_caps == 1);
	CHECK(keyvault_attach_method.reply_caps == 0);
	CHECK(keyvault_open_method.request_caps == 0);
	CHECK(keyvault_open_method.reply_caps == 1);
	CHECK(clock_wall_time_method.request_caps == 0);
	CHECK(clock_wall_time_method.reply_caps == 0);

	/* Through the stub: caps arrive at the op, its caps_out come back;
	 * caps_out starts empty whatever the transport left in it. */
	serve(vault);
	capos_golden_PutRequest preq = capos_golden_PutRequest_init_zero;
	capos_golden_PutReply presp = capos_golden_PutReply_init_zero;
	preq.tags_count = 2;
	struct capos_cap_list send = { .count = 2, .move = 1, .cap = { 30, 31 } };
	s.give = (struct capos_cap_list){ .count = 2, .move = 2, .cap = { 7, 8 } };
	CHECK(keyvault_generate(5, &preq, &send, &presp, &got) == CAPOS_OK);
	CHECK(s.calls == 1);
	CHECK(s.seen_in.count == 2 && s.seen_in.cap[0] == 30 && s.seen_in.cap[1] == 31);
	CHECK(s.seen_in.move == 1);
	CHECK(presp.stored == 2);
	CHECK(got.count == 2 && got.cap[0] == 7 && got.cap[1] == 8 && got.move == 2);
	CHECK(last_label == ((259ull << 32) | 1));
	CHECK(raw_caps(vault, CAPOS_RPC_LABEL(259, 1), NULL, 0, 1, CAPOS_MSG_BODY_MAX,
		       &out_len, &out) == CAPOS_OK);
	CHECK(s.out_count_at_entry == 0);
	CHECK(out.count == 2 && out.cap[1] == 8);

	/* More caps than the method takes: refused, the op not called. */
	int before = s.calls;
	CHECK(raw_caps(vault, CAPOS_RPC_LABEL(259, 1), NULL, 0, 3, CAPOS_MSG_BODY_MAX,
		       &out_len, &out) == CAPOS_INVALID_ARGUMENT);
	CHECK(out_len == 0 && out.count == 0);
	CHECK(raw_caps(vault, CAPOS_RPC_LABEL(259, 2), NULL, 0, 2, CAPOS_MSG_BODY_MAX,
		       &out_len, &out) == CAPOS_INVALID_ARGUMENT);
	CHECK(raw_caps(vault, CAPOS_RPC_LABEL(259, 3), NULL, 0, 1, CAPOS_MSG_BODY_MAX,
		       &out_len, &out) == CAPOS_INVALID_ARGUMENT);
	CHECK(s.calls == before);
	/* ...also for a method that takes none, in a service without caps. */
	struct server cs = { .calls = 0, .answer = CAPOS_OK };
	CHECK(raw_caps(clock_service(&clock_ops, &cs), CAPOS_RPC_LABEL(257, 1), NULL, 0, 1,
		       CAPOS_MSG_BODY_MAX, &out_len, &out) == CAPOS_INVALID_ARGUMENT);
	CHECK(cs.calls == 0);

	/* OK without the promised caps, or with too many: PROTOCOL_ERROR,
	 * nothing encoded, nothing sent. */
	s.give = (struct capos_cap_list){ .count = 0 };
	CHECK(raw_caps(vault, CAPOS_RPC_LABEL(259, 1), NULL, 0, 0, CAPOS_MSG_BODY_MAX,
		       &out_len, &out) == CAPOS_PROTOCOL_ERROR);
	CHECK(out_len == 0 && out.count == 0);
	CHECK(raw_caps(vault, CAPOS_RPC_LABEL(259, 3), NULL, 0, 0, CAPOS_MSG_BODY_MAX,
		       &out_len, &out) == CAPOS_PROTOCOL_ERROR);
	s.give = (struct capos_cap_list){ .count = 3, .cap = { 7, 8, 9 } };
	CHECK(raw_caps(vault, CAPOS_RPC_LABEL(259, 1), NULL, 0, 0, CAPOS_MSG_BODY_MAX,
		       &out_len, &out) == CAPOS_PROTOCOL_ERROR);
	CHECK(out_len == 0 && out.count == 0);
	s.give = (struct capos_cap_list){ .count = 2, .cap = { 7, 8 } };
	CHECK(raw_caps(vault, CAPOS_RPC_LABEL(259, 3), NULL, 0, 0, CAPOS_MSG_BODY_MAX,
		       &out_len, &out) == CAPOS_PROTOCOL_ERROR);
	CHECK(keyvault_open(5, &(capos_golden_WallTimeRequest)capos_golden_WallTimeRequest_init_zero,
			    &(capos_golden_WallTimeReply)capos_golden_WallTimeReply_init_zero,
			    &got) == CAPOS_PROTOCOL_ERROR);
	CHECK(got.count == 0);
	/* A method that promises none: any cap in caps_out is refused. */
	s.stray_out = 1;
	s.give = (struct capos_cap_list){ .count = 1, .cap = { 7 } };
	CHECK(raw_caps(vault, CAPOS_RPC_LABEL(259, 2), NULL, 0, 1, CAPOS_MSG_BODY_MAX,
		       &out_len, &out) == CAPOS_PROTOCOL_ERROR);
	CHECK(s.seen_in.count == 1 && s.seen_in.cap[0] == 40);
	CHECK(out_len == 0 && out.count == 0);
	cs.stray_out = 1;
	CHECK(raw_caps(clock_service(&clock_ops, &cs), CAPOS_RPC_LABEL(257, 1), NULL, 0, 0,
		       CAPOS_MSG_BODY_MAX, &out_len, &out) == CAPOS_PROTOCOL_ERROR);
	CHECK(out.count == 0);
	s.stray_out = 0;
	s.give = (struct capos_cap_list){ .count = 0 };
	CHECK(raw_caps(vault, CAPOS_RPC_LABEL(259, 2), NULL, 0, 1, CAPOS_MSG_BODY_MAX,
		       &out_len, &out) == CAPOS_OK);
	CHECK(out_len == 2 && out.count == 0); /* stored = 1 */

	/* An error status never carries caps, whatever the op left there. */
	s.answer = CAPOS_DENIED;
	s.give = (struct capos_cap_list){ .count = 1, .move = 1, .cap = { 7 } };
	CHECK(raw_caps(vault, CAPOS_RPC_LABEL(259, 3), NULL, 0, 0, CAPOS_MSG_BODY_MAX,
		       &out_len, &out) == CAPOS_DENIED);
	CHECK(out_len == 0 && out.count == 0 && out.move == 0);
	/* nor do the dispatcher's own refusals */
	CHECK(raw_caps(vault, CAPOS_RPC_LABEL(259, 9), NULL, 0, 0, CAPOS_MSG_BODY_MAX,
		       &out_len, &out) == CAPOS_UNSUPPORTED);
	CHECK(out.count == 0);
	CHECK(raw_caps(vault, CAPOS_RPC_LABEL(258, 1), NULL, 0, 0, CAPOS_MSG_BODY_MAX,
		       &out_len, &out) == CAPOS_UNSUPPORTED);
	CHECK(out.count == 0);
	s.answer = CAPOS_OK;
	/* A response that does not fit: INVALID_ARGUMENT, no caps. */
	CHECK(raw_caps(vault, CAPOS_RPC_LABEL(259, 3), NULL, 0, 0, 1, &out_len, &out) ==
	      CAPOS_INVALID_ARGUMENT);
	CHECK(out_len == 0 && out.count == 0);
}

int main(void)
{
	struct server s = { .calls = 0, .answer = CAPOS_OK };
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
	/* The typed binding. */
	struct capos_rpc_service clock = clock_service(&clock_ops, &s);
	struct capos_rpc_service kv = keyvaluestore_service(&kv_ops, &s);
	CHECK(clock.interface_id == 257);
	CHECK(clock.ops == &clock_ops);
	CHECK(clock.ctx == &s);
	CHECK(kv.interface_id == 258);
	serve(clock);
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
	CHECK(raw(clock, CAPOS_RPC_LABEL(257, 1), NULL, 0,
		  CAPOS_MSG_BODY_MAX, &out_len) == CAPOS_DENIED);
	CHECK(out_len == 0);
	s.answer = CAPOS_OK;

	/* Wrong interface, unknown method, missing op. */
	CHECK(raw(clock, CAPOS_RPC_LABEL(258, 1), NULL, 0,
		  CAPOS_MSG_BODY_MAX, &out_len) == CAPOS_UNSUPPORTED);
	CHECK(out_len == 0);
	CHECK(raw(clock, CAPOS_RPC_LABEL(257, 2), NULL, 0,
		  CAPOS_MSG_BODY_MAX, &out_len) == CAPOS_UNSUPPORTED);
	CHECK(out_len == 0);
	CHECK(raw(kv, CAPOS_RPC_LABEL(258, 3), NULL, 0,
		  CAPOS_MSG_BODY_MAX, &out_len) == CAPOS_UNSUPPORTED);
	CHECK(out_len == 0);

	/* A malformed body never reaches the op. */
	int before = s.calls;
	static const uint8_t junk[] = { 0x0a, 0x7f, 0x01 }; /* entry: 127 bytes, 1 present */
	CHECK(raw(kv, CAPOS_RPC_LABEL(258, 1), junk,
		  sizeof junk, CAPOS_MSG_BODY_MAX, &out_len) == CAPOS_INVALID_ARGUMENT);
	CHECK(out_len == 0);
	static const uint8_t too_many[] = { 0x12, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9 }; /* 9 tags > 8 */
	CHECK(raw(kv, CAPOS_RPC_LABEL(258, 1), too_many,
		  sizeof too_many, CAPOS_MSG_BODY_MAX, &out_len) == CAPOS_INVALID_ARGUMENT);
	CHECK(s.calls == before);

	/* Nested messages and repeated fields both ways. */
	serve(kv);
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
	CHECK(raw(kv, CAPOS_RPC_LABEL(258, 7), NULL, 0, 16,
		  &out_len) == CAPOS_INVALID_ARGUMENT);
	CHECK(out_len == 0);

	test_caps();

	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("ok: generated stubs and dispatchers\n");
	return 0;
}
