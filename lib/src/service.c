/*
 * service.c - the serve loop (capos/service.h) on the target, and the
 * request/reply halves hand-written loops share with it.
 */
#include <string.h>

#include <capos/service.h>
#include <capos/startup.h>
#include <capos/syscall.h>
#include <capos/transport.h>

static inline void take_caps(struct capos_rpc_request *rq, const struct capos_ipc_buffer *b)
{
	uint32_t n = b->ncaps <= CAPOS_MSG_MAX_CAPS ? b->ncaps : 0;
	rq->caps_in.count = n;
	rq->caps_in.move = 0;
	for (uint32_t i = 0; i < n; i++)
		rq->caps_in.cap[i] = b->caps[i];
}

/* Deletes the leftovers; deleting is a kernel call through the IPC
 * buffer, so the encoded answer (len bytes at out) waits aside. Rare (a
 * request with caps nobody kept): its 2 KiB stay off the common path. */
static __attribute__((noinline)) void drop_keeping(const struct capos_cap_list *drop,
						    uint8_t *out, uint32_t len)
{
	uint8_t answer[CAPOS_MSG_BODY_MAX];
	memcpy(answer, out, len);
	capos_transport_drop(drop);
	memcpy(capos_ipc()->body, answer, len);
}

void capos_service_take_caps(struct capos_rpc_request *rq, const struct capos_ipc_buffer *b)
{
	take_caps(rq, b);
}

/* Field by field: a designated initializer would zero the whole struct
 * (two cap lists) on every call first. */
static inline void request_from(struct capos_rpc_request *rq, struct capos_ipc_buffer *b)
{
	rq->label = b->label;
	rq->badge = b->badge;
	rq->client = NULL;
	rq->body = b->body;
	rq->len = b->len;
	rq->out = b->body; /* decoded before the handler runs, so reusable */
	rq->out_cap = CAPOS_MSG_BODY_MAX;
	rq->out_len = 0;
	take_caps(rq, b);
	rq->caps_out.count = 0;
	rq->caps_out.move = 0;
}

void capos_service_request(struct capos_rpc_request *rq, struct capos_ipc_buffer *b)
{
	request_from(rq, b);
}

/* put_reply with caps either way (the rare case). */
static __attribute__((noinline)) void put_reply_caps(struct capos_rpc_request *rq,
						      capos_status_t st, uint32_t len)
{
	struct capos_ipc_buffer *b = capos_ipc();
	struct capos_cap_list drop;
	capos_rpc_settle(rq, st, &drop);
	if (drop.count)
		drop_keeping(&drop, rq->out, len);
	else if (rq->out != b->body && len)
		memcpy(b->body, rq->out, len);
	b->label = (uint64_t)st;
	b->len = len;
	b->ncaps = rq->caps_out.count;
	b->cap_move = rq->caps_out.move;
	for (uint32_t i = 0; i < rq->caps_out.count; i++)
		b->caps[i] = rq->caps_out.cap[i];
}

static inline void put_reply(struct capos_rpc_request *rq, capos_status_t st)
{
	struct capos_ipc_buffer *b = capos_ipc();
	uint32_t len = st == CAPOS_OK && rq->out_len <= CAPOS_MSG_BODY_MAX ? rq->out_len : 0;
	if ((rq->caps_in.count | rq->caps_out.count) != 0) {
		put_reply_caps(rq, st, len);
		return;
	}
	/* No caps either way (most calls): nothing to settle. */
	if (rq->out != b->body && len)
		memcpy(b->body, rq->out, len);
	b->label = (uint64_t)st;
	b->len = len;
	b->ncaps = 0;
}

void capos_service_put_reply(struct capos_rpc_request *rq, capos_status_t st)
{
	put_reply(rq, st);
}

capos_status_t capos_service_serve(struct capos_service *s)
{
	struct capos_ipc_buffer *b = capos_ipc();
	if (!s->service.dispatch)
		return CAPOS_INVALID_ARGUMENT; /* not made by <svc>_service() */
	/* Started by init from a manifest: tell it this server now waits for
	 * calls (its `ready` notification; docs/init.md). */
	static int told;
	capos_cap_t ready = told ? CAPOS_NO_CAP : capos_cap_lookup("ready");
	if (ready != CAPOS_NO_CAP) {
		told = 1;
		capos_service_ready(ready, 1);
	}
	capos_status_t st = capos_recv(s->endpoint);
	for (;;) {
		if (st != CAPOS_OK)
			return st; /* RETARGETED: drained, time to go */
		if (b->kind == CAPOS_RECV_SIGNAL) {
			if (s->signals)
				s->signals(s->service.ctx, b->signals);
			st = capos_recv(s->endpoint);
			continue;
		}
		struct capos_rpc_request rq;
		request_from(&rq, b);
		if (s->client)
			rq.client = s->client(s->service.ctx, b->badge);
		capos_status_t result = s->service.dispatch(s->service.ops, s->service.ctx, &rq);
		s->served++;
		put_reply(&rq, result);
		if (s->stop) {
			/* Answer this last call, then leave without taking another:
			 * ReplyRecv replies first, then fails on the empty slot. */
			capos_status_t r = capos_syscall1(CAPOS_SYS_REPLY_RECV, CAPOS_NO_CAP);
			(void)r; /* INVALID_CAP after the reply: expected */
			return CAPOS_OK;
		}
		st = capos_reply_recv(s->endpoint);
	}
}

capos_status_t capos_service_ready(capos_cap_t ntfn, uint64_t bits)
{
	return capos_signal(ntfn, bits);
}
