/*
 * test_recovery - the recovery primitives of ARCHITECTURE.md §6, §7, §9
 * (kern/object/endpoint.c, process.c, core/invoke.c), driven through
 * syscall_handle:
 *
 *  - process death by fault, kill and exit, with every combination of a
 *    client queued on an endpoint it served, a call it had received, a
 *    reply it had saved in a Reply cap and a death watch on the endpoint,
 *    and a supervisor that is waiting, not waiting, or absent: clients wake
 *    with DISCONNECTED, later calls fail at once, the watch fires, the
 *    crash record reaches the supervisor (queued ahead of senders when
 *    nobody receives), every page and object comes back and the kernel's
 *    invariant walk finds nothing wrong; records beyond the queue limit or
 *    without memory are counted as dropped; death watches of dead
 *    watchers do not keep a live one out;
 *  - a server answering a client that has died carries on;
 *  - retarget: queued calls move in order, calls in service stay with the
 *    old server (answered once, or DISCONNECTED if it dies), the old
 *    server's Recv returns RETARGETED then DENIED, a dead endpoint comes
 *    back, rights and dead targets are refused;
 *  - building a process step by step through the Process methods with
 *    every page limit, slot limit, endpoint limit and machine page budget
 *    that makes one step fail: the step fails cleanly and killing the
 *    half-built child returns every page and object.
 */
#include <string.h>

#include "core/invariants.h"
#include "kcore_test.h"

#define ALL CAPOS_RIGHTS_ALL
#define SG  (CAPOS_RIGHT_SEND | CAPOS_RIGHT_GRANT)
#define VA  0x10000000ull

#define SUP_BADGE   0x5eedull
#define CLIENT_BADGE 0x77ull
#define WATCH_BITS  0x30ull


/* The same walk through KernelInfo.check_invariants (slot of t's table). */
static void assert_invariants_via(struct thread *t, uint32_t kinfo_slot)
{
	assert_int_equal(kt_method(t, kinfo_slot, CAPOS_KINFO_CHECK_INVARIANTS, NULL, 0),
			 CAPOS_OK);
	struct capos_kinfo_check r;
	assert_int_equal(t->ipc->len, sizeof r);
	memcpy(&r, t->ipc->body, sizeof r);
	assert_int_equal(r.violations, 0);
	assert_int_equal(r.objects_checked, kobj_live_count);
}

/* A thread the test keeps a reference to, so it can look at it after its
 * process has died (the process holds the only other reference). */
static struct thread *held_thread(struct process *p, uint8_t prio)
{
	struct thread *t = kt_thread(p, prio);
	kobj_ref(&t->obj);
	return t;
}

static void drop(struct thread *t)
{
	kobj_unref(&t->obj);
}

/* SYS_EXIT as t, which the caller holds (held_thread): the process may
 * free the thread otherwise, and kt_sys reads it afterwards. */
static void sys_exit(struct thread *t, int64_t code)
{
	kt_make_current(t);
	t->tf.rax = CAPOS_SYS_EXIT;
	t->tf.rdi = (uint64_t)code;
	syscall_handle(t);
	assert_int_equal(t->state, THREAD_DEAD);
	assert_null(sched_current());
}

static void save_reply(struct thread *server, uint32_t mgr_slot, uint32_t dst)
{
	struct capos_capmgr_slots sl = { 0, dst };
	assert_int_equal(kt_method(server, mgr_slot, CAPOS_CAPMGR_SAVE_REPLY, &sl, sizeof sl),
			 CAPOS_OK);
	assert_int_equal(ct_lookup(&server->proc->ct, dst)->type, CAPOS_CAP_REPLY);
	assert_null(server->reply_to);
}

static void assert_woken(struct thread *t, capos_status_t st)
{
	assert_int_equal(t->state, THREAD_RUNNABLE);
	assert_int_equal(KT_RAX(t), st);
}

static void assert_crash_record(struct thread *t, const struct process *dead,
				uint32_t cause, const struct fault_info *fi, int64_t code)
{
	struct capos_ipc_buffer *b = t->ipc;
	assert_int_equal(b->kind, CAPOS_RECV_MESSAGE);
	assert_int_equal(b->label, CAPOS_LABEL_CRASH_RECORD);
	assert_int_equal(b->badge, SUP_BADGE);
	assert_int_equal(b->ncaps, 0);
	assert_int_equal(b->len, sizeof(struct capos_crash_record));
	struct capos_crash_record r;
	memcpy(&r, b->body, sizeof r);
	assert_string_equal(r.name, "victim");
	assert_int_equal(r.pid, dead->pid);
	assert_int_equal(r.cause, cause);
	if (cause == CAPOS_DEATH_FAULT) {
		assert_int_equal(r.vector, fi->vector);
		assert_int_equal(r.error_code, fi->error);
		assert_int_equal(r.fault_addr, fi->addr);
		assert_int_equal(r.rip, fi->rip);
	} else {
		/* redacted: nothing about the CPU state */
		assert_int_equal(r.vector, 0);
		assert_int_equal(r.error_code, 0);
		assert_int_equal(r.fault_addr, 0);
		assert_int_equal(r.rip, 0);
	}
	assert_int_equal(r.exit_code, cause == CAPOS_DEATH_EXIT ? code : 0);
}

/* ---- 1. process death ---------------------------------------------------- */

enum {
	HAS_QUEUED = 1,   /* a client blocked in Call, not yet received */
	HAS_RECEIVED = 2, /* a call received, owed through reply_to */
	HAS_SAVED = 4,    /* a call received, owed through a Reply cap */
	HAS_WATCH = 8,    /* a notification death watch on the endpoint */
	ALL_SITUATIONS = 16,
};

enum cause { BY_FAULT, BY_KILL, BY_EXIT };
enum supmode {
	SUP_NONE,    /* no supervisor set */
	SUP_WAITING, /* a supervisor thread blocked in Recv */
	SUP_QUEUED,  /* nobody receiving, a sender already queued */
};

/*
 * init I: 0 its manager, 1 KernelInfo, 2 the supervisor endpoint, 3 a
 *   badged SEND cap to it (minted), 4 the victim's Process cap;
 *   threads sup (receives crash records), ctl (calls methods), qs (a
 *   sender queued on the supervisor endpoint).
 * victim X: 0 the endpoint ep it serves, 1 its manager; threads x (the
 *   server) and x2.
 * client C: 0 ep (SEND|GRANT, badge 0x77), 1 its manager, 2 a notification.
 */
static void death_case(unsigned mask, enum cause cause, enum supmode sm)
{
	kt_setup(NULL);
	struct process *I = kt_proc("init", 16, 8, 256, 8);
	struct process *X = kt_proc("victim", 16, 4, 256, 8);
	struct process *C = kt_proc("client", 16, 8, 256, 8);

	kt_cap(I, 0, I, CAPOS_CAP_CAP_MANAGER, ALL, 0);
	kt_cap(I, 1, &kernel_info_obj, CAPOS_CAP_KERNEL_INFO, CAPOS_RIGHT_READ | CAPOS_RIGHT_CONTROL, 0);
	struct endpoint *sep = kt_endpoint_at(I, I, 2, ALL, 0);
	kt_cap(I, 4, X, CAPOS_CAP_PROCESS, ALL, 0);
	struct endpoint *ep = kt_endpoint_at(X, X, 0, ALL, 0);
	kt_cap(X, 1, X, CAPOS_CAP_CAP_MANAGER, ALL, 0);
	kt_cap(C, 0, ep, CAPOS_CAP_ENDPOINT, SG, CLIENT_BADGE);
	kt_cap(C, 1, C, CAPOS_CAP_CAP_MANAGER, ALL, 0);
	struct notification *n = kt_ntfn_at(C, C, 2, ALL, 0);

	struct thread *sup = kt_thread(I, 20), *ctl = kt_thread(I, 30), *qs = kt_thread(I, 5);
	struct thread *x = held_thread(X, 10), *x2 = held_thread(X, 10);
	thread_start(x2);
	struct thread *primer = kt_thread(C, 5), *cq = kt_thread(C, 5), *cr = kt_thread(C, 5),
		      *cs = kt_thread(C, 5), *w = kt_thread(C, 5), *later = kt_thread(C, 5);

	if (sm != SUP_NONE) {
		struct capos_capmgr_mint mint = { 2, 3, CAPOS_RIGHT_SEND, 1, SUP_BADGE };
		assert_int_equal(kt_method(ctl, 0, CAPOS_CAPMGR_MINT, &mint, sizeof mint),
				 CAPOS_OK);
		struct capos_set_supervisor ss = { 3, 0 };
		assert_int_equal(kt_method(ctl, 4, CAPOS_PROCESS_SET_SUPERVISOR, &ss, sizeof ss),
				 CAPOS_OK);
		assert_ptr_equal(X->supervisor, sep);
	}
	if (sm == SUP_WAITING)
		assert_int_equal(kt_sys(sup, CAPOS_SYS_RECV, 2, 0), KT_BLOCKED);
	if (sm == SUP_QUEUED) {
		kt_msg(qs, 0x99, "hey", 3);
		assert_int_equal(kt_sys(qs, CAPOS_SYS_SEND, 2, 0), KT_BLOCKED);
	}
	if (mask & HAS_WATCH) {
		/* watching needs CONTROL on the endpoint (issue 12): the
		 * client's SEND|GRANT cap is refused, one with CONTROL is not */
		struct capos_endpoint_watch wa = { 0, 2, WATCH_BITS };
		assert_int_equal(kt_method(later, 1, CAPOS_CAPMGR_WATCH_DEATH, &wa, sizeof wa),
				 CAPOS_DENIED);
		kt_cap(C, 13, ep, CAPOS_CAP_ENDPOINT, CAPOS_RIGHT_SEND | CAPOS_RIGHT_CONTROL, 0);
		wa.endpoint = 13;
		assert_int_equal(kt_method(later, 1, CAPOS_CAPMGR_WATCH_DEATH, &wa, sizeof wa),
				 CAPOS_OK);
		assert_int_equal(kt_sys(w, CAPOS_SYS_WAIT, 2, CAPOS_WAIT_FOREVER), KT_BLOCKED);
	}

	/* X becomes ep's server: x receives a one-way message */
	assert_int_equal(kt_sys(x, CAPOS_SYS_RECV, 0, 0), KT_BLOCKED);
	kt_msg(primer, 1, "p", 1);
	assert_int_equal(kt_sys(primer, CAPOS_SYS_NBSEND, 0, 0), CAPOS_OK);
	assert_woken(x, CAPOS_OK);
	assert_ptr_equal(ep->server, X);
	if (mask & HAS_SAVED) {
		kt_msg(cs, 2, "s", 1);
		assert_int_equal(kt_sys(cs, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
		assert_int_equal(kt_sys(x, CAPOS_SYS_RECV, 0, 0), CAPOS_OK);
		assert_int_equal(x->ipc->label, 2);
		save_reply(x, 1, 6);
		assert_int_equal(cs->state, THREAD_BLOCKED_REPLY);
	}
	if (mask & HAS_RECEIVED) {
		kt_msg(cr, 3, "r", 1);
		assert_int_equal(kt_sys(cr, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
		assert_int_equal(kt_sys(x, CAPOS_SYS_RECV, 0, 0), CAPOS_OK);
		assert_int_equal(x->ipc->label, 3);
		assert_ptr_equal(x->reply_to, cr);
	}
	if (mask & HAS_QUEUED) {
		kt_msg(cq, 4, "q", 1);
		assert_int_equal(kt_sys(cq, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
		assert_int_equal(cq->state, THREAD_BLOCKED_SEND);
		assert_ptr_equal(ep->senders.head, cq);
	}
	kt_assert_invariants();

	/* death */
	struct fault_info fi = { 14, 6, 0x401abc + mask, 0xdead0000ull + mask };
	if (mask & 1) {
		fi.vector = 13; /* a #GP: no address */
		fi.addr = 0;
	}
	int64_t code = -40 - (int64_t)mask;
	uint32_t want_state = 0, want_cause = 0;
	switch (cause) {
	case BY_FAULT:
		process_fault(X, &fi);
		want_state = CAPOS_PROCESS_FAULTED;
		want_cause = CAPOS_DEATH_FAULT;
		break;
	case BY_KILL:
		if (mask & 1)
			process_kill(X);
		else
			assert_int_equal(kt_method(ctl, 4, CAPOS_PROCESS_KILL, NULL, 0), CAPOS_OK);
		want_state = CAPOS_PROCESS_KILLED;
		want_cause = CAPOS_DEATH_KILLED;
		break;
	case BY_EXIT:
		/* the server thread itself, or the other one */
		sys_exit((mask & 2) ? x : x2, code);
		want_state = CAPOS_PROCESS_EXITED;
		want_cause = CAPOS_DEATH_EXIT;
		break;
	}
	assert_int_equal(X->state, want_state);
	assert_true(X->torn_down);
	if (cause == BY_EXIT)
		assert_int_equal(X->exit_code, code);
	assert_int_equal(x->state, THREAD_DEAD);
	assert_int_equal(x2->state, THREAD_DEAD);
	assert_null(x->reply_to);
	assert_null(X->supervisor);
	assert_null(X->served);

	/* every client the dead server owed anything wakes DISCONNECTED */
	if (mask & HAS_QUEUED)
		assert_woken(cq, CAPOS_DISCONNECTED);
	if (mask & HAS_RECEIVED)
		assert_woken(cr, CAPOS_DISCONNECTED);
	if (mask & HAS_SAVED)
		assert_woken(cs, CAPOS_DISCONNECTED);
	assert_int_equal(ep->dead, 1);
	assert_null(ep->server);
	assert_null(ep->senders.head);
	assert_null(ep->receivers.head);

	/* later calls on the stale cap fail at once */
	kt_msg(later, 9, "", 0);
	assert_int_equal(kt_sys(later, CAPOS_SYS_CALL, 0, 0), CAPOS_DISCONNECTED);
	assert_int_equal(later->state, THREAD_RUNNING);
	assert_int_equal(kt_sys(later, CAPOS_SYS_SEND, 0, 0), CAPOS_DISCONNECTED);
	assert_int_equal(kt_sys(later, CAPOS_SYS_NBSEND, 0, 0), CAPOS_DISCONNECTED);
	assert_int_equal(later->state, THREAD_RUNNING);

	/* the death watch */
	if (mask & HAS_WATCH) {
		assert_woken(w, CAPOS_OK);
		assert_int_equal(w->ipc->kind, CAPOS_RECV_SIGNAL);
		assert_int_equal(w->ipc->signals, WATCH_BITS);
	}
	assert_int_equal(n->bits, 0);

	/* the crash record */
	switch (sm) {
	case SUP_NONE:
		assert_int_equal(sep->crash_queued, 0);
		assert_int_equal(kt_sys(sup, CAPOS_SYS_RECV, 2, 0), KT_BLOCKED);
		break;
	case SUP_WAITING:
		assert_woken(sup, CAPOS_OK);
		assert_crash_record(sup, X, want_cause, &fi, code);
		assert_int_equal(sep->crash_queued, 0);
		break;
	case SUP_QUEUED:
		assert_int_equal(sep->crash_queued, 1);
		assert_int_equal(qs->state, THREAD_BLOCKED_SEND);
		/* the record first, then the sender that was there before it */
		assert_int_equal(kt_sys(sup, CAPOS_SYS_RECV, 2, 0), CAPOS_OK);
		assert_crash_record(sup, X, want_cause, &fi, code);
		assert_int_equal(sep->crash_queued, 0);
		assert_int_equal(qs->state, THREAD_BLOCKED_SEND);
		assert_int_equal(kt_sys(sup, CAPOS_SYS_RECV, 2, 0), CAPOS_OK);
		assert_int_equal(sup->ipc->label, 0x99);
		assert_int_equal(sup->ipc->badge, 0);
		assert_woken(qs, CAPOS_OK);
		/* exactly one record */
		assert_int_equal(kt_sys(sup, CAPOS_SYS_RECV, 2, 0), KT_BLOCKED);
		break;
	}
	assert_int_equal(sep->crash_dropped, 0);
	kt_assert_invariants();
	assert_invariants_via(ctl, 1);

	/* the threads X's death left behind go, then the processes */
	drop(x);
	drop(x2);
	kt_proc_end(C);
	kt_assert_invariants();
	kt_proc_end(I);
	kobj_unref(&X->obj);
	kt_assert_invariants();
	kt_teardown(NULL);
}

static void death_sweep(enum cause cause, enum supmode sm)
{
	for (unsigned mask = 0; mask < ALL_SITUATIONS; mask++)
		death_case(mask, cause, sm);
}

static void test_death_fault(void **state)
{
	death_sweep(BY_FAULT, SUP_NONE);
}
static void test_death_fault_supervised(void **state)
{
	death_sweep(BY_FAULT, SUP_WAITING);
}
static void test_death_fault_record_queued(void **state)
{
	death_sweep(BY_FAULT, SUP_QUEUED);
}
static void test_death_kill(void **state)
{
	death_sweep(BY_KILL, SUP_NONE);
}
static void test_death_kill_supervised(void **state)
{
	death_sweep(BY_KILL, SUP_WAITING);
}
static void test_death_kill_record_queued(void **state)
{
	death_sweep(BY_KILL, SUP_QUEUED);
}
static void test_death_exit(void **state)
{
	death_sweep(BY_EXIT, SUP_NONE);
}
static void test_death_exit_supervised(void **state)
{
	death_sweep(BY_EXIT, SUP_WAITING);
}
static void test_death_exit_record_queued(void **state)
{
	death_sweep(BY_EXIT, SUP_QUEUED);
}

/* Records of several deaths queue in order; a supervisor endpoint served
 * by the dying process itself gets none (it is dead too); SET_SUPERVISOR
 * needs SEND right and CONTROL on the process; a dead process cannot get a
 * supervisor; replacing the supervisor moves the reference. */
static void test_supervisor_edges(void **state)
{
	struct process *I = kt_proc("init", 16, 8, 256, 8);
	kt_cap(I, 0, I, CAPOS_CAP_CAP_MANAGER, ALL, 0);
	struct endpoint *sep = kt_endpoint_at(I, I, 2, ALL, 0);
	struct endpoint *other = kt_endpoint_at(I, I, 5, ALL, 0);
	struct thread *ctl = kt_thread(I, 30), *sup = kt_thread(I, 20);
	struct capos_capmgr_mint mint = { 2, 3, CAPOS_RIGHT_SEND, 1, SUP_BADGE };
	assert_int_equal(kt_method(ctl, 0, CAPOS_CAPMGR_MINT, &mint, sizeof mint), CAPOS_OK);
	kt_cap(I, 6, sep, CAPOS_CAP_ENDPOINT, CAPOS_RIGHT_RECV, 0);

	struct process *V[3];
	for (int i = 0; i < 3; i++) {
		V[i] = kt_proc("victim", 8, 2, 64, 2);
		kt_cap(I, 8 + (uint32_t)i, V[i], CAPOS_CAP_PROCESS, ALL, 0);
	}
	kt_cap(I, 11, V[0], CAPOS_CAP_PROCESS, CAPOS_RIGHT_READ, 0);
	struct capos_set_supervisor ss = { 6, 0 };
	assert_int_equal(kt_method(ctl, 8, CAPOS_PROCESS_SET_SUPERVISOR, &ss, sizeof ss),
			 CAPOS_DENIED); /* no SEND right */
	ss.endpoint = 3;
	assert_int_equal(kt_method(ctl, 11, CAPOS_PROCESS_SET_SUPERVISOR, &ss, sizeof ss),
			 CAPOS_DENIED); /* no CONTROL */
	ss.endpoint = 0;
	assert_int_equal(kt_method(ctl, 8, CAPOS_PROCESS_SET_SUPERVISOR, &ss, sizeof ss),
			 CAPOS_WRONG_TYPE);
	ss.endpoint = 14;
	assert_int_equal(kt_method(ctl, 8, CAPOS_PROCESS_SET_SUPERVISOR, &ss, sizeof ss),
			 CAPOS_INVALID_CAP);
	assert_int_equal(kt_method(ctl, 8, CAPOS_PROCESS_SET_SUPERVISOR, &ss, 4),
			 CAPOS_INVALID_ARGUMENT);
	assert_null(V[0]->supervisor);

	/* replaced: the first endpoint is let go, the second gets the record */
	uint32_t other_refs = other->obj.refs, sep_refs = sep->obj.refs;
	ss.endpoint = 5;
	assert_int_equal(kt_method(ctl, 8, CAPOS_PROCESS_SET_SUPERVISOR, &ss, sizeof ss), CAPOS_OK);
	assert_int_equal(other->obj.refs, other_refs + 1);
	ss.endpoint = 3;
	for (int i = 0; i < 3; i++)
		assert_int_equal(kt_method(ctl, 8 + (uint32_t)i, CAPOS_PROCESS_SET_SUPERVISOR,
					   &ss, sizeof ss), CAPOS_OK);
	assert_int_equal(other->obj.refs, other_refs);
	assert_int_equal(sep->obj.refs, sep_refs + 3);

	/* three deaths, nobody receiving: three records, in order */
	struct fault_info fi = { 6, 0, 0x401000, 0 };
	process_fault(V[1], &fi);
	process_kill(V[0]);
	struct thread *vt = held_thread(V[2], 1);
	sys_exit(vt, 7);
	drop(vt);
	assert_int_equal(sep->crash_queued, 3);
	assert_int_equal(sep->obj.refs, sep_refs);
	assert_int_equal(kt_sys(sup, CAPOS_SYS_RECV, 2, 0), CAPOS_OK);
	assert_crash_record(sup, V[1], CAPOS_DEATH_FAULT, &fi, 0);
	assert_int_equal(kt_sys(sup, CAPOS_SYS_RECV, 2, 0), CAPOS_OK);
	assert_crash_record(sup, V[0], CAPOS_DEATH_KILLED, NULL, 0);
	assert_int_equal(kt_sys(sup, CAPOS_SYS_RECV, 2, 0), CAPOS_OK);
	assert_crash_record(sup, V[2], CAPOS_DEATH_EXIT, NULL, 7);
	assert_int_equal(kt_sys(sup, CAPOS_SYS_RECV, 2, 0), KT_BLOCKED);
	/* a dead process takes no supervisor */
	assert_int_equal(kt_method(ctl, 8, CAPOS_PROCESS_SET_SUPERVISOR, &ss, sizeof ss),
			 CAPOS_DISCONNECTED);
	kt_assert_invariants();

	/* a process supervised through an endpoint it serves itself: that
	 * endpoint dies with it and the record goes nowhere */
	struct process *S = kt_proc("self", 8, 2, 64, 2);
	struct endpoint *own = kt_endpoint_at(S, S, 0, ALL, 0);
	kt_cap(I, 12, own, CAPOS_CAP_ENDPOINT, ALL, 0);
	struct thread *st = kt_thread(S, 1);
	assert_int_equal(kt_sys(st, CAPOS_SYS_RECV, 0, 0), KT_BLOCKED);
	process_set_supervisor(S, own, 1);
	process_kill(S);
	assert_int_equal(own->dead, 1);
	assert_null(own->crash_head);
	assert_null(S->supervisor);
	kt_assert_invariants();
	kobj_unref(&S->obj);

	/* records still queued when the endpoint goes are freed with it */
	struct process *Y = kt_proc("victim", 8, 2, 64, 2);
	process_set_supervisor(Y, sep, SUP_BADGE);
	/* no receiver now: sup took its record already and is blocked again;
	 * kill it so the record queues */
	thread_kill(sup);
	process_kill(Y);
	assert_int_equal(sep->crash_queued, 1);
	kobj_unref(&Y->obj);
	for (int i = 0; i < 3; i++)
		kobj_unref(&V[i]->obj);
	kt_proc_end(I);
}

/* Crash records beyond ENDPOINT_MAX_CRASH_QUEUED are counted as dropped,
 * never lost silently or leaked; those queued are freed with the endpoint.
 * (With no page free, a victim's record still queues: its table's pages
 * are freed first; test_quota.c covers a record with no page.) */
static void test_crash_records_dropped(void **state)
{
	struct process *I = kt_proc("init", 8, 2, 64, 2);
	struct endpoint *sep = kt_endpoint_at(I, I, 2, ALL, 0);
	struct thread *sup = kt_thread(I, 20);
	for (uint32_t i = 0; i < ENDPOINT_MAX_CRASH_QUEUED + 3; i++) {
		struct process *V = kt_proc("victim", 4, 1, 16, 1);
		process_set_supervisor(V, sep, SUP_BADGE);
		if (i == 5)
			host_set_free_pages(0); /* no page for the record */
		process_kill(V);
		host_reset_pages();
		kobj_unref(&V->obj);
	}
	assert_int_equal(sep->crash_queued, ENDPOINT_MAX_CRASH_QUEUED);
	assert_int_equal(sep->crash_dropped, 3);
	kt_assert_invariants();
	for (uint32_t i = 0; i < 10; i++) {
		assert_int_equal(kt_sys(sup, CAPOS_SYS_RECV, 2, 0), CAPOS_OK);
		assert_int_equal(sup->ipc->label, CAPOS_LABEL_CRASH_RECORD);
	}
	assert_int_equal(sep->crash_queued, ENDPOINT_MAX_CRASH_QUEUED - 10);
	kt_proc_end(I); /* the endpoint goes with the rest of the records */
}

/* Death watch bookkeeping: bits must be non-zero, re-watching updates the
 * bits, the notification needs SEND right, at most
 * CAPOS_ENDPOINT_MAX_WATCHES per endpoint - and a watch whose notification
 * nobody can observe any more (its holder died) does not hold a place. */
static void test_death_watch_slots(void **state)
{
	struct process *S = kt_proc("victim", 8, 2, 64, 4);
	struct endpoint *ep = kt_endpoint_at(S, S, 0, ALL, 0);
	struct thread *s = kt_thread(S, 10);
	assert_int_equal(kt_sys(s, CAPOS_SYS_RECV, 0, 0), KT_BLOCKED);

	struct process *W = kt_proc("watcher", 8, 2, 64, 4);
	kt_cap(W, 0, ep, CAPOS_CAP_ENDPOINT, CAPOS_RIGHT_SEND | CAPOS_RIGHT_CONTROL, 0);
	kt_cap(W, 5, ep, CAPOS_CAP_ENDPOINT, CAPOS_RIGHT_SEND | CAPOS_RIGHT_GRANT, 0);
	kt_cap(W, 1, W, CAPOS_CAP_CAP_MANAGER, ALL, 0);
	struct notification *n = kt_ntfn_at(W, W, 2, ALL, 0);
	kt_cap(W, 3, n, CAPOS_CAP_NOTIFICATION, CAPOS_RIGHT_RECV, 0);
	struct thread *wt = kt_thread(W, 5);
	/* a client's cap (no CONTROL) cannot watch (issue 12) */
	struct capos_endpoint_watch wa = { 5, 2, 1 };
	assert_int_equal(kt_method(wt, 1, CAPOS_CAPMGR_WATCH_DEATH, &wa, sizeof wa), CAPOS_DENIED);
	assert_null(ep->watches[0].ntfn);
	wa = (struct capos_endpoint_watch){ 0, 2, 0 };
	assert_int_equal(kt_method(wt, 1, CAPOS_CAPMGR_WATCH_DEATH, &wa, sizeof wa),
			 CAPOS_INVALID_ARGUMENT);
	wa.bits = 1;
	assert_int_equal(kt_method(wt, 1, CAPOS_CAPMGR_WATCH_DEATH, &wa, sizeof wa), CAPOS_OK);
	wa.bits = 6;
	assert_int_equal(kt_method(wt, 1, CAPOS_CAPMGR_WATCH_DEATH, &wa, sizeof wa), CAPOS_OK);
	wa.notification = 3;
	assert_int_equal(kt_method(wt, 1, CAPOS_CAPMGR_WATCH_DEATH, &wa, sizeof wa), CAPOS_DENIED);
	wa.notification = 0;
	assert_int_equal(kt_method(wt, 1, CAPOS_CAPMGR_WATCH_DEATH, &wa, sizeof wa),
			 CAPOS_WRONG_TYPE);
	wa.notification = 9;
	assert_int_equal(kt_method(wt, 1, CAPOS_CAPMGR_WATCH_DEATH, &wa, sizeof wa),
			 CAPOS_INVALID_CAP);

	/* seven short-lived clients each watch, then die */
	for (uint32_t i = 1; i < CAPOS_ENDPOINT_MAX_WATCHES; i++) {
		struct process *T = kt_proc("transient", 8, 1, 64, 2);
		kt_cap(T, 0, ep, CAPOS_CAP_ENDPOINT, CAPOS_RIGHT_SEND | CAPOS_RIGHT_CONTROL, 0);
		kt_cap(T, 1, T, CAPOS_CAP_CAP_MANAGER, ALL, 0);
		kt_ntfn_at(T, T, 2, ALL, 0);
		struct thread *tt = kt_thread(T, 5);
		struct capos_endpoint_watch tw = { 0, 2, 1ull << i };
		assert_int_equal(kt_method(tt, 1, CAPOS_CAPMGR_WATCH_DEATH, &tw, sizeof tw),
				 CAPOS_OK);
		kt_proc_end(T);
	}
	/* the table is full of watches nobody can see; a live watcher still
	 * gets a place */
	struct notification *n2 = kt_ntfn_at(W, W, 4, ALL, 0);
	wa = (struct capos_endpoint_watch){ 0, 4, 0x100 };
	assert_int_equal(kt_method(wt, 1, CAPOS_CAPMGR_WATCH_DEATH, &wa, sizeof wa), CAPOS_OK);
	kt_assert_invariants();

	/* the server dies: both live watches fire with their bits */
	process_kill(S);
	assert_int_equal(n->bits, 6);
	assert_int_equal(n2->bits, 0x100);
	kt_assert_invariants();
	kt_proc_end(W);
	kobj_unref(&S->obj);
}

/* ---- 2. replying to a dead client ---------------------------------------- */

static void test_reply_to_dead_client(void **state)
{
	for (int cause = BY_FAULT; cause <= BY_EXIT; cause++) {
		for (int by_cap = 0; by_cap < 2; by_cap++) {
			kt_setup(NULL);
			struct process *S = kt_proc("server", 16, 4, 256, 8);
			struct process *C = kt_proc("client", 16, 4, 256, 8);
			struct process *D = kt_proc("other", 16, 4, 256, 8);
			struct endpoint *ep = kt_endpoint_at(S, S, 0, ALL, 0);
			kt_cap(S, 1, S, CAPOS_CAP_CAP_MANAGER, ALL, 0);
			kt_cap(C, 0, ep, CAPOS_CAP_ENDPOINT, SG, 1);
			kt_cap(D, 0, ep, CAPOS_CAP_ENDPOINT, SG, 2);
			struct thread *s = kt_thread(S, 10);
			struct thread *c = kt_thread(C, 5), *c2 = held_thread(C, 5);
			struct thread *d = kt_thread(D, 5);

			kt_msg(c, 1, "q", 1);
			assert_int_equal(kt_sys(c, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
			assert_int_equal(kt_sys(s, CAPOS_SYS_RECV, 0, 0), CAPOS_OK);
			if (by_cap)
				save_reply(s, 1, 6);
			/* another client queues meanwhile */
			kt_msg(d, 2, "d", 1);
			assert_int_equal(kt_sys(d, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);

			struct fault_info fi = { 14, 4, 0x401000, 0x10 };
			if (cause == BY_FAULT)
				process_fault(C, &fi);
			else if (cause == BY_KILL)
				process_kill(C);
			else
				sys_exit(c2, 1);
			drop(c2);
			assert_true(C->torn_down);

			kt_msg(s, 77, "late", 4);
			if (by_cap) {
				/* the answer is refused, the cap is gone */
				assert_int_equal(kt_sys(s, CAPOS_SYS_SEND, 6, 0), CAPOS_DISCONNECTED);
				assert_null(ct_lookup(&S->ct, 6));
				assert_int_equal(kt_sys(s, CAPOS_SYS_RECV, 0, 0), CAPOS_OK);
			} else {
				/* ReplyRecv: the reply goes nowhere, the Recv works */
				assert_int_equal(kt_sys(s, CAPOS_SYS_REPLY_RECV, 0, 0), CAPOS_OK);
			}
			assert_int_equal(s->ipc->label, 2);
			assert_int_equal(s->ipc->badge, 2);
			assert_ptr_equal(s->reply_to, d);
			kt_msg(s, 78, "ok", 2);
			assert_int_equal(kt_sys(s, CAPOS_SYS_REPLY_RECV, 0, 0), KT_BLOCKED);
			assert_woken(d, CAPOS_OK);
			assert_int_equal(d->ipc->label, 78);
			kt_assert_invariants();

			kt_proc_end(D);
			kt_proc_end(S);
			kobj_unref(&C->obj);
			kt_assert_invariants();
			kt_teardown(NULL);
		}
	}
}

/* ---- 3. retarget --------------------------------------------------------- */

/*
 * init rI: 0 its manager, 1 KernelInfo, 5 ProcessControl, 7 rep (all
 *   rights; rI created it), 8 old server rO (all), 9 new server rN (all),
 *   10 rep without RECV, 11 rN without CONTROL;
 * rO and rN: 0 rep (all), 1 their managers;
 * client rC: 0 rep (SEND|GRANT, badge 0x77), 1 its manager, 2 a
 *   notification; slots 10.. more caps to rep with badges 0x100 + i.
 */
static struct process *rI, *rO, *rN, *rC;
static struct thread *rctl, *o, *o2, *nsrv;
static struct endpoint *rep;

static void rt_world(void)
{
	rI = kt_proc("init", 16, 4, 256, 8);
	rO = kt_proc("old", 16, 4, 256, 8);
	rN = kt_proc("new", 16, 4, 256, 8);
	rC = kt_proc("client", 32, 16, 512, 8);
	kt_cap(rI, 0, rI, CAPOS_CAP_CAP_MANAGER, ALL, 0);
	kt_cap(rI, 1, &kernel_info_obj, CAPOS_CAP_KERNEL_INFO, CAPOS_RIGHT_READ | CAPOS_RIGHT_CONTROL, 0);
	kt_cap(rI, 5, &process_control_obj, CAPOS_CAP_PROCESS_CONTROL, ALL, 0);
	rep = kt_endpoint_at(rI, rI, 7, ALL, 0);
	kt_cap(rI, 8, rO, CAPOS_CAP_PROCESS, ALL, 0);
	kt_cap(rI, 9, rN, CAPOS_CAP_PROCESS, ALL, 0);
	kt_cap(rI, 10, rep, CAPOS_CAP_ENDPOINT, ALL & ~CAPOS_RIGHT_RECV, 0);
	kt_cap(rI, 11, rN, CAPOS_CAP_PROCESS, CAPOS_RIGHT_READ, 0);
	kt_cap(rO, 0, rep, CAPOS_CAP_ENDPOINT, ALL, 0);
	kt_cap(rO, 1, rO, CAPOS_CAP_CAP_MANAGER, ALL, 0);
	kt_cap(rN, 0, rep, CAPOS_CAP_ENDPOINT, ALL, 0);
	kt_cap(rN, 1, rN, CAPOS_CAP_CAP_MANAGER, ALL, 0);
	kt_cap(rC, 0, rep, CAPOS_CAP_ENDPOINT, SG, CLIENT_BADGE);
	kt_cap(rC, 1, rC, CAPOS_CAP_CAP_MANAGER, ALL, 0);
	kt_ntfn_at(rC, rC, 2, ALL, 0);
	/* a cap that may watch the endpoint's death (CONTROL, issue 12) */
	kt_cap(rC, 20, rep, CAPOS_CAP_ENDPOINT, CAPOS_RIGHT_SEND | CAPOS_RIGHT_CONTROL, 0);
	rctl = kt_thread(rI, 30);
	o = held_thread(rO, 10);
	o2 = held_thread(rO, 10);
	nsrv = kt_thread(rN, 10);
}

static void rt_world_end(void)
{
	drop(o);
	drop(o2);
	kt_proc_end(rC);
	kt_proc_end(rO);
	kt_proc_end(rN);
	kt_proc_end(rI);
}

static capos_status_t retarget(uint32_t ep_slot, uint32_t proc_slot)
{
	struct capos_retarget a = { ep_slot, proc_slot };
	return kt_method(rctl, 5, CAPOS_PCTL_RETARGET, &a, sizeof a);
}

/* rO serves rep: o took a one-way message and is running (no reply owed).
 * Returns the client thread that sent it. */
static struct thread *old_serves(void)
{
	struct thread *primer = kt_thread(rC, 5);
	assert_int_equal(kt_sys(o, CAPOS_SYS_RECV, 0, 0), KT_BLOCKED);
	kt_msg(primer, 1, "", 0);
	assert_int_equal(kt_sys(primer, CAPOS_SYS_NBSEND, 0, 0), CAPOS_OK);
	assert_woken(o, CAPOS_OK);
	assert_ptr_equal(rep->server, rO);
	return primer;
}

/* A client thread that called rep through its own badged cap (slot 10 + i). */
static struct thread *queued_call(uint32_t i, uint8_t prio)
{
	struct thread *t = kt_thread(rC, prio);
	kt_cap(rC, 10 + i, rep, CAPOS_CAP_ENDPOINT, SG, 0x100 + i);
	kt_msg(t, 0x200 + i, &i, sizeof i);
	assert_int_equal(kt_sys(t, CAPOS_SYS_CALL, 10 + i, 0), KT_BLOCKED);
	return t;
}

static void retarget_with_queue(uint32_t n)
{
	static const uint8_t prio[] = { 5, 5, 7, 5, 3, 7, 5, 3, 9, 5 };
	rt_world();
	struct thread *cl[10], *order[10];
	if (n == 0) {
		/* both old server threads wait in Recv */
		assert_int_equal(kt_sys(o, CAPOS_SYS_RECV, 0, 0), KT_BLOCKED);
		assert_int_equal(kt_sys(o2, CAPOS_SYS_RECV, 0, 0), KT_BLOCKED);
	} else {
		struct thread *primer = old_serves();
		assert_int_equal(kt_sys(o2, CAPOS_SYS_RECV, 0, 0), KT_BLOCKED);
		kt_msg(primer, 0, "", 0); /* one more one-way message, for o2 */
		assert_int_equal(kt_sys(primer, CAPOS_SYS_NBSEND, 0, 0), CAPOS_OK);
		assert_woken(o2, CAPOS_OK);
	}
	for (uint32_t i = 0; i < n; i++)
		cl[i] = queued_call(i, prio[i]);
	/* the order the old server would have seen */
	uint32_t k = 0;
	for (struct thread *t = rep->senders.head; t; t = t->qnext)
		order[k++] = t;
	assert_int_equal(k, n);

	assert_int_equal(retarget(7, 9), CAPOS_OK);
	assert_ptr_equal(rep->server, rN);
	assert_int_equal(rep->dead, 0);
	assert_null(rep->receivers.head);
	if (n == 0) {
		assert_woken(o, CAPOS_RETARGETED);
		assert_woken(o2, CAPOS_RETARGETED);
	}
	/* queued calls stayed queued, in order */
	k = 0;
	for (struct thread *t = rep->senders.head; t; t = t->qnext, k++)
		assert_ptr_equal(t, order[k]);
	assert_int_equal(k, n);
	kt_assert_invariants();
	/* the old server may no longer receive: told RETARGETED, so it knows
	 * to drain and exit rather than "not yours" */
	assert_int_equal(kt_sys(o, CAPOS_SYS_RECV, 0, 0), CAPOS_RETARGETED);
	assert_int_equal(kt_sys(o2, CAPOS_SYS_REPLY_RECV, 0, 0), CAPOS_RETARGETED);
	assert_int_equal(k, n);

	/* the new server gets every queued call, in that order, once */
	capos_status_t st = kt_sys(nsrv, CAPOS_SYS_RECV, 0, 0);
	for (k = 0; k < n; k++) {
		assert_int_equal(st, CAPOS_OK);
		uint32_t idx = 0;
		while (cl[idx] != order[k])
			idx++;
		assert_int_equal(nsrv->ipc->label, 0x200 + idx);
		assert_int_equal(nsrv->ipc->badge, 0x100 + idx);
		assert_ptr_equal(nsrv->reply_to, cl[idx]);
		kt_msg(nsrv, 0x300 + idx, "", 0);
		st = kt_sys(nsrv, CAPOS_SYS_REPLY_RECV, 0, 0);
		assert_woken(cl[idx], CAPOS_OK);
		assert_int_equal(cl[idx]->ipc->label, 0x300 + idx);
	}
	assert_int_equal(st, KT_BLOCKED); /* nothing more: none duplicated */
	assert_int_equal(nsrv->state, THREAD_BLOCKED_RECV);
	/* and calls made now go to the new server */
	struct thread *late = kt_thread(rC, 5);
	kt_msg(late, 0x4242, "", 0);
	assert_int_equal(kt_sys(late, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	assert_woken(nsrv, CAPOS_OK);
	assert_int_equal(nsrv->ipc->label, 0x4242);
	assert_int_equal(nsrv->ipc->badge, CLIENT_BADGE);
	kt_assert_invariants();
	assert_invariants_via(rctl, 1);
	rt_world_end();
}

static void test_retarget_no_queued_calls(void **state)
{
	retarget_with_queue(0);
}
static void test_retarget_one_queued_call(void **state)
{
	retarget_with_queue(1);
}
static void test_retarget_many_queued_calls(void **state)
{
	retarget_with_queue(10);
}

/* Calls the old server had received stay its to answer: through reply_to
 * (ReplyRecv) and through a saved Reply cap, exactly once each. */
static void test_retarget_call_in_service(void **state)
{
	rt_world();
	old_serves();
	struct thread *c1 = kt_thread(rC, 5), *c2 = kt_thread(rC, 5), *c3 = kt_thread(rC, 5);
	kt_msg(c1, 1, "", 0);
	assert_int_equal(kt_sys(c1, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	assert_int_equal(kt_sys(o2, CAPOS_SYS_RECV, 0, 0), CAPOS_OK);
	save_reply(o2, 1, 6); /* c1's answer waits in a Reply cap */
	kt_msg(c2, 2, "", 0);
	assert_int_equal(kt_sys(c2, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	assert_int_equal(kt_sys(o, CAPOS_SYS_RECV, 0, 0), CAPOS_OK);
	assert_ptr_equal(o->reply_to, c2); /* c2's through reply_to */
	kt_msg(c3, 3, "", 0);
	assert_int_equal(kt_sys(c3, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED); /* queued */

	assert_int_equal(retarget(7, 9), CAPOS_OK);
	assert_ptr_equal(o->reply_to, c2);
	assert_int_equal(c1->state, THREAD_BLOCKED_REPLY);
	assert_int_equal(c2->state, THREAD_BLOCKED_REPLY);
	/* the new server sees only the queued call */
	assert_int_equal(kt_sys(nsrv, CAPOS_SYS_RECV, 0, 0), CAPOS_OK);
	assert_int_equal(nsrv->ipc->label, 3);
	assert_ptr_equal(nsrv->reply_to, c3);

	/* the old server answers c2 with ReplyRecv; its Recv half says RETARGETED */
	kt_msg(o, 502, "", 0);
	assert_int_equal(kt_sys(o, CAPOS_SYS_REPLY_RECV, 0, 0), CAPOS_RETARGETED);
	assert_woken(c2, CAPOS_OK);
	assert_int_equal(c2->ipc->label, 502);
	assert_null(o->reply_to);
	/* and c1 through the cap; once */
	kt_msg(o2, 501, "", 0);
	assert_int_equal(kt_sys(o2, CAPOS_SYS_SEND, 6, 0), CAPOS_OK);
	assert_woken(c1, CAPOS_OK);
	assert_int_equal(c1->ipc->label, 501);
	kt_msg(o2, 666, "", 0);
	assert_int_equal(kt_sys(o2, CAPOS_SYS_SEND, 6, 0), CAPOS_INVALID_CAP);
	kt_msg(o, 666, "", 0);
	assert_int_equal(kt_sys(o, CAPOS_SYS_REPLY_RECV, 0, 0), CAPOS_RETARGETED);
	assert_int_equal(c1->ipc->label, 501);
	assert_int_equal(c2->ipc->label, 502);
	/* the new server answers c3 */
	kt_msg(nsrv, 503, "", 0);
	assert_int_equal(kt_sys(nsrv, CAPOS_SYS_REPLY_RECV, 0, 0), KT_BLOCKED);
	assert_woken(c3, CAPOS_OK);
	assert_int_equal(c3->ipc->label, 503);
	kt_assert_invariants();
	rt_world_end();
}

/* The old server dies (each way) with calls in service after the
 * retarget: those callers get DISCONNECTED; the endpoint, now the new
 * server's, stays alive and its death watch does not fire. */
static void test_retarget_then_old_server_dies(void **state)
{
	for (int cause = BY_FAULT; cause <= BY_EXIT; cause++) {
		kt_setup(NULL);
		rt_world();
		struct notification *n = (struct notification *)ct_lookup(&rC->ct, 2)->obj;
		struct capos_endpoint_watch wa = { 20, 2, WATCH_BITS };
		struct thread *c1 = kt_thread(rC, 5), *c2 = kt_thread(rC, 5), *c4 = kt_thread(rC, 5);
		assert_int_equal(kt_method(c4, 1, CAPOS_CAPMGR_WATCH_DEATH, &wa, sizeof wa),
				 CAPOS_OK);
		old_serves();
		kt_msg(c1, 1, "", 0);
		assert_int_equal(kt_sys(c1, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
		assert_int_equal(kt_sys(o2, CAPOS_SYS_RECV, 0, 0), CAPOS_OK);
		save_reply(o2, 1, 6);
		kt_msg(c2, 2, "", 0);
		assert_int_equal(kt_sys(c2, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
		assert_int_equal(kt_sys(o, CAPOS_SYS_RECV, 0, 0), CAPOS_OK);

		assert_int_equal(retarget(7, 9), CAPOS_OK);
		struct fault_info fi = { 14, 0, 0x401000, 0 };
		if (cause == BY_FAULT)
			process_fault(rO, &fi);
		else if (cause == BY_KILL)
			assert_int_equal(kt_method(rctl, 8, CAPOS_PROCESS_KILL, NULL, 0), CAPOS_OK);
		else
			sys_exit(o, 3);
		assert_woken(c1, CAPOS_DISCONNECTED);
		assert_woken(c2, CAPOS_DISCONNECTED);
		assert_int_equal(rep->dead, 0);
		assert_ptr_equal(rep->server, rN);
		assert_int_equal(n->bits, 0); /* not the endpoint's server any more */
		kt_assert_invariants();

		/* calls work, through the new server */
		kt_msg(c4, 4, "", 0);
		assert_int_equal(kt_sys(c4, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
		assert_int_equal(kt_sys(nsrv, CAPOS_SYS_RECV, 0, 0), CAPOS_OK);
		assert_int_equal(nsrv->ipc->label, 4);
		kt_msg(nsrv, 44, "", 0);
		assert_int_equal(kt_sys(nsrv, CAPOS_SYS_REPLY_RECV, 0, 0), KT_BLOCKED);
		assert_woken(c4, CAPOS_OK);
		assert_int_equal(c4->ipc->label, 44);
		kt_assert_invariants();
		rt_world_end();
		kt_teardown(NULL);
	}
}

/* A dead endpoint comes back: Calls fail at once until the retarget, then
 * queue and are answered once the new server receives; the death watch
 * stays and fires again when the new server dies. */
static void test_retarget_revives_dead_endpoint(void **state)
{
	rt_world();
	struct notification *n = (struct notification *)ct_lookup(&rC->ct, 2)->obj;
	struct thread *c1 = kt_thread(rC, 5), *w = kt_thread(rC, 5);
	struct capos_endpoint_watch wa = { 20, 2, WATCH_BITS };
	assert_int_equal(kt_method(c1, 1, CAPOS_CAPMGR_WATCH_DEATH, &wa, sizeof wa), CAPOS_OK);
	old_serves();
	process_kill(rO);
	assert_int_equal(rep->dead, 1);
	assert_int_equal(n->bits, WATCH_BITS);
	assert_int_equal(kt_sys(w, CAPOS_SYS_WAIT, 2, CAPOS_WAIT_POLL), CAPOS_OK);
	assert_int_equal(w->ipc->signals, WATCH_BITS);
	kt_msg(c1, 1, "", 0);
	assert_int_equal(kt_sys(c1, CAPOS_SYS_CALL, 0, 0), CAPOS_DISCONNECTED);

	/* a dead process as the new server is refused, nothing changes */
	assert_int_equal(retarget(7, 8), CAPOS_DISCONNECTED);
	assert_int_equal(rep->dead, 1);
	assert_null(rep->server);

	assert_int_equal(retarget(7, 9), CAPOS_OK);
	assert_int_equal(rep->dead, 0);
	assert_ptr_equal(rep->server, rN);
	kt_assert_invariants();
	/* the call queues until the new server receives, then is answered */
	assert_int_equal(kt_sys(c1, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	assert_int_equal(c1->state, THREAD_BLOCKED_SEND);
	assert_int_equal(kt_sys(nsrv, CAPOS_SYS_RECV, 0, 0), CAPOS_OK);
	assert_int_equal(nsrv->ipc->badge, CLIENT_BADGE);
	kt_msg(nsrv, 11, "", 0);
	assert_int_equal(kt_sys(nsrv, CAPOS_SYS_REPLY_RECV, 0, 0), KT_BLOCKED);
	assert_woken(c1, CAPOS_OK);
	assert_int_equal(c1->ipc->label, 11);

	/* the watch survived the revival: the new server's death fires it */
	assert_int_equal(kt_sys(w, CAPOS_SYS_WAIT, 2, CAPOS_WAIT_FOREVER), KT_BLOCKED);
	kt_msg(c1, 2, "", 0);
	assert_int_equal(kt_sys(c1, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	assert_woken(nsrv, CAPOS_OK);
	process_kill(rN);
	assert_woken(c1, CAPOS_DISCONNECTED);
	assert_woken(w, CAPOS_OK);
	assert_int_equal(w->ipc->signals, WATCH_BITS);
	assert_int_equal(rep->dead, 1);
	/* UNWATCH takes it off (CONTROL too: the client's cap is refused) */
	struct capos_endpoint_watch un = { 0, 2, 0 };
	assert_int_equal(kt_method(c1, 1, CAPOS_CAPMGR_UNWATCH_DEATH, &un, sizeof un), CAPOS_DENIED);
	un.endpoint = 20;
	assert_int_equal(kt_method(c1, 1, CAPOS_CAPMGR_UNWATCH_DEATH, &un, sizeof un), CAPOS_OK);
	assert_int_equal(kt_method(c1, 1, CAPOS_CAPMGR_UNWATCH_DEATH, &un, sizeof un),
			 CAPOS_INVALID_ARGUMENT);
	kt_assert_invariants();
	rt_world_end();
}

static void test_retarget_refused(void **state)
{
	rt_world();
	struct process *D = kt_proc("dead", 8, 1, 64, 1);
	kt_cap(rI, 12, D, CAPOS_CAP_PROCESS, ALL, 0);
	process_kill(D);
	assert_int_equal(kt_sys(o, CAPOS_SYS_RECV, 0, 0), KT_BLOCKED);
	uint32_t refs = rep->obj.refs;

	assert_int_equal(retarget(10, 9), CAPOS_DENIED);  /* no RECV on the endpoint */
	assert_int_equal(retarget(7, 11), CAPOS_DENIED);  /* no CONTROL on the process */
	assert_int_equal(retarget(7, 12), CAPOS_DISCONNECTED); /* dead target */
	assert_int_equal(retarget(9, 7), CAPOS_WRONG_TYPE);
	assert_int_equal(retarget(7, 13), CAPOS_INVALID_CAP);
	assert_int_equal(retarget(13, 9), CAPOS_INVALID_CAP);
	struct capos_retarget a = { 7, 9 };
	assert_int_equal(kt_method(rctl, 5, CAPOS_PCTL_RETARGET, &a, sizeof a - 1),
			 CAPOS_INVALID_ARGUMENT);
	assert_int_equal(kt_method(rctl, 5, 99, &a, sizeof a), CAPOS_UNSUPPORTED);
	/* only ProcessControl retargets */
	assert_int_equal(kt_method(rctl, 8, CAPOS_PCTL_RETARGET, &a, sizeof a),
			 CAPOS_INVALID_ARGUMENT); /* that is a Process method number */
	/* nothing changed */
	assert_ptr_equal(rep->server, rO);
	assert_int_equal(o->state, THREAD_BLOCKED_RECV);
	assert_ptr_equal(rep->receivers.head, o);
	assert_int_equal(rep->obj.refs, refs);
	kt_assert_invariants();
	kobj_unref(&D->obj);
	rt_world_end();
}

/* CAP_LIST (kern/object/cap_snapshot.c): another process's table through
 * the ProcessControl cap and a Process cap with CONTROL, read-only: the
 * entries LIST would give the target, no reference taken, nothing moved. */
static void test_pctl_cap_list(void **state)
{
	(void)state;
	rt_world();
	uint32_t ep_refs = rep->obj.refs, used = rN->ct.used;
	struct capos_pctl_cap_list a = { 9, 0, 8, 0 };
	assert_int_equal(kt_method(rctl, 5, CAPOS_PCTL_CAP_LIST, &a, sizeof a), CAPOS_OK);
	const struct capos_capmgr_list_result *r = (const void *)rctl->ipc->body;
	assert_int_equal(r->count, 2);
	assert_int_equal(r->used, 2);
	assert_int_equal(r->entries[0].slot, 0);
	assert_int_equal(r->entries[0].type, CAPOS_CAP_ENDPOINT);
	assert_int_equal(r->entries[0].rights, ALL);
	assert_int_equal(r->entries[0].interface_id, rep->interface_id);
	assert_int_equal(r->entries[1].slot, 1);
	assert_int_equal(r->entries[1].type, CAPOS_CAP_CAP_MANAGER);
	assert_int_equal(rep->obj.refs, ep_refs);
	assert_int_equal(rN->ct.used, used);
	/* from slot 1, at most 1 */
	a.first = 1;
	a.max = 1;
	assert_int_equal(kt_method(rctl, 5, CAPOS_PCTL_CAP_LIST, &a, sizeof a), CAPOS_OK);
	assert_int_equal(r->count, 1);
	assert_int_equal(r->entries[0].slot, 1);
	/* refused: a Process cap without CONTROL, not a Process cap, no cap,
	 * a reserved field set, a short body */
	a = (struct capos_pctl_cap_list){ 11, 0, 8, 0 };
	assert_int_equal(kt_method(rctl, 5, CAPOS_PCTL_CAP_LIST, &a, sizeof a), CAPOS_DENIED);
	a.process = 10;
	assert_int_equal(kt_method(rctl, 5, CAPOS_PCTL_CAP_LIST, &a, sizeof a), CAPOS_WRONG_TYPE);
	a.process = 13;
	assert_int_equal(kt_method(rctl, 5, CAPOS_PCTL_CAP_LIST, &a, sizeof a), CAPOS_INVALID_CAP);
	a = (struct capos_pctl_cap_list){ 9, 0, 8, 1 };
	assert_int_equal(kt_method(rctl, 5, CAPOS_PCTL_CAP_LIST, &a, sizeof a),
			 CAPOS_INVALID_ARGUMENT);
	a.reserved = 0;
	assert_int_equal(kt_method(rctl, 5, CAPOS_PCTL_CAP_LIST, &a, sizeof a - 1),
			 CAPOS_INVALID_ARGUMENT);
	kt_assert_invariants();
	rt_world_end();
}

/* The new server dies before it ever receives: the calls that waited for
 * it wake DISCONNECTED and the endpoint is dead again. Retargeting to the
 * current server is allowed: its receivers are told, and may Recv again. */
static void test_retarget_new_server_dies_first(void **state)
{
	rt_world();
	old_serves();
	struct thread *c1 = kt_thread(rC, 5), *c2 = kt_thread(rC, 5);
	kt_msg(c1, 1, "", 0);
	assert_int_equal(kt_sys(c1, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	assert_int_equal(retarget(7, 9), CAPOS_OK);
	kt_msg(c2, 2, "", 0);
	assert_int_equal(kt_sys(c2, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	assert_int_equal(kt_method(rctl, 9, CAPOS_PROCESS_KILL, NULL, 0), CAPOS_OK);
	assert_woken(c1, CAPOS_DISCONNECTED);
	assert_woken(c2, CAPOS_DISCONNECTED);
	assert_int_equal(rep->dead, 1);
	assert_null(rep->server);
	kt_msg(c1, 3, "", 0);
	assert_int_equal(kt_sys(c1, CAPOS_SYS_CALL, 0, 0), CAPOS_DISCONNECTED);
	kt_assert_invariants();

	/* back to the old server (alive all along), then to itself */
	assert_int_equal(retarget(7, 8), CAPOS_OK);
	assert_int_equal(kt_sys(o, CAPOS_SYS_RECV, 0, 0), KT_BLOCKED);
	assert_int_equal(retarget(7, 8), CAPOS_OK);
	assert_woken(o, CAPOS_RETARGETED);
	assert_ptr_equal(rep->server, rO);
	assert_int_equal(kt_sys(o, CAPOS_SYS_RECV, 0, 0), KT_BLOCKED);
	assert_int_equal(kt_sys(c1, CAPOS_SYS_CALL, 0, 0), KT_BLOCKED);
	assert_woken(o, CAPOS_OK);
	assert_int_equal(o->ipc->label, 3);
	kt_msg(o, 33, "", 0);
	assert_int_equal(kt_sys(o, CAPOS_SYS_REPLY_RECV, 0, 0), KT_BLOCKED);
	assert_woken(c1, CAPOS_OK);
	assert_int_equal(c1->ipc->label, 33);
	/* one entry in the server's list, however often it was retargeted */
	assert_ptr_equal(rO->served, rep);
	assert_null(rep->served_next);
	kt_assert_invariants();
	rt_world_end();
}

/* ---- 4. limits and memory at every step of building a process ------------ */

/* Parent P (thread pt; slot 0 its manager, 1 its own Process cap) builds a
 * child step by step through the Process methods. */
enum { ST_PROCESS, ST_THREAD, ST_MAP, ST_ENDPOINT, ST_NTFN, ST_INSTALL, ST_SBUF,
       ST_MAP_SHARED, ST_START, ST_DONE };

struct spawn {
	int failed_at; /* ST_DONE: all went well */
	capos_status_t st;
	uint32_t slots[8];
	uint32_t nslots;
	struct process *child;
};

static capos_status_t step(struct thread *pt, struct spawn *sp, uint32_t slot,
			   uint64_t label, const void *args, uint32_t len, int makes_cap)
{
	uint64_t objs = kobj_live_count;
	uint32_t used = pt->proc->ct.used;
	struct process *ch = sp->child;
	struct capos_usage u = ch ? ch->usage : (struct capos_usage){ 0 };
	capos_status_t st = kt_method(pt, slot, label, args, len);
	if (st == CAPOS_OK) {
		if (makes_cap) {
			uint32_t s;
			memcpy(&s, pt->ipc->body, sizeof s);
			sp->slots[sp->nslots++] = s;
		}
		return st;
	}
	/* a failed step leaves no object and no cap behind, and changes
	 * no count of the child's but (for mappings) its page tables */
	assert_int_equal(kobj_live_count, objs);
	assert_int_equal(pt->proc->ct.used, used);
	if (ch) {
		assert_int_equal(ch->usage.threads, u.threads);
		assert_int_equal(ch->usage.endpoints, u.endpoints);
		assert_true(ch->usage.pages <= ch->limits.max_pages);
		if (label != CAPOS_PROCESS_MAP_ANON && label != CAPOS_PROCESS_MAP_SHARED &&
		    label != CAPOS_PROCESS_CREATE_THREAD)
			assert_int_equal(ch->usage.pages, u.pages);
	}
	return st;
}

static struct spawn spawn(struct thread *pt, const struct capos_limits *l)
{
	struct spawn sp = { .failed_at = ST_DONE };
	capos_status_t st;
	struct capos_process_create pc = { "kid", *l };
#define STEP(id, ...)                                  \
	do {                                           \
		st = step(pt, &sp, __VA_ARGS__);        \
		if (st != CAPOS_OK) {                  \
			sp.failed_at = id;             \
			sp.st = st;                    \
			return sp;                     \
		}                                      \
	} while (0)
	STEP(ST_PROCESS, 1, CAPOS_PROCESS_CREATE_PROCESS, &pc, sizeof pc, 1);
	uint32_t xs = sp.slots[0];
	sp.child = (struct process *)ct_lookup(&pt->proc->ct, xs)->obj;
	struct capos_thread_create tc = { 0x401000, 0x7fff0000, CAPOS_IPC_BUFFER_VA, 0, 0, 10, 0 };
	STEP(ST_THREAD, xs, CAPOS_PROCESS_CREATE_THREAD, &tc, sizeof tc, 1);
	uint32_t ts = sp.slots[1];
	struct capos_map m = { VA, 4, CAPOS_PROT_READ | CAPOS_PROT_WRITE, 0, 0 };
	STEP(ST_MAP, xs, CAPOS_PROCESS_MAP_ANON, &m, sizeof m, 0);
	struct capos_endpoint_create ec = { 0xabc };
	STEP(ST_ENDPOINT, xs, CAPOS_PROCESS_CREATE_ENDPOINT, &ec, sizeof ec, 1);
	uint32_t es = sp.slots[2];
	STEP(ST_NTFN, xs, CAPOS_PROCESS_CREATE_NOTIFICATION, NULL, 0, 1);
	struct capos_install_cap ic = { es, 0, ALL, 0, 0 };
	STEP(ST_INSTALL, xs, CAPOS_PROCESS_INSTALL_CAP, &ic, sizeof ic, 0);
	struct capos_shared_buffer_create sc = { 2, 0 };
	STEP(ST_SBUF, xs, CAPOS_PROCESS_CREATE_SHARED_BUFFER, &sc, sizeof sc, 1);
	m = (struct capos_map){ VA + 0x200000, 2, CAPOS_PROT_READ, sp.slots[4], 0 };
	STEP(ST_MAP_SHARED, xs, CAPOS_PROCESS_MAP_SHARED, &m, sizeof m, 0);
	STEP(ST_START, ts, CAPOS_THREAD_START, NULL, 0, 0);
#undef STEP
	return sp;
}

/* Kills the child (if any) and drops every cap the parent got. */
static void spawn_undo(struct thread *pt, struct spawn *sp)
{
	host_reset_pages();
	if (sp->child)
		assert_int_equal(kt_method(pt, sp->slots[0], CAPOS_PROCESS_KILL, NULL, 0),
				 CAPOS_OK);
	for (uint32_t i = 0; i < sp->nslots; i++)
		assert_int_equal(ct_delete(&pt->proc->ct, sp->slots[i]), CAPOS_OK);
}

/* The child's page limit, from 1 until the whole build fits: every
 * shortfall is LIMIT_EXCEEDED at some step, the steps that fail move
 * forward as the limit grows, and undoing returns everything. */
static void test_spawn_child_page_limit(void **state)
{
	struct kt_parent pa = kt_parent(32, 512);
	int last = -1;
	uint32_t pages;
	for (pages = 1;; pages++) {
		struct capos_limits l = { 16, 2, pages, 4 };
		struct spawn sp = spawn(pa.pt, &l);
		if (sp.failed_at == ST_DONE) {
			assert_true(sp.child->usage.pages <= pages);
			spawn_undo(pa.pt, &sp);
			kt_assert_parent_back(&pa);
			break;
		}
		assert_int_equal(sp.st, CAPOS_LIMIT_EXCEEDED);
		assert_true(sp.failed_at >= last);
		last = sp.failed_at;
		spawn_undo(pa.pt, &sp);
		kt_assert_parent_back(&pa);
	}
	/* table 1 + root 1; thread 2 + its tables 3; 4 pages + 3 tables;
	 * endpoint 1; notification 1; buffer 1 + 2; one more table */
	assert_int_equal(pages, 2 + 5 + 7 + 1 + 1 + 3 + 1);
	assert_int_equal(last, ST_MAP_SHARED);
	kt_proc_end(pa.P);
}

/* The child's object and its whole quota are charged to the parent
 * (quotas nest, issue 12): a parent without 1 + the child's max_pages left
 * cannot create it. */
static void test_spawn_parent_page_limit(void **state)
{
	for (uint32_t extra = 0; extra < 3; extra++) {
		kt_setup(NULL);
		/* the parent's own pages: table, root, its thread (2 + 3 tables) */
		struct kt_parent pa = kt_parent(32, 7 + 64 + extra);
		assert_int_equal(pa.P->usage.pages, 7);
		struct capos_limits l = { 16, 2, 64, 4 };
		struct spawn sp = spawn(pa.pt, &l);
		if (extra == 0) {
			assert_int_equal(sp.failed_at, ST_PROCESS);
			assert_int_equal(sp.st, CAPOS_LIMIT_EXCEEDED);
		} else {
			assert_int_equal(sp.failed_at, ST_DONE);
			assert_int_equal(pa.P->usage.pages, 7 + 1 + 64);
		}
		spawn_undo(pa.pt, &sp);
		kt_assert_parent_back(&pa);
		kt_proc_end(pa.P);
		kt_teardown(NULL);
	}
}

/* The parent's table fills up at each step that hands it a new cap. */
static void test_spawn_parent_slot_limit(void **state)
{
	int last = -1;
	for (uint32_t slots = 2;; slots++) {
		kt_setup(NULL);
		struct kt_parent pa = kt_parent(slots, 512);
		struct capos_limits l = { 16, 2, 64, 4 };
		struct spawn sp = spawn(pa.pt, &l);
		int done = sp.failed_at == ST_DONE;
		if (!done) {
			assert_int_equal(sp.st, CAPOS_LIMIT_EXCEEDED);
			assert_true(sp.failed_at > last);
			last = sp.failed_at;
		}
		spawn_undo(pa.pt, &sp);
		kt_assert_parent_back(&pa);
		kt_proc_end(pa.P);
		kt_teardown(NULL);
		if (done) {
			assert_int_equal(slots, 2 + 5);
			break;
		}
	}
	assert_int_equal(last, ST_SBUF);
}

/* The child's endpoint limit (endpoints and notifications). */
static void test_spawn_child_endpoint_limit(void **state)
{
	struct kt_parent pa = kt_parent(32, 512);
	static const int fails[] = { ST_ENDPOINT, ST_NTFN, ST_DONE };
	for (uint32_t e = 0; e < 3; e++) {
		struct capos_limits l = { 16, 2, 64, e };
		struct spawn sp = spawn(pa.pt, &l);
		assert_int_equal(sp.failed_at, fails[e]);
		if (sp.failed_at != ST_DONE)
			assert_int_equal(sp.st, CAPOS_LIMIT_EXCEEDED);
		spawn_undo(pa.pt, &sp);
		kt_assert_parent_back(&pa);
	}
	kt_proc_end(pa.P);
}

/* The machine runs out of frames after 0, 1, 2, ... more pages: each
 * failure is NO_MEMORY at some step, and everything comes back. */
static void test_spawn_no_memory(void **state)
{
	struct kt_parent pa = kt_parent(32, 512);
	int last = -1, seen[ST_DONE + 1] = { 0 };
	uint64_t budget;
	for (budget = 0;; budget++) {
		struct capos_limits l = { 16, 2, 64, 4 };
		host_set_free_pages(budget);
		struct spawn sp = spawn(pa.pt, &l);
		host_reset_pages();
		seen[sp.failed_at] = 1;
		if (sp.failed_at == ST_DONE) {
			spawn_undo(pa.pt, &sp);
			kt_assert_parent_back(&pa);
			break;
		}
		assert_int_equal(sp.st, CAPOS_NO_MEMORY);
		assert_true(sp.failed_at >= last);
		last = sp.failed_at;
		spawn_undo(pa.pt, &sp);
		kt_assert_parent_back(&pa);
	}
	/* every step that allocates ran out at least once */
	static const int allocating[] = { ST_PROCESS, ST_THREAD, ST_MAP, ST_ENDPOINT,
					  ST_NTFN, ST_SBUF, ST_MAP_SHARED };
	for (size_t i = 0; i < sizeof allocating / sizeof allocating[0]; i++)
		assert_true(seen[allocating[i]]);
	/* object, table, root (3); thread 5; map 7; 1; 1; buffer 3; table 1 */
	assert_int_equal(budget, 3 + 5 + 7 + 1 + 1 + 3 + 1);
	kt_proc_end(pa.P);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KT_TEST(test_death_fault),
		KT_TEST(test_death_fault_supervised),
		KT_TEST(test_death_fault_record_queued),
		KT_TEST(test_death_kill),
		KT_TEST(test_death_kill_supervised),
		KT_TEST(test_death_kill_record_queued),
		KT_TEST(test_death_exit),
		KT_TEST(test_death_exit_supervised),
		KT_TEST(test_death_exit_record_queued),
		KT_TEST(test_supervisor_edges),
		KT_TEST(test_crash_records_dropped),
		KT_TEST(test_death_watch_slots),
		KT_TEST(test_reply_to_dead_client),
		KT_TEST(test_retarget_no_queued_calls),
		KT_TEST(test_retarget_one_queued_call),
		KT_TEST(test_retarget_many_queued_calls),
		KT_TEST(test_retarget_call_in_service),
		KT_TEST(test_retarget_then_old_server_dies),
		KT_TEST(test_retarget_revives_dead_endpoint),
		KT_TEST(test_retarget_refused),
		KT_TEST(test_pctl_cap_list),
		KT_TEST(test_retarget_new_server_dies_first),
		KT_TEST(test_spawn_child_page_limit),
		KT_TEST(test_spawn_parent_page_limit),
		KT_TEST(test_spawn_parent_slot_limit),
		KT_TEST(test_spawn_child_endpoint_limit),
		KT_TEST(test_spawn_no_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
