/*
 * kcore_test.c - see kcore_test.h.
 */
#include <string.h>

#include "core/invariants.h"
#include "kcore_test.h"

static uint64_t base_pages, base_objs;
static uint32_t base_vs;

int kt_setup(void **state)
{
	sched_init();
	timer_set_deadline(0); /* the host timer record starts disarmed too */
	host_reset_pages();
	host_set_now(1000 * MS);
	host_log_clear();
	base_pages = host_live_pages();
	base_objs = kobj_live_count;
	base_vs = host_vs_live();
	return 0;
}

void kt_assert_clean(void)
{
	assert_int_equal(host_live_pages(), base_pages);
	assert_int_equal(kobj_live_count, base_objs);
	assert_int_equal(host_vs_live(), base_vs);
}

int kt_teardown(void **state)
{
	host_reset_pages();
	kt_assert_clean();
	return 0;
}

struct process *kt_proc(const char *name, uint32_t slots, uint32_t threads,
			uint32_t pages, uint32_t endpoints)
{
	struct capos_limits l = { slots, threads, pages, endpoints };
	capos_status_t st = -1;
	struct process *p = process_create(name, &l, NULL, &st);
	assert_int_equal(st, CAPOS_OK);
	assert_non_null(p);
	return p;
}

void kt_proc_end(struct process *p)
{
	process_kill(p);
	kobj_unref(&p->obj);
}

struct kt_parent kt_parent(uint32_t slots, uint32_t pages)
{
	struct kt_parent pa;
	pa.P = kt_proc("parent", slots, 2, pages, 8);
	kt_cap(pa.P, 0, pa.P, CAPOS_CAP_CAP_MANAGER, CAPOS_RIGHTS_ALL, 0);
	kt_cap(pa.P, 1, pa.P, CAPOS_CAP_PROCESS, CAPOS_RIGHTS_ALL, 0);
	pa.pt = kt_thread(pa.P, 100);
	pa.pages = host_live_pages();
	pa.objs = kobj_live_count;
	pa.usage = pa.P->usage;
	pa.used = pa.P->ct.used;
	return pa;
}

void kt_assert_invariants(void)
{
	uint64_t n = 0;
	assert_int_equal(kernel_check_invariants(&n), 0);
	assert_int_equal(n, kobj_live_count);
}

void kt_assert_parent_back(const struct kt_parent *pa)
{
	assert_int_equal(host_live_pages(), pa->pages);
	assert_int_equal(kobj_live_count, pa->objs);
	assert_int_equal(pa->P->ct.used, pa->used);
	assert_memory_equal(&pa->P->usage, &pa->usage, sizeof pa->usage);
	kt_assert_invariants();
}

struct thread *kt_thread(struct process *p, uint8_t prio)
{
	capos_status_t st = -1;
	uint64_t ipc = CAPOS_IPC_BUFFER_VA - (uint64_t)p->usage.threads * 2 * CAPOS_PAGE_SIZE;
	struct thread *t = thread_create(p, 0x401000, 0x7fff0000, ipc, 0, 0, prio, 0, &st);
	assert_int_equal(st, CAPOS_OK);
	assert_non_null(t);
	return t;
}

struct thread *kt_thread_started(struct process *p, uint8_t prio)
{
	struct thread *t = kt_thread(p, prio);
	thread_start(t);
	return t;
}

void kt_make_current(struct thread *t)
{
	if (sched_current() == t)
		return;
	if (t->state == THREAD_INACTIVE)
		thread_start(t);
	assert_int_equal(t->state, THREAD_RUNNABLE);
	/* Lift it above everything for one choice, then put its priority
	 * back; the preempted thread goes back to the front of its queue. */
	uint8_t prio = t->priority;
	sched_unready(t);
	t->priority = 255;
	sched_ready(t);
	assert_ptr_equal(sched_choose(), t);
	t->priority = prio;
}

capos_status_t kt_sys(struct thread *t, uint64_t nr, uint64_t rdi, uint64_t rsi)
{
	kt_make_current(t);
	t->tf.rax = nr;
	t->tf.rdi = rdi;
	t->tf.rsi = rsi;
	syscall_handle(t);
	if (t->state >= THREAD_BLOCKED_SEND && t->state <= THREAD_BLOCKED_WAIT)
		return KT_BLOCKED;
	return (capos_status_t)t->tf.rax;
}

void kt_msg(struct thread *t, uint64_t label, const void *body, uint32_t len)
{
	t->ipc->label = label;
	t->ipc->len = len;
	t->ipc->ncaps = 0;
	t->ipc->cap_move = 0;
	if (len)
		memcpy(t->ipc->body, body, len);
}

capos_status_t kt_method(struct thread *t, uint32_t slot, uint64_t label,
			 const void *args, uint32_t len)
{
	kt_msg(t, label, args, len);
	return kt_sys(t, CAPOS_SYS_CALL, slot, 0);
}

void kt_cap(struct process *p, uint32_t slot, void *obj, uint16_t type,
	    uint16_t rights, uint64_t badge)
{
	assert_int_equal(ct_insert(&p->ct, slot, obj, type, rights, badge), CAPOS_OK);
}

struct endpoint *kt_endpoint_at(struct process *owner, struct process *p,
				uint32_t slot, uint16_t rights, uint64_t badge)
{
	capos_status_t st = -1;
	struct endpoint *ep = endpoint_create(owner, 0x1234, &st);
	assert_int_equal(st, CAPOS_OK);
	kt_cap(p, slot, ep, CAPOS_CAP_ENDPOINT, rights, badge);
	kobj_unref(&ep->obj);
	return ep;
}

struct notification *kt_ntfn_at(struct process *owner, struct process *p,
				uint32_t slot, uint16_t rights, uint64_t badge)
{
	capos_status_t st = -1;
	struct notification *n = notification_create(owner, &st);
	assert_int_equal(st, CAPOS_OK);
	kt_cap(p, slot, n, CAPOS_CAP_NOTIFICATION, rights, badge);
	kobj_unref(&n->obj);
	return n;
}
