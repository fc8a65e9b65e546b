/*
 * test_ntfn - notifications (kern/object/notification.c) through the
 * Signal and Wait syscalls: bits accumulate, Wait blocks and is woken,
 * Poll never blocks, timed Waits expire on the fake clock, and a bound
 * notification makes Recv say SIGNAL or MESSAGE.
 */
#include "kcore_test.h"

#define ALL CAPOS_RIGHTS_ALL

static struct process *P;
static struct notification *n;
static struct thread *a, *b;

/* P: slot 0 n (all rights), 1 n SEND-only badged 0x100, 2 n RECV-only. */
static void world(void)
{
	P = kt_proc("p", 16, 8, 256, 8);
	n = kt_ntfn_at(P, P, 0, ALL, 0);
	kt_cap(P, 1, n, CAPOS_CAP_NOTIFICATION, CAPOS_RIGHT_SEND, 0x100);
	kt_cap(P, 2, n, CAPOS_CAP_NOTIFICATION, CAPOS_RIGHT_RECV, 0);
	a = kt_thread(P, 5);
	b = kt_thread(P, 5);
}

static void test_signal_then_wait(void **state)
{
	world();
	assert_int_equal(kt_sys(a, CAPOS_SYS_SIGNAL, 0, 1), CAPOS_OK);
	assert_int_equal(kt_sys(a, CAPOS_SYS_SIGNAL, 0, 4), CAPOS_OK);
	assert_int_equal(n->bits, 5);
	assert_int_equal(kt_sys(a, CAPOS_SYS_WAIT, 0, CAPOS_WAIT_FOREVER), CAPOS_OK);
	assert_int_equal(a->ipc->signals, 5);
	assert_int_equal(a->ipc->kind, CAPOS_RECV_SIGNAL);
	assert_int_equal(n->bits, 0);
	/* Poll: nothing pending, never blocks */
	assert_int_equal(kt_sys(a, CAPOS_SYS_WAIT, 0, CAPOS_WAIT_POLL), CAPOS_WOULD_BLOCK);
	assert_int_equal(a->ipc->signals, 0);
	assert_int_equal(a->state, THREAD_RUNNING);
	/* a badged cap always signals its badge; an empty signal is refused */
	assert_int_equal(kt_sys(a, CAPOS_SYS_SIGNAL, 0, 0), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(kt_sys(a, CAPOS_SYS_SIGNAL, 1, 0), CAPOS_OK);
	assert_int_equal(kt_sys(a, CAPOS_SYS_SIGNAL, 1, 2), CAPOS_OK);
	assert_int_equal(kt_sys(a, CAPOS_SYS_WAIT, 2, CAPOS_WAIT_POLL), CAPOS_OK);
	assert_int_equal(a->ipc->signals, 0x102);
	/* rights */
	assert_int_equal(kt_sys(a, CAPOS_SYS_SIGNAL, 2, 1), CAPOS_DENIED);
	assert_int_equal(kt_sys(a, CAPOS_SYS_WAIT, 1, CAPOS_WAIT_POLL), CAPOS_DENIED);
	assert_int_equal(kt_sys(a, CAPOS_SYS_WAIT, 7, CAPOS_WAIT_POLL), CAPOS_INVALID_CAP);
	assert_int_equal(n->bits, 0);
	kt_proc_end(P);
}

static void test_wait_blocks_then_signal(void **state)
{
	world();
	struct thread *c = kt_thread(P, 5);
	uint32_t refs = n->obj.refs;
	assert_int_equal(kt_sys(a, CAPOS_SYS_WAIT, 0, CAPOS_WAIT_FOREVER), KT_BLOCKED);
	assert_int_equal(a->state, THREAD_BLOCKED_WAIT);
	assert_int_equal(a->deadline, 0); /* no timeout */
	assert_int_equal(kt_sys(c, CAPOS_SYS_WAIT, 2, CAPOS_WAIT_FOREVER), KT_BLOCKED);
	assert_int_equal(n->obj.refs, refs + 2); /* each waiter holds n */
	/* the first waiter takes the whole word */
	assert_int_equal(kt_sys(b, CAPOS_SYS_SIGNAL, 0, 8), CAPOS_OK);
	assert_int_equal(a->state, THREAD_RUNNABLE);
	assert_int_equal(KT_RAX(a), CAPOS_OK);
	assert_int_equal(a->ipc->signals, 8);
	assert_int_equal(c->state, THREAD_BLOCKED_WAIT);
	assert_int_equal(n->bits, 0);
	assert_int_equal(kt_sys(b, CAPOS_SYS_SIGNAL, 1, 0), CAPOS_OK);
	assert_int_equal(c->state, THREAD_RUNNABLE);
	assert_int_equal(c->ipc->signals, 0x100);
	assert_int_equal(n->obj.refs, refs);
	assert_null(n->waiters.head);
	kt_proc_end(P);
}

static void test_timed_wait(void **state)
{
	world();
	uint64_t t0 = now_ns();
	assert_int_equal(kt_sys(a, CAPOS_SYS_WAIT, 0, 5 * MS), KT_BLOCKED);
	assert_int_equal(a->deadline, t0 + 5 * MS);
	assert_null(sched_choose());
	assert_int_equal(sched_programmed_deadline(), t0 + 5 * MS);
	assert_int_equal(host_timer_deadline(), t0 + 5 * MS);
	/* an early tick wakes nobody */
	host_advance(5 * MS - 1);
	sched_timer_tick();
	assert_int_equal(a->state, THREAD_BLOCKED_WAIT);
	host_advance(1);
	sched_timer_tick();
	assert_int_equal(a->state, THREAD_RUNNABLE);
	assert_int_equal(KT_RAX(a), CAPOS_TIMEOUT);
	assert_int_equal(a->ipc->signals, 0);
	assert_int_equal(a->deadline, 0);
	assert_null(n->waiters.head);
	assert_ptr_equal(sched_choose(), a);
	assert_int_equal(sched_programmed_deadline(), 0);

	/* a signal before the deadline: OK, and the timeout is gone */
	assert_int_equal(kt_sys(a, CAPOS_SYS_WAIT, 0, 5 * MS), KT_BLOCKED);
	assert_int_equal(kt_sys(b, CAPOS_SYS_SIGNAL, 0, 2), CAPOS_OK);
	assert_int_equal(KT_RAX(a), CAPOS_OK);
	assert_int_equal(a->ipc->signals, 2);
	assert_int_equal(a->deadline, 0);
	/* b runs on with a waiting at its priority: only b's slice end */
	assert_ptr_equal(sched_choose(), b);
	assert_int_equal(sched_programmed_deadline(), b->slice_start + THREAD_DEFAULT_SLICE_NS);
	host_advance(10 * MS);
	sched_timer_tick();
	assert_int_equal(a->state, THREAD_RUNNABLE);
	assert_int_equal(KT_RAX(a), CAPOS_OK);

	/* a timeout that would overflow waits (practically) forever */
	assert_int_equal(kt_sys(a, CAPOS_SYS_WAIT, 0, UINT64_MAX - 1), KT_BLOCKED);
	assert_int_equal(a->deadline, UINT64_MAX);
	host_advance(1000 * MS);
	sched_timer_tick();
	assert_int_equal(a->state, THREAD_BLOCKED_WAIT);
	kt_proc_end(P); /* the timed waiter dies: off every list */
}

/* r serves ep (P slot 3) with n bound; a client thread k calls it. */
static struct endpoint *ep;
static struct thread *r, *k;

static void bound_world(void)
{
	world();
	ep = kt_endpoint_at(P, P, 3, ALL, 0);
	r = kt_thread(P, 6);
	k = kt_thread(P, 5);
	kt_cap(P, 4, r, CAPOS_CAP_THREAD, ALL, 0);
	struct capos_thread_bind bind = { 0, 0 };
	assert_int_equal(kt_method(a, 4, CAPOS_THREAD_BIND_NOTIFICATION, &bind, sizeof bind),
			 CAPOS_OK);
	assert_ptr_equal(r->bound, n);
	assert_ptr_equal(n->bound, r);
}

static void test_bound_recv(void **state)
{
	bound_world();
	/* binding again, or without RECV, is refused */
	struct capos_thread_bind bind = { 0, 0 };
	assert_int_equal(kt_method(a, 4, CAPOS_THREAD_BIND_NOTIFICATION, &bind, sizeof bind),
			 CAPOS_DENIED);
	bind.notification = 1;
	assert_int_equal(kt_method(a, 4, CAPOS_THREAD_BIND_NOTIFICATION, &bind, sizeof bind),
			 CAPOS_DENIED);

	/* signal while Recv is blocked: woken with SIGNAL */
	assert_int_equal(kt_sys(r, CAPOS_SYS_RECV, 3, 0), KT_BLOCKED);
	assert_int_equal(kt_sys(a, CAPOS_SYS_SIGNAL, 0, 0x10), CAPOS_OK);
	assert_int_equal(r->state, THREAD_RUNNABLE);
	assert_int_equal(KT_RAX(r), CAPOS_OK);
	assert_int_equal(r->ipc->kind, CAPOS_RECV_SIGNAL);
	assert_int_equal(r->ipc->signals, 0x10);
	assert_null(ep->receivers.head);

	/* message while Recv is blocked: MESSAGE */
	assert_int_equal(kt_sys(r, CAPOS_SYS_RECV, 3, 0), KT_BLOCKED);
	kt_msg(k, 7, "m", 1);
	assert_int_equal(kt_sys(k, CAPOS_SYS_CALL, 3, 0), KT_BLOCKED);
	assert_int_equal(r->ipc->kind, CAPOS_RECV_MESSAGE);
	assert_int_equal(r->ipc->label, 7);
	assert_ptr_equal(r->reply_to, k);

	/* message first, then signal: the Recv reports the signal first and
	 * the message stays queued for the next Recv */
	struct thread *k2 = kt_thread(P, 5);
	kt_msg(k2, 8, "", 0);
	assert_int_equal(kt_sys(k2, CAPOS_SYS_CALL, 3, 0), KT_BLOCKED);
	assert_int_equal(kt_sys(a, CAPOS_SYS_SIGNAL, 0, 0x20), CAPOS_OK);
	assert_int_equal(n->bits, 0x20); /* r is not blocked: pending */
	kt_msg(r, 0, "", 0);
	assert_int_equal(kt_sys(r, CAPOS_SYS_REPLY_RECV, 3, 0), CAPOS_OK);
	assert_int_equal(KT_RAX(k), CAPOS_OK); /* the reply went first */
	assert_int_equal(r->ipc->kind, CAPOS_RECV_SIGNAL);
	assert_int_equal(r->ipc->signals, 0x20);
	assert_int_equal(n->bits, 0);
	assert_int_equal(k2->state, THREAD_BLOCKED_SEND);
	assert_int_equal(kt_sys(r, CAPOS_SYS_RECV, 3, 0), CAPOS_OK);
	assert_int_equal(r->ipc->kind, CAPOS_RECV_MESSAGE);
	assert_int_equal(r->ipc->label, 8);

	/* signal first, then message: SIGNAL, then MESSAGE */
	kt_msg(r, 0, "", 0);
	assert_int_equal(kt_sys(a, CAPOS_SYS_SIGNAL, 0, 0x40), CAPOS_OK);
	kt_msg(k, 9, "", 0);
	assert_int_equal(kt_sys(k, CAPOS_SYS_CALL, 3, 0), KT_BLOCKED);
	assert_int_equal(kt_sys(r, CAPOS_SYS_REPLY_RECV, 3, 0), CAPOS_OK);
	assert_int_equal(KT_RAX(k2), CAPOS_OK);
	assert_int_equal(r->ipc->kind, CAPOS_RECV_SIGNAL);
	assert_int_equal(r->ipc->signals, 0x40);
	assert_int_equal(kt_sys(r, CAPOS_SYS_RECV, 3, 0), CAPOS_OK);
	assert_int_equal(r->ipc->kind, CAPOS_RECV_MESSAGE);
	assert_int_equal(r->ipc->label, 9);

	/* a plain Wait on the bound notification still works */
	assert_int_equal(kt_sys(a, CAPOS_SYS_SIGNAL, 0, 1), CAPOS_OK);
	assert_int_equal(kt_sys(b, CAPOS_SYS_WAIT, 0, CAPOS_WAIT_POLL), CAPOS_OK);
	assert_int_equal(b->ipc->signals, 1);

	/* unbind: signals no longer reach Recv */
	bind.notification = CAPOS_NO_CAP;
	assert_int_equal(kt_method(a, 4, CAPOS_THREAD_BIND_NOTIFICATION, &bind, sizeof bind),
			 CAPOS_OK);
	assert_null(r->bound);
	assert_null(n->bound);
	assert_int_equal(kt_sys(r, CAPOS_SYS_RECV, 3, 0), KT_BLOCKED); /* k was disconnected */
	assert_int_equal(kt_sys(a, CAPOS_SYS_SIGNAL, 0, 2), CAPOS_OK);
	assert_int_equal(r->state, THREAD_BLOCKED_RECV);
	assert_int_equal(n->bits, 2);
	kt_proc_end(P);
}

/* The bound thread dies with the binding: the notification's reference
 * goes (checked by the leak baseline). */
static void test_bound_thread_dies(void **state)
{
	bound_world();
	assert_int_equal(kt_sys(r, CAPOS_SYS_RECV, 3, 0), KT_BLOCKED);
	thread_kill(r);
	assert_null(n->bound);
	assert_int_equal(kt_sys(a, CAPOS_SYS_SIGNAL, 0, 1), CAPOS_OK);
	assert_int_equal(n->bits, 1);
	kt_proc_end(P);
}

/* NOTIFY_ARRIVAL: r serves ep (slot 3) and a second endpoint ep2 (slot 6)
 * with one thread. Blocked in Recv on ep, it learns through its bound
 * notification that a call waits on ep2, and takes it with a poll. */
static void test_arrival(void **state)
{
	bound_world();
	kt_cap(P, 5, P, CAPOS_CAP_CAP_MANAGER, ALL, 0);
	struct endpoint *ep2 = kt_endpoint_at(P, P, 6, ALL, 0);
	kt_cap(P, 7, ep2, CAPOS_CAP_ENDPOINT, CAPOS_RIGHT_SEND, 0x55);
	struct capos_endpoint_watch w = { 7, 1, 0x8 };
	/* only the serving side (RECV) may ask */
	assert_int_equal(kt_method(a, 5, CAPOS_CAPMGR_NOTIFY_ARRIVAL, &w, sizeof w), CAPOS_DENIED);
	w.endpoint = 6;
	w.notification = 2; /* RECV-only notification cap: cannot signal */
	assert_int_equal(kt_method(a, 5, CAPOS_CAPMGR_NOTIFY_ARRIVAL, &w, sizeof w), CAPOS_DENIED);
	w.notification = 3; /* an endpoint */
	assert_int_equal(kt_method(a, 5, CAPOS_CAPMGR_NOTIFY_ARRIVAL, &w, sizeof w),
			 CAPOS_WRONG_TYPE);
	w.notification = 1; /* SEND, badge 0x100: the badge is not part of it */
	uint32_t refs = n->obj.refs;
	assert_int_equal(kt_method(a, 5, CAPOS_CAPMGR_NOTIFY_ARRIVAL, &w, sizeof w), CAPOS_OK);
	assert_ptr_equal(ep2->arrival, n);
	assert_int_equal(n->obj.refs, refs + 1);
	/* set again: replaced, not a second reference */
	assert_int_equal(kt_method(a, 5, CAPOS_CAPMGR_NOTIFY_ARRIVAL, &w, sizeof w), CAPOS_OK);
	assert_int_equal(n->obj.refs, refs + 1);

	/* r waits on ep; a call to ep2 queues and wakes r with the bits */
	assert_int_equal(kt_sys(r, CAPOS_SYS_RECV, 3, 0), KT_BLOCKED);
	kt_msg(k, 42, "x", 1);
	assert_int_equal(kt_sys(k, CAPOS_SYS_CALL, 7, 0), KT_BLOCKED);
	assert_int_equal(k->state, THREAD_BLOCKED_SEND);
	assert_int_equal(r->state, THREAD_RUNNABLE);
	assert_int_equal(r->ipc->kind, CAPOS_RECV_SIGNAL);
	assert_int_equal(r->ipc->signals, 0x8);
	assert_int_equal(kt_sys(r, CAPOS_SYS_RECV_TIMEOUT, 6, CAPOS_WAIT_POLL), CAPOS_OK);
	assert_int_equal(r->ipc->label, 42);
	assert_int_equal(r->ipc->badge, 0x55);
	/* ReplyRecv on ep: k gets its answer; ep2 empty, nothing signalled */
	kt_msg(r, 0, "", 0);
	assert_int_equal(kt_sys(r, CAPOS_SYS_REPLY_RECV, 3, 0), KT_BLOCKED);
	assert_int_equal(KT_RAX(k), CAPOS_OK);
	assert_int_equal(n->bits, 0);

	/* a receiver already waiting on ep2 takes the call: no signal */
	struct thread *r2 = kt_thread(P, 6);
	assert_int_equal(kt_sys(r2, CAPOS_SYS_RECV, 6, 0), KT_BLOCKED);
	kt_msg(k, 43, "", 0);
	assert_int_equal(kt_sys(k, CAPOS_SYS_CALL, 7, 0), KT_BLOCKED);
	assert_int_equal(r2->ipc->label, 43);
	assert_int_equal(r->state, THREAD_BLOCKED_RECV);
	assert_int_equal(n->bits, 0);
	kt_msg(r2, 0, "", 0);
	assert_int_equal(kt_sys(r2, CAPOS_SYS_REPLY_RECV, 6, 0), KT_BLOCKED);

	/* removed (bits 0): a queued call signals nothing */
	w.bits = 0;
	assert_int_equal(kt_method(a, 5, CAPOS_CAPMGR_NOTIFY_ARRIVAL, &w, sizeof w), CAPOS_OK);
	assert_null(ep2->arrival);
	assert_int_equal(n->obj.refs, refs);
	thread_kill(r2);
	kt_msg(k, 44, "", 0);
	assert_int_equal(kt_sys(k, CAPOS_SYS_CALL, 7, 0), KT_BLOCKED);
	assert_int_equal(r->state, THREAD_BLOCKED_RECV);
	assert_int_equal(n->bits, 0);

	/* set again and let the endpoint die with it: the reference goes
	 * (the leak baseline at the end checks) */
	w.bits = 0x8;
	assert_int_equal(kt_method(a, 5, CAPOS_CAPMGR_NOTIFY_ARRIVAL, &w, sizeof w), CAPOS_OK);
	kt_proc_end(P);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KT_TEST(test_signal_then_wait),
		KT_TEST(test_wait_blocks_then_signal),
		KT_TEST(test_timed_wait),
		KT_TEST(test_bound_recv),
		KT_TEST(test_bound_thread_dies),
		KT_TEST(test_arrival),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
