/*
 * self_probe - the narrowed self grant (KERNEL_RESOURCE_SELF) and
 * per-thread IPC buffers, under manifests/test-self.textproto and
 * tests/qemu/self_grant.expect.
 *
 * Caps: `self` (its own process, READ|WRITE from the manifest), `console`
 * (COM1 IOPort, for its output), `kinfo` (KernelInfo), `ntfn` (a
 * notification of its own), `capmgr` (READ: to report the self cap's type
 * and rights). It prints, for the transcript to judge:
 *  - the self cap's type and rights as its table holds them;
 *  - every method that needs CONTROL, tried through `self`: each status;
 *  - a SharedBuffer of its own through `self` (WRITE on its own process
 *    suffices): made, charged to its pages, mapped read-write, written
 *    and read back through the mapping; a second, executable mapping of
 *    it refused while the first is writable (W^X across aliases); a
 *    buffer larger than the pages left refused with nothing charged;
 *  - threads spawned until the profile's max_threads: each one makes
 *    kinfo calls through its own capos_ipc() while the others do the same,
 *    and checks that capos_ipc() is its own buffer and that every reply it
 *    read was its own; the spawn after the last answers LIMIT_EXCEEDED;
 *  - the heap grown by malloc until it fails, then single pages mapped
 *    until MAP_ANON answers LIMIT_EXCEEDED: the pages in use then equal the
 *    profile's max_pages; freeing and unmapping gives them back.
 */
#include <stdlib.h>
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/runtime.h>
#include <capos/startup.h>
#include <capos/syscall.h>
#include <capos/thread.h>

int main(uint64_t arg);

#define CALLS_PER_THREAD 200
#define EXTRA_VA 0x0000400000000000ull

static capos_cap_t self, kinfo, ntfn;

struct worker {
	struct capos_thread t;
	volatile int done;
	int own_buffer;   /* capos_ipc() was the buffer spawn reported */
	int calls_ok;     /* replies that came back in this thread's buffer */
	uint64_t last_now;
};

static struct worker workers[8];

/* Each call's reply lands in the calling thread's IPC buffer: a thread
 * that read another's buffer would see time go backwards or a stale
 * length. */
__attribute__((noreturn)) static int64_t work(void *arg)
{
	struct worker *w = arg;
	w->own_buffer = capos_ipc() == w->t.ipc;
	for (int i = 0; i < CALLS_PER_THREAD; i++) {
		struct capos_kinfo_stats s;
		capos_ipc()->len = 0;
		if (capos_kinfo_stats(kinfo, &s) != CAPOS_OK)
			continue;
		if (capos_ipc()->len == sizeof(s) && s.now_ns >= w->last_now)
			w->calls_ok++;
		w->last_now = s.now_ns;
		if (i % 16 == 0)
			capos_yield();
	}
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	capos_signal(ntfn, 1);
	/* Parked until main returns and the process ends. It may take a
	 * signal meant for main: main also looks every 10 ms. */
	for (;;)
		capos_wait(ntfn, CAPOS_WAIT_FOREVER);
}

static void rights_of_self(void)
{
	capos_cap_t mgr = capos_cap_lookup("capmgr");
	static struct capos_capmgr_list_result list;
	if (mgr == CAPOS_NO_CAP || capos_cap_list(mgr, self, 1, &list) != CAPOS_OK ||
	    list.count != 1 || list.entries[0].slot != self) {
		capos_printf("self_probe: cannot list the self cap\n");
		return;
	}
	capos_printf("self_probe: self cap type %u rights 0x%x\n", (unsigned)list.entries[0].type,
		     (unsigned)list.entries[0].rights);
}

static void forbidden(void)
{
	uint32_t slot = CAPOS_NO_CAP;
	struct capos_limits l = { 8, 1, 16, 1 };
	uint64_t word = 0;
	capos_status_t cp = capos_process_create(self, "x", &l, &slot);
	capos_status_t ce = capos_endpoint_create(self, 1, &slot);
	capos_status_t cn = capos_notification_create(self, &slot);
	capos_status_t wm = capos_write_memory(self, CAPOS_USER_BASE, &word, sizeof(word));
	capos_status_t ic = capos_install_cap(self, kinfo, 60, CAPOS_RIGHTS_ALL, 0, 0);
	capos_status_t ss = capos_set_supervisor(self, ntfn);
	capos_status_t mm = capos_make_cap_manager(self, &slot);
	capos_status_t kl = capos_process_kill(self);
	capos_printf("self_probe: forbidden: create_process %ld create_endpoint %ld "
		     "create_notification %ld write_memory %ld install_cap %ld set_supervisor %ld "
		     "make_cap_manager %ld kill %ld\n",
		     (long)cp, (long)ce, (long)cn, (long)wm, (long)ic, (long)ss, (long)mm,
		     (long)kl);
}

#define BUF_VA 0x0000480000000000ull

static void shared(void)
{
	struct capos_process_info a, b;
	uint32_t sb = CAPOS_NO_CAP, big = CAPOS_NO_CAP;
	(void)capos_process_info(self, &a);
	capos_status_t cs = capos_shared_buffer_create(self, 4, &sb);
	(void)capos_process_info(self, &b);
	capos_status_t ms = capos_map_shared(self, BUF_VA, sb, 0, 4,
					     CAPOS_PROT_READ | CAPOS_PROT_WRITE);
	int same = 0;
	if (ms == CAPOS_OK) {
		volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)BUF_VA;
		for (uint32_t i = 0; i < 4 * CAPOS_PAGE_SIZE / 8; i++)
			w[i] = 0x5eed000000000000ull | i;
		same = 1;
		for (uint32_t i = 0; i < 4 * CAPOS_PAGE_SIZE / 8; i++)
			same &= w[i] == (0x5eed000000000000ull | i);
	}
	capos_status_t mx = capos_map_shared(self, BUF_VA + 0x100000, sb, 0, 1,
					     CAPOS_PROT_READ | CAPOS_PROT_EXEC);
	struct capos_process_info c;
	(void)capos_process_info(self, &c);
	uint32_t left = c.limits.max_pages - c.usage.pages;
	capos_status_t cb = capos_shared_buffer_create(self, left + 1, &big);
	struct capos_process_info d;
	(void)capos_process_info(self, &d);
	capos_printf("self_probe: shared: create %ld charged %u, map rw %ld, written and read %d, "
		     "map rx alias %ld, over the quota %ld charged %u\n",
		     (long)cs, (unsigned)(b.usage.pages - a.usage.pages), (long)ms, same, (long)mx,
		     (long)cb, (unsigned)(d.usage.pages - c.usage.pages));
}

static void threads(const struct capos_process_info *info)
{
	uint32_t started = 0;
	capos_status_t st = CAPOS_OK;
	while (started < 8) {
		st = capos_thread_spawn(self, work, &workers[started], 1, &workers[started].t);
		if (st != CAPOS_OK)
			break;
		started++;
	}
	uint32_t finished = 0;
	while (finished < started) {
		finished = 0;
		for (uint32_t i = 0; i < started; i++)
			finished += workers[i].done;
		if (finished < started)
			capos_wait(ntfn, 10000000ull);
	}
	uint32_t own = 0, ok = 0;
	for (uint32_t i = 0; i < started; i++) {
		own += (uint32_t)workers[i].own_buffer;
		ok += (uint32_t)workers[i].calls_ok;
	}
	capos_printf("self_probe: threads: max_threads %u, spawned %u more, next spawn %ld; "
		     "own buffers %u, calls ok %u of %u; main buffer kept %d\n",
		     (unsigned)info->limits.max_threads, (unsigned)started, (long)st,
		     (unsigned)own, (unsigned)ok, (unsigned)(started * CALLS_PER_THREAD),
		     capos_ipc() == (struct capos_ipc_buffer *)(uintptr_t)CAPOS_IPC_BUFFER_VA);
}

static void heap(void)
{
	struct capos_process_info a, b, c;
	(void)capos_process_info(self, &a);
	static void *blocks[4096];
	uint32_t n = 0;
	/* The page table for EXTRA_VA made now, while the quota has room: the
	 * single pages below then cost one page each, whatever the program's
	 * size leaves over after the heap's blocks. */
	if (capos_map_anon(self, EXTRA_VA, 1, CAPOS_PROT_READ | CAPOS_PROT_WRITE) == CAPOS_OK)
		(void)capos_unmap(self, EXTRA_VA, 1);
	while (n < 4096 && (blocks[n] = malloc(16384)) != NULL) {
		memset(blocks[n], 0x5a, 16384);
		n++;
	}
	/* The heap grows 64 KiB at a time: pages it could not use remain. */
	uint32_t extra = 0;
	capos_status_t st;
	while ((st = capos_map_anon(self, EXTRA_VA + (uint64_t)extra * CAPOS_PAGE_SIZE, 1,
				    CAPOS_PROT_READ | CAPOS_PROT_WRITE)) == CAPOS_OK)
		extra++;
	(void)capos_process_info(self, &b);
	capos_printf("self_probe: heap: %u blocks of 16 KiB, then %u single pages, next map %ld; "
		     "pages %u of max %u\n",
		     (unsigned)n, (unsigned)extra, (long)st, (unsigned)b.usage.pages,
		     (unsigned)b.limits.max_pages);
	capos_status_t um = extra ? capos_unmap(self, EXTRA_VA, extra) : CAPOS_OK;
	for (uint32_t i = 0; i < n; i++)
		free(blocks[i]);
	void *again = malloc(16384);
	(void)capos_process_info(self, &c);
	capos_printf("self_probe: heap: unmap %ld, pages back %u, malloc after free %s\n", (long)um,
		     (unsigned)(b.usage.pages - c.usage.pages), again ? "ok" : "failed");
	(void)a;
}

int main(uint64_t arg)
{
	(void)arg;
	capos_debug_port = capos_cap_lookup("console");
	self = capos_cap_lookup("self");
	kinfo = capos_cap_lookup("kinfo");
	ntfn = capos_cap_lookup("ntfn");
	if (self == CAPOS_NO_CAP || kinfo == CAPOS_NO_CAP || ntfn == CAPOS_NO_CAP) {
		capos_printf("self_probe: needs self, kinfo and ntfn\n");
		return 1;
	}
	struct capos_process_info info;
	capos_status_t is = capos_process_info(self, &info);
	capos_printf("self_probe: info -> %ld, max_threads %u max_pages %u\n", (long)is,
		     (unsigned)info.limits.max_threads, (unsigned)info.limits.max_pages);
	rights_of_self();
	forbidden();
	shared();
	threads(&info);
	heap();
	capos_printf("self_probe: done\n");
	return 0;
}
