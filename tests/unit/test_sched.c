/*
 * test_sched - the scheduler (kern/core/sched.c): fixed priorities, round
 * robin after a slice, preemption by a higher-priority wakeup, tickless
 * timer programming, and timed waits expiring in deadline order.
 */
#include "kcore_test.h"

#define ALL CAPOS_RIGHTS_ALL
#define SLICE THREAD_DEFAULT_SLICE_NS

static struct process *P;
static struct notification *park; /* slot 0: threads Wait on it to block */

static void world(void)
{
	P = kt_proc("p", 16, 16, 512, 8);
	park = kt_ntfn_at(P, P, 0, ALL, 0);
}

/* The current thread blocks (Wait forever, or with a timeout). */
static void block(struct thread *t, uint64_t timeout)
{
	assert_ptr_equal(sched_current(), t);
	assert_int_equal(kt_sys(t, CAPOS_SYS_WAIT, 0, timeout), KT_BLOCKED);
	assert_null(sched_current());
}

static void test_highest_priority_first(void **state)
{
	world();
	struct thread *t1 = kt_thread_started(P, 1);
	struct thread *t5 = kt_thread_started(P, 5);
	struct thread *t3 = kt_thread_started(P, 3);
	struct thread *t0 = kt_thread_started(P, 0);
	assert_ptr_equal(sched_choose(), t5);
	assert_int_equal(t5->state, THREAD_RUNNING);
	/* a running thread stays while nothing better is ready */
	assert_ptr_equal(sched_choose(), t5);
	block(t5, CAPOS_WAIT_FOREVER);
	assert_ptr_equal(sched_choose(), t3);
	block(t3, CAPOS_WAIT_FOREVER);
	assert_ptr_equal(sched_choose(), t1);
	block(t1, CAPOS_WAIT_FOREVER);
	assert_ptr_equal(sched_choose(), t0);
	block(t0, CAPOS_WAIT_FOREVER);
	assert_null(sched_choose());
	kt_proc_end(P);
}

static void test_round_robin_after_slice(void **state)
{
	world();
	struct thread *a = kt_thread_started(P, 4);
	struct thread *b = kt_thread_started(P, 4);
	struct thread *c = kt_thread_started(P, 4);
	struct thread *low = kt_thread_started(P, 3);
	assert_ptr_equal(sched_choose(), a);
	uint64_t start = now_ns();
	assert_int_equal(a->slice_start, start);
	assert_int_equal(sched_programmed_deadline(), start + SLICE);
	/* inside the slice nobody moves */
	host_advance(SLICE - 1);
	assert_ptr_equal(sched_choose(), a);
	host_advance(1);
	assert_ptr_equal(sched_choose(), b);
	assert_int_equal(a->state, THREAD_RUNNABLE);
	assert_int_equal(sched_programmed_deadline(), now_ns() + SLICE);
	host_advance(SLICE);
	assert_ptr_equal(sched_choose(), c);
	host_advance(SLICE);
	assert_ptr_equal(sched_choose(), a);
	host_advance(SLICE);
	assert_ptr_equal(sched_choose(), b);
	/* Yield: straight behind its equals, whatever is left of the slice */
	assert_int_equal(kt_sys(b, CAPOS_SYS_YIELD, 0, 0), CAPOS_OK);
	assert_null(sched_current());
	assert_ptr_equal(sched_choose(), c);
	host_advance(SLICE);
	assert_ptr_equal(sched_choose(), a);
	host_advance(SLICE);
	assert_ptr_equal(sched_choose(), b);
	/* the lower priority never ran */
	assert_int_equal(low->state, THREAD_RUNNABLE);
	assert_int_equal(low->slice_start, 0);
	kt_proc_end(P);
}

static void test_wakeup_preempts(void **state)
{
	world();
	struct thread *high = kt_thread_started(P, 9);
	struct thread *l1 = kt_thread_started(P, 2);
	struct thread *l2 = kt_thread_started(P, 2);
	assert_ptr_equal(sched_choose(), high);
	block(high, CAPOS_WAIT_FOREVER);
	assert_ptr_equal(sched_choose(), l1);
	/* a lower-priority wakeup does not preempt */
	struct thread *mid = kt_thread_started(P, 1);
	assert_ptr_equal(sched_choose(), l1);
	/* l1 wakes high: high runs at the next choice; l1 keeps its place */
	host_advance(SLICE / 2);
	assert_int_equal(kt_sys(l1, CAPOS_SYS_SIGNAL, 0, 1), CAPOS_OK);
	assert_int_equal(high->state, THREAD_RUNNABLE);
	assert_ptr_equal(sched_current(), l1);
	assert_ptr_equal(sched_choose(), high);
	assert_int_equal(l1->state, THREAD_RUNNABLE);
	assert_ptr_equal(l1->queue->head, l1); /* in front of l2 */
	block(high, CAPOS_WAIT_FOREVER);
	assert_ptr_equal(sched_choose(), l1);
	assert_int_equal(mid->state, THREAD_RUNNABLE);
	assert_int_equal(l2->state, THREAD_RUNNABLE);
	/* a timer wakeup of an equal priority waits for the slice or a yield */
	block(l1, 3 * MS);
	assert_ptr_equal(sched_choose(), l2);
	host_advance(3 * MS);
	sched_timer_tick();
	assert_ptr_equal(sched_choose(), l2); /* same priority: waits its turn */
	kt_sys(l2, CAPOS_SYS_YIELD, 0, 0);
	assert_ptr_equal(sched_choose(), l1);
	assert_int_equal(KT_RAX(l1), CAPOS_TIMEOUT);
	kt_proc_end(P);
}

static void test_tickless(void **state)
{
	world();
	/* nothing runnable, no timed wait: no timer at all */
	assert_null(sched_choose());
	assert_int_equal(sched_programmed_deadline(), 0);
	assert_int_equal(host_timer_deadline(), 0);

	/* one runnable thread alone: no slice deadline */
	struct thread *a = kt_thread_started(P, 5);
	assert_ptr_equal(sched_choose(), a);
	assert_int_equal(sched_programmed_deadline(), 0);
	host_advance(5 * SLICE);
	assert_ptr_equal(sched_choose(), a);
	assert_int_equal(sched_programmed_deadline(), 0);

	/* a lower-priority thread waiting does not need a slice end either */
	struct thread *low = kt_thread_started(P, 4);
	assert_ptr_equal(sched_choose(), a);
	assert_int_equal(sched_programmed_deadline(), 0);

	/* two equal priorities: a's slice is long over, so b runs, and the
	 * timer is armed for the end of b's slice */
	struct thread *b = kt_thread_started(P, 5);
	assert_ptr_equal(sched_choose(), b);
	uint64_t end = b->slice_start + SLICE;
	assert_int_equal(sched_programmed_deadline(), end);
	assert_int_equal(host_timer_deadline(), end);

	/* a timed wait that ends sooner wins; one that ends later does not */
	struct thread *w = kt_thread(P, 7);
	uint64_t sets = host_timer_sets();
	kt_make_current(w);
	block(w, 2 * MS);
	assert_ptr_equal(sched_choose(), b); /* preempted: kept its place */
	assert_int_equal(sched_programmed_deadline(), now_ns() + 2 * MS);
	assert_true(host_timer_sets() > sets);
	host_advance(2 * MS);
	sched_timer_tick();
	assert_ptr_equal(sched_choose(), w); /* the timeout woke it, priority 7 */
	assert_int_equal(KT_RAX(w), CAPOS_TIMEOUT);
	assert_int_equal(sched_programmed_deadline(), 0); /* w alone at 7 */
	block(w, 100 * SLICE);
	uint64_t far = now_ns() + 100 * SLICE;
	assert_ptr_equal(sched_choose(), b);
	assert_int_equal(sched_programmed_deadline(), b->slice_start + SLICE);

	/* everybody blocked, one timed wait left: just that deadline */
	block(b, CAPOS_WAIT_FOREVER);
	assert_ptr_equal(sched_choose(), a);
	block(a, CAPOS_WAIT_FOREVER);
	assert_ptr_equal(sched_choose(), low);
	block(low, CAPOS_WAIT_FOREVER);
	assert_null(sched_choose());
	assert_int_equal(sched_programmed_deadline(), far);
	assert_int_equal(host_timer_deadline(), far);
	/* once that one-shot fires and the thread blocks for good, nothing is
	 * armed again (the spent one-shot needs no disarming) */
	uint64_t sets_before = host_timer_sets();
	host_set_now(far);
	sched_timer_tick();
	assert_ptr_equal(sched_choose(), w);
	block(w, CAPOS_WAIT_FOREVER);
	assert_null(sched_choose());
	assert_int_equal(sched_programmed_deadline(), 0);
	assert_int_equal(host_timer_sets(), sets_before);
	kt_proc_end(P);
}

/* Timed waiters wake in deadline order, whatever order they waited in. */
static void test_timeout_order(void **state)
{
	world();
	static const uint64_t ms[] = { 30, 10, 40, 20, 20 };
	struct thread *t[5];
	uint64_t t0 = now_ns();
	for (int i = 0; i < 5; i++) {
		t[i] = kt_thread(P, 3);
		kt_make_current(t[i]);
		block(t[i], ms[i] * MS);
	}
	assert_null(sched_choose());
	assert_int_equal(sched_programmed_deadline(), t0 + 10 * MS);

	host_set_now(t0 + 10 * MS);
	sched_timer_tick();
	assert_int_equal(t[1]->state, THREAD_RUNNABLE);
	for (int i = 0; i < 5; i++)
		if (i != 1)
			assert_int_equal(t[i]->state, THREAD_BLOCKED_WAIT);
	assert_ptr_equal(sched_choose(), t[1]);
	assert_int_equal(sched_programmed_deadline(), t0 + 20 * MS);
	block(t[1], CAPOS_WAIT_FOREVER);

	/* one late tick: three expire at once and run in deadline order,
	 * equal deadlines in the order they started waiting */
	host_set_now(t0 + 35 * MS);
	sched_timer_tick();
	assert_int_equal(t[2]->state, THREAD_BLOCKED_WAIT);
	static const int order[] = { 3, 4, 0 };
	for (int i = 0; i < 3; i++) {
		struct thread *x = sched_choose();
		assert_ptr_equal(x, t[order[i]]);
		assert_int_equal(KT_RAX(x), CAPOS_TIMEOUT);
		block(x, CAPOS_WAIT_FOREVER);
	}
	assert_null(sched_choose());
	assert_int_equal(sched_programmed_deadline(), t0 + 40 * MS);
	host_set_now(t0 + 40 * MS);
	sched_timer_tick();
	assert_ptr_equal(sched_choose(), t[2]);
	assert_int_equal(KT_RAX(t[2]), CAPOS_TIMEOUT);
	kt_proc_end(P);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KT_TEST(test_highest_priority_first),
		KT_TEST(test_round_robin_after_slice),
		KT_TEST(test_wakeup_preempts),
		KT_TEST(test_tickless),
		KT_TEST(test_timeout_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
