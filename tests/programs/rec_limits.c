/* Resource limits roll back completely.
 *  1. Spawning with max_pages = 1, 2, ... fails with LIMIT_EXCEEDED until
 *     the program fits; after every failure (capos_spawn kills the
 *     half-built child and deletes its cap) the free frames and live
 *     objects are what they were before. Printed: the number of failures,
 *     the first max_pages that worked, the counts before and after.
 *  2. A child with 8 slots creates endpoints in its own table until it is
 *     refused: 3 slots are taken (itself, COM1, KernelInfo), so the 6th
 *     endpoint gets LIMIT_EXCEEDED; a slot out of its range is refused to
 *     the root's install with INVALID_ARGUMENT.
 *  3. A child with max_endpoints 3 gets LIMIT_EXCEEDED at the 4th; then a
 *     mapping over its page limit is refused and leaves usage unchanged.
 */
#include "rec_common.h"

static void limit_child(const char *name, uint32_t slots, uint32_t endpoints, uint32_t pages)
{
	uint32_t sleeper = ipc_sleeper();
	struct capos_limits lim = { slots, 4, pages, endpoints };
	struct capos_spawned c = rec_spawn(name, &lim, 100, rec_arg(REC_ROLE_LIMIT, 0, 0));
	rec_install(&c, c.process, REC_SELF, CAPOS_RIGHTS_ALL, 0);
	rec_install(&c, CAPOS_ROOT_KERNEL_INFO, REC_KINFO, CAPOS_RIGHT_READ, 0);
	capos_status_t st = capos_install_cap(c.process, CAPOS_ROOT_KERNEL_INFO, slots,
					      CAPOS_RIGHT_READ, 0, 0);
	capos_printf("limits: %s (max_slots %u, max_endpoints %u): install into slot %u -> status %ld\n",
		     name, slots, endpoints, slots, (long)st);
	capos_thread_start(c.thread);
	int64_t code = -1;
	uint32_t state = ipc_wait_exit(c.process, sleeper, 3000, &code);
	capos_printf("limits: %s ended: state %u, %ld endpoints made\n", name, state, (long)code);
	rec_forget(&c);
	capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, sleeper);
}

int main(uint64_t arg)
{
	(void)arg;
	/* Warm up: the first spawn maps the boot package into this process. */
	struct capos_spawned w = rec_spawn("rec_warm", &ipc_child_limits, 100, 0);
	capos_process_kill(w.process);
	rec_forget(&w);

	struct capos_kinfo_stats k0 = rec_stats();
	uint32_t failures = 0, others = 0, mismatches = 0, first_ok = 0;
	struct capos_spawned ok;
	for (uint32_t pages = 1; pages <= 1024; pages++) {
		struct capos_limits lim = { 64, 4, pages, 16 };
		capos_status_t st = capos_spawn("rec_child", "rec_pages", &lim, 100, 0, &ok);
		if (st == CAPOS_OK) {
			first_ok = pages;
			break;
		}
		if (st == CAPOS_LIMIT_EXCEEDED)
			failures++;
		else if (others++ < 3)
			capos_printf("limits: max_pages %u -> status %ld\n", pages, (long)st);
		struct capos_kinfo_stats k = rec_stats();
		if (k.free_frames != k0.free_frames || k.live_objects != k0.live_objects) {
			if (mismatches++ < 3)
				capos_printf("limits: after max_pages %u: free frames %lu, live objects %lu\n",
					     pages, (unsigned long)k.free_frames,
					     (unsigned long)k.live_objects);
		}
	}
	struct capos_process_info pi;
	capos_process_info(ok.process, &pi);
	capos_printf("limits: %u spawns failed with LIMIT_EXCEEDED, %u with another status, %u left counts changed; first max_pages that worked %u (uses %u pages)\n",
		     failures, others, mismatches, first_ok, pi.usage.pages);
	capos_process_kill(ok.process);
	rec_forget(&ok);
	struct capos_kinfo_stats k1 = rec_stats();
	capos_printf("limits: spawn sweep: free frames %lu -> %lu, live objects %lu -> %lu\n",
		     (unsigned long)k0.free_frames, (unsigned long)k1.free_frames,
		     (unsigned long)k0.live_objects, (unsigned long)k1.live_objects);

	limit_child("rec_slots", 8, 16, 256);
	limit_child("rec_endpoints", 64, 3, 256);
	struct capos_kinfo_stats k2 = rec_stats();
	capos_printf("limits: after the children: free frames %lu -> %lu, live objects %lu -> %lu\n",
		     (unsigned long)k0.free_frames, (unsigned long)k2.free_frames,
		     (unsigned long)k0.live_objects, (unsigned long)k2.live_objects);
	rec_check("limits");
	return 0;
}
