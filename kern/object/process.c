/*
 * process.c - processes: an address space (object/process_vm.c), a
 * capability table, threads, a resource profile, and their end; and the
 * Process cap's methods.
 *
 * Invariants:
 *  - usage.pages counts every page charged to the process (objects it
 *    created, its table, its page tables, its mapped memory, its threads'
 *    pages, its queued crash record) and never exceeds limits.pages;
 *    likewise threads, endpoints;
 *  - quotas nest: usage.pages also counts the whole max_pages of each
 *    child not yet destroyed, reserved when the child is created (or the
 *    creation fails, LIMIT_EXCEEDED, changing nothing) and given back by
 *    process_destroy. A child is destroyed only after every object charged
 *    to it (each holds it as owner), so a subtree never holds more frames
 *    than its root's max_pages, whoever holds caps to what it made;
 *  - while alive, a process holds a reference to itself (its threads run in
 *    it) and one to each of its threads; teardown drops both, so the struct
 *    lives on only while caps still name it;
 *  - teardown happens once: threads leave every queue, callers waiting on
 *    the process's threads or endpoints wake with DISCONNECTED, the table is
 *    emptied, the address space and its frames are freed;
 *  - a process dies with the process that created it (its owner): every
 *    descendant is torn down with it, in a loop over the children lists,
 *    never by recursion. Otherwise a child whose caps were all dropped
 *    would live on unreachable, holding its frames, for ever;
 *  - children lists: a child is on its owner's list from creation to its
 *    destruction (the owner outlives it: the child holds it);
 *  - a Process cap's rights bound what its holder may do to the process:
 *    READ: INFO; WRITE: MAP_ANON, UNMAP, CREATE_THREAD (its own memory and
 *    threads, within its profile: the "self" grant is READ|WRITE); WRITE
 *    on a cap naming the caller's own process: CREATE_SHARED_BUFFER
 *    (charged to its own quota) and MAP_SHARED (into its own address
 *    space), since a SharedBuffer is memory like MAP_ANON's, only
 *    sharable; the same two on another process, and every other method
 *    and any unknown label, need WRITE and CONTROL. After teardown every
 *    method but INFO answers DISCONNECTED;
 *  - a thread made by CREATE_THREAD never has a priority above its
 *    creator's, and every object a method creates is charged to the
 *    process the cap names, its cap going to the caller's table.
 */
#include <stddef.h>

#include "core/kstring.h"
#include "core/panic.h"
#include "core/platform.h"
#include "core/sched.h"
#include "mm/vspace.h"
#include "object/endpoint.h"
#include "object/method.h"
#include "object/notification.h"
#include "object/objects.h"
#include "object/process.h"
#include "object/shared_buffer.h"

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
	/* The child's quota comes out of the parent's (the object page is
	 * charged on top, by kobj_alloc); process_destroy gives it back. */
	if (parent) {
		*st = process_charge_pages(parent, limits->max_pages);
		if (*st != CAPOS_OK)
			return NULL;
	}
	struct process *p = kobj_alloc(CAPOS_CAP_PROCESS, parent, st);
	if (!p) {
		if (parent)
			process_uncharge_pages(parent, limits->max_pages);
		return NULL;
	}
	size_t n = 0;
	while (name[n] && n + 1 < PROCESS_NAME_MAX) {
		p->name[n] = name[n];
		n++;
	}
	p->name[n] = '\0';
	p->limits = *limits; /* from here process_destroy returns the reservation */
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
	if (parent) {
		p->sibling_next = parent->children;
		if (parent->children)
			parent->children->sibling_prev = p;
		parent->children = p;
	}
	return p;
}

static void leave_parent(struct process *p)
{
	struct process *parent = p->obj.owner;
	if (!parent)
		return;
	if (p->sibling_prev)
		p->sibling_prev->sibling_next = p->sibling_next;
	else if (parent->children == p)
		parent->children = p->sibling_next;
	if (p->sibling_next)
		p->sibling_next->sibling_prev = p->sibling_prev;
	p->sibling_next = p->sibling_prev = NULL;
}

void process_set_supervisor(struct process *p, struct endpoint *ep, uint64_t badge)
{
	kobj_ref(&ep->obj);
	if (p->supervisor)
		kobj_unref(&p->supervisor->obj);
	p->supervisor = ep;
	p->supervisor_badge = badge;
}

/* The redacted record: who died and why, never registers or memory.
 * Returns 1 when it must still be queued (crash_queue): no thread of the
 * supervisor was waiting for it. */
static int crash_hand(struct process *p, struct capos_crash_record *rec)
{
	struct endpoint *ep = p->supervisor;
	if (!ep)
		return 0;
	memset(rec, 0, sizeof(*rec));
	memcpy(rec->name, p->name, sizeof(rec->name));
	rec->pid = p->pid;
	rec->cause = p->state == CAPOS_PROCESS_EXITED ? CAPOS_DEATH_EXIT :
		     p->state == CAPOS_PROCESS_FAULTED ? CAPOS_DEATH_FAULT : CAPOS_DEATH_KILLED;
	if (rec->cause == CAPOS_DEATH_FAULT) {
		rec->vector = p->fault.vector;
		rec->error_code = p->fault.error;
		rec->fault_addr = p->fault.addr;
		rec->rip = p->fault.rip;
	}
	rec->exit_code = p->exit_code;
	if (!ep->dead && !endpoint_give_crash(ep, p->supervisor_badge, rec))
		return 1;
	p->supervisor = NULL;
	kobj_unref(&ep->obj);
	return 0;
}

/* Queues the record crash_hand could not hand over: a page charged to p,
 * taken once p's memory is freed, so that a process that died at its page
 * limit still has room for it (or it is counted as dropped). */
static void crash_queue(struct process *p, const struct capos_crash_record *rec)
{
	struct endpoint *ep = p->supervisor;
	p->supervisor = NULL;
	if (!ep->dead)
		endpoint_queue_crash(ep, p->supervisor_badge, rec, p);
	kobj_unref(&ep->obj);
}

static void teardown(struct process *p, uint32_t state);

/* Set while kill_descendants runs: a teardown inside it leaves the
 * children to the loop instead of starting its own. */
static int killing_descendants;

/* Tears down every live descendant of root (being torn down), depth
 * first, in a loop. A dead process has no live descendant (it went
 * through here), so dead children are skipped; the path from root down is
 * held by a reference taken on the way down, dropped on the way up. */
static void kill_descendants(struct process *root)
{
	if (killing_descendants)
		return;
	killing_descendants = 1;
	struct process *p = root;
	for (;;) {
		struct process *c = p->children;
		while (c && c->torn_down)
			c = c->sibling_next;
		if (c) {
			kobj_ref(&c->obj);
			teardown(c, CAPOS_PROCESS_KILLED);
			p = c; /* its own children next */
			continue;
		}
		if (p == root)
			break;
		struct process *parent = p->obj.owner;
		kobj_unref(&p->obj); /* parent: on the path, or root */
		p = parent;
	}
	killing_descendants = 0;
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
	struct capos_crash_record rec;
	int queue_rec = crash_hand(p, &rec);

	ct_destroy(&p->ct);
	process_uncharge_pages(p, ct_pages_for(p->limits.max_slots));
	vs_destroy(p, p->vspace);
	p->vspace = 0;
	for (int i = 0; i < PROCESS_MAX_SHARED_MAPS; i++) {
		if (p->shared[i].sb) {
			struct shared_buffer *sb = p->shared[i].sb;
			process_shared_count(&p->shared[i], -1);
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
	if (queue_rec)
		crash_queue(p, &rec); /* before its descendants' records */
	kill_descendants(p);
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
	leave_parent(p);
	if (p->obj.owner) /* kobj.c then returns the object page */
		process_uncharge_pages(p->obj.owner, p->limits.max_pages);
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

/* ---- Methods (a Call on a Process cap; checks in object/method.h) ---- */

static capos_status_t process_state(struct thread *t, struct cap *c)
{
	(void)t;
	return ((struct process *)c->obj)->torn_down ? CAPOS_DISCONNECTED : CAPOS_OK;
}

static capos_status_t m_create_process(struct thread *t, struct cap *c, void *args)
{
	struct capos_process_create *a = args;
	capos_status_t st;
	a->name[sizeof(a->name) - 1] = '\0';
	if (ct_free_count(&t->proc->ct) == 0)
		return CAPOS_LIMIT_EXCEEDED;
	struct process *child = process_create(a->name, &a->limits, (struct process *)c->obj,
					       &st);
	if (!child)
		return st;
	return kmethod_new_cap(t, &child->obj, CAPOS_CAP_PROCESS, CAPOS_RIGHTS_ALL);
}

static capos_status_t m_create_endpoint(struct thread *t, struct cap *c, void *args)
{
	const struct capos_endpoint_create *a = args;
	capos_status_t st;
	if (ct_free_count(&t->proc->ct) == 0)
		return CAPOS_LIMIT_EXCEEDED;
	struct endpoint *ep = endpoint_create((struct process *)c->obj, a->interface_id, &st);
	if (!ep)
		return st;
	return kmethod_new_cap(t, &ep->obj, CAPOS_CAP_ENDPOINT, CAPOS_RIGHTS_ALL);
}

static capos_status_t m_create_notification(struct thread *t, struct cap *c, void *args)
{
	(void)args;
	capos_status_t st;
	if (ct_free_count(&t->proc->ct) == 0)
		return CAPOS_LIMIT_EXCEEDED;
	struct notification *n = notification_create((struct process *)c->obj, &st);
	if (!n)
		return st;
	return kmethod_new_cap(t, &n->obj, CAPOS_CAP_NOTIFICATION, CAPOS_RIGHTS_ALL);
}

/* WRITE alone reaches only the caller's own process (the self grant: its
 * own quota, its own address space); another process needs CONTROL too.
 * The table asks WRITE of these methods; this is the rest of the check,
 * made before the handler looks at any argument. */
static int own_or_control(const struct thread *t, const struct cap *c)
{
	return c->obj == &t->proc->obj || (c->rights & CAPOS_RIGHT_CONTROL);
}

static capos_status_t m_create_shared_buffer(struct thread *t, struct cap *c, void *args)
{
	const struct capos_shared_buffer_create *a = args;
	capos_status_t st;
	if (!own_or_control(t, c))
		return CAPOS_DENIED;
	if (ct_free_count(&t->proc->ct) == 0)
		return CAPOS_LIMIT_EXCEEDED;
	struct shared_buffer *sb = shared_buffer_create((struct process *)c->obj, a->pages, &st);
	if (!sb)
		return st;
	return kmethod_new_cap(t, &sb->obj, CAPOS_CAP_SHARED_BUFFER, CAPOS_RIGHTS_ALL);
}

static capos_status_t m_create_thread(struct thread *t, struct cap *c, void *args)
{
	const struct capos_thread_create *a = args;
	capos_status_t st;
	if (a->priority > 255 || a->priority > t->priority)
		return CAPOS_INVALID_ARGUMENT; /* never above its creator */
	if (a->time_slice_us > CAPOS_MAX_TIME_SLICE_US)
		return CAPOS_INVALID_ARGUMENT; /* no thread holds a CPU for long */
	if (ct_free_count(&t->proc->ct) == 0)
		return CAPOS_LIMIT_EXCEEDED;
	struct thread *nt = thread_create((struct process *)c->obj, a->entry, a->stack,
					  a->ipc_buffer, a->tls_base, a->arg,
					  (uint8_t)a->priority,
					  (uint64_t)a->time_slice_us * 1000, &st);
	if (!nt)
		return st;
	/* The process keeps the creation reference (its thread list); the
	 * caller gets a counted cap of its own. */
	kobj_ref(&nt->obj);
	return kmethod_new_cap(t, &nt->obj, CAPOS_CAP_THREAD, CAPOS_RIGHTS_ALL);
}

static capos_status_t m_map_anon(struct thread *t, struct cap *c, void *args)
{
	(void)t;
	const struct capos_map *a = args;
	return process_map_anon((struct process *)c->obj, a->va, a->pages, a->prot);
}

static capos_status_t m_map_shared(struct thread *t, struct cap *c, void *args)
{
	const struct capos_map *a = args;
	struct cap *b;
	if (!own_or_control(t, c))
		return CAPOS_DENIED;
	/* READ to map the buffer at all, WRITE too for a writable mapping. */
	uint16_t need = CAPOS_RIGHT_READ | ((a->prot & CAPOS_PROT_WRITE) ? CAPOS_RIGHT_WRITE : 0);
	capos_status_t st = ct_lookup_typed(&t->proc->ct, a->cap, CAPOS_CAP_SHARED_BUFFER, need,
					    &b);
	if (st != CAPOS_OK)
		return st;
	return process_map_shared((struct process *)c->obj, a->va,
				  (struct shared_buffer *)b->obj, a->offset_pages, a->pages,
				  a->prot);
}

static capos_status_t m_unmap(struct thread *t, struct cap *c, void *args)
{
	(void)t;
	const struct capos_map *a = args;
	return process_unmap((struct process *)c->obj, a->va, a->pages);
}

/* Variable length: args is the header (va, len); the data follows it in
 * the body and must all be there. */
static capos_status_t m_write_memory(struct thread *t, struct cap *c, void *args)
{
	const struct capos_write_memory *a = args;
	uint32_t len = a->len;
	if (len > CAPOS_WRITE_MEMORY_MAX ||
	    t->ipc->len < offsetof(struct capos_write_memory, data) + len)
		return CAPOS_INVALID_ARGUMENT;
	const struct capos_write_memory *body = (const void *)t->ipc->body;
	return process_write_memory((struct process *)c->obj, a->va, body->data, len);
}

static capos_status_t m_install_cap(struct thread *t, struct cap *c, void *args)
{
	const struct capos_install_cap *a = args;
	return ct_mint(&t->proc->ct, a->src, &((struct process *)c->obj)->ct, a->dst, a->rights,
		       a->set_badge != 0, a->badge);
}

static capos_status_t m_kill(struct thread *t, struct cap *c, void *args)
{
	(void)t;
	(void)args;
	process_kill((struct process *)c->obj);
	return CAPOS_OK;
}

static capos_status_t m_info(struct thread *t, struct cap *c, void *args)
{
	(void)args;
	const struct process *p = (const struct process *)c->obj;
	struct capos_process_info r;
	memset(&r, 0, sizeof(r));
	r.pid = p->pid;
	r.state = p->state;
	r.exit_code = p->exit_code;
	r.limits = p->limits;
	r.usage = p->usage;
	r.usage.slots = p->ct.used;
	return kmethod_reply(t, &r, sizeof(r));
}

static capos_status_t m_set_supervisor(struct thread *t, struct cap *c, void *args)
{
	const struct capos_set_supervisor *a = args;
	struct cap *e;
	capos_status_t st = ct_lookup_typed(&t->proc->ct, a->endpoint, CAPOS_CAP_ENDPOINT,
					    CAPOS_RIGHT_SEND, &e);
	if (st != CAPOS_OK)
		return st;
	process_set_supervisor((struct process *)c->obj, (struct endpoint *)e->obj, e->badge);
	return CAPOS_OK;
}

static capos_status_t m_make_cap_manager(struct thread *t, struct cap *c, void *args)
{
	(void)args;
	if (ct_free_count(&t->proc->ct) == 0)
		return CAPOS_LIMIT_EXCEEDED;
	kobj_ref(c->obj); /* kmethod_new_cap consumes one reference */
	return kmethod_new_cap(t, c->obj, CAPOS_CAP_CAP_MANAGER, CAPOS_RIGHTS_ALL);
}

#define R  CAPOS_RIGHT_READ
#define W  CAPOS_RIGHT_WRITE
#define WC (CAPOS_RIGHT_WRITE | CAPOS_RIGHT_CONTROL)

static const struct kmethod methods[] = {
	[CAPOS_PROCESS_CREATE_PROCESS] = { m_create_process,
					   KM_ARGS(struct capos_process_create), WC, 0 },
	[CAPOS_PROCESS_CREATE_ENDPOINT] = { m_create_endpoint,
					    KM_ARGS(struct capos_endpoint_create), WC, 0 },
	[CAPOS_PROCESS_CREATE_NOTIFICATION] = { m_create_notification, 0, WC, 0 },
	[CAPOS_PROCESS_CREATE_SHARED_BUFFER] = { m_create_shared_buffer,
						 KM_ARGS(struct capos_shared_buffer_create), W,
						 0 }, /* and own_or_control */
	[CAPOS_PROCESS_CREATE_THREAD] = { m_create_thread, KM_ARGS(struct capos_thread_create),
					  W, 0 },
	[CAPOS_PROCESS_MAP_ANON] = { m_map_anon, KM_ARGS(struct capos_map), W, 0 },
	[CAPOS_PROCESS_MAP_SHARED] = { m_map_shared, KM_ARGS(struct capos_map), W,
				       0 }, /* and own_or_control */
	[CAPOS_PROCESS_UNMAP] = { m_unmap, KM_ARGS(struct capos_map), W, 0 },
	[CAPOS_PROCESS_WRITE_MEMORY] = { m_write_memory,
					 KM_HEADER(struct capos_write_memory, data), WC, 0 },
	[CAPOS_PROCESS_INSTALL_CAP] = { m_install_cap, KM_ARGS(struct capos_install_cap), WC,
					0 },
	[CAPOS_PROCESS_KILL] = { m_kill, 0, WC, 0 },
	[CAPOS_PROCESS_INFO] = { m_info, 0, R, KM_ANY_STATE },
	[CAPOS_PROCESS_SET_SUPERVISOR] = { m_set_supervisor,
					   KM_ARGS(struct capos_set_supervisor), WC, 0 },
	[CAPOS_PROCESS_MAKE_CAP_MANAGER] = { m_make_cap_manager, 0, WC, 0 },
};

const struct kmethod_table process_methods = KMETHOD_TABLE(methods, WC, process_state);
