/*
 * service.c - the service framework (capos/service.h) on the target.
 *
 * The loop owes at most one reply at a time. Handlers may make calls of
 * their own: the request is decoded before and the answer encoded after
 * the handler runs. When hooks run between a dispatch and its reply (a
 * wait_ns hook asks the clock), the answer is encoded into the server's
 * own buffer (s->out) and copied into the IPC buffer only when it is sent;
 * otherwise it is encoded in place. Everything else the loop receives (the
 * bound notification's signals, timeouts) is handled with no reply owed.
 *
 * Endpoints after the first are served through NOTIFY_ARRIVAL: the kernel
 * signals their arrival bit on the bound notification when a caller has
 * to queue there, and the loop then takes their callers with
 * non-blocking receives until none is left (`pending`), before it blocks
 * on the first endpoint again. A pending endpoint is always drained before
 * the next blocking receive, so no endpoint starves the others.
 *
 * init's stop notice (capos/stop.h) arrives as a signal too: the loop then
 * returns CAPOS_OK, as after capos_server_stop, once the component's stop
 * hook has run; the runtime acknowledges it as the process exits.
 * A serve notice (capos/service.h) adds an endpoint while the loop runs
 * (add_noticed), for a server that takes them (take_endpoints): the same
 * arrival scheme, and the new endpoint is looked at once, for the callers
 * that queued there before its arrival notification was set. Should a
 * receive on it fail later (moved on: RETARGETED), the loop stops serving
 * that one and serves on (drop_noticed).
 */
#include <string.h>

#include <pb_encode.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/service.h>
#include <capos/startup.h>
#include <capos/stop.h>
#include <capos/syscall.h>
#include <capos/transport.h>

/* Arrival bits of endpoints 1..3: the top bits of the notification word,
 * far from the low bits IRQs and readiness use. */
#define ARRIVAL_BIT(i) (1ull << (63u - (i)))

void capos_server_init(struct capos_server *s, capos_cap_t capmgr, void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->capmgr = capmgr;
	s->ntfn = CAPOS_NO_CAP;
	s->ctx = ctx;
}

capos_status_t capos_server_add(struct capos_server *s, capos_cap_t ep,
				struct capos_rpc_service svc)
{
	uint32_t i = 0;
	while (i < s->nep && s->ep[i].cap != ep)
		i++;
	if (i == s->nep) {
		if (s->nep == CAPOS_SERVER_MAX_ENDPOINTS)
			return CAPOS_INVALID_ARGUMENT;
		s->ep[i].cap = ep;
		s->ep[i].nsvc = 0;
		s->ep[i].arrival_bit = i ? ARRIVAL_BIT(i) : 0;
		s->ep[i].as = i;
		s->nep++;
	}
	if (s->ep[i].nsvc == CAPOS_SERVER_MAX_SERVICES || !svc.dispatch)
		return CAPOS_INVALID_ARGUMENT;
	s->ep[i].svc[s->ep[i].nsvc++] = svc;
	return CAPOS_OK;
}

capos_status_t capos_server_bind(struct capos_server *s, capos_cap_t thread, capos_cap_t ntfn)
{
	capos_status_t st = capos_thread_bind(thread, ntfn);
	capos_cap_t stop = capos_cap_lookup(CAPOS_STOP_NAME);
	if (st == CAPOS_DENIED && stop != CAPOS_NO_CAP) {
		/* init bound `stop` to this thread (capos/stop.h) and a thread
		 * has one binding: ours takes its place, and init's nudge on
		 * every notification it made for us stands in for it. */
		st = capos_thread_bind(thread, CAPOS_NO_CAP);
		if (st == CAPOS_OK)
			st = capos_thread_bind(thread, ntfn);
		if (st == CAPOS_OK)
			capos_stop_rebound();
		else
			(void)capos_thread_bind(thread, stop); /* as it was */
	}
	if (st == CAPOS_OK)
		s->ntfn = ntfn;
	return st;
}

uint32_t capos_server_reserve_replies(struct capos_server *s, uint32_t n)
{
	static struct capos_capmgr_list_result list;
	static uint8_t used[1024 / 8];
	uint32_t size = 0;
	if (s->capmgr == CAPOS_NO_CAP)
		return 0;
	if (n > CAPOS_SERVER_REPLY_POOL)
		n = CAPOS_SERVER_REPLY_POOL;
	memset(used, 0, sizeof(used));
	for (uint32_t first = 0;;) {
		if (capos_cap_list(s->capmgr, first, CAPOS_CAPMGR_LIST_MAX, &list) != CAPOS_OK)
			return s->npool;
		size = list.table_size;
		for (uint32_t i = 0; i < list.count; i++)
			if (list.entries[i].slot < sizeof(used) * 8)
				used[list.entries[i].slot / 8] |= (uint8_t)(1u << (list.entries[i].slot % 8));
		if (list.next >= size || list.next <= first)
			break;
		first = list.next;
	}
	if (size > sizeof(used) * 8)
		size = sizeof(used) * 8;
	for (uint32_t slot = size; slot-- > 0 && s->npool < n;)
		if (!(used[slot / 8] & (1u << (slot % 8))))
			s->pool[s->npool++] = slot;
	return s->npool;
}

/* Arrival notifications for every endpoint after the first. */
static capos_status_t arm_arrivals(struct capos_server *s)
{
	s->arrival_mask = 0;
	for (uint32_t i = 1; i < s->nep; i++) {
		if (s->ntfn == CAPOS_NO_CAP || s->capmgr == CAPOS_NO_CAP)
			return CAPOS_INVALID_ARGUMENT; /* a second endpoint needs both */
		capos_status_t st = capos_notify_arrival(s->capmgr, s->ep[i].cap, s->ntfn,
							 s->ep[i].arrival_bit);
		if (st != CAPOS_OK)
			return st;
		s->arrival_mask |= s->ep[i].arrival_bit;
	}
	return CAPOS_OK;
}

static inline const struct capos_rpc_service *choose(struct capos_server *s, uint32_t e,
						     const struct capos_rpc_request *rq)
{
	const struct capos_server_endpoint *ep = &s->ep[e];
	/* One service and no hooks that choose: its dispatcher answers a
	 * foreign interface (UNSUPPORTED) itself. */
	if (ep->nsvc == 1 && !s->route && !s->raw)
		return &ep->svc[0];
	if (s->route) {
		int k = s->route(s->ctx, ep->as, rq);
		if (k >= 0)
			return (uint32_t)k < ep->nsvc ? &ep->svc[k] : NULL;
	}
	uint32_t iface = CAPOS_RPC_INTERFACE(rq->label);
	for (uint32_t k = 0; k < ep->nsvc; k++)
		if (ep->svc[k].interface_id == iface)
			return &ep->svc[k];
	return NULL;
}

static void drop_caps(struct capos_server *s, struct capos_cap_list *caps)
{
	if (!caps->count)
		return;
	if (s->capmgr == CAPOS_NO_CAP) {
		capos_transport_drop(caps); /* the runtime's own `capmgr`, if any */
		return;
	}
	for (uint32_t i = 0; i < caps->count; i++)
		if (caps->cap[i] != CAPOS_NO_CAP)
			(void)capos_cap_delete(s->capmgr, caps->cap[i]);
	caps->count = 0;
}

/* Keeps the call's Reply cap in rq->defer_slot; the status to answer now
 * if that fails. */
static capos_status_t keep_reply(struct capos_server *s, struct capos_rpc_request *rq)
{
	if (rq->defer_slot == CAPOS_NO_CAP || s->capmgr == CAPOS_NO_CAP)
		return CAPOS_LIMIT_EXCEEDED;
	capos_status_t st = capos_cap_save_reply(s->capmgr, rq->defer_slot);
	if (st == CAPOS_OK || st == CAPOS_SLOT_OCCUPIED)
		s->npool--; /* kept, or someone else's now: not ours to reuse */
	if (st == CAPOS_OK)
		return CAPOS_RPC_DEFERRED;
	if (s->defer_failed)
		s->defer_failed(s->ctx, rq->defer_slot);
	return CAPOS_LIMIT_EXCEEDED;
}

/* Puts the answer's header (and caps) into the IPC buffer. */
static void put_header(struct capos_ipc_buffer *b, capos_status_t result, uint32_t len,
		       const struct capos_cap_list *caps)
{
	b->label = (uint64_t)result;
	b->len = len;
	b->ncaps = caps->count;
	b->cap_move = caps->move;
	for (uint32_t i = 0; i < caps->count; i++)
		b->caps[i] = caps->cap[i];
}

/* One received message on endpoint e, in the IPC buffer. Returns 1 when
 * an answer is owed: in the IPC buffer already (s->out_in_ipc), or in
 * s->out with its header in s->out_label/out_len/out_caps. */
static int handle(struct capos_server *s, uint32_t e)
{
	struct capos_ipc_buffer *b = capos_ipc();
	/* Without a wait hook nothing runs between the dispatch and the reply
	 * but the cleanup of request caps (handled below), so the answer is
	 * encoded where it is sent from. */
	int direct = !s->wait_ns;
	struct capos_rpc_request rq;
	rq.label = b->label;
	rq.badge = b->badge;
	rq.client = NULL;
	rq.body = b->body;
	rq.len = b->len <= CAPOS_MSG_BODY_MAX ? b->len : 0;
	rq.out = direct ? b->body : s->out;
	rq.out_cap = CAPOS_MSG_BODY_MAX;
	rq.out_len = 0;
	rq.caps_in.count = b->ncaps <= CAPOS_MSG_MAX_CAPS ? b->ncaps : 0;
	rq.caps_in.move = 0;
	for (uint32_t i = 0; i < rq.caps_in.count; i++)
		rq.caps_in.cap[i] = b->caps[i];
	rq.caps_out.count = 0;
	rq.caps_out.move = 0;
	rq.defer_slot = s->npool ? s->pool[s->npool - 1] : CAPOS_NO_CAP;
	if (!s->plain) {
		if (s->tick_calls && s->tick) {
			/* The hook may make calls: the message waits aside. */
			memcpy(s->in, b->body, rq.len);
			rq.body = s->in;
			s->tick(s->ctx);
		}
		if (s->client)
			rq.client = s->client(s->ctx, rq.badge);
	}

	capos_status_t result;
	const struct capos_rpc_service *svc = s->plain ? &s->ep[0].svc[0] : choose(s, e, &rq);
	if (svc) {
		result = svc->dispatch(svc->ops, svc->ctx, &rq);
	} else if (s->raw) {
		if (rq.body != s->in) {
			memcpy(s->in, b->body, rq.len);
			rq.body = s->in;
		}
		result = s->raw(s->ctx, s->ep[e].as, &rq);
	} else {
		result = CAPOS_UNSUPPORTED;
	}
	s->served++;
	if (rq.caps_in.count || rq.caps_out.count) {
		struct capos_cap_list drop;
		capos_rpc_settle(&rq, result == CAPOS_RPC_DEFERRED ? CAPOS_LIMIT_EXCEEDED : result,
				 &drop);
		/* Deleting is a kernel call through the IPC buffer: an answer
		 * already encoded there waits aside meanwhile. */
		if (drop.count && direct && result == CAPOS_OK && rq.out_len) {
			memcpy(s->out, b->body, rq.out_len);
			direct = 0;
		}
		drop_caps(s, &drop);
	}
	if (result == CAPOS_RPC_NO_REPLY)
		return 0;
	if (result == CAPOS_RPC_DEFERRED) {
		result = keep_reply(s, &rq);
		if (result == CAPOS_RPC_DEFERRED)
			return 0;
	}
	uint32_t len = result == CAPOS_OK ? rq.out_len : 0;
	if (result != CAPOS_OK)
		rq.caps_out.count = 0;
	s->out_in_ipc = direct;
	if (direct) {
		put_header(b, result, len, &rq.caps_out);
		return 1;
	}
	s->out_label = (uint64_t)result;
	s->out_len = len;
	s->out_caps = rq.caps_out;
	return 1;
}

/* Moves an answer kept aside into the IPC buffer, just before it is sent. */
static inline void load_reply(struct capos_server *s)
{
	if (s->out_in_ipc)
		return;
	struct capos_ipc_buffer *b = capos_ipc();
	memcpy(b->body, s->out, s->out_len);
	put_header(b, (capos_status_t)s->out_label, s->out_len, &s->out_caps);
}

/* Sends the owed answer alone (ReplyRecv on no endpoint only replies). */
static void reply_now(struct capos_server *s)
{
	load_reply(s);
	(void)capos_syscall1(CAPOS_SYS_REPLY_RECV, CAPOS_NO_CAP); /* INVALID_CAP after the reply */
}

static inline capos_status_t receive(capos_cap_t ep, int owe, uint64_t wait)
{
	if (wait == CAPOS_WAIT_FOREVER)
		return owe ? capos_reply_recv(ep) : capos_recv(ep);
	return owe ? capos_reply_recv_timeout(ep, wait) : capos_recv_timeout(ep, wait);
}

static uint32_t lowest(uint32_t mask)
{
	uint32_t i = 0;
	while (!(mask & (1u << i)))
		i++;
	return i;
}

/* Endpoint e, added by a notice, is served no more (its index stays, and
 * its arrival bit stays out of what the signal hook sees). */
static void drop_noticed(struct capos_server *s, uint32_t e)
{
	s->ep[e].arrival_bit = 0;
	s->ep[e].cap = CAPOS_NO_CAP;
}

/* A serve notice in the IPC buffer (capos/service.h): serve its slot like
 * the first endpoint with a service for its interface. Returns the new
 * endpoint's index, or 0 when the notice is ignored (0 is never new). */
static uint32_t add_noticed(struct capos_server *s)
{
	const struct capos_startup *su = capos_startup();
	const char *me = su ? su->program : "server";
	struct capos_ipc_buffer *b = capos_ipc();
	struct capos_serve_notice n;
	if (b->len < sizeof(n))
		return 0;
	memcpy(&n, b->body, sizeof(n));
	uint32_t like = s->nep;
	if (n.slot == CAPOS_NO_CAP)
		return 0;
	for (uint32_t i = 0; i < s->nep; i++) {
		if (s->ep[i].cap == n.slot)
			return 0; /* served already */
		for (uint32_t k = 0; k < s->ep[i].nsvc && like == s->nep; k++)
			if (s->ep[i].svc[k].interface_id == n.interface_id)
				like = s->ep[i].as;
	}
	uint32_t e = s->nep;
	capos_status_t st = CAPOS_WRONG_TYPE; /* no service of ours speaks it */
	if (like != e)
		st = e == CAPOS_SERVER_MAX_ENDPOINTS ? CAPOS_LIMIT_EXCEEDED
		     : s->ntfn == CAPOS_NO_CAP || s->capmgr == CAPOS_NO_CAP
			     ? CAPOS_UNSUPPORTED /* no arrivals without both */
			     : capos_notify_arrival(s->capmgr, n.slot, s->ntfn, ARRIVAL_BIT(e));
	if (st != CAPOS_OK) {
		capos_printf("%s: cannot serve the endpoint in slot %u: status %ld\n", me,
			     (unsigned)n.slot, (long)st);
		return 0;
	}
	s->ep[e] = s->ep[like];
	s->ep[e].cap = n.slot;
	s->ep[e].arrival_bit = ARRIVAL_BIT(e);
	s->ep[e].as = like;
	s->arrival_mask |= ARRIVAL_BIT(e);
	s->nep++;
	s->plain = 0; /* more than one endpoint now */
	capos_printf("%s: serves the endpoint in slot %u (interface 0x%04lx) too\n", me,
		     (unsigned)n.slot, (unsigned long)n.interface_id);
	return e;
}

static capos_status_t loop(struct capos_server *s)
{
	/* One endpoint, one service, no hooks before the dispatch: the
	 * common server takes the short way through handle(). */
	s->plain = s->nep == 1 && s->ep[0].nsvc == 1 && !s->route && !s->raw && !s->client &&
		   !(s->tick_calls && s->tick);
	struct capos_ipc_buffer *b = capos_ipc();
	capos_status_t st;
	/* Callers that queued on the other endpoints before their arrival
	 * notification was set were never signalled: look at them first. */
	uint32_t pending = (1u << s->nep) - 2u;
	int owe = 0;
	for (;;) {
		uint32_t e = 0;
		if (pending) {
			e = lowest(pending);
			if (owe)
				load_reply(s);
			st = receive(s->ep[e].cap, owe, CAPOS_WAIT_POLL);
			owe = 0; /* the reply went first, whatever came next */
			if (st == CAPOS_WOULD_BLOCK) {
				pending &= ~(1u << e);
				continue;
			}
			if (st != CAPOS_OK && s->ep[e].as != e) {
				/* An endpoint a notice added moved on (or was never
				 * ours): stop serving it, and serve on. */
				pending &= ~(1u << e);
				drop_noticed(s, e);
				continue;
			}
		} else {
			uint64_t wait = s->wait_ns ? s->wait_ns(s->ctx) : CAPOS_WAIT_FOREVER;
			if (owe)
				load_reply(s);
			st = receive(s->ep[0].cap, owe, wait);
			owe = 0;
			if (st == CAPOS_TIMEOUT || st == CAPOS_WOULD_BLOCK) {
				if (s->tick)
					s->tick(s->ctx);
				continue;
			}
		}
		if (st != CAPOS_OK)
			return st; /* RETARGETED: another server took over; drained */
		if (b->kind == CAPOS_RECV_SIGNAL) {
			uint64_t bits = b->signals;
			/* init's stop notice (capos/stop.h): the hook has run;
			 * return as a stopped server does. Callers still queued
			 * learn DISCONNECTED when the process is gone. */
			if (capos_stop_check(bits))
				return CAPOS_OK;
			bits &= ~CAPOS_STOP_BIT;
			for (uint32_t i = 1; i < s->nep; i++)
				if (bits & s->ep[i].arrival_bit)
					pending |= 1u << i;
			bits &= ~s->arrival_mask;
			if (bits && s->signal)
				s->signal(s->ctx, bits);
			if (s->tick)
				s->tick(s->ctx);
			continue;
		}
		if (b->label == CAPOS_LABEL_SERVE_NOTICE && s->take_endpoints) {
			/* Nobody waits for an answer (a caller who did is told
			 * DISCONNECTED by the next receive). */
			uint32_t added = add_noticed(s);
			if (added)
				pending |= 1u << added;
			continue;
		}
		owe = handle(s, e);
		if (s->stop) {
			if (owe)
				reply_now(s);
			return CAPOS_OK;
		}
		if (s->reply_first) {
			s->reply_first = 0;
			if (owe)
				reply_now(s);
			owe = 0;
			if (s->after_reply)
				s->after_reply(s->ctx);
		}
	}
}

capos_status_t capos_server_run(struct capos_server *s)
{
	if (s->nep == 0)
		return CAPOS_INVALID_ARGUMENT;
	capos_status_t st = arm_arrivals(s);
	return st == CAPOS_OK ? loop(s) : st;
}

void capos_server_stop(struct capos_server *s)
{
	s->stop = 1;
}

void capos_server_after_reply(struct capos_server *s)
{
	s->reply_first = 1;
}

capos_status_t capos_server_answer(struct capos_server *s, capos_cap_t slot,
				   capos_status_t status, const pb_msgdesc_t *fields,
				   const void *msg, const struct capos_cap_list *caps)
{
	struct capos_ipc_buffer *b = capos_ipc();
	uint32_t len = 0;
	if (status == CAPOS_OK && fields) {
		pb_ostream_t os = pb_ostream_from_buffer(b->body, CAPOS_MSG_BODY_MAX);
		if (pb_encode(&os, fields, msg))
			len = (uint32_t)os.bytes_written;
		else
			status = CAPOS_PROTOCOL_ERROR; /* bounded messages always fit */
	}
	b->label = (uint64_t)status;
	b->len = len;
	b->ncaps = 0;
	b->cap_move = 0;
	if (status == CAPOS_OK && caps) {
		b->ncaps = caps->count <= CAPOS_MSG_MAX_CAPS ? caps->count : 0;
		b->cap_move = caps->move;
		for (uint32_t i = 0; i < b->ncaps; i++)
			b->caps[i] = caps->cap[i];
	}
	/* A Reply cap is used up by its Send, whatever happens. */
	capos_status_t st = capos_send(slot);
	if (s->npool < CAPOS_SERVER_REPLY_POOL)
		s->pool[s->npool++] = slot;
	return st;
}

capos_cap_t capos_service_endpoint(uint64_t start_arg, const char *name)
{
	if (start_arg != 0 && start_arg < CAPOS_NO_CAP)
		return (capos_cap_t)start_arg;
	return capos_cap_lookup(name);
}

capos_status_t capos_service_ready(capos_cap_t ntfn, uint64_t bits)
{
	capos_status_t st = capos_signal(ntfn, bits);
	if (st != CAPOS_OK)
		return st;
	/* Our own notification first, then the bell: init looks at the
	 * former when the latter rings. */
	capos_cap_t bell = capos_cap_lookup(CAPOS_READY_BELL_NAME);
	return bell != CAPOS_NO_CAP ? capos_signal(bell, 1) : CAPOS_OK;
}

int capos_service_main(struct capos_server *s)
{
	/* Ready means "takes calls": only once everything is armed. */
	capos_status_t st = s->nep ? arm_arrivals(s) : CAPOS_INVALID_ARGUMENT;
	if (st != CAPOS_OK) {
		const struct capos_startup *su = capos_startup();
		capos_printf("%s: cannot serve: status %ld\n", su ? su->program : "server",
			     (long)st);
		return (int)st;
	}
	capos_cap_t ready = capos_cap_lookup("ready");
	if (ready != CAPOS_NO_CAP)
		(void)capos_service_ready(ready, 1);
	st = loop(s);
	return st == CAPOS_RETARGETED || st == CAPOS_OK ? 0 : (int)st;
}
