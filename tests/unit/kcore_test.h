/*
 * kcore_test.h - helpers shared by the kernel core unit tests: a clean
 * world per test (scheduler reset, leak baseline), processes and threads,
 * and "run this syscall as thread t" the way the kernel's entry path does.
 */
#ifndef CAPOS_TESTS_KCORE_TEST_H
#define CAPOS_TESTS_KCORE_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <capos/abi.h>

#include "core/platform.h"
#include "core/sched.h"
#include "core/syscall.h"
#include "host_platform.h"
#include "mm/vspace.h"
#include "object/captable.h"
#include "object/endpoint.h"
#include "object/notification.h"
#include "object/objects.h"
#include "object/process.h"
#include "object/shared_buffer.h"
#include "object/thread.h"

/* The status of a syscall whose thread is now blocked. */
#define KT_BLOCKED ((capos_status_t)-1)

#define MS 1000000ull

/* cmocka setup/teardown: reset the scheduler and clock, record the leak
 * baseline; teardown fails the test if pages, objects or address spaces
 * were left behind. */
int kt_setup(void **state);
int kt_teardown(void **state);
void kt_assert_clean(void);

#define KT_TEST(f) cmocka_unit_test_setup_teardown(f, kt_setup, kt_teardown)

/* A live process with these limits (asserts success). The caller owns the
 * creation reference; kt_proc_end kills and drops it. */
struct process *kt_proc(const char *name, uint32_t slots, uint32_t threads,
			uint32_t pages, uint32_t endpoints);
void kt_proc_end(struct process *p);

/* A parent for tests that create children through its Process cap:
 * process P (slot 0 its manager, slot 1 its own Process cap, 8 endpoints)
 * with a thread pt, and the counts as they were once it was built. */
struct kt_parent {
	struct process *P;
	struct thread *pt;
	uint64_t pages, objs;
	struct capos_usage usage;
	uint32_t used;
};
struct kt_parent kt_parent(uint32_t slots, uint32_t pages);
/* The kernel's invariant walk finds no violation and every live object. */
void kt_assert_invariants(void);
/* Every page, object, slot and unit of P's usage is back; no violation. */
void kt_assert_parent_back(const struct kt_parent *pa);

/* A new inactive thread of p (the process owns it). */
struct thread *kt_thread(struct process *p, uint8_t prio);
/* A new thread, started. */
struct thread *kt_thread_started(struct process *p, uint8_t prio);

/* Makes t the running thread, as if the scheduler had chosen it (the
 * current thread, if any, is preempted and keeps its place). */
void kt_make_current(struct thread *t);

/* Runs syscall nr as t (made current first). Returns the status, or
 * KT_BLOCKED if t is now blocked. */
capos_status_t kt_sys(struct thread *t, uint64_t nr, uint64_t rdi, uint64_t rsi);

/* Fills t's IPC buffer with a message (no caps). */
void kt_msg(struct thread *t, uint64_t label, const void *body, uint32_t len);

/* A Call on a kernel object's cap: method label with args. */
capos_status_t kt_method(struct thread *t, uint32_t slot, uint64_t label,
			 const void *args, uint32_t len);

/* Objects put straight into a table; the creation reference is dropped so
 * the caps are the only holders. */
struct endpoint *kt_endpoint_at(struct process *owner, struct process *p,
				uint32_t slot, uint16_t rights, uint64_t badge);
struct notification *kt_ntfn_at(struct process *owner, struct process *p,
				uint32_t slot, uint16_t rights, uint64_t badge);
void kt_cap(struct process *p, uint32_t slot, void *obj, uint16_t type,
	    uint16_t rights, uint64_t badge);

/* The thread's status once woken (the rax the kernel wrote). */
#define KT_RAX(t) ((capos_status_t)(t)->tf.rax)

#endif
