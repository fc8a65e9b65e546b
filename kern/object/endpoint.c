/*
 * endpoint.c - synchronous rendezvous IPC: Call, Send, NBSend, Recv, Reply.
 *
 * Invariants:
 *  - a thread on ep->senders is BLOCKED_SEND with blocked_on_ep == ep and
 *    holds a reference on ep; likewise BLOCKED_RECV on ep->receivers;
 *  - senders are ordered by priority, FIFO within a priority; receivers FIFO;
 *  - ep->server is the one process that may Recv on ep (set by its first
 *    Recv); when it dies ep->dead is set and every later Call or Send fails
 *    at once with DISCONNECTED (the retarget primitive will revive it);
 *  - a thread BLOCKED_REPLY is named by exactly one of: the reply_to of the
 *    server thread that received its call, or one Reply cap (badge = the
 *    call's sequence number); either one holds a reference on the caller.
 *    Losing that name (server death, Reply cap deleted, a Recv without
 *    reply) wakes the caller with DISCONNECTED: a client never hangs;
 *  - a message body is copied exactly once, sender page to receiver page;
 *    caps move or copy only through a cap with GRANT, all or nothing;
 *  - crash records wait in crash_head only while no receiver waits, and a
 *    Recv takes them before any sender; at most ENDPOINT_MAX_CRASH_QUEUED
 *    wait, each a page charged to the process that died (its owner, held
 *    by the record): a record costs the quota its creator reserved for it,
 *    never the kernel's. One that cannot queue (the queue full, or no page
 *    within that quota) is counted in crash_dropped, and the count travels
 *    in the next record received (`dropped`), or, with none queued, in a
 *    record of its own (CAPOS_DEATH_LOST) that a Recv takes before any
 *    sender: a supervisor learns of every death, as a record or a count;
 *  - each death watch holds a reference on its notification and fires
 *    every time the serving process dies (a revived endpoint keeps them);
 *    a watch whose notification nothing else references is dropped when
 *    a new watch is added;
 *  - an arrival notification (NOTIFY_ARRIVAL) holds a reference and is
 *    signalled each time a sender or a crash record has to queue because no
 *    thread is receiving; it is the server's to set, and stays across a
 *    retarget (the new server may replace it);
 *  - retarget moves the serving side in one step: queued senders stay in
 *    order for the new server, the old server's threads blocked in Recv on
 *    the endpoint return RETARGETED, calls it had already received stay its
 *    to answer.
 */
#include <stddef.h>

#include "core/kstring.h"
#include "core/panic.h"
#include "core/platform.h"
#include "core/sched.h"
#include "object/notification.h"
#include "object/endpoint.h"
#include "object/process.h"
#include "object/thread.h"

static capos_status_t set_arrival(struct endpoint *ep, struct notification *n, uint64_t bits);

struct endpoint *endpoint_create(struct process *owner, uint64_t interface_id,
				 capos_status_t *st)
{
	if (owner && owner->usage.endpoints >= owner->limits.max_endpoints) {
		*st = CAPOS_LIMIT_EXCEEDED;
		return NULL;
	}
	struct endpoint *ep = kobj_alloc(CAPOS_CAP_ENDPOINT, owner, st);
	if (!ep)
		return NULL;
	ep->interface_id = interface_id;
	if (owner)
		owner->usage.endpoints++;
	return ep;
}

static void unbind_server(struct endpoint *ep)
{
	struct process *p = ep->server;
	if (!p)
		return;
	for (struct endpoint **pp = &p->served; *pp; pp = &(*pp)->served_next) {
		if (*pp == ep) {
			*pp = ep->served_next;
			break;
		}
	}
	ep->server = NULL;
	ep->served_next = NULL;
}

/* A message has to wait: tell the server's arrival notification. */
static void arrival(struct endpoint *ep)
{
	if (ep->arrival)
		ntfn_deliver(ep->arrival, ep->arrival_bits);
}

void endpoint_destroy(struct endpoint *ep)
{
	/* No caps and no queued thread remain (queued threads hold refs). */
	KASSERT(!ep->senders.head && !ep->receivers.head);
	unbind_server(ep);
	while (ep->crash_head) {
		struct crash_message *m = ep->crash_head;
		ep->crash_head = m->next;
		kobj_unref(&m->obj);
	}
	for (uint32_t i = 0; i < CAPOS_ENDPOINT_MAX_WATCHES; i++) {
		if (ep->watches[i].ntfn) {
			struct notification *n = ep->watches[i].ntfn;
			ep->watches[i].ntfn = NULL;
			kobj_unref(&n->obj);
		}
	}
	set_arrival(ep, NULL, 0);
	if (ep->obj.owner)
		ep->obj.owner->usage.endpoints--;
}

capos_status_t ipc_check_message(struct thread *t, uint16_t rights)
{
	struct capos_ipc_buffer *b = t->ipc;
	if (b->len > CAPOS_MSG_BODY_MAX || b->ncaps > CAPOS_MSG_MAX_CAPS)
		return CAPOS_INVALID_ARGUMENT;
	if (b->ncaps && !(rights & CAPOS_RIGHT_GRANT))
		return CAPOS_DENIED;
	return CAPOS_OK;
}

/* Moves or copies the caps src names into free slots of dst's table;
 * all or nothing (every check comes before the first change).
 * A move between two threads of one process (one table) leaves the cap
 * where it is and names its slot: it needs no free slot and cannot fail,
 * so a full table only refuses the copies, which need one each. */
capos_status_t ipc_transfer_caps(struct thread *src, struct thread *dst, uint32_t n)
{
	struct capos_ipc_buffer *s = src->ipc, *d = dst->ipc;
	struct captable *sct = &src->proc->ct, *dct = &dst->proc->ct;
	uint32_t slots[CAPOS_MSG_MAX_CAPS];
	for (uint32_t i = 0; i < n; i++) {
		slots[i] = s->caps[i];
		struct cap *c = ct_lookup(sct, slots[i]);
		if (!c)
			return CAPOS_INVALID_CAP;
		int move = (s->cap_move >> i) & 1;
		if (c->type == CAPOS_CAP_REPLY && !move)
			return CAPOS_DENIED;
		for (uint32_t j = 0; j < i; j++)
			if (slots[j] == slots[i] && (move || ((s->cap_move >> j) & 1)))
				return CAPOS_INVALID_ARGUMENT; /* moved twice */
	}
	uint32_t need = n;
	if (sct == dct) {
		for (uint32_t i = 0; i < n; i++)
			if ((s->cap_move >> i) & 1)
				need--; /* a move within one table stays in its slot */
	}
	if (ct_free_count(dct) < need)
		return CAPOS_LIMIT_EXCEEDED;
	for (uint32_t i = 0; i < n; i++) {
		int move = (s->cap_move >> i) & 1;
		if (move && sct == dct) {
			d->caps[i] = slots[i];
			continue;
		}
		uint32_t free_slot = ct_find_free(dct);
		capos_status_t st = move ? ct_move(sct, slots[i], dct, free_slot)
					 : ct_mint(sct, slots[i], dct, free_slot,
						   CAPOS_RIGHTS_ALL, 0, 0);
		KASSERT(st == CAPOS_OK); /* everything was checked above */
		d->caps[i] = free_slot;
	}
	return CAPOS_OK;
}

/* Copies src's message into dst's IPC buffer. */
static capos_status_t transfer(struct thread *src, struct thread *dst, uint64_t badge,
			       int allow_caps)
{
	struct capos_ipc_buffer *s = src->ipc, *d = dst->ipc;
	uint32_t len = s->len, n = s->ncaps;
	if (len > CAPOS_MSG_BODY_MAX || n > CAPOS_MSG_MAX_CAPS)
		return CAPOS_INVALID_ARGUMENT;
	if (n && !allow_caps)
		return CAPOS_DENIED;
	if (n) {
		capos_status_t st = ipc_transfer_caps(src, dst, n);
		if (st != CAPOS_OK)
			return st;
	}
	d->label = s->label;
	d->badge = badge;
	d->len = len;
	d->ncaps = n;
	d->kind = CAPOS_RECV_MESSAGE;
	memcpy(d->body, s->body, len);
	return CAPOS_OK;
}

static void set_reply_to(struct thread *server, struct thread *caller)
{
	if (server->reply_to) {
		/* The server took a new message without answering the last one. */
		struct thread *old = server->reply_to;
		server->reply_to = NULL;
		if (old->state == THREAD_BLOCKED_REPLY && old->call_seq == server->reply_seq)
			thread_wake(old, CAPOS_DISCONNECTED);
		kobj_unref(&old->obj);
	}
	kobj_ref(&caller->obj);
	server->reply_to = caller;
	server->reply_seq = caller->call_seq;
	caller->state = THREAD_BLOCKED_REPLY;
}

static void leave_ep(struct thread *t)
{
	thread_leave_waits(t);
}

/* A message from sender (now being delivered) to receiver r. */
static capos_status_t rendezvous(struct thread *sender, struct thread *r, uint64_t badge,
				 uint16_t rights, int is_call)
{
	capos_status_t st = transfer(sender, r, badge, (rights & CAPOS_RIGHT_GRANT) != 0);
	if (st != CAPOS_OK)
		return st;
	if (is_call)
		set_reply_to(r, sender);
	return CAPOS_OK;
}

capos_status_t ipc_send(struct thread *t, struct cap *c, int is_call, int block)
{
	if (!(c->rights & CAPOS_RIGHT_SEND))
		return CAPOS_DENIED;
	struct endpoint *ep = (struct endpoint *)c->obj;
	capos_status_t st = ipc_check_message(t, c->rights);
	if (st != CAPOS_OK)
		return st;
	if (ep->dead)
		return CAPOS_DISCONNECTED;
	if (is_call)
		t->call_seq++;

	struct thread *r = ep->receivers.head;
	if (r) {
		st = rendezvous(t, r, c->badge, c->rights, is_call);
		if (st != CAPOS_OK)
			return st; /* the receiver keeps waiting */
		leave_ep(r);
		r->tf.rax = CAPOS_OK;
		sched_ready(r);
		if (is_call) {
			sched_current_left();
			return IPC_BLOCKED; /* set_reply_to made t BLOCKED_REPLY */
		}
		return CAPOS_OK;
	}
	if (!block)
		return CAPOS_WOULD_BLOCK;
	t->send_badge = c->badge;
	t->send_rights = c->rights;
	t->send_is_call = (uint8_t)is_call;
	t->state = THREAD_BLOCKED_SEND;
	t->blocked_on_ep = ep;
	kobj_ref(&ep->obj);
	tq_insert_by_priority(&ep->senders, t);
	arrival(ep);
	sched_current_left();
	return IPC_BLOCKED;
}

/* The record goes with the count of those lost before it, which starts
 * again from 0. rec NULL: no record, only the count (CAPOS_DEATH_LOST). */
static void deliver_crash(struct thread *t, struct endpoint *ep, uint64_t badge,
			  const struct capos_crash_record *rec)
{
	struct capos_ipc_buffer *d = t->ipc;
	struct capos_crash_record *out = (struct capos_crash_record *)d->body;
	d->label = CAPOS_LABEL_CRASH_RECORD;
	d->badge = rec ? badge : 0;
	d->len = sizeof(*out);
	d->ncaps = 0;
	d->kind = CAPOS_RECV_MESSAGE;
	if (rec) {
		memcpy(out, rec, sizeof(*out));
	} else {
		memset(out, 0, sizeof(*out));
		out->cause = CAPOS_DEATH_LOST;
	}
	out->dropped = ep->crash_dropped;
	ep->crash_dropped = 0;
}

capos_status_t ipc_recv(struct thread *t, struct cap *c)
{
	return ipc_recv_timeout(t, c, CAPOS_WAIT_FOREVER);
}

capos_status_t ipc_recv_timeout(struct thread *t, struct cap *c, uint64_t timeout_ns)
{
	if (!(c->rights & CAPOS_RIGHT_RECV))
		return CAPOS_DENIED;
	struct endpoint *ep = (struct endpoint *)c->obj;
	if (ep->server && ep->server != t->proc) {
		/* The server it was moved away from learns that, even if it was
		 * busy with a call at the moment of the retarget. */
		if (t->proc->pid == ep->moved_from_pid)
			return CAPOS_RETARGETED;
		return CAPOS_DENIED; /* one serving process per endpoint */
	}
	if (!ep->server) {
		if (ep->dead)
			return CAPOS_DISCONNECTED; /* only a retarget revives it */
		ep->server = t->proc;
		ep->served_next = t->proc->served;
		t->proc->served = ep;
	}
	if (t->bound && t->bound->bits) {
		t->ipc->kind = CAPOS_RECV_SIGNAL;
		t->ipc->signals = t->bound->bits;
		t->bound->bits = 0;
		return CAPOS_OK;
	}
	if (ep->crash_head) {
		struct crash_message *m = ep->crash_head;
		ep->crash_head = m->next;
		if (!ep->crash_head)
			ep->crash_tail = NULL;
		ep->crash_queued--;
		deliver_crash(t, ep, m->badge, &m->rec);
		kobj_unref(&m->obj); /* gives its page back to the dead process */
		return CAPOS_OK;
	}
	if (ep->crash_dropped) {
		deliver_crash(t, ep, 0, NULL);
		return CAPOS_OK;
	}
	struct thread *s;
	while ((s = ep->senders.head) != NULL) {
		capos_status_t st = rendezvous(s, t, s->send_badge, s->send_rights,
					       s->send_is_call);
		leave_ep(s);
		if (st != CAPOS_OK) {
			thread_wake(s, st); /* the sender learns; try the next */
			continue;
		}
		if (!s->send_is_call) {
			s->tf.rax = CAPOS_OK;
			sched_ready(s);
		}
		return CAPOS_OK;
	}
	if (timeout_ns == CAPOS_WAIT_POLL)
		return CAPOS_WOULD_BLOCK;
	t->state = THREAD_BLOCKED_RECV;
	t->blocked_on_ep = ep;
	kobj_ref(&ep->obj);
	tq_push_back(&ep->receivers, t);
	if (timeout_ns != CAPOS_WAIT_FOREVER) {
		/* The timer wakes it with TIMEOUT; thread_wake takes it off
		 * the receivers queue like any other wake-up. */
		uint64_t now = now_ns();
		timeout_add(t, now + timeout_ns < now ? UINT64_MAX : now + timeout_ns);
	}
	sched_current_left();
	return IPC_BLOCKED;
}

static capos_status_t answer(struct thread *server, struct thread *caller, uint64_t seq)
{
	if (caller->state != THREAD_BLOCKED_REPLY || caller->call_seq != seq)
		return CAPOS_DISCONNECTED; /* the caller died or gave up */
	capos_status_t st = transfer(server, caller, 0, 1);
	thread_wake(caller, st);
	return CAPOS_OK;
}

void ipc_reply_current(struct thread *t)
{
	struct thread *caller = t->reply_to;
	if (!caller)
		return;
	t->reply_to = NULL;
	answer(t, caller, t->reply_seq);
	kobj_unref(&caller->obj);
}

capos_status_t ipc_reply_cap(struct thread *t, uint32_t slot)
{
	struct cap *c = ct_lookup(&t->proc->ct, slot);
	if (!c)
		return CAPOS_INVALID_CAP;
	struct thread *caller = (struct thread *)c->obj;
	uint64_t seq = c->badge;
	if (t->ipc->len > CAPOS_MSG_BODY_MAX || t->ipc->ncaps > CAPOS_MSG_MAX_CAPS)
		return CAPOS_INVALID_ARGUMENT;
	kobj_ref(&caller->obj);
	capos_status_t st = answer(t, caller, seq);
	/* One shot: the cap goes whatever happened. Deleting it after the
	 * answer means reply_cap_dropped finds the caller no longer waiting. */
	ct_delete(&t->proc->ct, slot);
	kobj_unref(&caller->obj);
	return st;
}

capos_status_t ipc_save_reply(struct thread *t, uint32_t dst)
{
	if (!t->reply_to)
		return CAPOS_INVALID_ARGUMENT; /* nothing to save */
	struct thread *caller = t->reply_to;
	capos_status_t st = ct_insert(&t->proc->ct, dst, &caller->obj, CAPOS_CAP_REPLY,
				      CAPOS_RIGHT_SEND, t->reply_seq);
	if (st != CAPOS_OK)
		return st;
	t->reply_to = NULL;
	kobj_unref(&caller->obj); /* the cap holds its own reference now */
	return CAPOS_OK;
}

void reply_cap_dropped(struct kobj *obj, uint64_t seq)
{
	struct thread *caller = (struct thread *)obj;
	if (caller->state == THREAD_BLOCKED_REPLY && caller->call_seq == seq)
		thread_wake(caller, CAPOS_DISCONNECTED);
}

void endpoints_server_died(struct process *p)
{
	while (p->served) {
		struct endpoint *ep = p->served;
		p->served = ep->served_next;
		ep->served_next = NULL;
		ep->server = NULL;
		ep->dead = 1;
		kobj_ref(&ep->obj); /* waking may drop the last queued reference */
		struct thread *s;
		while ((s = ep->senders.head) != NULL) {
			leave_ep(s);
			thread_wake(s, CAPOS_DISCONNECTED);
		}
		for (uint32_t i = 0; i < CAPOS_ENDPOINT_MAX_WATCHES; i++)
			if (ep->watches[i].ntfn)
				ntfn_deliver(ep->watches[i].ntfn, ep->watches[i].bits);
		kobj_unref(&ep->obj);
	}
}

static capos_status_t set_arrival(struct endpoint *ep, struct notification *n, uint64_t bits)
{
	struct notification *old = ep->arrival;
	if (!bits)
		n = NULL;
	if (n)
		kobj_ref(&n->obj);
	ep->arrival = n;
	ep->arrival_bits = n ? bits : 0;
	if (old)
		kobj_unref(&old->obj);
	return CAPOS_OK;
}

static capos_status_t watch(struct endpoint *ep, struct notification *n, uint64_t bits)
{
	if (!bits)
		return CAPOS_INVALID_ARGUMENT;
	struct death_watch *free_w = NULL;
	for (uint32_t i = 0; i < CAPOS_ENDPOINT_MAX_WATCHES; i++) {
		struct notification *w = ep->watches[i].ntfn;
		if (w && w != n && w->obj.refs == 1) {
			/* Only this watch holds it: no cap, waiter or binding
			 * is left to observe it (its holder died or let go).
			 * Dropped, so dead watchers cannot fill the table. */
			ep->watches[i].ntfn = NULL;
			ep->watches[i].bits = 0;
			kobj_unref(&w->obj);
		}
		if (ep->watches[i].ntfn == n) {
			ep->watches[i].bits = bits; /* re-watching updates the bits */
			return CAPOS_OK;
		}
		if (!ep->watches[i].ntfn && !free_w)
			free_w = &ep->watches[i];
	}
	if (!free_w)
		return CAPOS_LIMIT_EXCEEDED;
	kobj_ref(&n->obj);
	free_w->ntfn = n;
	free_w->bits = bits;
	return CAPOS_OK;
}

static capos_status_t unwatch(struct endpoint *ep, struct notification *n)
{
	for (uint32_t i = 0; i < CAPOS_ENDPOINT_MAX_WATCHES; i++) {
		if (ep->watches[i].ntfn == n) {
			ep->watches[i].ntfn = NULL;
			ep->watches[i].bits = 0;
			kobj_unref(&n->obj);
			return CAPOS_OK;
		}
	}
	return CAPOS_INVALID_ARGUMENT;
}

/*
 * The endpoint methods, reached through the caller's CapabilityManager (a
 * Call on an endpoint cap is a message to its server, not to the kernel;
 * object/capmgr.c's table points here). The endpoint and notification are
 * named by slot in the caller's table.
 */

/* WATCH_DEATH / UNWATCH_DEATH: both caps are looked up before either's
 * type or rights count (ct_first_error); the endpoint needs CONTROL and
 * the notification SEND. CONTROL keeps watching to the endpoint's
 * creator and whoever it chose (init, a supervisor): a client's
 * SEND|GRANT cap cannot fill the CAPOS_ENDPOINT_MAX_WATCHES places and
 * push out the watches the system relies on. */
static capos_status_t watch_caps(struct thread *t, const struct capos_endpoint_watch *a,
				 struct endpoint **ep, struct notification **n)
{
	struct cap *e, *nc;
	capos_status_t st = ct_first_error(
		ct_lookup_typed(&t->proc->ct, a->endpoint, CAPOS_CAP_ENDPOINT,
				CAPOS_RIGHT_CONTROL, &e),
		ct_lookup_typed(&t->proc->ct, a->notification, CAPOS_CAP_NOTIFICATION,
				CAPOS_RIGHT_SEND, &nc));
	if (st != CAPOS_OK)
		return st;
	*ep = (struct endpoint *)e->obj;
	*n = (struct notification *)nc->obj;
	return CAPOS_OK;
}

capos_status_t endpoint_m_watch_death(struct thread *t, struct cap *c, void *args)
{
	(void)c;
	const struct capos_endpoint_watch *a = args;
	struct endpoint *ep;
	struct notification *n;
	capos_status_t st = watch_caps(t, a, &ep, &n);
	return st != CAPOS_OK ? st : watch(ep, n, a->bits);
}

capos_status_t endpoint_m_unwatch_death(struct thread *t, struct cap *c, void *args)
{
	(void)c;
	const struct capos_endpoint_watch *a = args;
	struct endpoint *ep;
	struct notification *n;
	capos_status_t st = watch_caps(t, a, &ep, &n);
	return st != CAPOS_OK ? st : unwatch(ep, n);
}

/* NOTIFY_ARRIVAL: only the serving side (RECV) may set it; removing it
 * (bits 0 or no notification) names no notification at all. */
capos_status_t endpoint_m_notify_arrival(struct thread *t, struct cap *c, void *args)
{
	(void)c;
	const struct capos_endpoint_watch *a = args;
	struct cap *e, *n;
	capos_status_t st = ct_lookup_typed(&t->proc->ct, a->endpoint, CAPOS_CAP_ENDPOINT,
					    CAPOS_RIGHT_RECV, &e);
	if (st != CAPOS_OK)
		return st;
	if (a->notification == CAPOS_NO_CAP || !a->bits)
		return set_arrival((struct endpoint *)e->obj, NULL, 0);
	st = ct_lookup_typed(&t->proc->ct, a->notification, CAPOS_CAP_NOTIFICATION,
			     CAPOS_RIGHT_SEND, &n);
	if (st != CAPOS_OK)
		return st;
	return set_arrival((struct endpoint *)e->obj, (struct notification *)n->obj, a->bits);
}

capos_status_t endpoint_retarget(struct endpoint *ep, struct process *np)
{
	if (np->torn_down)
		return CAPOS_DISCONNECTED;
	kobj_ref(&ep->obj); /* waking receivers may drop their references */
	ep->moved_from_pid = ep->server && ep->server != np ? ep->server->pid : 0;
	unbind_server(ep);
	/* The old server's threads waiting here learn the endpoint moved. */
	struct thread *r;
	while ((r = ep->receivers.head) != NULL) {
		leave_ep(r);
		thread_wake(r, CAPOS_RETARGETED);
	}
	ep->server = np;
	ep->served_next = np->served;
	np->served = ep;
	ep->dead = 0;
	kobj_unref(&ep->obj);
	return CAPOS_OK;
}

int endpoint_give_crash(struct endpoint *ep, uint64_t badge,
			const struct capos_crash_record *rec)
{
	struct thread *r = ep->receivers.head;
	if (!r)
		return 0;
	deliver_crash(r, ep, badge, rec);
	leave_ep(r);
	r->tf.rax = CAPOS_OK;
	sched_ready(r);
	return 1;
}

void endpoint_queue_crash(struct endpoint *ep, uint64_t badge,
			  const struct capos_crash_record *rec, struct process *dead)
{
	if (endpoint_give_crash(ep, badge, rec))
		return; /* a receiver came meanwhile */
	capos_status_t st = CAPOS_LIMIT_EXCEEDED;
	struct crash_message *m = NULL;
	if (ep->crash_queued < ENDPOINT_MAX_CRASH_QUEUED)
		m = kobj_alloc(KOBJ_CRASH_MESSAGE, dead, &st);
	if (!m) {
		/* Counted, and the server told: the count waits for its Recv. */
		ep->crash_dropped++;
		arrival(ep);
		return;
	}
	m->badge = badge;
	m->rec = *rec;
	if (ep->crash_tail)
		ep->crash_tail->next = m;
	else
		ep->crash_head = m;
	ep->crash_tail = m;
	ep->crash_queued++;
	arrival(ep);
}
