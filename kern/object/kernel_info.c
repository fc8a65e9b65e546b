/*
 * kernel_info.c - KernelInfo: the kernel's own counters, for tests and
 * monitoring. One kernel singleton, given to the root task.
 *
 * Invariants:
 *  - every method only reads: no method changes kernel state, so none
 *    needs a right on the cap (init hands it out with READ);
 *  - CHECK_INVARIANTS exists only in kernels built with the checks
 *    (CAPOS_INVARIANT_CHECKS); others answer UNSUPPORTED, exactly as for
 *    an unknown label.
 */
#include <stddef.h>

#include "core/invariants.h"
#include "core/kstring.h"
#include "core/platform.h"
#include "object/method.h"
#include "object/objects.h"
#include "object/thread.h"

/* The TSC at kernel entry (core/main.c, written by entry.S); weak so the
 * host unit tests, which have no entry code, link without it. */
extern uint64_t kernel_entry_tsc __attribute__((weak));

uint64_t irq_count_for(uint32_t vector); /* arch */

struct kobj kernel_info_obj = { .type = CAPOS_CAP_KERNEL_INFO, .refs = 1 };

static capos_status_t m_stats(struct thread *t, struct cap *c, void *args)
{
	(void)c;
	(void)args;
	struct capos_kinfo_stats r;
	memset(&r, 0, sizeof(r));
	r.free_frames = page_free_count();
	r.live_objects = kobj_live_count;
	r.now_ns = now_ns();
	r.tsc_khz = platform_tsc_khz();
	r.timer_interrupts = irq_count_for(0x20);
	r.boot_tsc = &kernel_entry_tsc ? kernel_entry_tsc : 0;
	return kmethod_reply(t, &r, sizeof(r));
}

static capos_status_t m_irq_count(struct thread *t, struct cap *c, void *args)
{
	(void)c;
	struct capos_kinfo_irq *a = args;
	if (a->vector > 255)
		return CAPOS_INVALID_ARGUMENT;
	a->count = irq_count_for(a->vector);
	return kmethod_reply(t, a, sizeof(*a));
}

#ifdef CAPOS_INVARIANT_CHECKS
static capos_status_t m_check_invariants(struct thread *t, struct cap *c, void *args)
{
	(void)c;
	(void)args;
	struct capos_kinfo_check r;
	r.violations = kernel_check_invariants(&r.objects_checked);
	return kmethod_reply(t, &r, sizeof(r));
}
#endif

static const struct kmethod methods[] = {
	[CAPOS_KINFO_STATS] = { m_stats, 0, 0, 0 },
	[CAPOS_KINFO_IRQ_COUNT] = { m_irq_count, KM_ARGS(struct capos_kinfo_irq), 0, 0 },
#ifdef CAPOS_INVARIANT_CHECKS
	/* The walk runs over the whole kernel with interrupts off: only for
	 * a cap with CONTROL (root tasks; no manifest grant carries it). */
	[CAPOS_KINFO_CHECK_INVARIANTS] = { m_check_invariants, 0, CAPOS_RIGHT_CONTROL, 0 },
#endif
};

const struct kmethod_table kernel_info_methods = KMETHOD_TABLE(methods, 0, NULL);
