/*
 * test_quota - quotas nest, and queued crash records are charged and
 * bounded (issue 12, kern/object/process.c and endpoint.c).
 *
 * A child's max_pages is reserved from its parent's remaining pages when
 * it is created (LIMIT_EXCEEDED, nothing changed, when it does not fit)
 * and given back only when the child is destroyed: after every object
 * charged to it is gone. A crash record that has to wait is a page charged
 * to the process that died, so its creator's reservation stays taken until
 * the supervisor receives it; at most ENDPOINT_MAX_CRASH_QUEUED wait, and
 * the ones that cannot are counted and the count delivered.
 */
#include <string.h>

#include "kcore_test.h"

#define ALL CAPOS_RIGHTS_ALL
#define SUP_BADGE 0x5u
#define VA 0x10000000ull

/* CREATE_PROCESS on the Process cap in `slot`, for a child of `pages`. */
static capos_status_t create(struct thread *t, uint32_t slot, uint32_t pages, uint32_t *out)
{
	struct capos_process_create pc = { "victim", { 8, 2, pages, 2 } };
	capos_status_t st = kt_method(t, slot, CAPOS_PROCESS_CREATE_PROCESS, &pc, sizeof pc);
	if (st == CAPOS_OK && out)
		memcpy(out, t->ipc->body, sizeof *out);
	return st;
}

static struct process *proc_at(struct process *p, uint32_t slot)
{
	return (struct process *)ct_lookup(&p->ct, slot)->obj;
}

/* A child never gets more pages than its parent has left, at any depth;
 * a refusal changes nothing; the reservation comes back when the child is
 * destroyed, not when it dies: while an object charged to it lives (an
 * endpoint the parent holds), so does the reservation. */
static void test_child_quota_nests(void **state)
{
	(void)state;
	struct kt_parent pa = kt_parent(16, 200);
	uint32_t left = pa.P->limits.max_pages - pa.P->usage.pages;

	/* the child's pages and its object page must both fit */
	assert_int_equal(create(pa.pt, 1, left, NULL), CAPOS_LIMIT_EXCEEDED);
	kt_assert_parent_back(&pa);
	/* limits the kernel refuses outright reserve nothing either */
	assert_int_equal(create(pa.pt, 1, 0, NULL), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(create(pa.pt, 1, 0xffffffffu, NULL), CAPOS_INVALID_ARGUMENT);
	kt_assert_parent_back(&pa);

	uint32_t xs, gs, es;
	assert_int_equal(create(pa.pt, 1, left - 1, &xs), CAPOS_OK);
	struct process *X = proc_at(pa.P, xs);
	assert_int_equal(pa.P->usage.pages, pa.P->limits.max_pages); /* all of it */
	assert_int_equal(create(pa.pt, 1, 1, NULL), CAPOS_LIMIT_EXCEEDED);
	assert_int_equal(pa.P->usage.pages, pa.P->limits.max_pages);

	/* one level down: X's own remaining quota bounds its child */
	uint32_t xleft = X->limits.max_pages - X->usage.pages;
	uint32_t xused = X->usage.pages;
	assert_int_equal(create(pa.pt, xs, xleft, NULL), CAPOS_LIMIT_EXCEEDED);
	assert_int_equal(X->usage.pages, xused);
	assert_int_equal(create(pa.pt, xs, xleft - 2, &gs), CAPOS_OK);
	assert_int_equal(X->usage.pages, xused + 1 + xleft - 2);
	assert_int_equal(proc_at(pa.P, gs)->limits.max_pages, xleft - 2);

	/* an endpoint charged to X, held by P */
	struct capos_endpoint_create ec = { 0xabc };
	assert_int_equal(kt_method(pa.pt, xs, CAPOS_PROCESS_CREATE_ENDPOINT, &ec, sizeof ec),
			 CAPOS_OK);
	memcpy(&es, pa.pt->ipc->body, sizeof es);
	assert_int_equal(X->usage.pages, X->limits.max_pages);
	assert_int_equal(kt_method(pa.pt, xs, CAPOS_PROCESS_CREATE_NOTIFICATION, NULL, 0),
			 CAPOS_LIMIT_EXCEEDED);

	/* X dies (and its child with it); P drops its caps to both processes:
	 * the endpoint still holds X, so P's quota is still taken */
	assert_int_equal(kt_method(pa.pt, xs, CAPOS_PROCESS_KILL, NULL, 0), CAPOS_OK);
	assert_int_equal(ct_delete(&pa.P->ct, gs), CAPOS_OK);
	assert_int_equal(ct_delete(&pa.P->ct, xs), CAPOS_OK);
	assert_int_equal(pa.P->usage.pages, pa.P->limits.max_pages);
	assert_int_equal(create(pa.pt, 1, 1, NULL), CAPOS_LIMIT_EXCEEDED);
	/* the endpoint goes, X is destroyed, its reservation comes back */
	assert_int_equal(ct_delete(&pa.P->ct, es), CAPOS_OK);
	kt_assert_parent_back(&pa);
	kt_assert_invariants();
	/* and can be used again, in full */
	assert_int_equal(create(pa.pt, 1, left - 1, &xs), CAPOS_OK);
	assert_int_equal(kt_method(pa.pt, xs, CAPOS_PROCESS_KILL, NULL, 0), CAPOS_OK);
	assert_int_equal(ct_delete(&pa.P->ct, xs), CAPOS_OK);
	kt_assert_parent_back(&pa);
	kt_proc_end(pa.P);
}

/* Receives one crash record on slot 2 as t; returns it. */
static struct capos_crash_record recv_record(struct thread *t, uint64_t badge)
{
	struct capos_crash_record r;
	assert_int_equal(kt_sys(t, CAPOS_SYS_RECV_TIMEOUT, 2, CAPOS_WAIT_POLL), CAPOS_OK);
	assert_int_equal(t->ipc->label, CAPOS_LABEL_CRASH_RECORD);
	assert_int_equal(t->ipc->badge, badge);
	assert_int_equal(t->ipc->len, sizeof r);
	memcpy(&r, t->ipc->body, sizeof r);
	return r;
}

/* A record that waits is a page charged to the process that died - even
 * one that died at its page limit has room, its table being freed first -
 * and it holds that process, so the creator's reservation stays taken
 * until the supervisor receives it; then everything is back. */
static void test_crash_record_charged_to_the_dead(void **state)
{
	(void)state;
	struct kt_parent pa = kt_parent(16, 400);
	struct endpoint *sep = kt_endpoint_at(pa.P, pa.P, 2, ALL, 0);
	struct thread *sup = kt_thread(pa.P, 20);
	uint64_t pages0 = host_live_pages(), objs0 = kobj_live_count;
	uint32_t used0 = pa.P->usage.pages;

	uint32_t vs;
	assert_int_equal(create(pa.pt, 1, 32, &vs), CAPOS_OK);
	struct process *V = proc_at(pa.P, vs);
	uint32_t pid = V->pid;
	process_set_supervisor(V, sep, SUP_BADGE);
	/* V fills its quota with memory */
	struct capos_map m = { VA, 1, CAPOS_PROT_READ | CAPOS_PROT_WRITE, 0, 0 };
	while (kt_method(pa.pt, vs, CAPOS_PROCESS_MAP_ANON, &m, sizeof m) == CAPOS_OK)
		m.va += CAPOS_PAGE_SIZE;
	assert_true(V->usage.pages + 2 >= V->limits.max_pages);
	uint32_t used1 = pa.P->usage.pages;
	assert_int_equal(used1, used0 + 1 + 32);

	assert_int_equal(kt_method(pa.pt, vs, CAPOS_PROCESS_KILL, NULL, 0), CAPOS_OK);
	assert_int_equal(sep->crash_queued, 1);
	assert_int_equal(sep->crash_dropped, 0);
	assert_ptr_equal(sep->crash_head->obj.owner, V);
	assert_int_equal(V->usage.pages, 1); /* the record, nothing else */
	/* the creator lets go of V: the record keeps it, and the quota */
	assert_int_equal(ct_delete(&pa.P->ct, vs), CAPOS_OK);
	assert_int_equal(pa.P->usage.pages, used1);
	assert_int_equal(kobj_live_count, objs0 + 2); /* V and its record */

	struct capos_crash_record r = recv_record(sup, SUP_BADGE);
	assert_int_equal(r.pid, pid);
	assert_int_equal(r.cause, CAPOS_DEATH_KILLED);
	assert_int_equal(r.dropped, 0);
	assert_int_equal(sep->crash_queued, 0);
	assert_int_equal(pa.P->usage.pages, used0);
	assert_int_equal(host_live_pages(), pages0);
	assert_int_equal(kobj_live_count, objs0);
	kt_assert_invariants();
	kt_proc_end(pa.P);
}

/* Children that die fast while nobody receives: at most
 * ENDPOINT_MAX_CRASH_QUEUED records wait (each holding its process's
 * reservation); the rest are counted, and the count arrives with the next
 * record received, once. A record lost with none queued (no page for it)
 * arrives as a count of its own (CAPOS_DEATH_LOST, badge 0) before any
 * caller. Afterwards every page, object and page of quota is back. */
static void test_crash_queue_bound_and_count(void **state)
{
	(void)state;
	const uint32_t extra = 5, vpages = 8;
	struct kt_parent pa = kt_parent(16, 2048);
	struct endpoint *sep = kt_endpoint_at(pa.P, pa.P, 2, ALL, 0);
	struct thread *sup = kt_thread(pa.P, 20);
	uint64_t pages0 = host_live_pages(), objs0 = kobj_live_count;
	uint32_t used0 = pa.P->usage.pages;
	uint32_t pids[ENDPOINT_MAX_CRASH_QUEUED];

	for (uint32_t i = 0; i < ENDPOINT_MAX_CRASH_QUEUED + extra; i++) {
		uint32_t vs;
		assert_int_equal(create(pa.pt, 1, vpages, &vs), CAPOS_OK);
		struct process *V = proc_at(pa.P, vs);
		if (i < ENDPOINT_MAX_CRASH_QUEUED)
			pids[i] = V->pid;
		process_set_supervisor(V, sep, SUP_BADGE);
		assert_int_equal(kt_method(pa.pt, vs, CAPOS_PROCESS_KILL, NULL, 0), CAPOS_OK);
		assert_int_equal(ct_delete(&pa.P->ct, vs), CAPOS_OK);
	}
	assert_int_equal(sep->crash_queued, ENDPOINT_MAX_CRASH_QUEUED);
	assert_int_equal(sep->crash_dropped, extra);
	/* the queued ones hold their processes' quota; the dropped ones not */
	assert_int_equal(pa.P->usage.pages, used0 + ENDPOINT_MAX_CRASH_QUEUED * (1 + vpages));
	kt_assert_invariants();

	for (uint32_t i = 0; i < ENDPOINT_MAX_CRASH_QUEUED; i++) {
		struct capos_crash_record r = recv_record(sup, SUP_BADGE);
		assert_int_equal(r.pid, pids[i]); /* in order */
		assert_int_equal(r.dropped, i == 0 ? extra : 0);
	}
	assert_int_equal(kt_sys(sup, CAPOS_SYS_RECV_TIMEOUT, 2, CAPOS_WAIT_POLL),
			 CAPOS_WOULD_BLOCK);
	assert_int_equal(pa.P->usage.pages, used0);
	assert_int_equal(host_live_pages(), pages0);
	assert_int_equal(kobj_live_count, objs0);

	/* no page for the record, none queued: a count of its own, first. (A
	 * dying process frees its table's pages before its record is queued,
	 * so the machine itself is short only if something took them; the
	 * call is made directly with no page left.) */
	struct capos_crash_record lost = { .pid = 77, .cause = CAPOS_DEATH_EXIT };
	host_set_free_pages(0);
	endpoint_queue_crash(sep, SUP_BADGE, &lost, pa.P);
	host_reset_pages();
	assert_int_equal(sep->crash_queued, 0);
	assert_int_equal(sep->crash_dropped, 1);
	struct capos_crash_record r = recv_record(sup, 0);
	assert_int_equal(r.cause, CAPOS_DEATH_LOST);
	assert_int_equal(r.pid, 0);
	assert_int_equal(r.dropped, 1);
	assert_int_equal(r.name[0], '\0');
	assert_int_equal(kt_sys(sup, CAPOS_SYS_RECV_TIMEOUT, 2, CAPOS_WAIT_POLL),
			 CAPOS_WOULD_BLOCK);
	assert_int_equal(pa.P->usage.pages, used0);
	assert_int_equal(host_live_pages(), pages0);
	assert_int_equal(kobj_live_count, objs0);
	kt_assert_invariants();
	kt_proc_end(pa.P);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KT_TEST(test_child_quota_nests),
		KT_TEST(test_crash_record_charged_to_the_dead),
		KT_TEST(test_crash_queue_bound_and_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
