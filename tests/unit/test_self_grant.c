/*
 * test_self_grant - the rights of a Process cap (kern/object/process.c)
 * and what a holder of the narrowed "self" grant (READ|WRITE on its own
 * process) can and cannot do: INFO needs READ; MAP_ANON, UNMAP and
 * CREATE_THREAD need WRITE and stay within the resource profile (with
 * nothing left behind when a limit is hit); CREATE_SHARED_BUFFER and
 * MAP_SHARED on its own process need WRITE only (test_self_buffer.c);
 * every other method needs WRITE and CONTROL and answers DENIED, changing
 * nothing; and UNMAP of the
 * pages the kernel or the runtime rely on (IPC buffers, also of a thread
 * blocked in the kernel; the startup page; shared mappings; kernel or
 * non-canonical ranges) is an error code or the process's own loss, never
 * a kernel fault.
 */
#include <string.h>

#include "kcore_test.h"

#define ALL  CAPOS_RIGHTS_ALL
#define R    CAPOS_RIGHT_READ
#define W    CAPOS_RIGHT_WRITE
#define C    CAPOS_RIGHT_CONTROL
#define SELF (R | W)
#define VA   0x10000000ull
#define RW   (CAPOS_PROT_READ | CAPOS_PROT_WRITE)

enum {
	S_SELF = 0,  /* READ|WRITE on its own process */
	S_FULL = 1,  /* every right */
	S_EP = 2,    /* an endpoint it may send on */
	S_SB = 3,    /* a shared buffer */
	S_CTRL = 4,  /* CONTROL only */
	S_WC = 5,    /* WRITE|CONTROL (no READ) */
	S_READ = 6,  /* READ only */
	S_WRITE = 7, /* WRITE only */
	S_FIRST_FREE = 8,
};

/* A process holding caps to itself with each interesting set of rights. */
static struct process *self_proc(uint32_t slots, uint32_t threads, uint32_t pages,
				 struct thread **t)
{
	struct process *p = kt_proc("self", slots, threads, pages, 4);
	*t = kt_thread(p, 10);
	kt_cap(p, S_SELF, p, CAPOS_CAP_PROCESS, SELF, 0);
	kt_cap(p, S_FULL, p, CAPOS_CAP_PROCESS, ALL, 0);
	kt_endpoint_at(p, p, S_EP, ALL, 0);
	capos_status_t st;
	struct shared_buffer *sb = shared_buffer_create(p, 2, &st);
	assert_int_equal(st, CAPOS_OK);
	kt_cap(p, S_SB, sb, CAPOS_CAP_SHARED_BUFFER, ALL, 0);
	kobj_unref(&sb->obj);
	kt_cap(p, S_CTRL, p, CAPOS_CAP_PROCESS, C, 0);
	kt_cap(p, S_WC, p, CAPOS_CAP_PROCESS, W | C, 0);
	kt_cap(p, S_READ, p, CAPOS_CAP_PROCESS, R, 0);
	kt_cap(p, S_WRITE, p, CAPOS_CAP_PROCESS, W, 0);
	return p;
}

/* Everything a method could have changed. */
struct world {
	uint64_t pages, objs;
	struct capos_usage usage;
	uint32_t used, mapped, state;
	struct endpoint *supervisor;
};

static void look(struct process *p, struct world *w)
{
	memset(w, 0, sizeof *w);
	w->pages = host_live_pages();
	w->objs = kobj_live_count;
	w->usage = p->usage;
	w->used = p->ct.used;
	w->mapped = host_vs_mapped(p->vspace);
	w->state = p->state;
	w->supervisor = p->supervisor;
}

static void assert_same(struct process *p, const struct world *before)
{
	struct world now;
	look(p, &now);
	assert_memory_equal(before, &now, sizeof now);
}

/* One valid call of each CONTROL method, on process p, made by t. */
struct call {
	uint64_t label;
	const void *args;
	uint32_t len;
};

static struct capos_process_create pc = { "child", { 4, 1, 16, 1 } };
static struct capos_endpoint_create ec = { 0x77 };
static struct capos_write_memory wm = { VA, 4, 0, { 'a', 'b', 'c', 'd' } };
static struct capos_install_cap ic = { S_EP, S_FIRST_FREE + 4, ALL, 0, 0 };
static struct capos_set_supervisor ss = { S_EP, 0 };

static const struct call control_calls[] = {
	{ CAPOS_PROCESS_CREATE_PROCESS, &pc, sizeof pc },
	{ CAPOS_PROCESS_CREATE_ENDPOINT, &ec, sizeof ec },
	{ CAPOS_PROCESS_CREATE_NOTIFICATION, NULL, 0 },
	{ CAPOS_PROCESS_WRITE_MEMORY, &wm, 16 + 4 },
	{ CAPOS_PROCESS_INSTALL_CAP, &ic, sizeof ic },
	{ CAPOS_PROCESS_SET_SUPERVISOR, &ss, sizeof ss },
	{ CAPOS_PROCESS_MAKE_CAP_MANAGER, NULL, 0 },
	{ CAPOS_PROCESS_KILL, NULL, 0 }, /* last: it ends the process */
};

#define NCONTROL (sizeof control_calls / sizeof control_calls[0])

/* Each CONTROL method through the self grant: DENIED, nothing changes.
 * The same calls through WRITE|CONTROL then succeed, so it was the right
 * that was missing, not a valid body. CONTROL without WRITE is not enough
 * either, and an unknown label is refused like a CONTROL method. */
static void test_control_methods_denied(void **state)
{
	struct thread *t;
	struct process *p = self_proc(16, 2, 64, &t);
	assert_int_equal(process_map_anon(p, VA, 1, RW), CAPOS_OK);
	uint8_t *page = vs_lookup(p->vspace, VA, NULL);

	struct world before;
	look(p, &before);
	for (size_t i = 0; i < NCONTROL; i++) {
		const struct call *k = &control_calls[i];
		assert_int_equal(kt_method(t, S_SELF, k->label, k->args, k->len), CAPOS_DENIED);
		assert_same(p, &before);
		assert_int_equal(kt_method(t, S_CTRL, k->label, k->args, k->len), CAPOS_DENIED);
		assert_same(p, &before);
		assert_int_equal(kt_method(t, S_READ, k->label, k->args, k->len), CAPOS_DENIED);
		assert_int_equal(kt_method(t, S_WRITE, k->label, k->args, k->len), CAPOS_DENIED);
		assert_same(p, &before);
	}
	assert_int_equal(page[0], 0); /* WRITE_MEMORY wrote nothing */
	assert_int_equal(kt_method(t, S_SELF, 99, NULL, 0), CAPOS_DENIED);
	assert_int_equal(kt_method(t, S_SELF, 0, NULL, 0), CAPOS_DENIED);
	assert_int_equal(kt_method(t, S_WC, 99, NULL, 0), CAPOS_UNSUPPORTED);

	for (size_t i = 0; i + 1 < NCONTROL; i++) {
		const struct call *k = &control_calls[i];
		assert_int_equal(kt_method(t, S_WC, k->label, k->args, k->len), CAPOS_OK);
	}
	assert_memory_equal(page, "abcd", 4);
	assert_non_null(p->supervisor);
	assert_int_equal(p->ct.used, before.used + 5); /* four new caps, one installed */
	/* the child lives on its own until killed (it has no thread to end) */
	struct cap *child = ct_lookup(&p->ct, S_FIRST_FREE);
	assert_int_equal(child->type, CAPOS_CAP_PROCESS);
	process_kill((struct process *)child->obj);
	/* KILL ends the caller too: no status comes back, and the thread is
	 * freed with the call (its process held its only reference) */
	kt_msg(t, CAPOS_PROCESS_KILL, NULL, 0);
	kt_make_current(t);
	t->tf.rax = CAPOS_SYS_CALL;
	t->tf.rdi = S_WC;
	syscall_handle(t);
	assert_int_equal(p->state, CAPOS_PROCESS_KILLED);
	assert_null(p->threads);
	assert_null(sched_current());
	kobj_unref(&p->obj);
}

/* INFO needs READ, and READ is all it needs. */
static void test_info_needs_read(void **state)
{
	struct thread *t;
	struct process *p = self_proc(16, 2, 64, &t);
	/* an onlooker with caps to p, to ask after p is gone */
	struct process *q = kt_proc("onlooker", 4, 1, 64, 1);
	struct thread *tq = kt_thread(q, 3);
	kt_cap(q, 0, p, CAPOS_CAP_PROCESS, R, 0);
	kt_cap(q, 1, p, CAPOS_CAP_PROCESS, W | C, 0);
	assert_int_equal(kt_method(t, S_WC, CAPOS_PROCESS_INFO, NULL, 0), CAPOS_DENIED);
	assert_int_equal(kt_method(t, S_CTRL, CAPOS_PROCESS_INFO, NULL, 0), CAPOS_DENIED);
	assert_int_equal(kt_method(t, S_WRITE, CAPOS_PROCESS_INFO, NULL, 0), CAPOS_DENIED);
	assert_int_equal(kt_method(t, S_READ, CAPOS_PROCESS_INFO, NULL, 0), CAPOS_OK);
	struct capos_process_info info;
	memcpy(&info, t->ipc->body, sizeof info);
	assert_int_equal(info.pid, p->pid);
	assert_int_equal(info.usage.pages, p->usage.pages);
	assert_int_equal(info.limits.max_pages, 64);
	assert_int_equal(kt_method(t, S_SELF, CAPOS_PROCESS_INFO, NULL, 0), CAPOS_OK);
	/* READ alone maps nothing */
	struct capos_map m = { VA, 1, RW, 0, 0 };
	assert_int_equal(kt_method(t, S_READ, CAPOS_PROCESS_MAP_ANON, &m, sizeof m),
			 CAPOS_DENIED);
	assert_null(vs_lookup(p->vspace, VA, NULL));
	assert_int_equal(kt_method(t, S_WRITE, CAPOS_PROCESS_MAP_ANON, &m, sizeof m), CAPOS_OK);
	/* and after the end, INFO still answers through READ */
	process_kill(p);
	assert_int_equal(kt_method(tq, 0, CAPOS_PROCESS_INFO, NULL, 0), CAPOS_OK);
	memcpy(&info, tq->ipc->body, sizeof info);
	assert_int_equal(info.state, CAPOS_PROCESS_KILLED);
	assert_int_equal(kt_method(tq, 1, CAPOS_PROCESS_INFO, NULL, 0), CAPOS_DENIED);
	assert_int_equal(kt_method(tq, 1, CAPOS_PROCESS_MAP_ANON, &m, sizeof m),
			 CAPOS_DISCONNECTED);
	kobj_unref(&p->obj);
	kt_proc_end(q);
}

/* MAP_ANON through the self grant, one page at a time, until the page
 * limit: then LIMIT_EXCEEDED, and the failing call leaves no page, table
 * or charge behind; a multi-page map over the limit is all or nothing;
 * unmapping gives the pages back for a new map. */
static void test_map_anon_to_the_limit(void **state)
{
	struct thread *t;
	struct process *p = self_proc(16, 2, 48, &t);
	struct capos_map m = { VA, 1, RW, 0, 0 };
	capos_status_t st;
	uint32_t n = 0;
	struct world before;
	for (;;) {
		look(p, &before);
		/* 1 MiB apart: every other map needs a fresh page table, so
		 * the limit is hit by a frame or by a table; both roll back */
		m.va = VA + (uint64_t)n * 0x100000;
		st = kt_method(t, S_SELF, CAPOS_PROCESS_MAP_ANON, &m, sizeof m);
		if (st != CAPOS_OK)
			break;
		assert_non_null(vs_lookup(p->vspace, m.va, NULL));
		n++;
		assert_true(n < 48);
	}
	assert_int_equal(st, CAPOS_LIMIT_EXCEEDED);
	assert_same(p, &before);
	assert_null(vs_lookup(p->vspace, m.va, NULL));
	assert_true(p->usage.pages <= p->limits.max_pages);
	assert_true(n > 4);

	/* free three pages; a four-page map does not fit: nothing changes */
	struct capos_map u = { VA, 1, 0, 0, 0 };
	for (uint32_t i = 0; i < 3; i++) {
		u.va = VA + (uint64_t)i * 0x100000;
		assert_int_equal(kt_method(t, S_SELF, CAPOS_PROCESS_UNMAP, &u, sizeof u), CAPOS_OK);
	}
	uint32_t left = p->limits.max_pages - p->usage.pages;
	assert_true(left >= 3);
	look(p, &before);
	m = (struct capos_map){ VA + 0x100000 - (uint64_t)left * CAPOS_PAGE_SIZE, left + 1, RW,
				0, 0 };
	assert_int_equal(kt_method(t, S_SELF, CAPOS_PROCESS_MAP_ANON, &m, sizeof m),
			 CAPOS_LIMIT_EXCEEDED);
	assert_same(p, &before);
	/* exactly what is left fits (the tables there exist already) */
	m.pages = left;
	assert_int_equal(kt_method(t, S_SELF, CAPOS_PROCESS_MAP_ANON, &m, sizeof m), CAPOS_OK);
	assert_int_equal(p->usage.pages, p->limits.max_pages);
	/* a count the quota could never allow fails before any work */
	look(p, &before);
	m = (struct capos_map){ VA + 0x40000000, 0xffffffffu, RW, 0, 0 };
	assert_int_equal(kt_method(t, S_SELF, CAPOS_PROCESS_MAP_ANON, &m, sizeof m),
			 CAPOS_LIMIT_EXCEEDED);
	assert_same(p, &before);
	/* W^X and kernel addresses stay refused through WRITE */
	m = (struct capos_map){ 0xffff800000000000ull, 1, RW, 0, 0 };
	assert_int_equal(kt_method(t, S_SELF, CAPOS_PROCESS_MAP_ANON, &m, sizeof m),
			 CAPOS_INVALID_ARGUMENT);
	m = (struct capos_map){ VA, 1, CAPOS_PROT_WRITE | CAPOS_PROT_EXEC, 0, 0 };
	assert_int_equal(kt_method(t, S_SELF, CAPOS_PROCESS_MAP_ANON, &m, sizeof m),
			 CAPOS_INVALID_ARGUMENT);
	assert_same(p, &before);
	kt_proc_end(p);
}

/* CREATE_THREAD through the self grant: up to max_threads, never above
 * the creator's priority; then LIMIT_EXCEEDED with nothing left behind. */
static void test_create_thread_to_the_limit(void **state)
{
	struct thread *t;
	struct process *p = self_proc(16, 3, 64, &t); /* t is thread 1 of 3 */
	struct capos_thread_create tc = { 0x401000, 0x7fff0000, 0x30000000, 0, 5, 10, 0 };
	struct world before;
	look(p, &before);
	tc.priority = 11; /* above t's 10 */
	assert_int_equal(kt_method(t, S_SELF, CAPOS_PROCESS_CREATE_THREAD, &tc, sizeof tc),
			 CAPOS_INVALID_ARGUMENT);
	tc.priority = 256;
	assert_int_equal(kt_method(t, S_SELF, CAPOS_PROCESS_CREATE_THREAD, &tc, sizeof tc),
			 CAPOS_INVALID_ARGUMENT);
	/* a kernel entry point, an IPC buffer on a mapped page */
	tc.priority = 10;
	tc.entry = 0xffffffff80000000ull;
	assert_int_equal(kt_method(t, S_SELF, CAPOS_PROCESS_CREATE_THREAD, &tc, sizeof tc),
			 CAPOS_INVALID_ARGUMENT);
	tc.entry = 0x401000;
	tc.ipc_buffer = CAPOS_IPC_BUFFER_VA; /* t's */
	assert_int_equal(kt_method(t, S_SELF, CAPOS_PROCESS_CREATE_THREAD, &tc, sizeof tc),
			 CAPOS_INVALID_ARGUMENT);
	assert_same(p, &before);

	struct thread *made[2];
	for (int i = 0; i < 2; i++) {
		tc.ipc_buffer = 0x30000000ull + (uint64_t)i * 0x10000;
		assert_int_equal(kt_method(t, S_SELF, CAPOS_PROCESS_CREATE_THREAD, &tc, sizeof tc),
				 CAPOS_OK);
		uint32_t slot = ((struct capos_new_cap *)t->ipc->body)->slot;
		struct cap *c = ct_lookup(&p->ct, slot);
		assert_int_equal(c->type, CAPOS_CAP_THREAD);
		made[i] = (struct thread *)c->obj;
		assert_int_equal(made[i]->priority, 10);
		assert_int_equal(made[i]->state, THREAD_INACTIVE);
		assert_ptr_equal(made[i]->proc, p);
	}
	assert_int_equal(p->usage.threads, 3);
	look(p, &before);
	tc.ipc_buffer = 0x30100000ull;
	assert_int_equal(kt_method(t, S_SELF, CAPOS_PROCESS_CREATE_THREAD, &tc, sizeof tc),
			 CAPOS_LIMIT_EXCEEDED);
	assert_same(p, &before);
	assert_null(vs_lookup(p->vspace, tc.ipc_buffer, NULL));
	/* the threads it made are its to start (their caps: slots 8, 9) */
	assert_int_equal(kt_method(t, S_FIRST_FREE + 1, CAPOS_THREAD_START, NULL, 0), CAPOS_OK);
	assert_int_equal(made[1]->state, THREAD_RUNNABLE);
	kt_proc_end(p);
}

/* UNMAP through the self grant of what the kernel or the runtime rely on. */
static void test_unmap_what_matters(void **state)
{
	struct thread *t;
	struct process *p = self_proc(16, 3, 96, &t);
	struct thread *t2 = kt_thread_started(p, 5);
	/* the startup page (read-only, as the loader maps it), one owned page
	 * right below the IPC buffer, a shared mapping */
	assert_int_equal(process_map_anon(p, CAPOS_STARTUP_VA, 1, CAPOS_PROT_READ), CAPOS_OK);
	assert_int_equal(process_map_anon(p, CAPOS_IPC_BUFFER_VA - CAPOS_PAGE_SIZE, 1, RW),
			 CAPOS_OK);
	struct capos_map ms2 = { VA, 2, RW, S_SB, 0 };
	assert_int_equal(kt_method(t, S_FULL, CAPOS_PROCESS_MAP_SHARED, &ms2, sizeof ms2),
			 CAPOS_OK);
	struct shared_buffer *sb = (struct shared_buffer *)ct_lookup(&p->ct, S_SB)->obj;
	uint32_t sb_refs = sb->obj.refs;

	/* t2 blocks in the kernel; nobody can take its IPC buffer away */
	kt_ntfn_at(p, p, S_FIRST_FREE, ALL, 0);
	assert_int_equal(kt_sys(t2, CAPOS_SYS_WAIT, S_FIRST_FREE, CAPOS_WAIT_FOREVER), KT_BLOCKED);
	struct world before;
	look(p, &before);
	struct capos_map u = { t2->ipc_va, 1, 0, 0, 0 };
	assert_int_equal(kt_method(t, S_SELF, CAPOS_PROCESS_UNMAP, &u, sizeof u),
			 CAPOS_INVALID_ARGUMENT);
	/* its own IPC buffer, alone or inside a larger range */
	u.va = CAPOS_IPC_BUFFER_VA;
	assert_int_equal(kt_method(t, S_SELF, CAPOS_PROCESS_UNMAP, &u, sizeof u),
			 CAPOS_INVALID_ARGUMENT);
	u = (struct capos_map){ CAPOS_IPC_BUFFER_VA - CAPOS_PAGE_SIZE, 2, 0, 0, 0 };
	assert_int_equal(kt_method(t, S_SELF, CAPOS_PROCESS_UNMAP, &u, sizeof u),
			 CAPOS_INVALID_ARGUMENT);
	/* part of the shared mapping */
	u = (struct capos_map){ VA, 1, 0, 0, 0 };
	assert_int_equal(kt_method(t, S_SELF, CAPOS_PROCESS_UNMAP, &u, sizeof u),
			 CAPOS_INVALID_ARGUMENT);
	u = (struct capos_map){ VA - CAPOS_PAGE_SIZE, 3, 0, 0, 0 };
	assert_int_equal(kt_method(t, S_SELF, CAPOS_PROCESS_UNMAP, &u, sizeof u),
			 CAPOS_INVALID_ARGUMENT);
	/* kernel, non-canonical, wrapping and unaligned ranges; a huge count
	 * stops at the first unmapped page */
	struct capos_map bad[] = {
		{ 0xffff800000000000ull, 1, 0, 0, 0 }, { 0xffffffff80000000ull, 1, 0, 0, 0 },
		{ 0x0000800000000000ull, 1, 0, 0, 0 }, { CAPOS_USER_TOP - CAPOS_PAGE_SIZE, 2, 0, 0, 0 },
		{ CAPOS_USER_TOP, 1, 0, 0, 0 }, { 0, 1, 0, 0, 0 }, { VA + 1, 1, 0, 0, 0 },
		{ VA + 0x100000, 0xffffffffu, 0, 0, 0 }, { VA + 0x100000, 0, 0, 0, 0 },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(kt_method(t, S_SELF, CAPOS_PROCESS_UNMAP, &bad[i], sizeof bad[i]),
				 CAPOS_INVALID_ARGUMENT);
	assert_same(p, &before);
	assert_ptr_equal(vs_lookup(p->vspace, CAPOS_IPC_BUFFER_VA, NULL), t->ipc);
	assert_ptr_equal(vs_lookup(p->vspace, t2->ipc_va, NULL), t2->ipc);

	/* the waiting thread is still served: the kernel writes its IPC page */
	kt_make_current(t);
	assert_int_equal(kt_sys(t, CAPOS_SYS_SIGNAL, S_FIRST_FREE, 0x5), CAPOS_OK);
	assert_int_equal(t2->state, THREAD_RUNNABLE);
	assert_int_equal(KT_RAX(t2), CAPOS_OK);
	assert_int_equal(t2->ipc->signals, 0x5);

	/* the startup page and the page below the IPC buffer are the
	 * process's own: they go (a later touch is its own page fault) and
	 * their frames come back */
	uint32_t used = p->usage.pages;
	u = (struct capos_map){ CAPOS_STARTUP_VA, 1, 0, 0, 0 };
	assert_int_equal(kt_method(t, S_SELF, CAPOS_PROCESS_UNMAP, &u, sizeof u), CAPOS_OK);
	assert_null(vs_lookup(p->vspace, CAPOS_STARTUP_VA, NULL));
	u = (struct capos_map){ CAPOS_IPC_BUFFER_VA - CAPOS_PAGE_SIZE, 1, 0, 0, 0 };
	assert_int_equal(kt_method(t, S_SELF, CAPOS_PROCESS_UNMAP, &u, sizeof u), CAPOS_OK);
	assert_int_equal(p->usage.pages, used - 2);
	assert_ptr_equal(vs_lookup(p->vspace, CAPOS_IPC_BUFFER_VA, NULL), t->ipc);
	/* the whole shared mapping: it goes, with the reference it held; the
	 * buffer stays (its cap) */
	u = (struct capos_map){ VA, 2, 0, 0, 0 };
	assert_int_equal(kt_method(t, S_SELF, CAPOS_PROCESS_UNMAP, &u, sizeof u), CAPOS_OK);
	assert_null(vs_lookup(p->vspace, VA, NULL));
	assert_int_equal(sb->obj.refs, sb_refs - 1);
	assert_int_equal(p->usage.pages, used - 2);
	/* the kernel still answers the thread that lost those pages */
	assert_int_equal(kt_method(t, S_SELF, CAPOS_PROCESS_INFO, NULL, 0), CAPOS_OK);
	kt_proc_end(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KT_TEST(test_control_methods_denied),
		KT_TEST(test_info_needs_read),
		KT_TEST(test_map_anon_to_the_limit),
		KT_TEST(test_create_thread_to_the_limit),
		KT_TEST(test_unmap_what_matters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
