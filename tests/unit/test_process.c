/*
 * test_process - processes and their resource profiles
 * (kern/object/process.c, thread.c, shared_buffer.c, core/invoke.c):
 * creation that fails on a limit or out of memory leaves nothing behind,
 * limits are enforced, mappings roll back, and killing a process that
 * holds caps, threads, mappings and shared buffers returns every page and
 * object.
 */
#include <string.h>

#include "kcore_test.h"
#include "object/shared_buffer.h"

#define ALL CAPOS_RIGHTS_ALL
#define VA  0x10000000ull

static void test_invalid_limits(void **state)
{
	struct capos_limits bad[] = {
		{ 0, 1, 16, 1 }, { CT_MAX_SLOTS + 1, 1, 16, 1 }, { 4, 0, 16, 1 },
		{ 4, 4097, 16, 1 }, { 4, 1, 0, 1 }, { 4, 1, (1u << 26) + 1, 1 },
		{ 4, 1, 16, 65537 },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		capos_status_t st = -1;
		assert_null(process_create("x", &bad[i], NULL, &st));
		assert_int_equal(st, CAPOS_INVALID_ARGUMENT);
		kt_assert_clean();
	}
}

/* Too few pages for the table and root: LIMIT_EXCEEDED, nothing left;
 * then too few for a thread: the same. */
static void test_page_limit_rollback(void **state)
{
	uint32_t slots = 2 * CT_SLOTS_PER_CHUNK; /* a two-page table */
	uint32_t pages;
	struct process *p = NULL;
	for (pages = 1; !p; pages++) {
		struct capos_limits l = { slots, 2, pages, 1 };
		capos_status_t st = -1;
		p = process_create("tight", &l, NULL, &st);
		if (!p) {
			assert_int_equal(st, CAPOS_LIMIT_EXCEEDED);
			kt_assert_clean();
		}
	}
	assert_int_equal(pages - 1, 3); /* two table pages and the root */
	assert_int_equal(p->usage.pages, 3);
	kt_proc_end(p);
	kt_assert_clean();

	/* a thread needs its page, its IPC page and three table pages */
	for (uint32_t extra = 0;; extra++) {
		p = kt_proc("t", slots, 2, 3 + extra, 1);
		capos_status_t st = -1;
		struct thread *t = thread_create(p, 0x401000, 0x7fff0000, CAPOS_IPC_BUFFER_VA,
						 0, 0, 1, 0, &st);
		if (t) {
			assert_int_equal(extra, 5);
			assert_int_equal(p->usage.pages, 8);
			assert_int_equal(p->usage.threads, 1);
			kt_proc_end(p);
			kt_assert_clean();
			break;
		}
		assert_int_equal(st, CAPOS_LIMIT_EXCEEDED);
		assert_int_equal(p->usage.threads, 0);
		assert_null(p->threads);
		assert_true(p->usage.pages <= p->limits.max_pages);
		kt_proc_end(p);
		kt_assert_clean();
	}
}

/* The machine runs out of frames at every possible point of creating a
 * process, a thread, a shared buffer and a mapping: NO_MEMORY, and every
 * page obtained so far is returned. */
static void test_no_memory_rollback(void **state)
{
	struct capos_limits l = { 2 * CT_SLOTS_PER_CHUNK, 4, 1024, 4 };
	struct process *p = NULL;
	uint64_t n;
	for (n = 0; !p; n++) {
		host_set_free_pages(n);
		capos_status_t st = -1;
		p = process_create("nomem", &l, NULL, &st);
		host_reset_pages();
		if (!p) {
			assert_int_equal(st, CAPOS_NO_MEMORY);
			kt_assert_clean();
		}
	}
	assert_int_equal(n - 1, 4); /* object, two table pages, root */

	uint64_t pages = host_live_pages(), objs = kobj_live_count;
	uint32_t used = p->usage.pages;
	struct thread *t = NULL;
	for (n = 0; !t; n++) {
		host_set_free_pages(n);
		capos_status_t st = -1;
		t = thread_create(p, 0x401000, 0x7fff0000, CAPOS_IPC_BUFFER_VA, 0, 0, 1, 0, &st);
		host_reset_pages();
		if (!t) {
			assert_int_equal(st, CAPOS_NO_MEMORY);
			assert_int_equal(kobj_live_count, objs);
			assert_int_equal(p->usage.threads, 0);
			/* only page-table pages may stay (freed with the space) */
			assert_int_equal(host_live_pages() - pages, p->usage.pages - used);
		}
	}

	struct shared_buffer *sb = NULL;
	pages = host_live_pages();
	used = p->usage.pages;
	for (n = 0; !sb; n++) {
		host_set_free_pages(n);
		capos_status_t st = -1;
		sb = shared_buffer_create(p, 5, &st);
		host_reset_pages();
		if (!sb) {
			assert_int_equal(st, CAPOS_NO_MEMORY);
			assert_int_equal(host_live_pages(), pages);
			assert_int_equal(p->usage.pages, used);
		}
	}
	assert_int_equal(n - 1, 6);
	assert_int_equal(p->usage.pages, used + 6);
	kobj_unref(&sb->obj);
	assert_int_equal(p->usage.pages, used);

	/* map 4 pages in a fresh 2 MiB region */
	capos_status_t st = CAPOS_NO_MEMORY;
	for (n = 0; st != CAPOS_OK; n++) {
		uint32_t mapped = host_vs_mapped(p->vspace);
		host_set_free_pages(n);
		st = process_map_anon(p, VA, 4, CAPOS_PROT_READ | CAPOS_PROT_WRITE);
		host_reset_pages();
		if (st != CAPOS_OK) {
			assert_int_equal(st, CAPOS_NO_MEMORY);
			assert_int_equal(host_vs_mapped(p->vspace), mapped);
			assert_null(vs_lookup(p->vspace, VA, NULL));
		}
	}
	assert_int_equal(host_vs_mapped(p->vspace), 4 + 1); /* and the IPC page */
	kt_proc_end(p);
}

static void test_thread_and_endpoint_limits(void **state)
{
	struct process *p = kt_proc("lim", 8, 2, 64, 2);
	kt_thread(p, 1);
	kt_thread(p, 1);
	capos_status_t st = -1;
	assert_null(thread_create(p, 0, 0, CAPOS_IPC_BUFFER_VA - 0x10000, 0, 0, 1, 0, &st));
	assert_int_equal(st, CAPOS_LIMIT_EXCEEDED);
	/* a bad IPC address is refused before anything is charged */
	uint32_t pages = p->usage.pages;
	assert_null(thread_create(p, 0, 0, 0x1234, 0, 0, 1, 0, &st));
	assert_int_equal(st, CAPOS_INVALID_ARGUMENT);
	assert_null(thread_create(p, 0, 0, CAPOS_USER_TOP, 0, 0, 1, 0, &st));
	assert_int_equal(st, CAPOS_INVALID_ARGUMENT);
	assert_int_equal(p->usage.pages, pages);

	struct endpoint *e1 = endpoint_create(p, 1, &st);
	assert_non_null(e1);
	struct notification *n1 = notification_create(p, &st);
	assert_non_null(n1);
	assert_null(endpoint_create(p, 1, &st));
	assert_int_equal(st, CAPOS_LIMIT_EXCEEDED);
	assert_null(notification_create(p, &st));
	assert_int_equal(st, CAPOS_LIMIT_EXCEEDED);
	assert_int_equal(p->usage.endpoints, 2);
	assert_int_equal(p->usage.pages, pages + 2);
	kobj_unref(&e1->obj);
	assert_int_equal(p->usage.endpoints, 1);
	assert_int_equal(p->usage.pages, pages + 1);
	e1 = endpoint_create(p, 1, &st);
	assert_non_null(e1);
	kobj_unref(&e1->obj);
	kobj_unref(&n1->obj);
	/* objects' pages count against the quota too */
	struct process *q = kt_proc("q", 1, 1, 3, 8);
	assert_int_equal(q->usage.pages, 2);
	e1 = endpoint_create(q, 1, &st);
	assert_non_null(e1);
	assert_null(notification_create(q, &st));
	assert_int_equal(st, CAPOS_LIMIT_EXCEEDED);
	assert_int_equal(q->usage.endpoints, 1);
	kobj_unref(&e1->obj);
	kt_proc_end(q);
	kt_proc_end(p);
}

static void test_mappings(void **state)
{
	struct process *p = kt_proc("map", 8, 1, 16, 1);
	uint32_t rw = CAPOS_PROT_READ | CAPOS_PROT_WRITE;
	/* W^X, bad ranges */
	assert_int_equal(process_map_anon(p, VA, 1, CAPOS_PROT_WRITE | CAPOS_PROT_EXEC),
			 CAPOS_INVALID_ARGUMENT);
	assert_int_equal(process_map_anon(p, VA + 1, 1, rw), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(process_map_anon(p, 0, 1, rw), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(process_map_anon(p, VA, 0, rw), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(process_map_anon(p, CAPOS_USER_TOP - CAPOS_PAGE_SIZE, 2, rw),
			 CAPOS_INVALID_ARGUMENT);
	assert_int_equal(process_map_anon(p, VA, 1, 8), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(p->usage.pages, 2);

	assert_int_equal(process_map_anon(p, VA, 2, rw), CAPOS_OK);
	assert_int_equal(p->usage.pages, 2 + 3 + 2);
	uint32_t fl = 0;
	assert_non_null(vs_lookup(p->vspace, VA, &fl));
	assert_int_equal(fl, VS_READ | VS_WRITE | VS_OWNED);
	/* overlapping: refused, nothing changes */
	assert_int_equal(process_map_anon(p, VA + CAPOS_PAGE_SIZE, 2, rw), CAPOS_INVALID_ARGUMENT);
	assert_null(vs_lookup(p->vspace, VA + 2 * CAPOS_PAGE_SIZE, NULL));
	/* over the quota: all or nothing (9 pages left, ask for 10) */
	assert_int_equal(process_map_anon(p, VA + 2 * CAPOS_PAGE_SIZE, 10, rw),
			 CAPOS_LIMIT_EXCEEDED);
	assert_int_equal(host_vs_mapped(p->vspace), 2);
	assert_int_equal(p->usage.pages, 7);

	/* write_memory: only into mapped pages, across page boundaries */
	uint8_t data[100];
	memset(data, 0x5a, sizeof data);
	assert_int_equal(process_write_memory(p, VA + CAPOS_PAGE_SIZE - 50, data, 100), CAPOS_OK);
	uint8_t *f0 = vs_lookup(p->vspace, VA, NULL);
	uint8_t *f1 = vs_lookup(p->vspace, VA + CAPOS_PAGE_SIZE, NULL);
	assert_int_equal(f0[CAPOS_PAGE_SIZE - 50], 0x5a);
	assert_int_equal(f1[49], 0x5a);
	assert_int_equal(f1[50], 0);
	assert_int_equal(process_write_memory(p, VA + 2 * CAPOS_PAGE_SIZE - 10, data, 20),
			 CAPOS_INVALID_ARGUMENT);
	assert_int_equal(f1[CAPOS_PAGE_SIZE - 10], 0);

	/* unmap gives the frames back; unmapped ranges are refused */
	assert_int_equal(process_unmap(p, VA, 3), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(process_unmap(p, VA, 2), CAPOS_OK);
	assert_int_equal(p->usage.pages, 5); /* the tables stay with the space */
	assert_int_equal(process_unmap(p, VA, 1), CAPOS_INVALID_ARGUMENT);
	process_kill(p);
	assert_int_equal(process_map_anon(p, VA, 1, rw), CAPOS_DISCONNECTED);
	assert_int_equal(process_unmap(p, VA, 1), CAPOS_DISCONNECTED);
	assert_int_equal(process_write_memory(p, VA, data, 1), CAPOS_DISCONNECTED);
	assert_int_equal(p->usage.pages, 0);
	kobj_unref(&p->obj);
}

static capos_status_t method(struct thread *t, uint32_t slot, uint64_t label,
			     const void *args, uint32_t len, uint32_t *new_slot)
{
	capos_status_t st = kt_method(t, slot, label, args, len);
	if (st == CAPOS_OK && new_slot)
		memcpy(new_slot, t->ipc->body, sizeof *new_slot);
	return st;
}

/*
 * A parent R builds a child X through the Process methods: endpoints, a
 * notification, shared buffers (its own and the parent's), threads blocked
 * in Recv, in a timed Wait and runnable, a bound notification, anonymous
 * and shared mappings, installed caps. A client thread of R is blocked in
 * a Call X received. Killing X through R's cap wakes the client with
 * DISCONNECTED and, once R lets go of its caps to X's objects, every page
 * and object is back.
 */
static void test_kill_everything(void **state)
{
	struct process *R = kt_proc("parent", 32, 4, 512, 8);
	struct thread *rt = kt_thread(R, 100);
	struct thread *client = kt_thread(R, 5);
	kt_cap(R, 0, R, CAPOS_CAP_CAP_MANAGER, ALL, 0);
	kt_cap(R, 1, R, CAPOS_CAP_PROCESS, ALL, 0);
	uint64_t pages0 = host_live_pages(), objs0 = kobj_live_count;
	uint32_t rpages0 = R->usage.pages;

	uint32_t xs, ep_s, n_s, sb_s, psb_s, t1_s, t2_s, t3_s;
	struct capos_process_create pc = { "child", { 16, 4, 256, 4 } };
	assert_int_equal(method(rt, 1, CAPOS_PROCESS_CREATE_PROCESS, &pc, sizeof pc, &xs), CAPOS_OK);
	struct process *X = (struct process *)ct_lookup(&R->ct, xs)->obj;
	/* the child's object page and its whole quota, reserved (issue 12) */
	assert_int_equal(R->usage.pages, rpages0 + 1 + 256);
	struct capos_endpoint_create ec = { 0xabc };
	assert_int_equal(method(rt, xs, CAPOS_PROCESS_CREATE_ENDPOINT, &ec, sizeof ec, &ep_s), CAPOS_OK);
	assert_int_equal(method(rt, xs, CAPOS_PROCESS_CREATE_NOTIFICATION, NULL, 0, &n_s), CAPOS_OK);
	struct capos_shared_buffer_create sc = { 3, 0 };
	assert_int_equal(method(rt, xs, CAPOS_PROCESS_CREATE_SHARED_BUFFER, &sc, sizeof sc, &sb_s),
			 CAPOS_OK);
	assert_int_equal(method(rt, 1, CAPOS_PROCESS_CREATE_SHARED_BUFFER, &sc, sizeof sc, &psb_s),
			 CAPOS_OK);
	/* threads: never above the creator's priority */
	struct capos_thread_create tc = { 0x401000, 0x7fff0000, 0x7fffe000, 0, 7, 101, 0 };
	assert_int_equal(method(rt, xs, CAPOS_PROCESS_CREATE_THREAD, &tc, sizeof tc, NULL),
			 CAPOS_INVALID_ARGUMENT);
	tc.priority = 10;
	/* time slices: at most CAPOS_MAX_TIME_SLICE_US (issue 12) */
	tc.time_slice_us = CAPOS_MAX_TIME_SLICE_US + 1;
	assert_int_equal(method(rt, xs, CAPOS_PROCESS_CREATE_THREAD, &tc, sizeof tc, NULL),
			 CAPOS_INVALID_ARGUMENT);
	tc.time_slice_us = 0xffffffffu;
	assert_int_equal(method(rt, xs, CAPOS_PROCESS_CREATE_THREAD, &tc, sizeof tc, NULL),
			 CAPOS_INVALID_ARGUMENT);
	assert_null(X->threads);
	tc.time_slice_us = CAPOS_MAX_TIME_SLICE_US;
	assert_int_equal(method(rt, xs, CAPOS_PROCESS_CREATE_THREAD, &tc, sizeof tc, &t1_s), CAPOS_OK);
	assert_int_equal(((struct thread *)ct_lookup(&R->ct, t1_s)->obj)->slice_ns,
			 CAPOS_MAX_TIME_SLICE_US * 1000ull);
	tc.time_slice_us = 0;
	tc.ipc_buffer -= 0x2000;
	assert_int_equal(method(rt, xs, CAPOS_PROCESS_CREATE_THREAD, &tc, sizeof tc, &t2_s), CAPOS_OK);
	tc.ipc_buffer -= 0x2000;
	tc.priority = 1;
	assert_int_equal(method(rt, xs, CAPOS_PROCESS_CREATE_THREAD, &tc, sizeof tc, &t3_s), CAPOS_OK);
	struct thread *x1 = (struct thread *)ct_lookup(&R->ct, t1_s)->obj;
	struct thread *x2 = (struct thread *)ct_lookup(&R->ct, t2_s)->obj;
	struct thread *x3 = (struct thread *)ct_lookup(&R->ct, t3_s)->obj;
	assert_int_equal(x1->tf.rsi, 7);
	assert_int_equal(x1->tf.rdi, 0x7fffe000);
	assert_int_equal(x1->tf.rip, 0x401000);
	assert_int_equal(X->usage.threads, 3);

	/* caps into X: the endpoint (slot 0), notification (1), own manager (2) */
	struct capos_install_cap ic = { ep_s, 0, ALL, 0, 0 };
	assert_int_equal(method(rt, xs, CAPOS_PROCESS_INSTALL_CAP, &ic, sizeof ic, NULL), CAPOS_OK);
	ic = (struct capos_install_cap){ n_s, 1, ALL, 0, 0 };
	assert_int_equal(method(rt, xs, CAPOS_PROCESS_INSTALL_CAP, &ic, sizeof ic, NULL), CAPOS_OK);
	ic = (struct capos_install_cap){ sb_s, 3, CAPOS_RIGHT_READ, 0, 0 };
	assert_int_equal(method(rt, xs, CAPOS_PROCESS_INSTALL_CAP, &ic, sizeof ic, NULL), CAPOS_OK);
	ic = (struct capos_install_cap){ xs, 2, ALL, 0, 0 };
	assert_int_equal(method(rt, xs, CAPOS_PROCESS_INSTALL_CAP, &ic, sizeof ic, NULL), CAPOS_OK);
	/* mappings: anonymous, both buffers (the parent's read-only) */
	struct capos_map m = { VA, 4, CAPOS_PROT_READ | CAPOS_PROT_WRITE, 0, 0 };
	assert_int_equal(method(rt, xs, CAPOS_PROCESS_MAP_ANON, &m, sizeof m, NULL), CAPOS_OK);
	m = (struct capos_map){ VA + 0x100000, 3, CAPOS_PROT_READ | CAPOS_PROT_WRITE, sb_s, 0 };
	assert_int_equal(method(rt, xs, CAPOS_PROCESS_MAP_SHARED, &m, sizeof m, NULL), CAPOS_OK);
	m = (struct capos_map){ VA + 0x200000, 2, CAPOS_PROT_READ, psb_s, 1 };
	assert_int_equal(method(rt, xs, CAPOS_PROCESS_MAP_SHARED, &m, sizeof m, NULL), CAPOS_OK);
	m = (struct capos_map){ VA + 0x300000, 2, CAPOS_PROT_READ, psb_s, 2 };
	assert_int_equal(method(rt, xs, CAPOS_PROCESS_MAP_SHARED, &m, sizeof m, NULL),
			 CAPOS_INVALID_ARGUMENT); /* beyond the buffer */
	/* the same frames are seen through both mappings' buffer */
	struct shared_buffer *psb = (struct shared_buffer *)ct_lookup(&R->ct, psb_s)->obj;
	assert_ptr_equal(vs_lookup(X->vspace, VA + 0x200000, NULL), psb->frames[1]);
	static struct capos_write_memory wm;
	wm.va = VA + 10;
	wm.len = 5;
	memcpy(wm.data, "hello", 5);
	assert_int_equal(method(rt, xs, CAPOS_PROCESS_WRITE_MEMORY, &wm,
				(uint32_t)offsetof(struct capos_write_memory, data) + 5, NULL), CAPOS_OK);
	assert_memory_equal((uint8_t *)vs_lookup(X->vspace, VA, NULL) + 10, "hello", 5);
	/* start the threads; bind the notification to x1 */
	assert_int_equal(method(rt, t1_s, CAPOS_THREAD_START, NULL, 0, NULL), CAPOS_OK);
	assert_int_equal(method(rt, t1_s, CAPOS_THREAD_START, NULL, 0, NULL), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(method(rt, t2_s, CAPOS_THREAD_START, NULL, 0, NULL), CAPOS_OK);
	assert_int_equal(method(rt, t3_s, CAPOS_THREAD_START, NULL, 0, NULL), CAPOS_OK);
	struct capos_thread_bind tb = { n_s, 0 };
	assert_int_equal(method(rt, t1_s, CAPOS_THREAD_BIND_NOTIFICATION, &tb, sizeof tb, NULL),
			 CAPOS_OK);

	/* x1 receives a call from R's client and keeps it; x2 waits with a
	 * timeout; x3 is runnable */
	kt_msg(client, 5, "", 0);
	assert_int_equal(kt_sys(client, CAPOS_SYS_CALL, ep_s, 0), KT_BLOCKED);
	assert_int_equal(kt_sys(x1, CAPOS_SYS_RECV, 0, 0), CAPOS_OK);
	assert_int_equal(client->state, THREAD_BLOCKED_REPLY);
	assert_int_equal(kt_sys(x1, CAPOS_SYS_RECV, 0, 0), KT_BLOCKED);
	assert_int_equal(kt_sys(x2, CAPOS_SYS_WAIT, 1, 50 * MS), KT_BLOCKED);
	assert_int_equal(x3->state, THREAD_RUNNABLE);

	/* INFO reports usage */
	assert_int_equal(method(rt, xs, CAPOS_PROCESS_INFO, NULL, 0, NULL), CAPOS_OK);
	struct capos_process_info info;
	memcpy(&info, rt->ipc->body, sizeof info);
	assert_int_equal(info.state, CAPOS_PROCESS_ALIVE);
	assert_int_equal(info.usage.threads, 3);
	assert_int_equal(info.usage.slots, 4);
	assert_int_equal(info.usage.endpoints, 2);
	assert_int_equal(info.usage.pages, X->usage.pages);

	/* kill */
	assert_int_equal(method(rt, xs, CAPOS_PROCESS_KILL, NULL, 0, NULL), CAPOS_OK);
	assert_int_equal(client->state, THREAD_RUNNABLE);
	assert_int_equal(KT_RAX(client), CAPOS_DISCONNECTED);
	assert_int_equal(x1->state, THREAD_DEAD);
	assert_int_equal(x2->state, THREAD_DEAD);
	assert_int_equal(x3->state, THREAD_DEAD);
	assert_int_equal(method(rt, xs, CAPOS_PROCESS_INFO, NULL, 0, NULL), CAPOS_OK);
	memcpy(&info, rt->ipc->body, sizeof info);
	assert_int_equal(info.state, CAPOS_PROCESS_KILLED);
	assert_int_equal(info.usage.slots, 0);
	assert_int_equal(method(rt, xs, CAPOS_PROCESS_CREATE_NOTIFICATION, NULL, 0, NULL),
			 CAPOS_DISCONNECTED);
	assert_int_equal(method(rt, xs, CAPOS_PROCESS_KILL, NULL, 0, NULL), CAPOS_DISCONNECTED);
	assert_int_equal(method(rt, t1_s, CAPOS_THREAD_START, NULL, 0, NULL), CAPOS_DISCONNECTED);
	kt_msg(client, 5, "", 0);
	assert_int_equal(kt_sys(client, CAPOS_SYS_CALL, ep_s, 0), CAPOS_DISCONNECTED);
	/* nothing of X is scheduled any more */
	assert_ptr_equal(sched_choose()->proc, R);
	/* what X is still charged for: the objects R's caps keep alive
	 * (endpoint, notification, 3-page buffer, three threads and their IPC
	 * pages); its table, tables and memory are gone */
	assert_int_equal(info.usage.pages, 1 + 1 + (3 + 1) + 3 * 2);
	/* X is dead but not destroyed (R's caps name it and its objects): its
	 * reservation stays taken (and R's own 4-page buffer) */
	assert_int_equal(R->usage.pages, rpages0 + 1 + 256 + 4);

	/* R drops its caps to X and X's objects: everything is back */
	uint32_t slots[] = { xs, ep_s, n_s, sb_s, t1_s, t2_s, t3_s, psb_s };
	for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
		assert_int_equal(ct_delete(&R->ct, slots[i]), CAPOS_OK);
	assert_int_equal(host_live_pages(), pages0);
	assert_int_equal(kobj_live_count, objs0);
	assert_int_equal(R->usage.pages, rpages0);
	kt_proc_end(R);
}

/* Exit and fault: the process's own thread ends it. */
static void test_exit_and_fault(void **state)
{
	struct process *p = kt_proc("quitter", 8, 2, 64, 2);
	struct thread *t = kt_thread(p, 3);
	kt_endpoint_at(p, p, 0, ALL, 0);
	process_map_anon(p, VA, 3, CAPOS_PROT_READ);
	host_log_clear();
	kt_make_current(t);
	t->tf.rax = CAPOS_SYS_EXIT;
	t->tf.rdi = (uint64_t)-3;
	syscall_handle(t); /* t is freed here: the process held its only ref */
	assert_null(sched_current());
	assert_int_equal(p->state, CAPOS_PROCESS_EXITED);
	assert_int_equal(p->exit_code, -3);
	assert_non_null(strstr(host_log(), "exited with code -3"));
	assert_null(p->threads);
	kobj_unref(&p->obj);
	kt_assert_clean();

	p = kt_proc("crasher", 8, 2, 64, 2);
	t = kt_thread_started(p, 3);
	struct fault_info fi = { 14, 2, 0x401234, 0xdead000 };
	process_fault(p, &fi);
	assert_int_equal(p->state, CAPOS_PROCESS_FAULTED);
	assert_non_null(strstr(host_log(), "crasher"));
	assert_non_null(strstr(host_log(), "write to unmapped page"));
	assert_null(sched_choose());
	/* teardown happens once */
	process_kill(p);
	assert_int_equal(p->state, CAPOS_PROCESS_FAULTED);
	kobj_unref(&p->obj);
}

/* W^X across aliases and writes (issue 12): one SharedBuffer mapped
 * writable at one address and executable at another, in either order and
 * in either process, is refused; unmapping the writable alias makes the
 * executable one possible. WRITE_MEMORY into executable pages works before
 * the process starts a thread (a loader writing code), never after. */
static void test_wx_aliases_and_writes(void **state)
{
	(void)state;
	struct process *A = kt_proc("a", 8, 2, 64, 2);
	struct process *B = kt_proc("b", 8, 2, 64, 2);
	capos_status_t st;
	struct shared_buffer *sb = shared_buffer_create(A, 2, &st);
	assert_int_equal(st, CAPOS_OK);
	const uint32_t RW = CAPOS_PROT_READ | CAPOS_PROT_WRITE, RX = CAPOS_PROT_READ | CAPOS_PROT_EXEC;
	assert_int_equal(process_map_shared(A, 0x10000000, sb, 0, 2, RW), CAPOS_OK);
	assert_int_equal(process_map_shared(A, 0x20000000, sb, 0, 1, RX), CAPOS_DENIED);
	assert_int_equal(process_map_shared(B, 0x20000000, sb, 1, 1, RX), CAPOS_DENIED);
	assert_int_equal(process_map_shared(B, 0x30000000, sb, 0, 2, CAPOS_PROT_READ), CAPOS_OK);
	assert_int_equal(process_unmap(A, 0x10000000, 2), CAPOS_OK);
	/* the other order: executable first, then no writable alias */
	assert_int_equal(process_map_shared(B, 0x20000000, sb, 0, 1, RX), CAPOS_OK);
	assert_int_equal(process_map_shared(A, 0x10000000, sb, 0, 2, RW), CAPOS_DENIED);
	assert_int_equal(sb->writable_maps, 0);
	assert_int_equal(sb->exec_maps, 1);
	kt_proc_end(B); /* its mappings go: the counts with them */
	assert_int_equal(sb->exec_maps, 0);
	assert_int_equal(process_map_shared(A, 0x10000000, sb, 0, 2, RW), CAPOS_OK);
	kobj_unref(&sb->obj);

	/* WRITE_MEMORY into code: before the first thread starts, not after */
	const uint8_t code[4] = { 0x90, 0x90, 0x90, 0xc3 };
	assert_int_equal(process_map_anon(A, 0x400000, 1, RX), CAPOS_OK);
	assert_int_equal(process_write_memory(A, 0x400000, code, 4), CAPOS_OK);
	struct thread *t = kt_thread(A, 5);
	assert_int_equal(process_write_memory(A, 0x400010, code, 4), CAPOS_OK);
	thread_start(t);
	assert_int_equal(process_write_memory(A, 0x400020, code, 4), CAPOS_DENIED);
	assert_int_equal(process_write_memory(A, 0x10000000, code, 4), CAPOS_OK); /* data */
	kt_proc_end(A);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KT_TEST(test_invalid_limits),
		KT_TEST(test_page_limit_rollback),
		KT_TEST(test_no_memory_rollback),
		KT_TEST(test_thread_and_endpoint_limits),
		KT_TEST(test_mappings),
		KT_TEST(test_kill_everything),
		KT_TEST(test_exit_and_fault),
		KT_TEST(test_wx_aliases_and_writes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
