/*
 * process.c - processes: an address space, a capability table, threads,
 * a resource profile, and their end.
 *
 * Invariants:
 *  - usage.pages counts every page charged to the process (objects it
 *    created, its table, its page tables, its mapped memory, its threads'
 *    pages) and never exceeds limits.pages; likewise threads, endpoints;
 *  - user mappings are never writable and executable at once;
 *  - while alive, a process holds a reference to itself (its threads run in
 *    it) and one to each of its threads; teardown drops both, so the struct
 *    lives on only while caps still name it;
 *  - teardown happens once: threads leave every queue, callers waiting on
 *    the process's threads or endpoints wake with DISCONNECTED, the table is
 *    emptied, the address space and its frames are freed.
 */
#include <stddef.h>

#include "core/kstring.h"
#include "core/panic.h"
#include "core/platform.h"
#include "core/sched.h"
#include "mm/vspace.h"
#include "object/endpoint.h"
#include "object/objects.h"
#include "object/process.h"

void (*process_death_hook)(struct process *p);

static uint32_t next_pid = 1;

capos_status_t process_charge_pages(struct process *p, uint32_t n)
{
	if (p->usage.pages + n > p->limits.max_pages || p->usage.pages + n < n)
		return CAPOS_LIMIT_EXCEEDED;
	p->usage.pages += n;
	return CAPOS_OK;
}

void process_uncharge_pages(struct process *p, uint32_t n)
{
	KASSERT(p->usage.pages >= n);
	p->usage.pages -= n;
}

static int limits_valid(const struct capos_limits *l)
{
	return l->max_slots >= 1 && l->max_slots <= CT_MAX_SLOTS &&
	       l->max_threads >= 1 && l->max_threads <= 4096 &&
	       l->max_pages >= 1 && l->max_pages <= (1u << 26) &&
	       l->max_endpoints <= 65536;
}

struct process *process_create(const char *name, const struct capos_limits *limits,
			       struct process *parent, capos_status_t *st)
{
	if (!limits_valid(limits)) {
		*st = CAPOS_INVALID_ARGUMENT;
		return NULL;
	}
	struct process *p = kobj_alloc(CAPOS_CAP_PROCESS, parent, st);
	if (!p)
		return NULL;
	size_t n = 0;
	while (name[n] && n + 1 < PROCESS_NAME_MAX) {
		p->name[n] = name[n];
		n++;
	}
	p->name[n] = '\0';
	p->limits = *limits;
	p->torn_down = 1; /* until fully built: destroy must not tear down */

	uint32_t ct_pages = ct_pages_for(limits->max_slots);
	*st = process_charge_pages(p, ct_pages);
	if (*st == CAPOS_OK) {
		*st = ct_init(&p->ct, limits->max_slots);
		if (*st != CAPOS_OK)
			process_uncharge_pages(p, ct_pages);
	}
	if (*st == CAPOS_OK)
		p->vspace = vs_create(p, st);
	if (*st != CAPOS_OK) {
		kobj_unref(&p->obj); /* process_destroy frees what was built */
		return NULL;
	}
	p->pid = next_pid++;
	p->state = CAPOS_PROCESS_ALIVE;
	p->torn_down = 0;
	kobj_ref(&p->obj); /* alive: its own reference */
	return p;
}

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

void process_set_supervisor(struct process *p, struct endpoint *ep, uint64_t badge)
{
	kobj_ref(&ep->obj);
	if (p->supervisor)
		kobj_unref(&p->supervisor->obj);
	p->supervisor = ep;
	p->supervisor_badge = badge;
}

/* The redacted record: who died and why, never registers or memory. */
static void send_crash_record(struct process *p)
{
	struct endpoint *ep = p->supervisor;
	if (!ep)
		return;
	struct capos_crash_record rec;
	memset(&rec, 0, sizeof(rec));
	memcpy(rec.name, p->name, sizeof(rec.name));
	rec.pid = p->pid;
	rec.cause = p->state == CAPOS_PROCESS_EXITED ? CAPOS_DEATH_EXIT :
		    p->state == CAPOS_PROCESS_FAULTED ? CAPOS_DEATH_FAULT : CAPOS_DEATH_KILLED;
	if (rec.cause == CAPOS_DEATH_FAULT) {
		rec.vector = p->fault.vector;
		rec.error_code = p->fault.error;
		rec.fault_addr = p->fault.addr;
		rec.rip = p->fault.rip;
	}
	rec.exit_code = p->exit_code;
	p->supervisor = NULL;
	if (!ep->dead)
		endpoint_post_crash(ep, p->supervisor_badge, &rec);
	kobj_unref(&ep->obj);
}

static void teardown(struct process *p, uint32_t state)
{
	if (p->torn_down)
		return;
	p->torn_down = 1;
	p->state = state;
	kobj_ref(&p->obj); /* hold the struct through teardown */

	/* Threads leave every queue; callers they were serving learn at once. */
	for (struct thread *t = p->threads; t; t = t->proc_next) {
		if (t->reply_to) {
			struct thread *caller = t->reply_to;
			t->reply_to = NULL;
			if (caller->state == THREAD_BLOCKED_REPLY && caller->call_seq == t->reply_seq)
				thread_wake(caller, CAPOS_DISCONNECTED);
			kobj_unref(&caller->obj); /* reply_to held it (set_reply_to) */
		}
		thread_kill(t);
	}
	endpoints_server_died(p); /* also fires their death watches */
	send_crash_record(p);

	ct_destroy(&p->ct);
	process_uncharge_pages(p, ct_pages_for(p->limits.max_slots));
	vs_destroy(p, p->vspace);
	p->vspace = 0;
	for (int i = 0; i < PROCESS_MAX_SHARED_MAPS; i++) {
		if (p->shared[i].sb) {
			struct shared_buffer *sb = p->shared[i].sb;
			p->shared[i].sb = NULL;
			kobj_unref(&sb->obj);
		}
	}
	/* Drop the process's references to its threads. */
	struct thread *t = p->threads;
	while (t) {
		struct thread *next = t->proc_next;
		kobj_unref(&t->obj);
		t = next;
	}
	if (process_death_hook)
		process_death_hook(p);
	kobj_unref(&p->obj); /* its own reference, taken at creation */
	kobj_unref(&p->obj); /* the teardown hold */
}

void process_exit(struct process *p, int64_t code)
{
	p->exit_code = code;
	kprintf("process %s (pid %u) exited with code %ld\n", p->name, p->pid, (long)code);
	teardown(p, CAPOS_PROCESS_EXITED);
}

static const char *pf_reason(uint64_t err)
{
	if (!(err & 1))
		return (err & 16) ? "execute of unmapped page" :
		       (err & 2) ? "write to unmapped page" : "read of unmapped page";
	if (err & 16)
		return "execute of non-executable page";
	if (err & 2)
		return "write to read-only page";
	return "protection violation";
}

extern const char *trap_name(uint64_t vector);

void process_fault(struct process *p, const struct fault_info *fi)
{
	p->fault = *fi;
	if (fi->vector == 14)
		kprintf("fault: process %s (pid %u) killed: %s (%s) at rip 0x%lx, address 0x%lx\n",
			p->name, p->pid, trap_name(fi->vector), pf_reason(fi->error),
			(unsigned long)fi->rip, (unsigned long)fi->addr);
	else
		kprintf("fault: process %s (pid %u) killed: %s at rip 0x%lx, address 0x%lx, error 0x%lx\n",
			p->name, p->pid, trap_name(fi->vector), (unsigned long)fi->rip,
			(unsigned long)fi->addr, (unsigned long)fi->error);
	teardown(p, CAPOS_PROCESS_FAULTED);
}

void process_kill(struct process *p)
{
	teardown(p, CAPOS_PROCESS_KILLED);
}

void process_destroy(struct process *p)
{
	/* Reached only when no reference is left: after teardown, or for a
	 * process that failed half-way through creation. */
	KASSERT(p->torn_down);
	if (p->supervisor) {
		kobj_unref(&p->supervisor->obj);
		p->supervisor = NULL;
	}
	if (p->ct.chunks_allocated) {
		ct_destroy(&p->ct);
		process_uncharge_pages(p, ct_pages_for(p->limits.max_slots));
	}
	if (p->vspace)
		vs_destroy(p, p->vspace);
}
