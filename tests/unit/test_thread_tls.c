/*
 * test_thread_tls - Thread.SET_TLS (kern/core/invoke.c): sets the target's
 * FS base (on itself or another thread), refuses a base outside user space
 * or a short body, and needs CONTROL.
 */
#include "kcore_test.h"

static void test_set_tls(void **state)
{
	(void)state;
	struct process *P = kt_proc("p", 16, 8, 256, 8);
	struct thread *a = kt_thread(P, 5);
	struct thread *b = kt_thread(P, 5);
	kt_cap(P, 0, a, CAPOS_CAP_THREAD, CAPOS_RIGHTS_ALL, 0);
	kt_cap(P, 1, b, CAPOS_CAP_THREAD, CAPOS_RIGHTS_ALL, 0);
	kt_cap(P, 2, b, CAPOS_CAP_THREAD, CAPOS_RIGHT_READ, 0);

	struct capos_thread_tls t = { CAPOS_TLS_VA };
	assert_int_equal(kt_method(a, 0, CAPOS_THREAD_SET_TLS, &t, sizeof t), CAPOS_OK);
	assert_int_equal(a->fs_base, CAPOS_TLS_VA);
	t.base = 0x10000010;
	assert_int_equal(kt_method(a, 1, CAPOS_THREAD_SET_TLS, &t, sizeof t), CAPOS_OK);
	assert_int_equal(b->fs_base, 0x10000010);
	t.base = 0;
	assert_int_equal(kt_method(a, 1, CAPOS_THREAD_SET_TLS, &t, sizeof t), CAPOS_OK);
	assert_int_equal(b->fs_base, 0);

	uint64_t bad[] = { CAPOS_USER_TOP, 0x0000800000000000ull, 0xffff800000000000ull,
			   0xda76a8af11fd0000ull, ~0ull };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t.base = bad[i];
		assert_int_equal(kt_method(a, 1, CAPOS_THREAD_SET_TLS, &t, sizeof t),
				 CAPOS_INVALID_ARGUMENT);
		assert_int_equal(b->fs_base, 0);
	}
	t.base = 0x1000;
	assert_int_equal(kt_method(a, 1, CAPOS_THREAD_SET_TLS, &t, 4), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(kt_method(a, 2, CAPOS_THREAD_SET_TLS, &t, sizeof t), CAPOS_DENIED);
	assert_int_equal(b->fs_base, 0);

	thread_kill(b);
	assert_int_equal(kt_method(a, 1, CAPOS_THREAD_SET_TLS, &t, sizeof t),
			 CAPOS_DISCONNECTED);
	kt_proc_end(P);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KT_TEST(test_set_tls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
