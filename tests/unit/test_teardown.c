/*
 * test_teardown - releasing a long chain of objects is a loop, not a
 * recursion (issue 12, kern/object/kobj.c). 100,000 dead processes, each
 * supervised by an endpoint that the next process owns (a process holds
 * its supervisor endpoint, an object holds its owner): dropping the last
 * reference on the first releases them all, each release dropping the
 * last reference on the next. Done by recursion that is 100,000 nested
 * destructions (process -> endpoint -> process ...), which under ASan run
 * off the 8 MiB host stack (the kernel's stack is 16 KiB). Every page,
 * object and address space must come back.
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		KT_TEST(test_long_chain_of_dead_processes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
