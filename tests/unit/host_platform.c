/*
 * host_platform.c - the machine under the portable kernel core, faked for
 * host unit tests. Everything here is a test double of hardware or of the
 * x86_64 code (paging, trap entry, interrupts); the kernel logic under test
 * is compiled unchanged from kern/.
 *
 *  - pages come from aligned_alloc and are counted, so a test can assert
 *    that every page came back; a budget makes page_alloc fail on demand
 *    (NO_MEMORY paths);
 *  - the clock only moves when a test moves it; timer_set_deadline is
 *    recorded;
 *  - an address space is a list of (va, frame, flags) plus the table pages
 *    the 4-level x86_64 tables would need (one page per new 512 GiB, 1 GiB
 *    and 2 MiB region, and the root), allocated and charged to the process
 *    exactly as arch/x86_64/paging.c does, so quota and leak checks see the
 *    same numbers;
 *  - panic prints and aborts (a KASSERT failing is a test failure).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86_64/arch.h"
#include "core/panic.h"
#include "core/platform.h"
#include "host_platform.h"
#include "mm/vspace.h"
#include "object/process.h"
#include "object/thread.h"

/* ---- pages ---------------------------------------------------------------- */

#define UNLIMITED (1ull << 40)

static uint64_t live_pages;
static uint64_t alloc_budget = UNLIMITED; /* successful allocations left */
static uint64_t failed_allocs;

void *page_alloc(void)
{
	if (alloc_budget == 0) {
		failed_allocs++;
		return NULL;
	}
	void *p = aligned_alloc(CAPOS_PAGE_SIZE, CAPOS_PAGE_SIZE);
	if (!p) {
		fprintf(stderr, "host page_alloc: out of host memory\n");
		abort();
	}
	memset(p, 0, CAPOS_PAGE_SIZE);
	alloc_budget--;
	live_pages++;
	return p;
}

void page_free(void *page)
{
	if (!page)
		panic("page_free(NULL)");
	if (((uintptr_t)page & (CAPOS_PAGE_SIZE - 1)) != 0)
		panic("page_free of an unaligned pointer %p", page);
	if (live_pages == 0)
		panic("page_free with no live pages");
	/* Scribble, so a use after free reads garbage even if ASan's
	 * quarantine were to let it through. */
	memset(page, 0xA5, CAPOS_PAGE_SIZE);
	free(page);
	live_pages--;
	if (alloc_budget != UNLIMITED)
		alloc_budget++;
}

uint64_t page_free_count(void)
{
	return alloc_budget;
}

uint64_t host_live_pages(void)
{
	return live_pages;
}

void host_set_free_pages(uint64_t n)
{
	alloc_budget = n;
}

void host_reset_pages(void)
{
	alloc_budget = UNLIMITED;
}

uint64_t host_failed_allocs(void)
{
	return failed_allocs;
}

/* ---- clock and timer ------------------------------------------------------ */

static uint64_t fake_now = 1000000; /* not 0: deadline 0 means "none" */
static uint64_t timer_deadline;
static uint64_t timer_sets;

uint64_t now_ns(void)
{
	return fake_now;
}

uint64_t platform_tsc_khz(void)
{
	return 1000000; /* a fake 1 GHz */
}

void timer_set_deadline(uint64_t deadline_ns)
{
	timer_deadline = deadline_ns;
	timer_sets++;
}

void host_set_now(uint64_t ns)
{
	fake_now = ns;
}

void host_advance(uint64_t ns)
{
	fake_now += ns;
}

uint64_t host_timer_deadline(void)
{
	return timer_deadline;
}

uint64_t host_timer_sets(void)
{
	return timer_sets;
}

/* ---- kprintf -------------------------------------------------------------- */

#define LOG_SIZE 65536
static char log_buf[LOG_SIZE];
static size_t log_len;

void kprintf(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t len = strlen(line);
	if (getenv("CAPOS_UNIT_VERBOSE"))
		fputs(line, stderr);
	if (log_len + len + 1 > LOG_SIZE)
		log_len = 0; /* keep the newest */
	memcpy(log_buf + log_len, line, len + 1);
	log_len += len;
}

const char *host_log(void)
{
	return log_buf;
}

void host_log_clear(void)
{
	log_len = 0;
	log_buf[0] = '\0';
}

/* ---- ports ---------------------------------------------------------------- */

static uint32_t ports[65536];

uint32_t port_in(uint16_t port, uint8_t width)
{
	uint32_t v = ports[port];
	if (width == 1)
		return v & 0xff;
	if (width == 2)
		return v & 0xffff;
	return v;
}

void port_out(uint16_t port, uint8_t width, uint32_t value)
{
	ports[port] = width == 1 ? (value & 0xff) : width == 2 ? (value & 0xffff) : value;
}

void host_port_set(uint16_t port, uint32_t value)
{
	ports[port] = value;
}

uint32_t host_port_get(uint16_t port)
{
	return ports[port];
}

/* ---- fake address spaces -------------------------------------------------- */

#define HOST_USER_TOP 0x0000800000000000ull /* arch/x86_64/paging.h USER_TOP */

struct fake_map {
	uint64_t va;
	void *frame;
	uint32_t flags;
};

/* A table page: level 2 = PDPT (per 512 GiB), 1 = PD (per 1 GiB),
 * 0 = PT (per 2 MiB); key = va >> (21 + 9 * level). */
struct fake_table {
	int level;
	uint64_t key;
	void *page;
};

struct fake_vs {
	uint32_t magic;
	void *root; /* the PML4 page */
	struct fake_map *maps;
	uint32_t nmaps, capmaps;
	struct fake_table *tables;
	uint32_t ntables, captables;
};

#define VS_MAGIC 0x56535053u
static uint32_t vs_live;

static struct fake_vs *vs_of(uint64_t vs)
{
	struct fake_vs *v = (struct fake_vs *)(uintptr_t)vs;
	if (!v || v->magic != VS_MAGIC)
		panic("bad address space handle %#lx", (unsigned long)vs);
	return v;
}

uint64_t vs_create(struct process *p, capos_status_t *st)
{
	*st = process_charge_pages(p, 1);
	if (*st != CAPOS_OK)
		return 0;
	void *root = page_alloc();
	if (!root) {
		process_uncharge_pages(p, 1);
		*st = CAPOS_NO_MEMORY;
		return 0;
	}
	struct fake_vs *v = calloc(1, sizeof *v);
	if (!v)
		abort();
	v->magic = VS_MAGIC;
	v->root = root;
	vs_live++;
	return (uint64_t)(uintptr_t)v;
}

void vs_destroy(struct process *p, uint64_t vs)
{
	if (!vs)
		return;
	struct fake_vs *v = vs_of(vs);
	for (uint32_t i = 0; i < v->nmaps; i++) {
		if (v->maps[i].flags & VS_OWNED) {
			page_free(v->maps[i].frame);
			process_uncharge_pages(p, 1);
		}
	}
	for (uint32_t i = 0; i < v->ntables; i++) {
		page_free(v->tables[i].page);
		process_uncharge_pages(p, 1);
	}
	page_free(v->root);
	process_uncharge_pages(p, 1);
	free(v->maps);
	free(v->tables);
	v->magic = 0;
	free(v);
	vs_live--;
}

static int has_table(struct fake_vs *v, int level, uint64_t key)
{
	for (uint32_t i = 0; i < v->ntables; i++)
		if (v->tables[i].level == level && v->tables[i].key == key)
			return 1;
	return 0;
}

static struct fake_map *find_map(struct fake_vs *v, uint64_t va)
{
	for (uint32_t i = 0; i < v->nmaps; i++)
		if (v->maps[i].va == va)
			return &v->maps[i];
	return NULL;
}

capos_status_t vs_map(struct process *p, uint64_t vs, uint64_t va, void *frame,
		      uint32_t flags)
{
	struct fake_vs *v = vs_of(vs);
	if (va >= HOST_USER_TOP || (va & (CAPOS_PAGE_SIZE - 1)))
		return CAPOS_INVALID_ARGUMENT;
	/* Like the real walk: missing tables are made top down, each charged;
	 * a caller whose map fails later undoes them with vs_prune. */
	for (int level = 2; level >= 0; level--) {
		uint64_t key = va >> (21 + 9 * level);
		if (has_table(v, level, key))
			continue;
		capos_status_t st = process_charge_pages(p, 1);
		if (st != CAPOS_OK)
			return st;
		void *pg = page_alloc();
		if (!pg) {
			process_uncharge_pages(p, 1);
			return CAPOS_NO_MEMORY;
		}
		if (v->ntables == v->captables) {
			v->captables = v->captables ? v->captables * 2 : 8;
			v->tables = realloc(v->tables, v->captables * sizeof *v->tables);
			if (!v->tables)
				abort();
		}
		v->tables[v->ntables++] = (struct fake_table){ level, key, pg };
	}
	if (find_map(v, va))
		return CAPOS_INVALID_ARGUMENT;
	if (v->nmaps == v->capmaps) {
		v->capmaps = v->capmaps ? v->capmaps * 2 : 16;
		v->maps = realloc(v->maps, v->capmaps * sizeof *v->maps);
		if (!v->maps)
			abort();
	}
	v->maps[v->nmaps++] = (struct fake_map){ va, frame, flags };
	return CAPOS_OK;
}

static int range_used(struct fake_vs *v, int level, uint64_t lo, uint64_t hi)
{
	for (uint32_t i = 0; i < v->nmaps; i++)
		if (v->maps[i].va >= lo && v->maps[i].va < hi)
			return 1;
	for (uint32_t i = 0; i < v->ntables; i++) {
		struct fake_table *t = &v->tables[i];
		uint64_t b = t->key << (21 + 9 * t->level);
		if (t->level < level && b >= lo && b < hi)
			return 1;
	}
	return 0;
}

void vs_prune(struct process *p, uint64_t vs, uint64_t va, uint64_t len)
{
	struct fake_vs *v = vs_of(vs);
	if (!len)
		return;
	/* Bottom up, as the real tables empty out. */
	for (int level = 0; level <= 2; level++) {
		for (uint32_t i = 0; i < v->ntables;) {
			struct fake_table *t = &v->tables[i];
			uint64_t lo = t->key << (21 + 9 * t->level);
			uint64_t hi = (t->key + 1) << (21 + 9 * t->level);
			if (t->level == level && lo < va + len && va < hi &&
			    !range_used(v, level, lo, hi)) {
				page_free(t->page);
				process_uncharge_pages(p, 1);
				v->tables[i] = v->tables[--v->ntables];
				continue;
			}
			i++;
		}
	}
}

void *vs_unmap(uint64_t vs, uint64_t va, uint32_t *flags)
{
	struct fake_vs *v = vs_of(vs);
	struct fake_map *m = find_map(v, va);
	if (!m)
		return NULL;
	void *frame = m->frame;
	if (flags)
		*flags = m->flags;
	*m = v->maps[--v->nmaps];
	return frame;
}

void *vs_lookup(uint64_t vs, uint64_t va, uint32_t *flags)
{
	struct fake_vs *v = vs_of(vs);
	struct fake_map *m = find_map(v, va);
	if (!m)
		return NULL;
	if (flags)
		*flags = m->flags;
	return m->frame;
}

uint32_t host_vs_mapped(uint64_t vs)
{
	return vs_of(vs)->nmaps;
}

uint32_t host_vs_tables(uint64_t vs)
{
	return vs_of(vs)->ntables + 1;
}

uint32_t host_vs_live(void)
{
	return vs_live;
}

/* ---- arch ----------------------------------------------------------------- */

void arch_thread_init(struct thread *t, uint64_t entry, uint64_t stack,
		      uint64_t ipc_va, uint64_t arg)
{
	memset(&t->tf, 0, sizeof(t->tf));
	t->tf.rip = entry;
	t->tf.cs = 0x23;
	t->tf.rflags = 0x202;
	t->tf.rsp = stack;
	t->tf.ss = 0x1b;
	t->tf.rdi = ipc_va;
	t->tf.rsi = arg;
	memset(t->fpu, 0, sizeof(t->fpu));
}

void arch_set_tls(struct thread *t)
{
	(void)t; /* no FS base register on the host double: fs_base is the state */
}

const char *trap_name(uint64_t vector)
{
	return vector == 14 ? "page fault" : "exception";
}

uint64_t irq_count_for(uint32_t vector)
{
	return 0;
}

capos_status_t irq_control_get(struct thread *t, uint32_t irq, struct cap *ntfn,
			       uint64_t bits, struct kobj **out)
{
	return CAPOS_UNSUPPORTED;
}

capos_status_t irq_handler_ack(struct kobj *handler)
{
	return CAPOS_UNSUPPORTED;
}

void irq_handler_destroy(struct kobj *handler)
{
}

/* ---- panic ---------------------------------------------------------------- */

void panic(const char *fmt, ...)
{
	va_list ap;
	fputs("KERNEL PANIC: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
