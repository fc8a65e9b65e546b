/*
 * test_ipc - the endpoint state machine (kern/object/endpoint.c) driven
 * through syscall_handle: queueing, ordering, Call/Recv/ReplyRecv round
 * trips, rights checks, capability transfer, table limits, reply caps,
 * and what callers see when either side dies.
 */
#include <string.h>

#include "core/fastpath.h"
#include "kcore_test.h"

#define ALL CAPOS_RIGHTS_ALL
#define SG  (CAPOS_RIGHT_SEND | CAPOS_RIGHT_GRANT)

/* Server process S serving ep (slot 0, all rights; slot 1 its capability
 * manager), client process C holding ep in slot 0 (SEND|GRANT, badge 0x77)
 * and its manager in slot 1. */
static struct process *S, *C;
static struct thread *s, *c;
static struct endpoint *ep;

static void world(uint32_t server_slots)
{
	S = kt_proc("server", server_slots, 4, 256, 8);
	C = kt_proc("client", 16, 8, 256, 8);
	ep = kt_endpoint_at(S, S, 0, ALL, 0);
	kt_cap(S, 1, S, CAPOS_CAP_CAP_MANAGER, ALL, 0);
	kt_cap(C, 0, ep, CAPOS_CAP_ENDPOINT, SG, 0x77);
	kt_cap(C, 1, C, CAPOS_CAP_CAP_MANAGER, ALL, 0);
	s = kt_thread(S, 10);
	c = kt_thread(C, 5);
}

static void world_end(void)
{
	kt_proc_end(C);
	kt_proc_end(S);
}

static void assert_msg(struct thread *t, uint64_t label, uint64_t badge, const char *body)
{
	assert_int_equal(t->ipc->kind, CAPOS_RECV_MESSAGE);
	assert_int_equal(t->ipc->label, label);
	assert_int_equal(t->ipc->badge, badge);
	assert_int_equal(t->ipc->len, strlen(body));
	assert_memory_equal(t->ipc->body, body, strlen(body));
}

static void test_call_without_receiver_queues(void **state)
{
	world(16);
	kt_msg(c, 42, "ping", 4);
	assert_int_equal(kt_sys(c, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	assert_int_equal(c->state, THREAD_BLOCKED_SEND);
	assert_ptr_equal(c->blocked_on_ep, ep);
	assert_ptr_equal(ep->senders.head, c);
	assert_null(sched_current());
	assert_null(sched_choose()); /* nothing else to run */
	/* the server's Recv takes it at once; the caller now awaits the reply */
	assert_int_equal(kt_sys(s, CAPOS_SYS_RECV, 0, 0), CAPOS_OK);
	assert_msg(s, 42, 0x77, "ping");
	assert_int_equal(c->state, THREAD_BLOCKED_REPLY);
	assert_null(ep->senders.head);
	assert_ptr_equal(s->reply_to, c);
	assert_ptr_equal(ep->server, S);
	world_end();
}

static void test_round_trip_both_orders(void **state)
{
	world(16);
	/* 1: caller first */
	kt_msg(c, 1, "ping", 4);
	assert_int_equal(kt_sys(c, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	assert_int_equal(kt_sys(s, CAPOS_SYS_RECV, 0, 0), CAPOS_OK);
	assert_msg(s, 1, 0x77, "ping");
	kt_msg(s, 1000, "pong!", 5);
	assert_int_equal(kt_sys(s, CAPOS_SYS_REPLY_RECV, 0, 0), KT_BLOCKED);
	assert_int_equal(s->state, THREAD_BLOCKED_RECV);
	assert_int_equal(c->state, THREAD_RUNNABLE);
	assert_int_equal(KT_RAX(c), CAPOS_OK);
	assert_msg(c, 1000, 0, "pong!");
	assert_null(s->reply_to);

	/* 2: receiver already waiting: the Call rendezvous at once */
	kt_msg(c, 2, "again", 5);
	assert_int_equal(kt_sys(c, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	assert_int_equal(c->state, THREAD_BLOCKED_REPLY);
	assert_int_equal(s->state, THREAD_RUNNABLE);
	assert_int_equal(KT_RAX(s), CAPOS_OK);
	assert_msg(s, 2, 0x77, "again");
	/* the server is the one to run now (higher priority) */
	assert_ptr_equal(sched_choose(), s);
	kt_msg(s, 2000, "", 0);
	assert_int_equal(kt_sys(s, CAPOS_SYS_REPLY_RECV, 0, 0), KT_BLOCKED);
	assert_int_equal(KT_RAX(c), CAPOS_OK);
	assert_msg(c, 2000, 0, "");
	assert_ptr_equal(sched_choose(), c);

	/* a maximal body goes through intact */
	static uint8_t big[CAPOS_MSG_BODY_MAX];
	for (uint32_t i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)(i * 7 + 3);
	kt_msg(c, 3, big, sizeof big);
	assert_int_equal(kt_sys(c, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	assert_int_equal(s->ipc->len, sizeof big);
	assert_memory_equal(s->ipc->body, big, sizeof big);
	world_end();
}

/* Senders wait by priority, FIFO within one priority. */
static void test_recv_order_priority_then_fifo(void **state)
{
	world(16);
	static const uint8_t prio[] = { 3, 7, 7, 5, 3 };
	struct thread *cl[5];
	for (int i = 0; i < 5; i++) {
		cl[i] = kt_thread(C, prio[i]);
		kt_msg(cl[i], (uint64_t)i, "", 0);
		assert_int_equal(kt_sys(cl[i], CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	}
	static const int expect[] = { 1, 2, 3, 0, 4 };
	assert_int_equal(kt_sys(s, CAPOS_SYS_RECV, 0, 0), CAPOS_OK);
	for (int k = 0; k < 5; k++) {
		assert_int_equal(s->ipc->label, (uint64_t)expect[k]);
		assert_ptr_equal(s->reply_to, cl[expect[k]]);
		kt_msg(s, 100 + (uint64_t)expect[k], "", 0);
		capos_status_t st = kt_sys(s, CAPOS_SYS_REPLY_RECV, 0, 0);
		assert_int_equal(st, k < 4 ? CAPOS_OK : KT_BLOCKED);
		assert_int_equal(KT_RAX(cl[expect[k]]), CAPOS_OK);
		assert_int_equal(cl[expect[k]]->ipc->label, 100 + (uint64_t)expect[k]);
	}
	world_end();
}

static void test_send_and_nbsend(void **state)
{
	world(16);
	/* NBSend with nobody waiting: WOULD_BLOCK, nothing queued */
	kt_msg(c, 9, "x", 1);
	assert_int_equal(kt_sys(c, CAPOS_SYS_NBSEND, 0, 0), CAPOS_WOULD_BLOCK);
	assert_int_equal(c->state, THREAD_RUNNING);
	assert_null(ep->senders.head);
	/* with a receiver waiting it is delivered, and no reply is owed */
	assert_int_equal(kt_sys(s, CAPOS_SYS_RECV, 0, 0), KT_BLOCKED);
	kt_msg(c, 9, "x", 1);
	assert_int_equal(kt_sys(c, CAPOS_SYS_NBSEND, 0, 0), CAPOS_OK);
	assert_msg(s, 9, 0x77, "x");
	assert_int_equal(s->state, THREAD_RUNNABLE);
	assert_null(s->reply_to);
	/* Send blocks until received, then the sender simply continues */
	kt_msg(c, 10, "y", 1);
	assert_int_equal(kt_sys(c, CAPOS_SYS_SEND, 0, 0), KT_BLOCKED);
	assert_int_equal(c->state, THREAD_BLOCKED_SEND);
	assert_int_equal(kt_sys(s, CAPOS_SYS_RECV, 0, 0), CAPOS_OK);
	assert_msg(s, 10, 0x77, "y");
	assert_int_equal(c->state, THREAD_RUNNABLE);
	assert_int_equal(KT_RAX(c), CAPOS_OK);
	assert_null(s->reply_to);
	world_end();
}

static void test_rights_and_bad_messages(void **state)
{
	world(16);
	kt_cap(C, 2, ep, CAPOS_CAP_ENDPOINT, ALL & ~CAPOS_RIGHT_SEND, 0);
	kt_cap(C, 3, ep, CAPOS_CAP_ENDPOINT, CAPOS_RIGHT_SEND, 0);
	kt_cap(S, 3, ep, CAPOS_CAP_ENDPOINT, ALL & ~CAPOS_RIGHT_RECV, 0);
	kt_ntfn_at(C, C, 4, ALL, 0);
	kt_msg(c, 1, "", 0);
	assert_int_equal(kt_sys(c, CAPOS_SYS_CALL, 2, 0), CAPOS_DENIED);
	assert_int_equal(kt_sys(c, CAPOS_SYS_SEND, 2, 0), CAPOS_DENIED);
	assert_int_equal(kt_sys(c, CAPOS_SYS_NBSEND, 2, 0), CAPOS_DENIED);
	assert_int_equal(kt_sys(c, CAPOS_SYS_RECV, 3, 0), CAPOS_DENIED);
	assert_int_equal(kt_sys(s, CAPOS_SYS_RECV, 3, 0), CAPOS_DENIED);
	assert_null(ep->senders.head);
	assert_null(ep->server);
	/* once S serves ep, another process cannot Recv on it */
	assert_int_equal(kt_sys(s, CAPOS_SYS_RECV, 0, 0), KT_BLOCKED);
	assert_int_equal(kt_sys(c, CAPOS_SYS_RECV, 2, 0), CAPOS_DENIED);
	/* wrong types */
	assert_int_equal(kt_sys(c, CAPOS_SYS_CALL, 4, 0), CAPOS_WRONG_TYPE);
	assert_int_equal(kt_sys(c, CAPOS_SYS_RECV, 4, 0), CAPOS_WRONG_TYPE);
	assert_int_equal(kt_sys(c, CAPOS_SYS_SEND, 4, 0), CAPOS_WRONG_TYPE);
	assert_int_equal(kt_sys(c, CAPOS_SYS_SIGNAL, 0, 1), CAPOS_WRONG_TYPE);
	assert_int_equal(kt_sys(c, CAPOS_SYS_WAIT, 0, 0), CAPOS_WRONG_TYPE);
	/* bad lengths */
	kt_msg(c, 1, "", 0);
	c->ipc->len = CAPOS_MSG_BODY_MAX + 1;
	assert_int_equal(kt_sys(c, CAPOS_SYS_CALL, 0, 0), CAPOS_INVALID_ARGUMENT);
	kt_msg(c, 1, "", 0);
	c->ipc->ncaps = CAPOS_MSG_MAX_CAPS + 1;
	assert_int_equal(kt_sys(c, CAPOS_SYS_CALL, 0, 0), CAPOS_INVALID_ARGUMENT);
	/* caps without GRANT */
	kt_msg(c, 1, "", 0);
	c->ipc->ncaps = 1;
	c->ipc->caps[0] = 4;
	c->ipc->cap_move = 1;
	assert_int_equal(kt_sys(c, CAPOS_SYS_CALL, 3, 0), CAPOS_DENIED);
	assert_int_equal(kt_sys(c, CAPOS_SYS_NBSEND, 3, 0), CAPOS_DENIED);
	assert_non_null(ct_lookup(&C->ct, 4));
	assert_int_equal(s->state, THREAD_BLOCKED_RECV); /* still waiting */
	assert_int_equal(S->ct.used, 3);
	world_end();
}

static void test_cap_transfer_copy_and_move(void **state)
{
	world(16);
	struct notification *n = kt_ntfn_at(C, C, 5, CAPOS_RIGHT_SEND | CAPOS_RIGHT_RECV, 3);
	uint32_t used = S->ct.used;
	/* copy: both hold it */
	assert_int_equal(kt_sys(s, CAPOS_SYS_RECV, 0, 0), KT_BLOCKED);
	kt_msg(c, 1, "", 0);
	c->ipc->ncaps = 1;
	c->ipc->caps[0] = 5;
	assert_int_equal(kt_sys(c, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	assert_int_equal(s->ipc->ncaps, 1);
	struct cap *got = ct_lookup(&S->ct, s->ipc->caps[0]);
	assert_non_null(got);
	assert_ptr_equal(got->obj, &n->obj);
	assert_int_equal(got->rights, CAPOS_RIGHT_SEND | CAPOS_RIGHT_RECV);
	assert_int_equal(got->badge, 3);
	assert_non_null(ct_lookup(&C->ct, 5));
	assert_int_equal(n->obj.refs, 2);
	assert_int_equal(S->ct.used, used + 1);
	uint32_t copied = s->ipc->caps[0];

	/* the reply may carry caps back (move the copy back to the client) */
	kt_msg(s, 0, "", 0);
	s->ipc->ncaps = 1;
	s->ipc->caps[0] = copied;
	s->ipc->cap_move = 1;
	assert_int_equal(kt_sys(s, CAPOS_SYS_REPLY_RECV, 0, 0), KT_BLOCKED);
	assert_int_equal(KT_RAX(c), CAPOS_OK);
	assert_int_equal(c->ipc->ncaps, 1);
	assert_null(ct_lookup(&S->ct, copied));
	assert_ptr_equal(ct_lookup(&C->ct, c->ipc->caps[0])->obj, &n->obj);
	assert_int_equal(ct_delete(&C->ct, c->ipc->caps[0]), CAPOS_OK);

	/* move: the sender loses it */
	kt_msg(c, 2, "", 0);
	c->ipc->ncaps = 1;
	c->ipc->caps[0] = 5;
	c->ipc->cap_move = 1;
	assert_int_equal(kt_sys(c, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	assert_null(ct_lookup(&C->ct, 5));
	assert_ptr_equal(ct_lookup(&S->ct, s->ipc->caps[0])->obj, &n->obj);
	assert_int_equal(n->obj.refs, 1);

	/* the same slot moved twice in one message is refused */
	kt_msg(s, 0, "", 0);
	s->ipc->ncaps = 2;
	s->ipc->caps[0] = s->ipc->caps[1] = 0;
	s->ipc->cap_move = 3;
	kt_sys(s, CAPOS_SYS_REPLY_RECV, 0, 0);
	assert_int_equal(KT_RAX(c), CAPOS_INVALID_ARGUMENT);
	assert_non_null(ct_lookup(&S->ct, 0));
	world_end();
}

/* The receiver's table cannot take the caps: LIMIT_EXCEEDED, nothing moves,
 * whichever side arrived first. */
static void test_receiver_table_full(void **state)
{
	world(4);
	kt_cap(S, 2, ep, CAPOS_CAP_ENDPOINT, ALL, 0);
	kt_cap(S, 3, ep, CAPOS_CAP_ENDPOINT, ALL, 0);
	struct notification *n = kt_ntfn_at(C, C, 5, ALL, 0);
	uint32_t refs = n->obj.refs, ep_refs;

	/* receiver first: the sender gets the error, the receiver keeps waiting */
	assert_int_equal(kt_sys(s, CAPOS_SYS_RECV, 0, 0), KT_BLOCKED);
	ep_refs = ep->obj.refs;
	kt_msg(c, 1, "", 0);
	c->ipc->ncaps = 1;
	c->ipc->caps[0] = 5;
	c->ipc->cap_move = 1;
	assert_int_equal(kt_sys(c, CAPOS_SYS_CALL, 0, 0), CAPOS_LIMIT_EXCEEDED);
	assert_int_equal(c->state, THREAD_RUNNING);
	assert_non_null(ct_lookup(&C->ct, 5));
	assert_int_equal(n->obj.refs, refs);
	assert_int_equal(S->ct.used, 4);
	assert_int_equal(s->state, THREAD_BLOCKED_RECV);
	assert_ptr_equal(ep->receivers.head, s);
	assert_int_equal(ep->obj.refs, ep_refs);
	assert_null(s->reply_to);

	/* sender first: the Recv wakes the sender with the error and waits on */
	struct thread *s2 = kt_thread(S, 10);
	thread_kill(s); /* no receiver waiting now */
	assert_int_equal(kt_sys(c, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	assert_int_equal(c->state, THREAD_BLOCKED_SEND);
	assert_int_equal(kt_sys(s2, CAPOS_SYS_RECV, 0, 0), KT_BLOCKED);
	assert_int_equal(c->state, THREAD_RUNNABLE);
	assert_int_equal(KT_RAX(c), CAPOS_LIMIT_EXCEEDED);
	assert_non_null(ct_lookup(&C->ct, 5));
	assert_int_equal(n->obj.refs, refs);
	assert_int_equal(S->ct.used, 4);
	assert_null(s2->reply_to);
	world_end();
}

/* Caps moved between two threads of one process whose table is full (on
 * Call and on Reply): a move within one table needs no free slot and the
 * cap keeps its slot; a copy in the same message still needs one, and
 * without it nothing changes (LIMIT_EXCEEDED). Issue 12: the old transfer
 * counted the move as free, then looked for a free slot before freeing the
 * source: an assertion failure, a kernel panic. */
static void test_same_table_move_when_full(void **state)
{
	world(4);
	struct thread *s2 = kt_thread(S, 5); /* a client thread of the server */
	struct notification *n = kt_ntfn_at(S, S, 2, ALL, 0x9);
	struct notification *m = kt_ntfn_at(S, S, 3, ALL, 0);
	assert_int_equal(S->ct.used, 4);
	uint32_t n_refs = n->obj.refs;

	/* Call: s2 moves slot 2 to s over ep (slot 0, GRANT) */
	assert_int_equal(kt_sys(s, CAPOS_SYS_RECV, 0, 0), KT_BLOCKED);
	kt_msg(s2, 1, "mv", 2);
	s2->ipc->ncaps = 1;
	s2->ipc->caps[0] = 2;
	s2->ipc->cap_move = 1;
	assert_int_equal(kt_sys(s2, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	assert_msg(s, 1, 0, "mv");
	assert_int_equal(s->ipc->ncaps, 1);
	assert_int_equal(s->ipc->caps[0], 2); /* same table: the cap stays put */
	struct cap *got = ct_lookup(&S->ct, 2);
	assert_non_null(got);
	assert_ptr_equal(got->obj, &n->obj);
	assert_int_equal(got->badge, 0x9);
	assert_int_equal(n->obj.refs, n_refs);
	assert_int_equal(S->ct.used, 4);

	/* Reply: s moves slots 3 and 2 back, one message, still no free slot */
	kt_msg(s, 0, "", 0);
	s->ipc->ncaps = 2;
	s->ipc->caps[0] = 3;
	s->ipc->caps[1] = 2;
	s->ipc->cap_move = 3;
	assert_int_equal(kt_sys(s, CAPOS_SYS_REPLY_RECV, 0, 0), KT_BLOCKED);
	assert_int_equal(KT_RAX(s2), CAPOS_OK);
	assert_int_equal(s2->ipc->ncaps, 2);
	assert_int_equal(s2->ipc->caps[0], 3);
	assert_int_equal(s2->ipc->caps[1], 2);
	assert_ptr_equal(ct_lookup(&S->ct, 3)->obj, &m->obj);
	assert_ptr_equal(ct_lookup(&S->ct, 2)->obj, &n->obj);
	assert_int_equal(S->ct.used, 4);

	/* a move and a copy: the copy needs a slot there is not; all or nothing */
	kt_msg(s2, 2, "", 0);
	s2->ipc->ncaps = 2;
	s2->ipc->caps[0] = 2;
	s2->ipc->caps[1] = 3;
	s2->ipc->cap_move = 1;
	assert_int_equal(kt_sys(s2, CAPOS_SYS_CALL, 0, 0), CAPOS_LIMIT_EXCEEDED);
	assert_ptr_equal(ct_lookup(&S->ct, 2)->obj, &n->obj);
	assert_ptr_equal(ct_lookup(&S->ct, 3)->obj, &m->obj);
	assert_int_equal(n->obj.refs, n_refs);
	assert_int_equal(S->ct.used, 4);
	assert_int_equal(s->state, THREAD_BLOCKED_RECV);
	world_end();
}

static uint32_t save_reply(struct thread *server, uint32_t dst)
{
	struct capos_capmgr_slots sl = { 0, dst };
	assert_int_equal(kt_method(server, 1, CAPOS_CAPMGR_SAVE_REPLY, &sl, sizeof sl), CAPOS_OK);
	assert_int_equal(ct_lookup(&server->proc->ct, dst)->type, CAPOS_CAP_REPLY);
	assert_null(server->reply_to);
	return dst;
}

static void test_reply_caps(void **state)
{
	world(16);
	/* a saved reply answers later, once */
	kt_msg(c, 1, "q", 1);
	assert_int_equal(kt_sys(c, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	assert_int_equal(kt_sys(s, CAPOS_SYS_RECV, 0, 0), CAPOS_OK);
	save_reply(s, 6);
	/* a reply cap cannot be sent by copy */
	kt_cap(S, 7, ep, CAPOS_CAP_ENDPOINT, ALL, 0);
	struct thread *s2 = kt_thread(S, 9);
	assert_int_equal(kt_sys(s2, CAPOS_SYS_RECV, 0, 0), KT_BLOCKED);
	kt_msg(s, 0, "", 0);
	s->ipc->ncaps = 1;
	s->ipc->caps[0] = 6;
	assert_int_equal(kt_sys(s, CAPOS_SYS_NBSEND, 7, 0), CAPOS_DENIED);
	assert_int_equal(ct_lookup(&S->ct, 6)->type, CAPOS_CAP_REPLY);
	assert_int_equal(c->state, THREAD_BLOCKED_REPLY);

	kt_msg(s, 55, "answer", 6);
	assert_int_equal(kt_sys(s, CAPOS_SYS_SEND, 6, 0), CAPOS_OK);
	assert_int_equal(KT_RAX(c), CAPOS_OK);
	assert_msg(c, 55, 0, "answer");
	assert_null(ct_lookup(&S->ct, 6)); /* one shot */
	assert_int_equal(kt_sys(s, CAPOS_SYS_SEND, 6, 0), CAPOS_INVALID_CAP);

	/* deleting a saved reply releases the caller with DISCONNECTED */
	kt_msg(c, 2, "", 0);
	assert_int_equal(kt_sys(c, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	assert_int_equal(s2->state, THREAD_RUNNABLE);
	save_reply(s2, 8);
	assert_int_equal(c->state, THREAD_BLOCKED_REPLY);
	assert_int_equal(ct_delete(&S->ct, 8), CAPOS_OK);
	assert_int_equal(c->state, THREAD_RUNNABLE);
	assert_int_equal(KT_RAX(c), CAPOS_DISCONNECTED);

	/* a Recv that leaves an owed reply unanswered disconnects that caller */
	struct thread *c2 = kt_thread(C, 5);
	kt_msg(c, 3, "", 0);
	assert_int_equal(kt_sys(c, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	kt_msg(c2, 4, "", 0);
	assert_int_equal(kt_sys(c2, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	assert_int_equal(kt_sys(s, CAPOS_SYS_RECV, 0, 0), CAPOS_OK);
	assert_ptr_equal(s->reply_to, c);
	assert_int_equal(kt_sys(s, CAPOS_SYS_RECV, 0, 0), CAPOS_OK);
	assert_ptr_equal(s->reply_to, c2);
	assert_int_equal(KT_RAX(c), CAPOS_DISCONNECTED);
	assert_int_equal(c->state, THREAD_RUNNABLE);
	world_end();
}

/* The caller died before the answer: the replier gets DISCONNECTED. */
static void test_reply_to_dead_caller(void **state)
{
	world(16);
	kt_msg(c, 1, "", 0);
	assert_int_equal(kt_sys(c, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	assert_int_equal(kt_sys(s, CAPOS_SYS_RECV, 0, 0), CAPOS_OK);
	save_reply(s, 6);
	process_kill(C);
	assert_int_equal(c->state, THREAD_DEAD); /* the reply cap keeps the struct */
	kt_msg(s, 0, "late", 4);
	assert_int_equal(kt_sys(s, CAPOS_SYS_SEND, 6, 0), CAPOS_DISCONNECTED);
	assert_null(ct_lookup(&S->ct, 6));
	kobj_unref(&C->obj);

	/* the same through ReplyRecv: the answer is dropped, the server goes on */
	C = kt_proc("client2", 16, 8, 256, 8);
	kt_cap(C, 0, ep, CAPOS_CAP_ENDPOINT, SG, 0x78);
	c = kt_thread(C, 5);
	kt_msg(c, 1, "", 0);
	assert_int_equal(kt_sys(c, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	assert_int_equal(kt_sys(s, CAPOS_SYS_RECV, 0, 0), CAPOS_OK);
	assert_int_equal(s->ipc->badge, 0x78);
	process_kill(C);
	kt_msg(s, 0, "late", 4);
	assert_int_equal(kt_sys(s, CAPOS_SYS_REPLY_RECV, 0, 0), KT_BLOCKED);
	assert_null(s->reply_to);
	kobj_unref(&C->obj);
	C = kt_proc("client3", 4, 1, 64, 1);
	world_end();
}

/* The server dies with one caller queued, one whose call it received
 * (BLOCKED_REPLY through reply_to) and one whose reply it saved in a cap:
 * all three wake with DISCONNECTED, and later calls fail at once. */
static void test_server_death(void **state)
{
	world(16);
	struct thread *queued = kt_thread(C, 5), *received = kt_thread(C, 5),
		      *saved = kt_thread(C, 5);
	struct thread *s2 = kt_thread(S, 10);
	kt_msg(saved, 1, "", 0);
	assert_int_equal(kt_sys(saved, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	assert_int_equal(kt_sys(s, CAPOS_SYS_RECV, 0, 0), CAPOS_OK);
	save_reply(s, 6);
	kt_msg(received, 2, "", 0);
	assert_int_equal(kt_sys(received, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	assert_int_equal(kt_sys(s, CAPOS_SYS_RECV, 0, 0), CAPOS_OK);
	assert_ptr_equal(s->reply_to, received);
	kt_msg(queued, 3, "", 0);
	assert_int_equal(kt_sys(queued, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	/* one more server thread blocked in Recv on a second endpoint */
	struct endpoint *ep2 = kt_endpoint_at(S, S, 9, ALL, 0);
	kt_cap(C, 9, ep2, CAPOS_CAP_ENDPOINT, SG, 0);
	assert_int_equal(kt_sys(s2, CAPOS_SYS_RECV, 9, 0), KT_BLOCKED);

	assert_int_equal(queued->state, THREAD_BLOCKED_SEND);
	assert_int_equal(received->state, THREAD_BLOCKED_REPLY);
	assert_int_equal(saved->state, THREAD_BLOCKED_REPLY);

	process_kill(S);
	struct thread *all[] = { queued, received, saved };
	for (int i = 0; i < 3; i++) {
		assert_int_equal(all[i]->state, THREAD_RUNNABLE);
		assert_int_equal(KT_RAX(all[i]), CAPOS_DISCONNECTED);
	}
	assert_int_equal(S->state, CAPOS_PROCESS_KILLED);
	assert_int_equal(ep->dead, 1);
	assert_int_equal(ep2->dead, 1);
	assert_null(ep->senders.head);
	assert_null(ep->receivers.head);
	/* the endpoints live on through the client's caps; calls fail at once */
	kt_msg(queued, 4, "", 0);
	assert_int_equal(kt_sys(queued, CAPOS_SYS_CALL, 0, 0), CAPOS_DISCONNECTED);
	assert_int_equal(kt_sys(received, CAPOS_SYS_SEND, 0, 0), CAPOS_DISCONNECTED);
	assert_int_equal(kt_sys(saved, CAPOS_SYS_NBSEND, 9, 0), CAPOS_DISCONNECTED);
	assert_int_equal(saved->state, THREAD_RUNNING); /* not blocked */
	/* the dead server's struct lives while the endpoints' owner reference does */
	kobj_unref(&S->obj);
	S = NULL;
	kt_proc_end(C);
}

/* The IPC fast path (core/fastpath.c) leaves the state the slow path
 * would, and declines, changing nothing, whenever it does not apply. */
static void test_fastpath(void **state)
{
	world(16);
	struct notification *n = kt_ntfn_at(C, C, 5, ALL, 0);
	(void)n;
	/* no receiver: declined */
	kt_make_current(c);
	kt_msg(c, 1, "hi", 2);
	c->tf.rdi = 0;
	assert_null(fastpath_call(c));
	assert_int_equal(c->state, THREAD_RUNNING);
	assert_int_equal(c->call_seq, 0);

	assert_int_equal(kt_sys(s, CAPOS_SYS_RECV, 0, 0), KT_BLOCKED);
	kt_cap(C, 6, ep, CAPOS_CAP_ENDPOINT, CAPOS_RIGHT_SEND, 0x77);
	uint32_t ep_refs = ep->obj.refs, c_refs = c->obj.refs;
	/* caps through a cap without GRANT, caps the transfer refuses (an
	 * empty slot), or a runnable thread above the receiver: declined,
	 * nothing moved (caps that can travel take the fast path: see
	 * test_fastpath.c) */
	uint32_t s_used = S->ct.used, c_used = C->ct.used;
	kt_make_current(c);
	c->ipc->ncaps = 1;
	c->ipc->caps[0] = 5;
	c->ipc->cap_move = 1;
	c->tf.rdi = 6;
	assert_null(fastpath_call(c));
	c->tf.rdi = 0;
	c->ipc->caps[0] = 9;
	assert_null(fastpath_call(c));
	assert_int_equal(S->ct.used, s_used);
	assert_int_equal(C->ct.used, c_used);
	assert_int_equal(c->call_seq, 0);
	c->ipc->ncaps = 0;
	c->ipc->cap_move = 0;
	struct thread *hi = kt_thread_started(C, 50);
	assert_null(fastpath_call(c));
	thread_kill(hi);
	assert_int_equal(s->state, THREAD_BLOCKED_RECV);
	assert_int_equal(ep->obj.refs, ep_refs);

	/* the call: s runs at once with the message and owes c the reply */
	c->tf.rdi = 0;
	assert_ptr_equal(fastpath_call(c), s);
	assert_ptr_equal(sched_current(), s);
	assert_int_equal(s->state, THREAD_RUNNING);
	assert_int_equal(KT_RAX(s), CAPOS_OK);
	assert_msg(s, 1, 0x77, "hi");
	assert_int_equal(c->state, THREAD_BLOCKED_REPLY);
	assert_ptr_equal(s->reply_to, c);
	assert_int_equal(c->obj.refs, c_refs + 1);
	assert_int_equal(ep->obj.refs, ep_refs - 1);
	assert_null(ep->receivers.head);

	/* the reply: c runs, s waits in Recv again */
	kt_msg(s, 500, "ok", 2);
	s->tf.rdi = 0;
	assert_ptr_equal(fastpath_reply_recv(s), c);
	assert_ptr_equal(sched_current(), c);
	assert_int_equal(c->state, THREAD_RUNNING);
	assert_int_equal(KT_RAX(c), CAPOS_OK);
	assert_msg(c, 500, 0, "ok");
	assert_int_equal(s->state, THREAD_BLOCKED_RECV);
	assert_ptr_equal(ep->receivers.head, s);
	assert_null(s->reply_to);
	assert_int_equal(c->obj.refs, c_refs);
	assert_int_equal(ep->obj.refs, ep_refs);

	/* and the slow path carries on from that state */
	kt_msg(c, 2, "", 0);
	assert_int_equal(kt_sys(c, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	assert_int_equal(s->ipc->label, 2);
	/* ReplyRecv with a sender queued: declined */
	struct thread *c2 = kt_thread(C, 5);
	kt_msg(c2, 3, "", 0);
	assert_int_equal(kt_sys(c2, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	kt_make_current(s);
	s->tf.rdi = 0;
	assert_null(fastpath_reply_recv(s));
	assert_ptr_equal(s->reply_to, c);
	assert_int_equal(c->state, THREAD_BLOCKED_REPLY);
	world_end();
}

/* Recv with a timeout: poll answers WOULD_BLOCK without queueing; a finite
 * timeout expires with TIMEOUT and leaves the receivers queue; a call
 * arriving before the deadline is delivered and cancels the timeout;
 * ReplyRecv with a timeout replies first. */
static void test_recv_timeout(void **state)
{
	(void)state;
	world(16);
	assert_int_equal(kt_sys(s, CAPOS_SYS_RECV_TIMEOUT, 0, CAPOS_WAIT_POLL),
			 CAPOS_WOULD_BLOCK);
	assert_null(ep->receivers.head);
	assert_int_equal(s->deadline, 0);

	uint64_t t0 = now_ns();
	assert_int_equal(kt_sys(s, CAPOS_SYS_RECV_TIMEOUT, 0, 3 * MS), KT_BLOCKED);
	assert_int_equal(s->state, THREAD_BLOCKED_RECV);
	assert_int_equal(s->deadline, t0 + 3 * MS);
	assert_ptr_equal(ep->receivers.head, s);
	host_advance(3 * MS - 1);
	sched_timer_tick();
	assert_int_equal(s->state, THREAD_BLOCKED_RECV);
	host_advance(1);
	sched_timer_tick();
	assert_int_equal(s->state, THREAD_RUNNABLE);
	assert_int_equal(KT_RAX(s), CAPOS_TIMEOUT);
	assert_null(ep->receivers.head);
	assert_null(s->blocked_on_ep);
	assert_int_equal(s->deadline, 0);

	/* a call before the deadline */
	assert_int_equal(kt_sys(s, CAPOS_SYS_RECV_TIMEOUT, 0, 3 * MS), KT_BLOCKED);
	kt_msg(c, 7, "hi", 2);
	assert_int_equal(kt_sys(c, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	assert_int_equal(KT_RAX(s), CAPOS_OK);
	assert_msg(s, 7, 0x77, "hi");
	assert_int_equal(s->deadline, 0);
	host_advance(10 * MS);
	sched_timer_tick();
	assert_int_equal(KT_RAX(s), CAPOS_OK); /* no late TIMEOUT */

	/* ReplyRecv with a poll: the caller gets its reply, then WOULD_BLOCK */
	kt_msg(s, 99, "ok", 2);
	assert_int_equal(kt_sys(s, CAPOS_SYS_REPLY_RECV_TIMEOUT, 0, CAPOS_WAIT_POLL),
			 CAPOS_WOULD_BLOCK);
	assert_int_equal(c->state, THREAD_RUNNABLE);
	assert_int_equal(KT_RAX(c), CAPOS_OK);
	assert_int_equal(c->ipc->label, 99);

	/* the fast path takes a timed receiver off the timeout list too (else
	 * its next timed Recv finds a stale deadline) */
	assert_int_equal(kt_sys(s, CAPOS_SYS_RECV_TIMEOUT, 0, 3 * MS), KT_BLOCKED);
	assert_int_not_equal(s->deadline, 0);
	kt_make_current(c);
	kt_msg(c, 8, "yo", 2);
	c->tf.rdi = 0;
	assert_ptr_equal(fastpath_call(c), s);
	assert_int_equal(s->deadline, 0);
	host_advance(10 * MS);
	sched_timer_tick();
	assert_int_equal(s->state, THREAD_RUNNING); /* no late TIMEOUT */
	assert_int_equal(KT_RAX(s), CAPOS_OK);
	kt_msg(s, 98, "ok", 2);
	assert_int_equal(kt_sys(s, CAPOS_SYS_REPLY_RECV_TIMEOUT, 0, CAPOS_WAIT_POLL),
			 CAPOS_WOULD_BLOCK);

	/* only endpoints, only with RECV */
	assert_int_equal(kt_sys(s, CAPOS_SYS_RECV_TIMEOUT, 1, CAPOS_WAIT_POLL), CAPOS_WRONG_TYPE);
	assert_int_equal(kt_sys(c, CAPOS_SYS_RECV_TIMEOUT, 0, CAPOS_WAIT_POLL), CAPOS_DENIED);
	world_end();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KT_TEST(test_call_without_receiver_queues),
		KT_TEST(test_round_trip_both_orders),
		KT_TEST(test_recv_order_priority_then_fifo),
		KT_TEST(test_send_and_nbsend),
		KT_TEST(test_rights_and_bad_messages),
		KT_TEST(test_cap_transfer_copy_and_move),
		KT_TEST(test_receiver_table_full),
		KT_TEST(test_same_table_move_when_full),
		KT_TEST(test_reply_caps),
		KT_TEST(test_reply_to_dead_caller),
		KT_TEST(test_server_death),
		KT_TEST(test_fastpath),
		KT_TEST(test_recv_timeout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
