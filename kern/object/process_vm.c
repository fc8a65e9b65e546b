/*
 * process_vm.c - a process's address space through its Process cap:
 * anonymous and shared mappings, unmapping, writes into it (the loader's
 * and a parent's), and loading a static ELF. The methods that reach these
 * decode their arguments in process.c.
 *
 * Invariants:
 *  - user mappings are never writable and executable at once, and lie
 *    wholly in [CAPOS_PAGE_SIZE, CAPOS_USER_TOP): nothing here can map,
 *    unmap or write a kernel address;
 *  - W^X across aliases: a SharedBuffer is never mapped writable anywhere
 *    while it is mapped executable anywhere (sb->writable_maps and
 *    exec_maps, counted per shared mapping; the later map is DENIED);
 *    WRITE_MEMORY never writes an executable page of a process that has
 *    started a thread (DENIED): code is written only before it runs;
 *  - every VS_OWNED page is charged to the process (usage.pages) and freed
 *    with its mapping; other frames are never freed here: an IPC buffer
 *    (its thread's, which the kernel writes at any time, also while the
 *    thread is blocked) is never unmapped by UNMAP, and a SharedBuffer's
 *    frames leave only as a whole shared mapping at once;
 *  - each shared mapping holds a reference on its buffer, so its frames
 *    outlive the mapping;
 *  - a map is all or nothing: on any error the pages and page-table pages
 *    it took are returned and the quota is as before;
 *  - the work of one call is bounded by the process's quota, never by a
 *    count it passes in: a map larger than the quota fails before any
 *    page walk, an unmap stops at the first page that is not its own.
 */
#include <stddef.h>

#include "core/kstring.h"
#include "core/panic.h"
#include "core/platform.h"
#include "mm/vspace.h"
#include "object/objects.h"
#include "object/process.h"
#include "object/thread.h"

static int user_range(uint64_t va, uint32_t n)
{
	if (n == 0 || (va & (CAPOS_PAGE_SIZE - 1)) || va < CAPOS_PAGE_SIZE)
		return 0;
	uint64_t bytes = (uint64_t)n * CAPOS_PAGE_SIZE;
	return va < CAPOS_USER_TOP && bytes <= CAPOS_USER_TOP - va;
}

static capos_status_t prot_flags(uint32_t prot, uint32_t *flags)
{
	if (prot & ~(CAPOS_PROT_READ | CAPOS_PROT_WRITE | CAPOS_PROT_EXEC))
		return CAPOS_INVALID_ARGUMENT;
	if ((prot & CAPOS_PROT_WRITE) && (prot & CAPOS_PROT_EXEC))
		return CAPOS_INVALID_ARGUMENT; /* W^X */
	*flags = VS_READ | ((prot & CAPOS_PROT_WRITE) ? VS_WRITE : 0) |
		 ((prot & CAPOS_PROT_EXEC) ? VS_EXEC : 0);
	return CAPOS_OK;
}

static void unmap_owned(struct process *p, uint64_t va, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t fl = 0;
		void *f = vs_unmap(p->vspace, va + (uint64_t)i * CAPOS_PAGE_SIZE, &fl);
		if (f && (fl & VS_OWNED)) {
			page_free(f);
			process_uncharge_pages(p, 1);
		}
	}
}

capos_status_t process_map_anon(struct process *p, uint64_t va, uint32_t n,
				uint32_t prot)
{
	uint32_t flags;
	if (p->torn_down)
		return CAPOS_DISCONNECTED;
	if (!user_range(va, n) || prot_flags(prot, &flags) != CAPOS_OK)
		return CAPOS_INVALID_ARGUMENT;
	/* More than the quota could ever allow fails before any page walk,
	 * so a huge count costs nothing. */
	if (n > p->limits.max_pages - p->usage.pages)
		return CAPOS_LIMIT_EXCEEDED;
	for (uint32_t i = 0; i < n; i++)
		if (vs_lookup(p->vspace, va + (uint64_t)i * CAPOS_PAGE_SIZE, NULL))
			return CAPOS_INVALID_ARGUMENT; /* already mapped */
	for (uint32_t i = 0; i < n; i++) {
		capos_status_t st = process_charge_pages(p, 1);
		void *f = st == CAPOS_OK ? page_alloc() : NULL;
		if (st == CAPOS_OK && !f) {
			process_uncharge_pages(p, 1);
			st = CAPOS_NO_MEMORY;
		}
		if (st == CAPOS_OK) {
			st = vs_map(p, p->vspace, va + (uint64_t)i * CAPOS_PAGE_SIZE, f,
				    flags | VS_OWNED);
			if (st != CAPOS_OK) {
				page_free(f);
				process_uncharge_pages(p, 1);
			}
		}
		if (st != CAPOS_OK) {
			unmap_owned(p, va, i);
			vs_prune(p, p->vspace, va, (uint64_t)n * CAPOS_PAGE_SIZE);
			return st;
		}
	}
	return CAPOS_OK;
}

void process_shared_count(const struct shared_map *m, int delta)
{
	if (m->flags & VS_WRITE)
		m->sb->writable_maps += (uint32_t)delta;
	if (m->flags & VS_EXEC)
		m->sb->exec_maps += (uint32_t)delta;
}

/* A thread of p has been started: its code may be running. */
static int process_started(const struct process *p)
{
	for (const struct thread *t = p->threads; t; t = t->proc_next)
		if (t->state != THREAD_INACTIVE)
			return 1;
	return 0;
}

capos_status_t process_map_shared(struct process *p, uint64_t va,
				  struct shared_buffer *sb, uint32_t first,
				  uint32_t n, uint32_t prot)
{
	uint32_t flags;
	if (p->torn_down)
		return CAPOS_DISCONNECTED;
	if (!user_range(va, n) || prot_flags(prot, &flags) != CAPOS_OK)
		return CAPOS_INVALID_ARGUMENT;
	if (first > sb->pages || n > sb->pages - first)
		return CAPOS_INVALID_ARGUMENT;
	if (((flags & VS_WRITE) && sb->exec_maps) || ((flags & VS_EXEC) && sb->writable_maps))
		return CAPOS_DENIED; /* W^X across aliases */
	for (uint32_t i = 0; i < n; i++)
		if (vs_lookup(p->vspace, va + (uint64_t)i * CAPOS_PAGE_SIZE, NULL))
			return CAPOS_INVALID_ARGUMENT;
	struct shared_map *m = NULL;
	for (int i = 0; i < PROCESS_MAX_SHARED_MAPS && !m; i++)
		if (!p->shared[i].sb)
			m = &p->shared[i];
	if (!m)
		return CAPOS_LIMIT_EXCEEDED;
	for (uint32_t i = 0; i < n; i++) {
		capos_status_t st = vs_map(p, p->vspace, va + (uint64_t)i * CAPOS_PAGE_SIZE,
					   sb->frames[first + i], flags);
		if (st != CAPOS_OK) {
			for (uint32_t j = 0; j < i; j++)
				vs_unmap(p->vspace, va + (uint64_t)j * CAPOS_PAGE_SIZE, NULL);
			vs_prune(p, p->vspace, va, (uint64_t)n * CAPOS_PAGE_SIZE);
			return st;
		}
	}
	m->va = va;
	m->pages = n;
	m->sb = sb;
	m->flags = flags & (VS_WRITE | VS_EXEC);
	process_shared_count(m, 1);
	kobj_ref(&sb->obj); /* the mapping keeps the frames alive */
	return CAPOS_OK;
}

capos_status_t process_unmap(struct process *p, uint64_t va, uint32_t n)
{
	if (p->torn_down)
		return CAPOS_DISCONNECTED;
	if (!user_range(va, n))
		return CAPOS_INVALID_ARGUMENT;
	uint64_t end = va + (uint64_t)n * CAPOS_PAGE_SIZE;
	for (int i = 0; i < PROCESS_MAX_SHARED_MAPS; i++) {
		struct shared_map *m = &p->shared[i];
		if (!m->sb)
			continue;
		uint64_t mend = m->va + (uint64_t)m->pages * CAPOS_PAGE_SIZE;
		if (m->va == va && mend == end) {
			for (uint32_t j = 0; j < n; j++)
				vs_unmap(p->vspace, va + (uint64_t)j * CAPOS_PAGE_SIZE, NULL);
			struct shared_buffer *sb = m->sb;
			process_shared_count(m, -1);
			m->sb = NULL;
			kobj_unref(&sb->obj);
			return CAPOS_OK;
		}
		if (va < mend && m->va < end)
			return CAPOS_INVALID_ARGUMENT; /* part of a shared mapping */
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t fl = 0;
		if (!vs_lookup(p->vspace, va + (uint64_t)i * CAPOS_PAGE_SIZE, &fl) ||
		    !(fl & VS_OWNED))
			return CAPOS_INVALID_ARGUMENT; /* unmapped, or an IPC page */
	}
	unmap_owned(p, va, n);
	return CAPOS_OK;
}

capos_status_t process_write_memory(struct process *p, uint64_t va,
				    const uint8_t *src, uint32_t len)
{
	if (p->torn_down)
		return CAPOS_DISCONNECTED;
	if (len == 0)
		return CAPOS_OK;
	if (va >= CAPOS_USER_TOP || len > CAPOS_USER_TOP - va)
		return CAPOS_INVALID_ARGUMENT;
	uint64_t first = va & ~(uint64_t)(CAPOS_PAGE_SIZE - 1);
	for (uint64_t pg = first; pg < va + len; pg += CAPOS_PAGE_SIZE) {
		uint32_t fl = 0;
		if (!vs_lookup(p->vspace, pg, &fl))
			return CAPOS_INVALID_ARGUMENT;
		/* A page the process does not own and may not write is a
		 * read-only mapping of a SharedBuffer (the boot package, a
		 * buffer shared with READ right only): no write through here. */
		if (!(fl & VS_OWNED) && !(fl & VS_WRITE))
			return CAPOS_DENIED;
		/* Code is written before it runs, never after (W^X). */
		if ((fl & VS_EXEC) && process_started(p))
			return CAPOS_DENIED;
	}
	uint32_t done = 0;
	while (done < len) {
		uint64_t a = va + done;
		uint32_t off = (uint32_t)(a & (CAPOS_PAGE_SIZE - 1));
		uint32_t chunk = CAPOS_PAGE_SIZE - off;
		if (chunk > len - done)
			chunk = len - done;
		uint8_t *f = vs_lookup(p->vspace, a - off, NULL);
		memcpy(f + off, src + done, chunk);
		done += chunk;
	}
	return CAPOS_OK;
}

capos_status_t process_load_elf(struct process *p, const void *elf, size_t len,
				uint64_t *entry, enum elf_status *elf_err)
{
	struct elf_image img;
	*elf_err = elf_parse(elf, len, 0x10000, CAPOS_IPC_BUFFER_VA - 0x100000, &img);
	if (*elf_err != ELF_OK)
		return CAPOS_INVALID_ARGUMENT;
	for (uint32_t i = 0; i < img.nsegs; i++) {
		const struct elf_segment *s = &img.segs[i];
		uint64_t lo = s->vaddr & ~(uint64_t)(CAPOS_PAGE_SIZE - 1);
		uint64_t hi = (s->vaddr + s->memsz + CAPOS_PAGE_SIZE - 1) &
			      ~(uint64_t)(CAPOS_PAGE_SIZE - 1);
		uint32_t prot = CAPOS_PROT_READ | ((s->flags & ELF_SEG_W) ? CAPOS_PROT_WRITE : 0) |
				((s->flags & ELF_SEG_X) ? CAPOS_PROT_EXEC : 0);
		capos_status_t st = process_map_anon(p, lo, (uint32_t)((hi - lo) / CAPOS_PAGE_SIZE),
						     prot);
		if (st == CAPOS_OK)
			st = process_write_memory(p, s->vaddr,
						  (const uint8_t *)elf + s->offset,
						  (uint32_t)s->filesz);
		if (st != CAPOS_OK)
			return st; /* the caller kills the half-built process */
	}
	*entry = img.entry;
	return CAPOS_OK;
}
