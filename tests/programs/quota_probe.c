/* Kernel quotas (issue 12, tests/qemu/quota.expect), as a root task.
 *  1. Quotas nest: a child larger than what this process has left is
 *     refused (LIMIT_EXCEEDED) and changes nothing; one that just fits
 *     takes all of it, and then even a 1-page child is refused; one level
 *     down the same holds against the child's own quota; when the child
 *     is killed and its caps dropped, the quota, the frames and the
 *     objects all come back.
 *  2. Crash records nobody receives: 100 children die (even: rec_child
 *     started, exits at once; odd: an empty process, killed), all
 *     supervised by one endpoint that is not received on. At most
 *     CAPOS_CRASH_QUEUE_MAX records wait, each holding its child's
 *     reservation in this process's quota; the rest are counted. Then the
 *     records are received: in order, the first carrying the count, and
 *     afterwards the quota, the free frames and the live objects are
 *     exactly what they were before.
 */
#include "rec_common.h"

#define SUP_BADGE 0xfeedull
#define CHILDREN 100u
#define CHILD_PAGES 64u

static struct capos_process_info self_info(void)
{
	struct capos_process_info pi = { 0 };
	capos_process_info(CAPOS_ROOT_PROCESS, &pi);
	return pi;
}

/* This process's pages used, the free frames and the live objects: then
 * (p0, k0) and now. */
static void report_back(const char *after, const struct capos_process_info *p0,
			const struct capos_kinfo_stats *k0)
{
	struct capos_process_info p1 = self_info();
	struct capos_kinfo_stats k1 = rec_stats();
	capos_printf("quota: after %s: pages used %u -> %u, free frames %lu -> %lu, live objects %lu -> %lu\n",
		     after, p0->usage.pages, p1.usage.pages, (unsigned long)k0->free_frames,
		     (unsigned long)k1.free_frames, (unsigned long)k0->live_objects,
		     (unsigned long)k1.live_objects);
}

static capos_status_t create(uint32_t proc, uint32_t pages, uint32_t *slot)
{
	struct capos_limits l = { 8, 2, pages, 2 };
	return capos_process_create(proc, "quota_kid", &l, slot);
}

static void nesting(void)
{
	struct capos_kinfo_stats k0 = rec_stats();
	struct capos_process_info p0 = self_info();
	uint32_t left = p0.limits.max_pages - p0.usage.pages;
	uint32_t x = CAPOS_NO_CAP, g = CAPOS_NO_CAP, y = CAPOS_NO_CAP;
	capos_status_t st = create(CAPOS_ROOT_PROCESS, left, &y);
	struct capos_kinfo_stats k1 = rec_stats();
	struct capos_process_info p1 = self_info();
	capos_printf("quota: child of all %u pages left (+1 for its object) -> status %ld; pages used %u -> %u, frames %s, objects %s\n",
		     left, (long)st, p0.usage.pages, p1.usage.pages,
		     k1.free_frames == k0.free_frames ? "same" : "changed",
		     k1.live_objects == k0.live_objects ? "same" : "changed");
	st = create(CAPOS_ROOT_PROCESS, left - 1, &x);
	p1 = self_info();
	capos_printf("quota: child of %u pages left - 1 -> status %ld; pages used %u of %u\n", left,
		     (long)st, p1.usage.pages, p1.limits.max_pages);
	st = create(CAPOS_ROOT_PROCESS, 1, &y);
	capos_printf("quota: then a child of 1 page -> status %ld\n", (long)st);
	struct capos_process_info c0 = { 0 };
	capos_process_info(x, &c0);
	uint32_t xleft = c0.limits.max_pages - c0.usage.pages;
	st = create(x, xleft, &y);
	capos_printf("quota: grandchild of all the child's %u pages left -> status %ld\n", xleft,
		     (long)st);
	st = create(x, xleft - 1, &g);
	capos_process_info(x, &c0);
	capos_printf("quota: grandchild of its pages left - 1 -> status %ld; child's pages used %u of %u\n",
		     (long)st, c0.usage.pages, c0.limits.max_pages);
	capos_process_kill(x);
	capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, g);
	capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, x);
	report_back("the child is gone", &p0, &k0);
}

static void flood(uint32_t sleeper)
{
	uint32_t e = CAPOS_NO_CAP;
	capos_endpoint_create(CAPOS_ROOT_PROCESS, 0xfe01, &e);
	/* the supervisor cap: SEND only, badged, in a slot nothing else uses */
	uint32_t sup = 600;
	capos_status_t st = capos_cap_mint(CAPOS_ROOT_CAP_MANAGER, e, sup, CAPOS_RIGHT_SEND, 1,
					   SUP_BADGE);
	if (st != CAPOS_OK) {
		capos_printf("quota: mint -> status %ld\n", (long)st);
		capos_exit(2);
	}
	struct capos_kinfo_stats k0 = rec_stats();
	struct capos_process_info p0 = self_info();
	uint32_t pids[CHILDREN], bad = 0;
	for (uint32_t i = 0; i < CHILDREN; i++) {
		uint32_t proc = CAPOS_NO_CAP;
		struct capos_spawned c = { 0 };
		if (i % 2 == 0) {
			struct capos_limits l = { 16, 2, CHILD_PAGES, 2 };
			st = capos_spawn("rec_child", "quota_exit", &l, 100, 0, &c);
			proc = c.process;
		} else {
			st = create(CAPOS_ROOT_PROCESS, CHILD_PAGES, &proc);
		}
		if (st == CAPOS_OK)
			st = capos_set_supervisor(proc, sup);
		struct capos_process_info ci = { 0 };
		capos_process_info(proc, &ci);
		pids[i] = ci.pid;
		if (st == CAPOS_OK && i % 2 == 0) {
			st = capos_thread_start(c.thread);
			if (ipc_wait_exit(proc, sleeper, 3000, NULL) != CAPOS_PROCESS_EXITED)
				bad++;
			capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, c.thread);
		} else if (st == CAPOS_OK) {
			st = capos_process_kill(proc);
		}
		if (st != CAPOS_OK && bad++ < 3)
			capos_printf("quota: child %u -> status %ld\n", i, (long)st);
		capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, proc);
	}
	struct capos_process_info p1 = self_info();
	struct capos_kinfo_stats k1 = rec_stats();
	uint32_t held = p1.usage.pages - p0.usage.pages;
	capos_printf("quota: %u children died, %u went wrong; records waiting hold %u pages of quota (%u children's %u + 1), %lu objects\n",
		     CHILDREN, bad, held, held / (CHILD_PAGES + 1), CHILD_PAGES,
		     (unsigned long)(k1.live_objects - k0.live_objects));

	uint32_t got = 0, dropped = 0, order_ok = 1, exits = 0, kills = 0, first_dropped = 0;
	struct capos_ipc_buffer *m = capos_ipc();
	while ((st = capos_recv_timeout(e, CAPOS_WAIT_POLL)) == CAPOS_OK) {
		struct capos_crash_record r;
		memcpy(&r, m->body, sizeof r);
		if (m->label != CAPOS_LABEL_CRASH_RECORD || m->badge != SUP_BADGE ||
		    r.pid != pids[got])
			order_ok = 0;
		if (got == 0)
			first_dropped = r.dropped;
		exits += r.cause == CAPOS_DEATH_EXIT;
		kills += r.cause == CAPOS_DEATH_KILLED;
		dropped += r.dropped;
		got++;
	}
	capos_printf("quota: received %u records (%u exits, %u kills) in order: %s; the first says %u dropped, %u in all; then status %ld\n",
		     got, exits, kills, order_ok ? "yes" : "no", first_dropped, dropped, (long)st);
	report_back("the records", &p0, &k0);
	capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, sup);
	capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, e);
}

int main(uint64_t arg)
{
	(void)arg;
	/* Warm up: the first spawn maps the boot package into this process. */
	struct capos_spawned w = rec_spawn("quota_warm", &ipc_child_limits, 100, 0);
	capos_process_kill(w.process);
	rec_forget(&w);
	uint32_t sleeper = ipc_sleeper();
	nesting();
	flood(sleeper);
	rec_check("quota");
	capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, sleeper);
	return 0;
}
