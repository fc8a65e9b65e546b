/*
 * test_teardown - releasing a long chain of objects is a loop, not a
 * recursion (issue 12, kern/object/kobj.c). 100,000 dead processes, each
 * supervised by an endpoint that the next process owns (a process holds
 * its supervisor endpoint, an object holds its owner): dropping the last
 * reference on the first releases them all, each release dropping the
 * last reference on the next. Done by recursion that is 100,000 nested
 * destructions (process -> endpoint -> process ...), which under ASan run
 * off the 8 MiB host stack (the kernel's stack is 16 KiB). Every page,
 * object and address space must come back. And a process's descendants
 * die with it.
 */
#include "kcore_test.h"
#include "object/endpoint.h"

#define CHAIN 100000u

static void test_long_chain_of_dead_processes(void **state)
{
	(void)state;
	struct capos_limits l = { 1, 1, 8, 1 };
	capos_status_t st = -1;
	struct process *first = process_create("p0", &l, NULL, &st);
	assert_int_equal(st, CAPOS_OK);
	struct process *prev = first;
	for (uint32_t i = 1; i < CHAIN; i++) {
		struct process *p = process_create("p", &l, NULL, &st);
		assert_int_equal(st, CAPOS_OK);
		struct endpoint *ep = endpoint_create(p, 0, &st); /* holds p (owner) */
		assert_int_equal(st, CAPOS_OK);
		process_kill(prev);
		prev->supervisor = ep; /* takes the creation reference */
		if (prev != first)
			kobj_unref(&prev->obj); /* held by the previous endpoint only */
		prev = p;
	}
	process_kill(prev);
	kobj_unref(&prev->obj);
	assert_int_equal(first->obj.refs, 1);
	kobj_unref(&first->obj); /* the whole chain goes */
	kt_assert_clean();
}

/* A process dies with the process that created it, and so on down
 * (issue 12, found by the storm): a child and grandchild whose caps are
 * all gone would otherwise live on unreachable, holding their frames and
 * objects. A deep line of descendants is killed in a loop, not by
 * recursion. */
static void test_descendants_die_with_their_creator(void **state)
{
	(void)state;
	/* quotas nest: each creator has room for its children's pages */
	struct capos_limits l = { 4, 2, 64, 2 }, lg = { 4, 2, 16, 2 };
	struct capos_limits lroot = { 4, 2, 1u << 20, 2 };
	capos_status_t st = -1;
	struct process *root = process_create("root", &lroot, NULL, &st);
	assert_int_equal(st, CAPOS_OK);
	struct process *a = process_create("a", &l, root, &st);
	struct process *b = process_create("b", &l, root, &st);
	struct process *g = process_create("g", &lg, a, &st);
	assert_int_equal(st, CAPOS_OK);
	struct thread *t = kt_thread(g, 5);
	thread_start(t);
	kobj_ref(&g->obj); /* to look at it afterwards */
	kobj_unref(&a->obj);
	kobj_unref(&b->obj);
	kobj_unref(&g->obj); /* the creation reference: unreachable now */
	assert_int_equal(g->state, CAPOS_PROCESS_ALIVE);
	process_kill(a);
	assert_int_equal(g->state, CAPOS_PROCESS_KILLED); /* with its creator */
	assert_int_equal(b->torn_down, 0);                 /* not a's */
	kobj_unref(&g->obj);
	/* a line of 2,000 descendants, each created by the one before, each
	 * within what the one before has left (8 pages less at each step) */
	struct process *p = root;
	for (int i = 0; i < 2000; i++) {
		struct capos_limits ld = { 4, 2, 8 * (2000 - i) + 16, 2 };
		struct process *c = process_create("d", &ld, p, &st);
		assert_int_equal(st, CAPOS_OK);
		kobj_unref(&c->obj);
		p = c;
	}
	process_kill(root);
	kobj_unref(&root->obj);
	kt_assert_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KT_TEST(test_long_chain_of_dead_processes),
		KT_TEST(test_descendants_die_with_their_creator),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
