/*
 * test_method - kernel object methods (kern/object/method.c and each
 * object's table): the generic checks and their order (rights, object
 * state, label, argument length), that the handler gets a copy of exactly
 * its argument struct, and for every object the order in which its errors
 * come - which is the order callers have always seen, kept as it was when
 * the methods moved out of core/invoke.c into one file per object.
 */
#include <string.h>

#include "kcore_test.h"
#include "object/method.h"

#define ALL CAPOS_RIGHTS_ALL
#define R   CAPOS_RIGHT_READ
#define W   CAPOS_RIGHT_WRITE
#define C   CAPOS_RIGHT_CONTROL

/* ---- the generic checks, on a table made for the test ---- */

struct args16 {
	uint64_t a, b;
};

static int runs;
static uint64_t seen_label;
static struct args16 seen;
static const void *seen_ptr;
static capos_status_t fake_state = CAPOS_OK;

static capos_status_t run_args(struct thread *t, struct cap *c, void *args)
{
	runs++;
	seen_label = t->ipc->label;
	seen_ptr = args;
	memcpy(&seen, args, sizeof seen);
	/* the handler owns its copy: changing it changes nothing in the body */
	((struct args16 *)args)->a = 0;
	return CAPOS_OK;
}

static capos_status_t run_none(struct thread *t, struct cap *c, void *args)
{
	runs++;
	seen_label = t->ipc->label;
	seen_ptr = args;
	return CAPOS_TIMEOUT; /* whatever the handler answers goes back */
}

static capos_status_t state(struct thread *t, struct cap *c)
{
	return fake_state;
}

static const struct kmethod test_methods[] = {
	[1] = { run_args, KM_ARGS(struct args16), R | W, 0 },
	/* 2: a gap */
	[3] = { run_none, 0, 0, 0 },
	[4] = { run_none, 0, R, KM_ANY_STATE },
	[5] = { run_args, KM_ARGS(struct args16), 0, 0 },
};

static const struct kmethod_table test_table = KMETHOD_TABLE(test_methods, C, state);

static capos_status_t invoke(struct thread *t, uint16_t rights, uint64_t label,
			     const void *body, uint32_t len)
{
	struct cap c = { .obj = &t->obj, .type = CAPOS_CAP_THREAD, .rights = rights };
	kt_msg(t, label, body, len);
	runs = 0;
	seen_ptr = (void *)1;
	return kmethod_invoke(&test_table, t, &c);
}

static void test_generic_checks(void **state)
{
	struct process *p = kt_proc("p", 4, 1, 64, 1);
	struct thread *t = kt_thread(p, 3);
	/* the argument struct, and room behind it for a longer body */
	uint64_t a[4] = { 0x1111, 0x2222, 0x3333, 0x4444 };
	fake_state = CAPOS_OK;

	/* the method runs with a copy of its argument struct */
	assert_int_equal(invoke(t, R | W, 1, a, sizeof(struct args16)), CAPOS_OK);
	assert_int_equal(runs, 1);
	assert_int_equal(seen_label, 1);
	assert_int_equal(seen.a, 0x1111);
	assert_int_equal(seen.b, 0x2222);
	assert_ptr_not_equal(seen_ptr, t->ipc->body);
	assert_int_equal(((struct args16 *)t->ipc->body)->a, 0x1111);
	/* a longer body is fine; a shorter one never reaches the handler */
	assert_int_equal(invoke(t, ALL, 1, a, sizeof a), CAPOS_OK);
	assert_int_equal(runs, 1);
	assert_int_equal(seen.b, 0x2222);
	assert_int_equal(invoke(t, ALL, 1, a, sizeof(struct args16) - 1), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(runs, 0);
	/* no argument struct: the handler gets NULL, and its status back */
	assert_int_equal(invoke(t, 0, 3, a, sizeof(struct args16)), CAPOS_TIMEOUT);
	assert_int_equal(runs, 1);
	assert_null(seen_ptr);

	/* every right the method names is needed */
	assert_int_equal(invoke(t, R, 1, a, sizeof(struct args16)), CAPOS_DENIED);
	assert_int_equal(invoke(t, W | C, 1, a, sizeof(struct args16)), CAPOS_DENIED);
	assert_int_equal(runs, 0);
	/* rights come first: before the length ... */
	assert_int_equal(invoke(t, R, 1, a, 0), CAPOS_DENIED);
	/* ... and before the object's state */
	fake_state = CAPOS_DISCONNECTED;
	assert_int_equal(invoke(t, R, 1, a, sizeof(struct args16)), CAPOS_DENIED);
	/* then the state: before the label and the length */
	assert_int_equal(invoke(t, ALL, 1, a, 0), CAPOS_DISCONNECTED);
	assert_int_equal(invoke(t, ALL, 2, NULL, 0), CAPOS_DISCONNECTED);
	assert_int_equal(invoke(t, ALL, 99, NULL, 0), CAPOS_DISCONNECTED);
	assert_int_equal(runs, 0);
	/* except for a method that works in any state */
	assert_int_equal(invoke(t, R, 4, NULL, 0), CAPOS_TIMEOUT);
	assert_int_equal(runs, 1);
	assert_int_equal(invoke(t, W, 4, NULL, 0), CAPOS_DENIED);
	fake_state = CAPOS_OK;

	/* unknown labels: label 0, a gap, past the end, huge; they need the
	 * table's unknown_rights (CONTROL here) before they are UNSUPPORTED */
	uint64_t unknown[] = { 0, 2, 6, 1000, 0x8000000000000001ull };
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
		assert_int_equal(invoke(t, C, unknown[i], a, sizeof(struct args16)), CAPOS_UNSUPPORTED);
		assert_int_equal(invoke(t, ALL & ~C, unknown[i], a, sizeof(struct args16)), CAPOS_DENIED);
	}
	assert_int_equal(runs, 0);
	/* a method needing no right runs on a cap with none */
	assert_int_equal(invoke(t, 0, 5, a, sizeof(struct args16)), CAPOS_OK);
	assert_int_equal(runs, 1);
	kt_proc_end(p);
}

/* ---- every object's order of errors, through the syscall path ---- */

/* A body longer than any message: INVALID_ARGUMENT before any rights. */
static void test_body_too_long(void **state)
{
	struct process *p = kt_proc("p", 8, 1, 64, 2);
	struct thread *t = kt_thread(p, 3);
	kt_cap(p, 0, p, CAPOS_CAP_PROCESS, 0, 0);
	kt_cap(p, 1, p, CAPOS_CAP_CAP_MANAGER, 0, 0);
	kt_msg(t, CAPOS_PROCESS_INFO, NULL, 0);
	t->ipc->len = CAPOS_MSG_BODY_MAX + 1;
	assert_int_equal(kt_sys(t, CAPOS_SYS_CALL, 0, 0), CAPOS_INVALID_ARGUMENT);
	kt_msg(t, 99, NULL, 0);
	t->ipc->len = 0xffffffffu;
	assert_int_equal(kt_sys(t, CAPOS_SYS_CALL, 1, 0), CAPOS_INVALID_ARGUMENT);
	/* a Call on a notification is not a method call */
	kt_ntfn_at(p, p, 2, ALL, 0);
	assert_int_equal(kt_method(t, 2, 1, NULL, 0), CAPOS_WRONG_TYPE);
	kt_proc_end(p);
}

static void test_process_order(void **state)
{
	struct process *p = kt_proc("p", 8, 1, 64, 2);
	struct process *q = kt_proc("q", 4, 1, 64, 2);
	struct thread *t = kt_thread(p, 3);
	kt_cap(p, 0, q, CAPOS_CAP_PROCESS, 0, 0);   /* no rights */
	kt_cap(p, 1, q, CAPOS_CAP_PROCESS, ALL, 0);
	struct capos_endpoint_create ec = { 1 };
	/* without the rights: DENIED, whatever the body or label */
	assert_int_equal(kt_method(t, 0, CAPOS_PROCESS_CREATE_ENDPOINT, &ec, 0), CAPOS_DENIED);
	assert_int_equal(kt_method(t, 0, 99, NULL, 0), CAPOS_DENIED);
	assert_int_equal(kt_method(t, 0, CAPOS_PROCESS_KILL, NULL, 0), CAPOS_DENIED);
	assert_int_equal(q->state, CAPOS_PROCESS_ALIVE);
	/* with them: UNSUPPORTED, INVALID_ARGUMENT */
	assert_int_equal(kt_method(t, 1, 99, NULL, 0), CAPOS_UNSUPPORTED);
	assert_int_equal(kt_method(t, 1, 0, NULL, 0), CAPOS_UNSUPPORTED);
	assert_int_equal(kt_method(t, 1, CAPOS_PROCESS_CREATE_ENDPOINT, &ec, sizeof ec - 1),
			 CAPOS_INVALID_ARGUMENT);
	uint8_t hdr[16] = { 0 };
	assert_int_equal(kt_method(t, 1, CAPOS_PROCESS_WRITE_MEMORY, hdr, 15),
			 CAPOS_INVALID_ARGUMENT);
	/* MAP_SHARED: the buffer slot, then its rights (READ, and WRITE for a
	 * writable mapping) */
	struct capos_map m = { 0x10000000, 1, CAPOS_PROT_READ | CAPOS_PROT_WRITE, 5, 0 };
	assert_int_equal(kt_method(t, 1, CAPOS_PROCESS_MAP_SHARED, &m, sizeof m),
			 CAPOS_INVALID_CAP);
	m.cap = 1;
	assert_int_equal(kt_method(t, 1, CAPOS_PROCESS_MAP_SHARED, &m, sizeof m),
			 CAPOS_WRONG_TYPE);
	capos_status_t st;
	struct shared_buffer *sb = shared_buffer_create(p, 1, &st);
	kt_cap(p, 2, sb, CAPOS_CAP_SHARED_BUFFER, R, 0);
	kt_cap(p, 3, sb, CAPOS_CAP_SHARED_BUFFER, W, 0);
	kobj_unref(&sb->obj);
	m.cap = 2;
	assert_int_equal(kt_method(t, 1, CAPOS_PROCESS_MAP_SHARED, &m, sizeof m), CAPOS_DENIED);
	m.cap = 3;
	assert_int_equal(kt_method(t, 1, CAPOS_PROCESS_MAP_SHARED, &m, sizeof m), CAPOS_DENIED);
	m.cap = 2;
	m.prot = CAPOS_PROT_READ;
	assert_int_equal(kt_method(t, 1, CAPOS_PROCESS_MAP_SHARED, &m, sizeof m), CAPOS_OK);
	/* SET_SUPERVISOR: endpoint with SEND */
	struct capos_set_supervisor ss = { 6, 0 };
	assert_int_equal(kt_method(t, 1, CAPOS_PROCESS_SET_SUPERVISOR, &ss, sizeof ss),
			 CAPOS_INVALID_CAP);
	ss.endpoint = 2;
	assert_int_equal(kt_method(t, 1, CAPOS_PROCESS_SET_SUPERVISOR, &ss, sizeof ss),
			 CAPOS_WRONG_TYPE);
	kt_endpoint_at(p, p, 4, ALL & ~CAPOS_RIGHT_SEND, 0);
	ss.endpoint = 4;
	assert_int_equal(kt_method(t, 1, CAPOS_PROCESS_SET_SUPERVISOR, &ss, sizeof ss),
			 CAPOS_DENIED);
	assert_null(q->supervisor);

	/* a dead process: DISCONNECTED before UNSUPPORTED and the length,
	 * INFO still answers */
	process_kill(q);
	assert_int_equal(kt_method(t, 1, 99, NULL, 0), CAPOS_DISCONNECTED);
	assert_int_equal(kt_method(t, 1, CAPOS_PROCESS_CREATE_ENDPOINT, &ec, 0),
			 CAPOS_DISCONNECTED);
	assert_int_equal(kt_method(t, 0, CAPOS_PROCESS_KILL, NULL, 0), CAPOS_DENIED);
	assert_int_equal(kt_method(t, 1, CAPOS_PROCESS_INFO, NULL, 0), CAPOS_OK);
	struct capos_process_info info;
	memcpy(&info, t->ipc->body, sizeof info);
	assert_int_equal(t->ipc->len, sizeof info);
	assert_int_equal(info.state, CAPOS_PROCESS_KILLED);
	assert_int_equal(info.pid, q->pid);
	kt_proc_end(q);
	kt_proc_end(p);
}

static void test_thread_order(void **state)
{
	struct process *p = kt_proc("p", 8, 3, 64, 2);
	struct thread *t = kt_thread(p, 3);
	struct thread *x = kt_thread(p, 2);
	kt_cap(p, 0, x, CAPOS_CAP_THREAD, ALL & ~C, 0);
	kt_cap(p, 1, x, CAPOS_CAP_THREAD, C, 0);
	struct capos_thread_priority pr = { 1, 0 };
	assert_int_equal(kt_method(t, 0, CAPOS_THREAD_SET_PRIORITY, &pr, sizeof pr), CAPOS_DENIED);
	assert_int_equal(kt_method(t, 0, 99, NULL, 0), CAPOS_DENIED);
	assert_int_equal(kt_method(t, 0, CAPOS_THREAD_START, NULL, 0), CAPOS_DENIED);
	assert_int_equal(x->state, THREAD_INACTIVE);
	assert_int_equal(kt_method(t, 1, 99, NULL, 0), CAPOS_UNSUPPORTED);
	assert_int_equal(kt_method(t, 1, CAPOS_THREAD_SET_PRIORITY, &pr, sizeof pr - 1),
			 CAPOS_INVALID_ARGUMENT);
	pr.priority = 4; /* above the caller */
	assert_int_equal(kt_method(t, 1, CAPOS_THREAD_SET_PRIORITY, &pr, sizeof pr),
			 CAPOS_INVALID_ARGUMENT);
	assert_int_equal(x->priority, 2);
	/* time slices: at most CAPOS_MAX_TIME_SLICE_US (issue 12) */
	pr.priority = 3;
	pr.time_slice_us = CAPOS_MAX_TIME_SLICE_US + 1;
	assert_int_equal(kt_method(t, 1, CAPOS_THREAD_SET_PRIORITY, &pr, sizeof pr),
			 CAPOS_INVALID_ARGUMENT);
	assert_int_equal(x->priority, 2);
	assert_int_equal(x->slice_ns, THREAD_DEFAULT_SLICE_NS);
	pr.time_slice_us = 0xffffffffu;
	assert_int_equal(kt_method(t, 1, CAPOS_THREAD_SET_PRIORITY, &pr, sizeof pr),
			 CAPOS_INVALID_ARGUMENT);
	pr.time_slice_us = CAPOS_MAX_TIME_SLICE_US;
	assert_int_equal(kt_method(t, 1, CAPOS_THREAD_SET_PRIORITY, &pr, sizeof pr), CAPOS_OK);
	assert_int_equal(x->priority, 3);
	assert_int_equal(x->slice_ns, CAPOS_MAX_TIME_SLICE_US * 1000ull);
	/* BIND: the notification slot, type, RECV */
	struct capos_thread_bind b = { 6, 0 };
	assert_int_equal(kt_method(t, 1, CAPOS_THREAD_BIND_NOTIFICATION, &b, sizeof b),
			 CAPOS_INVALID_CAP);
	b.notification = 0;
	assert_int_equal(kt_method(t, 1, CAPOS_THREAD_BIND_NOTIFICATION, &b, sizeof b),
			 CAPOS_WRONG_TYPE);
	kt_ntfn_at(p, p, 2, ALL & ~CAPOS_RIGHT_RECV, 0);
	b.notification = 2;
	assert_int_equal(kt_method(t, 1, CAPOS_THREAD_BIND_NOTIFICATION, &b, sizeof b),
			 CAPOS_DENIED);
	assert_null(x->bound);
	struct capos_thread_tls tls = { CAPOS_USER_TOP };
	assert_int_equal(kt_method(t, 1, CAPOS_THREAD_SET_TLS, &tls, sizeof tls),
			 CAPOS_INVALID_ARGUMENT);
	/* a dead thread: DISCONNECTED before UNSUPPORTED and the length, but
	 * after the rights */
	thread_kill(x);
	assert_int_equal(kt_method(t, 1, 99, NULL, 0), CAPOS_DISCONNECTED);
	assert_int_equal(kt_method(t, 1, CAPOS_THREAD_SET_PRIORITY, &pr, 0), CAPOS_DISCONNECTED);
	assert_int_equal(kt_method(t, 0, 99, NULL, 0), CAPOS_DENIED);
	kt_proc_end(p);
}

static void test_capmgr_order(void **state)
{
	struct process *p = kt_proc("p", 8, 1, 64, 4);
	struct process *q = kt_proc("q", 4, 1, 64, 2);
	struct thread *t = kt_thread(p, 3);
	kt_cap(p, 0, p, CAPOS_CAP_CAP_MANAGER, ALL, 0);
	kt_cap(p, 1, p, CAPOS_CAP_CAP_MANAGER, R, 0);
	kt_cap(p, 2, p, CAPOS_CAP_CAP_MANAGER, W, 0);
	kt_cap(p, 3, q, CAPOS_CAP_CAP_MANAGER, ALL, 0);
	struct capos_capmgr_list l = { 0, 4 };
	/* another table's manager: DENIED whatever the label or body */
	assert_int_equal(kt_method(t, 3, CAPOS_CAPMGR_LIST, &l, sizeof l), CAPOS_DENIED);
	assert_int_equal(kt_method(t, 3, 99, NULL, 0), CAPOS_DENIED);
	assert_int_equal(kt_method(t, 3, CAPOS_CAPMGR_LIST, &l, 0), CAPOS_DENIED);
	/* an unknown label needs WRITE before it is UNSUPPORTED */
	assert_int_equal(kt_method(t, 1, 99, NULL, 0), CAPOS_DENIED);
	assert_int_equal(kt_method(t, 2, 99, NULL, 0), CAPOS_UNSUPPORTED);
	/* the right before the length */
	assert_int_equal(kt_method(t, 2, CAPOS_CAPMGR_LIST, &l, 0), CAPOS_DENIED);
	assert_int_equal(kt_method(t, 1, CAPOS_CAPMGR_LIST, &l, sizeof l - 1),
			 CAPOS_INVALID_ARGUMENT);

	/* WATCH_DEATH: both slots looked up before either type counts */
	kt_ntfn_at(p, p, 4, ALL & ~CAPOS_RIGHT_SEND, 0);
	struct capos_endpoint_watch w = { 4, 7, 1 }; /* a notification as endpoint; empty */
	assert_int_equal(kt_method(t, 0, CAPOS_CAPMGR_WATCH_DEATH, &w, sizeof w),
			 CAPOS_INVALID_CAP);
	w = (struct capos_endpoint_watch){ 7, 4, 1 };
	assert_int_equal(kt_method(t, 0, CAPOS_CAPMGR_UNWATCH_DEATH, &w, sizeof w),
			 CAPOS_INVALID_CAP);
	/* then both types before the notification's SEND */
	w = (struct capos_endpoint_watch){ 4, 4, 1 };
	assert_int_equal(kt_method(t, 0, CAPOS_CAPMGR_WATCH_DEATH, &w, sizeof w),
			 CAPOS_WRONG_TYPE);
	struct endpoint *ep = kt_endpoint_at(p, p, 5, ALL & ~CAPOS_RIGHT_RECV, 0);
	w = (struct capos_endpoint_watch){ 5, 5, 1 };
	assert_int_equal(kt_method(t, 0, CAPOS_CAPMGR_WATCH_DEATH, &w, sizeof w),
			 CAPOS_WRONG_TYPE);
	w = (struct capos_endpoint_watch){ 5, 4, 1 };
	assert_int_equal(kt_method(t, 0, CAPOS_CAPMGR_WATCH_DEATH, &w, sizeof w), CAPOS_DENIED);
	assert_null(ep->watches[0].ntfn);
	/* NOTIFY_ARRIVAL: the endpoint (RECV) first, whatever the notification */
	w = (struct capos_endpoint_watch){ 5, 7, 1 };
	assert_int_equal(kt_method(t, 0, CAPOS_CAPMGR_NOTIFY_ARRIVAL, &w, sizeof w),
			 CAPOS_DENIED);
	kt_cap(p, 6, ep, CAPOS_CAP_ENDPOINT, CAPOS_RIGHT_RECV, 0);
	w = (struct capos_endpoint_watch){ 6, 7, 1 };
	assert_int_equal(kt_method(t, 0, CAPOS_CAPMGR_NOTIFY_ARRIVAL, &w, sizeof w),
			 CAPOS_INVALID_CAP);
	w = (struct capos_endpoint_watch){ 6, 6, 1 };
	assert_int_equal(kt_method(t, 0, CAPOS_CAPMGR_NOTIFY_ARRIVAL, &w, sizeof w),
			 CAPOS_WRONG_TYPE);
	w = (struct capos_endpoint_watch){ 6, 4, 1 };
	assert_int_equal(kt_method(t, 0, CAPOS_CAPMGR_NOTIFY_ARRIVAL, &w, sizeof w),
			 CAPOS_DENIED);
	/* removing names no notification: the slot is not looked at */
	w = (struct capos_endpoint_watch){ 6, 7, 0 };
	assert_int_equal(kt_method(t, 0, CAPOS_CAPMGR_NOTIFY_ARRIVAL, &w, sizeof w), CAPOS_OK);
	assert_null(ep->arrival);
	kt_proc_end(q);
	kt_proc_end(p);
}

/* IOPort checks its rights after the width and the range (the order it
 * always had), and needs none for SUBRANGE or to say UNSUPPORTED. */
static void test_ioport_order(void **state)
{
	struct process *p = kt_proc("p", 8, 1, 64, 2);
	struct thread *t = kt_thread(p, 3);
	capos_status_t st;
	struct ioport *io = kobj_alloc(CAPOS_CAP_IOPORT, p, &st);
	io->base = 0x2f8;
	io->count = 8;
	kt_cap(p, 0, io, CAPOS_CAP_IOPORT, 0, 0);
	kt_cap(p, 1, io, CAPOS_CAP_IOPORT, R, 0);
	kt_cap(p, 2, io, CAPOS_CAP_IOPORT, R | W, 0);
	kobj_unref(&io->obj);
	struct capos_ioport a = { 0x2f8, 3, 0, 0x41 };
	assert_int_equal(kt_method(t, 0, 99, NULL, 0), CAPOS_UNSUPPORTED);
	assert_int_equal(kt_method(t, 0, CAPOS_IOPORT_OUT, &a, sizeof a - 1),
			 CAPOS_INVALID_ARGUMENT);
	assert_int_equal(kt_method(t, 0, CAPOS_IOPORT_OUT, &a, sizeof a), CAPOS_INVALID_ARGUMENT);
	a.width = 1;
	assert_int_equal(kt_method(t, 0, CAPOS_IOPORT_OUT, &a, sizeof a), CAPOS_DENIED);
	assert_int_equal(kt_method(t, 1, CAPOS_IOPORT_OUT, &a, sizeof a), CAPOS_DENIED);
	assert_int_equal(host_port_get(0x2f8), 0);
	a.port = 0x2ff;
	a.width = 2; /* one port past the range */
	assert_int_equal(kt_method(t, 2, CAPOS_IOPORT_OUT, &a, sizeof a), CAPOS_DENIED);
	a.port = 0x2f8;
	assert_int_equal(kt_method(t, 2, CAPOS_IOPORT_OUT, &a, sizeof a), CAPOS_OK);
	assert_int_equal(host_port_get(0x2f8), 0x41);
	a.value = 0;
	assert_int_equal(kt_method(t, 0, CAPOS_IOPORT_IN, &a, sizeof a), CAPOS_DENIED);
	assert_int_equal(kt_method(t, 1, CAPOS_IOPORT_IN, &a, sizeof a), CAPOS_OK);
	assert_int_equal(t->ipc->len, sizeof a);
	assert_int_equal(((struct capos_ioport *)t->ipc->body)->value, 0x41);
	/* WRITE_STRING: the length, then rights and ports */
	static struct capos_ioport_string s;
	s.port = 0x2f8;
	s.len = 4;
	memcpy(s.data, "abcd", 4);
	uint32_t hdr = (uint32_t)offsetof(struct capos_ioport_string, data);
	assert_int_equal(kt_method(t, 0, CAPOS_IOPORT_WRITE_STRING, &s, hdr - 1),
			 CAPOS_INVALID_ARGUMENT);
	assert_int_equal(kt_method(t, 0, CAPOS_IOPORT_WRITE_STRING, &s, hdr + 3),
			 CAPOS_INVALID_ARGUMENT);
	assert_int_equal(kt_method(t, 0, CAPOS_IOPORT_WRITE_STRING, &s, hdr + 4), CAPOS_DENIED);
	assert_int_equal(kt_method(t, 1, CAPOS_IOPORT_WRITE_STRING, &s, hdr + 4), CAPOS_DENIED);
	s.port = 0x300;
	assert_int_equal(kt_method(t, 2, CAPOS_IOPORT_WRITE_STRING, &s, hdr + 4), CAPOS_DENIED);
	s.port = 0x2f9;
	assert_int_equal(kt_method(t, 2, CAPOS_IOPORT_WRITE_STRING, &s, hdr + 4), CAPOS_OK);
	assert_int_equal(host_port_get(0x2f9), 'd');
	/* SUBRANGE: inside the range, the source's rights */
	struct capos_ioport_range g = { 0x2fc, 5, 0 };
	assert_int_equal(kt_method(t, 1, CAPOS_IOPORT_SUBRANGE, &g, sizeof g), CAPOS_DENIED);
	g.count = 0;
	assert_int_equal(kt_method(t, 1, CAPOS_IOPORT_SUBRANGE, &g, sizeof g), CAPOS_DENIED);
	g.count = 4;
	assert_int_equal(kt_method(t, 1, CAPOS_IOPORT_SUBRANGE, &g, sizeof g), CAPOS_OK);
	uint32_t slot = ((struct capos_new_cap *)t->ipc->body)->slot;
	struct cap *sub = ct_lookup(&p->ct, slot);
	assert_int_equal(sub->type, CAPOS_CAP_IOPORT);
	assert_int_equal(sub->rights, R);
	assert_int_equal(((struct ioport *)sub->obj)->base, 0x2fc);
	assert_int_equal(((struct ioport *)sub->obj)->count, 4);
	kt_proc_end(p);
}

static void test_small_objects_order(void **state)
{
	struct process *p = kt_proc("p", 8, 1, 64, 4);
	struct thread *t = kt_thread(p, 3);
	/* KernelInfo: no right needed */
	kt_cap(p, 0, &kernel_info_obj, CAPOS_CAP_KERNEL_INFO, 0, 0);
	assert_int_equal(kt_method(t, 0, CAPOS_KINFO_STATS, NULL, 0), CAPOS_OK);
	assert_int_equal(t->ipc->len, sizeof(struct capos_kinfo_stats));
	assert_int_equal(((struct capos_kinfo_stats *)t->ipc->body)->live_objects,
			 kobj_live_count);
	struct capos_kinfo_irq ki = { 256, 0, 0 };
	assert_int_equal(kt_method(t, 0, CAPOS_KINFO_IRQ_COUNT, &ki, sizeof ki - 1),
			 CAPOS_INVALID_ARGUMENT);
	assert_int_equal(kt_method(t, 0, CAPOS_KINFO_IRQ_COUNT, &ki, sizeof ki),
			 CAPOS_INVALID_ARGUMENT);
	assert_int_equal(kt_method(t, 0, 99, NULL, 0), CAPOS_UNSUPPORTED);
	/* the invariant walk needs CONTROL (issue 12) */
	assert_int_equal(kt_method(t, 0, CAPOS_KINFO_CHECK_INVARIANTS, NULL, 0), CAPOS_DENIED);
	kt_cap(p, 1, &kernel_info_obj, CAPOS_CAP_KERNEL_INFO, CAPOS_RIGHTS_ALL & ~CAPOS_RIGHT_CONTROL, 0);
	assert_int_equal(kt_method(t, 1, CAPOS_KINFO_CHECK_INVARIANTS, NULL, 0), CAPOS_DENIED);
	assert_int_equal(ct_delete(&p->ct, 1), CAPOS_OK);
	assert_int_equal(ct_delete(&p->ct, 0), CAPOS_OK);
	kt_cap(p, 0, &kernel_info_obj, CAPOS_CAP_KERNEL_INFO, CAPOS_RIGHT_CONTROL, 0);
	assert_int_equal(kt_method(t, 0, CAPOS_KINFO_CHECK_INVARIANTS, NULL, 0), CAPOS_OK);
	assert_int_equal(((struct capos_kinfo_check *)t->ipc->body)->violations, 0);
	/* SharedBuffer */
	capos_status_t st;
	struct shared_buffer *sb = shared_buffer_create(p, 2, &st);
	kt_cap(p, 1, sb, CAPOS_CAP_SHARED_BUFFER, 0, 0);
	kobj_unref(&sb->obj);
	assert_int_equal(kt_method(t, 1, CAPOS_SHARED_BUFFER_INFO, NULL, 0), CAPOS_OK);
	assert_int_equal(((struct capos_shared_buffer_info *)t->ipc->body)->pages, 2);
	assert_int_equal(kt_method(t, 1, 2, NULL, 0), CAPOS_UNSUPPORTED);
	/* IRQControl: the notification slot and type, a full table, then the
	 * arch (the host has no I/O APIC: UNSUPPORTED) */
	kt_cap(p, 2, &irq_control_obj, CAPOS_CAP_IRQ_CONTROL, 0, 0);
	struct capos_irq_get ig = { 4, 6, 1 };
	assert_int_equal(kt_method(t, 2, 99, NULL, 0), CAPOS_UNSUPPORTED);
	assert_int_equal(kt_method(t, 2, CAPOS_IRQ_CONTROL_GET, &ig, sizeof ig - 1),
			 CAPOS_INVALID_ARGUMENT);
	assert_int_equal(kt_method(t, 2, CAPOS_IRQ_CONTROL_GET, &ig, sizeof ig),
			 CAPOS_INVALID_CAP);
	ig.notification = 1;
	assert_int_equal(kt_method(t, 2, CAPOS_IRQ_CONTROL_GET, &ig, sizeof ig),
			 CAPOS_WRONG_TYPE);
	kt_ntfn_at(p, p, 3, 0, 0); /* no SEND: the arch's to refuse */
	ig.notification = 3;
	assert_int_equal(kt_method(t, 2, CAPOS_IRQ_CONTROL_GET, &ig, sizeof ig),
			 CAPOS_UNSUPPORTED);
	for (uint32_t s = 4; s < 8; s++)
		kt_cap(p, s, &kernel_info_obj, CAPOS_CAP_KERNEL_INFO, 0, 0);
	assert_int_equal(kt_method(t, 2, CAPOS_IRQ_CONTROL_GET, &ig, sizeof ig),
			 CAPOS_LIMIT_EXCEEDED);
	kt_proc_end(p);
}

/* ProcessControl.RETARGET: both caps looked up, then both types, then
 * RECV on the endpoint and CONTROL on the process. */
static void test_process_control_order(void **state)
{
	struct process *p = kt_proc("p", 8, 1, 64, 4);
	struct process *q = kt_proc("q", 4, 1, 64, 2);
	struct thread *t = kt_thread(p, 3);
	kt_cap(p, 0, &process_control_obj, CAPOS_CAP_PROCESS_CONTROL, 0, 0);
	kt_ntfn_at(p, p, 1, ALL, 0);
	struct endpoint *ep = kt_endpoint_at(p, p, 2, ALL & ~CAPOS_RIGHT_RECV, 0);
	kt_cap(p, 3, ep, CAPOS_CAP_ENDPOINT, CAPOS_RIGHT_RECV, 0);
	kt_cap(p, 4, q, CAPOS_CAP_PROCESS, ALL & ~C, 0);
	kt_cap(p, 5, q, CAPOS_CAP_PROCESS, C, 0);
	struct capos_retarget r = { 1, 7 }; /* wrong type; empty */
	assert_int_equal(kt_method(t, 0, CAPOS_PCTL_RETARGET, &r, sizeof r), CAPOS_INVALID_CAP);
	r = (struct capos_retarget){ 7, 1 };
	assert_int_equal(kt_method(t, 0, CAPOS_PCTL_RETARGET, &r, sizeof r), CAPOS_INVALID_CAP);
	r = (struct capos_retarget){ 2, 1 }; /* no RECV; wrong type */
	assert_int_equal(kt_method(t, 0, CAPOS_PCTL_RETARGET, &r, sizeof r), CAPOS_WRONG_TYPE);
	r = (struct capos_retarget){ 2, 5 };
	assert_int_equal(kt_method(t, 0, CAPOS_PCTL_RETARGET, &r, sizeof r), CAPOS_DENIED);
	r = (struct capos_retarget){ 3, 4 };
	assert_int_equal(kt_method(t, 0, CAPOS_PCTL_RETARGET, &r, sizeof r), CAPOS_DENIED);
	assert_null(ep->server);
	r = (struct capos_retarget){ 3, 5 };
	assert_int_equal(kt_method(t, 0, CAPOS_PCTL_RETARGET, &r, sizeof r - 1),
			 CAPOS_INVALID_ARGUMENT);
	assert_int_equal(kt_method(t, 0, CAPOS_PCTL_CAP_LIST + 1, &r, sizeof r), CAPOS_UNSUPPORTED);
	assert_int_equal(kt_method(t, 0, CAPOS_PCTL_RETARGET, &r, sizeof r), CAPOS_OK);
	assert_ptr_equal(ep->server, q);
	kt_proc_end(q);
	kt_proc_end(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KT_TEST(test_generic_checks),
		KT_TEST(test_body_too_long),
		KT_TEST(test_process_order),
		KT_TEST(test_thread_order),
		KT_TEST(test_capmgr_order),
		KT_TEST(test_ioport_order),
		KT_TEST(test_small_objects_order),
		KT_TEST(test_process_control_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
