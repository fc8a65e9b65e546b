/*
 * service.c - the serve loop (capos/service.h) on the target.
 */
#include <capos/service.h>
#include <capos/startup.h>
#include <capos/syscall.h>

capos_status_t capos_service_serve(struct capos_service *s)
{
	struct capos_ipc_buffer *b = capos_ipc();
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
				s->signals(s->ctx, b->signals);
			st = capos_recv(s->endpoint);
			continue;
		}
		struct capos_rpc_request rq = {
			.label = b->label,
			.badge = b->badge,
			.client = s->client ? s->client(s->ctx, b->badge) : 0,
			.body = b->body,
			.len = b->len,
			.out = b->body, /* decoded before the handler runs, so reusable */
			.out_cap = CAPOS_MSG_BODY_MAX,
			.out_len = 0,
		};
		capos_status_t result = s->dispatch(s->ops, s->ctx, &rq);
		s->served++;
		b->label = (uint64_t)result;
		b->len = result == CAPOS_OK ? rq.out_len : 0;
		b->ncaps = 0;
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
