/*
 * invoke.c - kernel object methods: a Call on a cap that is not an
 * endpoint lands here. Each method checks the body length against its
 * argument struct, the cap's rights, then every field, before it changes
 * anything. Results go back in the body; the status in rax.
 */
#include <stddef.h>

#include "arch/x86_64/arch.h"
#include "core/invariants.h"
#include "core/invoke.h"
#include "core/kstring.h"
#include "core/panic.h"
#include "core/platform.h"
#include "core/sched.h"
#include "object/endpoint.h"
#include "object/notification.h"
#include "object/objects.h"
#include "object/process.h"
#include "object/shared_buffer.h"
#include "object/thread.h"

/* The TSC at kernel entry (core/main.c, written by entry.S); weak so the
 * host unit tests, which have no entry code, link without it. */
extern uint64_t kernel_entry_tsc __attribute__((weak));

uint64_t irq_count_for(uint32_t vector); /* arch */
capos_status_t irq_control_get(struct thread *t, uint32_t irq, struct cap *ntfn,
			       uint64_t bits, struct kobj **out); /* arch */
capos_status_t irq_handler_ack(struct kobj *handler);            /* arch */

/* The kernel's own counters (kernel info). */
struct kobj kernel_info_obj = { .type = CAPOS_CAP_KERNEL_INFO, .refs = 1 };
struct kobj irq_control_obj = { .type = CAPOS_CAP_IRQ_CONTROL, .refs = 1 };
struct kobj process_control_obj = { .type = CAPOS_CAP_PROCESS_CONTROL, .refs = 1 };

/* Copies the method's argument struct out of the body; 0 if too short. */
static int get_args(struct thread *t, void *args, uint32_t size)
{
	if (t->ipc->len < size)
		return 0;
	memcpy(args, t->ipc->body, size);
	return 1;
}

static capos_status_t reply_body(struct thread *t, const void *res, uint32_t len)
{
	memcpy(t->ipc->body, res, len);
	t->ipc->len = len;
	return CAPOS_OK;
}

/* Puts obj into the caller's first free slot and reports the slot. */
static capos_status_t give_new_cap(struct thread *t, struct kobj *obj, uint16_t type,
				   uint16_t rights)
{
	uint32_t slot = ct_find_free(&t->proc->ct);
	capos_status_t st = slot == CAPOS_NO_CAP ? CAPOS_LIMIT_EXCEEDED :
			    ct_insert(&t->proc->ct, slot, obj, type, rights, 0);
	kobj_unref(obj); /* the creation reference: the cap holds its own */
	if (st != CAPOS_OK)
		return st;
	struct capos_new_cap r = { slot, 0 };
	return reply_body(t, &r, sizeof(r));
}

static capos_status_t capmgr(struct thread *t, struct cap *c)
{
	struct captable *ct = &t->proc->ct;
	if (c->obj != &t->proc->obj)
		return CAPOS_DENIED; /* a manager works on its holder's own table */
	/* READ lists the table; every method that changes it, or ties its
	 * endpoints to notifications, needs WRITE. */
	uint16_t need = t->ipc->label == CAPOS_CAPMGR_LIST ? CAPOS_RIGHT_READ : CAPOS_RIGHT_WRITE;
	if (!(c->rights & need))
		return CAPOS_DENIED;
	switch (t->ipc->label) {
	case CAPOS_CAPMGR_LIST: {
		struct capos_capmgr_list a;
		if (!get_args(t, &a, sizeof(a)))
			return CAPOS_INVALID_ARGUMENT;
		struct capos_capmgr_list_result *r = (void *)t->ipc->body;
		uint32_t max = a.max < CAPOS_CAPMGR_LIST_MAX ? a.max : CAPOS_CAPMGR_LIST_MAX;
		uint32_t n = 0, s = a.first;
		for (; s < ct->size && n < max; s++) {
			struct cap *e = ct_lookup(ct, s);
			if (!e)
				continue;
			r->entries[n].slot = s;
			r->entries[n].type = e->type;
			r->entries[n].rights = e->rights;
			r->entries[n].badge = e->badge;
			r->entries[n].interface_id = e->type == CAPOS_CAP_ENDPOINT ?
				((struct endpoint *)e->obj)->interface_id : 0;
			n++;
		}
		r->count = n;
		r->next = s;
		r->table_size = ct->size;
		r->used = ct->used;
		t->ipc->len = (uint32_t)(offsetof(struct capos_capmgr_list_result, entries) +
					 n * sizeof(struct capos_cap_info));
		return CAPOS_OK;
	}
	case CAPOS_CAPMGR_COPY: {
		struct capos_capmgr_slots a;
		if (!get_args(t, &a, sizeof(a)))
			return CAPOS_INVALID_ARGUMENT;
		return ct_copy(ct, a.src, a.dst);
	}
	case CAPOS_CAPMGR_MINT: {
		struct capos_capmgr_mint a;
		if (!get_args(t, &a, sizeof(a)))
			return CAPOS_INVALID_ARGUMENT;
		return ct_mint(ct, a.src, ct, a.dst, a.rights, a.set_badge != 0, a.badge);
	}
	case CAPOS_CAPMGR_MOVE: {
		struct capos_capmgr_slots a;
		if (!get_args(t, &a, sizeof(a)))
			return CAPOS_INVALID_ARGUMENT;
		return ct_move(ct, a.src, ct, a.dst);
	}
	case CAPOS_CAPMGR_DELETE: {
		struct capos_capmgr_slots a;
		if (!get_args(t, &a, sizeof(a)))
			return CAPOS_INVALID_ARGUMENT;
		return ct_delete(ct, a.src);
	}
	case CAPOS_CAPMGR_WATCH_DEATH:
	case CAPOS_CAPMGR_UNWATCH_DEATH: {
		struct capos_endpoint_watch a;
		if (!get_args(t, &a, sizeof(a)))
			return CAPOS_INVALID_ARGUMENT;
		struct cap *e = ct_lookup(ct, a.endpoint);
		struct cap *n = ct_lookup(ct, a.notification);
		if (!e || !n)
			return CAPOS_INVALID_CAP;
		if (e->type != CAPOS_CAP_ENDPOINT || n->type != CAPOS_CAP_NOTIFICATION)
			return CAPOS_WRONG_TYPE;
		if (!(n->rights & CAPOS_RIGHT_SEND))
			return CAPOS_DENIED;
		if (t->ipc->label == CAPOS_CAPMGR_UNWATCH_DEATH)
			return endpoint_unwatch((struct endpoint *)e->obj,
						(struct notification *)n->obj);
		return endpoint_watch((struct endpoint *)e->obj, (struct notification *)n->obj,
				      a.bits);
	}
	case CAPOS_CAPMGR_NOTIFY_ARRIVAL: {
		struct capos_endpoint_watch a;
		if (!get_args(t, &a, sizeof(a)))
			return CAPOS_INVALID_ARGUMENT;
		struct cap *e = ct_lookup(ct, a.endpoint);
		if (!e)
			return CAPOS_INVALID_CAP;
		if (e->type != CAPOS_CAP_ENDPOINT)
			return CAPOS_WRONG_TYPE;
		if (!(e->rights & CAPOS_RIGHT_RECV))
			return CAPOS_DENIED; /* only the serving side */
		if (a.notification == CAPOS_NO_CAP || !a.bits)
			return endpoint_set_arrival((struct endpoint *)e->obj, NULL, 0);
		struct cap *n = ct_lookup(ct, a.notification);
		if (!n)
			return CAPOS_INVALID_CAP;
		if (n->type != CAPOS_CAP_NOTIFICATION)
			return CAPOS_WRONG_TYPE;
		if (!(n->rights & CAPOS_RIGHT_SEND))
			return CAPOS_DENIED;
		return endpoint_set_arrival((struct endpoint *)e->obj,
					    (struct notification *)n->obj, a.bits);
	}
	case CAPOS_CAPMGR_SAVE_REPLY: {
		struct capos_capmgr_slots a;
		if (!get_args(t, &a, sizeof(a)))
			return CAPOS_INVALID_ARGUMENT;
		return ipc_save_reply(t, a.dst);
	}
	default:
		return CAPOS_UNSUPPORTED;
	}
}

static capos_status_t process_method(struct thread *t, struct cap *c)
{
	struct process *p = (struct process *)c->obj;
	capos_status_t st;
	if (t->ipc->label != CAPOS_PROCESS_INFO && !(c->rights & CAPOS_RIGHT_CONTROL))
		return CAPOS_DENIED;
	if (p->torn_down && t->ipc->label != CAPOS_PROCESS_INFO)
		return CAPOS_DISCONNECTED;
	switch (t->ipc->label) {
	case CAPOS_PROCESS_CREATE_PROCESS: {
		struct capos_process_create a;
		if (!get_args(t, &a, sizeof(a)))
			return CAPOS_INVALID_ARGUMENT;
		a.name[sizeof(a.name) - 1] = '\0';
		if (ct_free_count(&t->proc->ct) == 0)
			return CAPOS_LIMIT_EXCEEDED;
		struct process *child = process_create(a.name, &a.limits, p, &st);
		if (!child)
			return st;
		return give_new_cap(t, &child->obj, CAPOS_CAP_PROCESS, CAPOS_RIGHTS_ALL);
	}
	case CAPOS_PROCESS_CREATE_ENDPOINT: {
		struct capos_endpoint_create a;
		if (!get_args(t, &a, sizeof(a)))
			return CAPOS_INVALID_ARGUMENT;
		if (ct_free_count(&t->proc->ct) == 0)
			return CAPOS_LIMIT_EXCEEDED;
		struct endpoint *ep = endpoint_create(p, a.interface_id, &st);
		if (!ep)
			return st;
		return give_new_cap(t, &ep->obj, CAPOS_CAP_ENDPOINT, CAPOS_RIGHTS_ALL);
	}
	case CAPOS_PROCESS_CREATE_NOTIFICATION: {
		if (ct_free_count(&t->proc->ct) == 0)
			return CAPOS_LIMIT_EXCEEDED;
		struct notification *n = notification_create(p, &st);
		if (!n)
			return st;
		return give_new_cap(t, &n->obj, CAPOS_CAP_NOTIFICATION, CAPOS_RIGHTS_ALL);
	}
	case CAPOS_PROCESS_CREATE_SHARED_BUFFER: {
		struct capos_shared_buffer_create a;
		if (!get_args(t, &a, sizeof(a)))
			return CAPOS_INVALID_ARGUMENT;
		if (ct_free_count(&t->proc->ct) == 0)
			return CAPOS_LIMIT_EXCEEDED;
		struct shared_buffer *sb = shared_buffer_create(p, a.pages, &st);
		if (!sb)
			return st;
		return give_new_cap(t, &sb->obj, CAPOS_CAP_SHARED_BUFFER, CAPOS_RIGHTS_ALL);
	}
	case CAPOS_PROCESS_CREATE_THREAD: {
		struct capos_thread_create a;
		if (!get_args(t, &a, sizeof(a)))
			return CAPOS_INVALID_ARGUMENT;
		if (a.priority > 255 || a.priority > t->priority)
			return CAPOS_INVALID_ARGUMENT; /* never above its creator */
		if (ct_free_count(&t->proc->ct) == 0)
			return CAPOS_LIMIT_EXCEEDED;
		struct thread *nt = thread_create(p, a.entry, a.stack, a.ipc_buffer, a.tls_base,
						  a.arg, (uint8_t)a.priority,
						  (uint64_t)a.time_slice_us * 1000, &st);
		if (!nt)
			return st;
		/* The process keeps the creation reference (its thread list);
		 * the caller gets a counted cap of its own. */
		kobj_ref(&nt->obj);
		return give_new_cap(t, &nt->obj, CAPOS_CAP_THREAD, CAPOS_RIGHTS_ALL);
	}
	case CAPOS_PROCESS_MAP_ANON: {
		struct capos_map a;
		if (!get_args(t, &a, sizeof(a)))
			return CAPOS_INVALID_ARGUMENT;
		return process_map_anon(p, a.va, a.pages, a.prot);
	}
	case CAPOS_PROCESS_MAP_SHARED: {
		struct capos_map a;
		if (!get_args(t, &a, sizeof(a)))
			return CAPOS_INVALID_ARGUMENT;
		struct cap *b = ct_lookup(&t->proc->ct, a.cap);
		if (!b)
			return CAPOS_INVALID_CAP;
		if (b->type != CAPOS_CAP_SHARED_BUFFER)
			return CAPOS_WRONG_TYPE;
		if ((a.prot & CAPOS_PROT_WRITE) && !(b->rights & CAPOS_RIGHT_WRITE))
			return CAPOS_DENIED;
		if (!(b->rights & CAPOS_RIGHT_READ))
			return CAPOS_DENIED;
		return process_map_shared(p, a.va, (struct shared_buffer *)b->obj,
					  a.offset_pages, a.pages, a.prot);
	}
	case CAPOS_PROCESS_UNMAP: {
		struct capos_map a;
		if (!get_args(t, &a, sizeof(a)))
			return CAPOS_INVALID_ARGUMENT;
		return process_unmap(p, a.va, a.pages);
	}
	case CAPOS_PROCESS_WRITE_MEMORY: {
		if (t->ipc->len < offsetof(struct capos_write_memory, data))
			return CAPOS_INVALID_ARGUMENT;
		struct capos_write_memory *a = (void *)t->ipc->body;
		uint64_t va = a->va;
		uint32_t len = a->len;
		if (len > CAPOS_WRITE_MEMORY_MAX ||
		    t->ipc->len < offsetof(struct capos_write_memory, data) + len)
			return CAPOS_INVALID_ARGUMENT;
		return process_write_memory(p, va, a->data, len);
	}
	case CAPOS_PROCESS_INSTALL_CAP: {
		struct capos_install_cap a;
		if (!get_args(t, &a, sizeof(a)))
			return CAPOS_INVALID_ARGUMENT;
		return ct_mint(&t->proc->ct, a.src, &p->ct, a.dst, a.rights, a.set_badge != 0,
			       a.badge);
	}
	case CAPOS_PROCESS_KILL:
		process_kill(p);
		return CAPOS_OK;
	case CAPOS_PROCESS_MAKE_CAP_MANAGER:
		if (ct_free_count(&t->proc->ct) == 0)
			return CAPOS_LIMIT_EXCEEDED;
		kobj_ref(&p->obj); /* give_new_cap consumes one reference */
		return give_new_cap(t, &p->obj, CAPOS_CAP_CAP_MANAGER, CAPOS_RIGHTS_ALL);
	case CAPOS_PROCESS_SET_SUPERVISOR: {
		struct capos_set_supervisor a;
		if (!get_args(t, &a, sizeof(a)))
			return CAPOS_INVALID_ARGUMENT;
		struct cap *e = ct_lookup(&t->proc->ct, a.endpoint);
		if (!e)
			return CAPOS_INVALID_CAP;
		if (e->type != CAPOS_CAP_ENDPOINT)
			return CAPOS_WRONG_TYPE;
		if (!(e->rights & CAPOS_RIGHT_SEND))
			return CAPOS_DENIED;
		process_set_supervisor(p, (struct endpoint *)e->obj, e->badge);
		return CAPOS_OK;
	}
	case CAPOS_PROCESS_INFO: {
		struct capos_process_info r;
		memset(&r, 0, sizeof(r));
		r.pid = p->pid;
		r.state = p->state;
		r.exit_code = p->exit_code;
		r.limits = p->limits;
		r.usage = p->usage;
		r.usage.slots = p->ct.used;
		return reply_body(t, &r, sizeof(r));
	}
	default:
		return CAPOS_UNSUPPORTED;
	}
}

static capos_status_t thread_method(struct thread *t, struct cap *c)
{
	struct thread *target = (struct thread *)c->obj;
	if (!(c->rights & CAPOS_RIGHT_CONTROL))
		return CAPOS_DENIED;
	if (target->state == THREAD_DEAD)
		return CAPOS_DISCONNECTED;
	switch (t->ipc->label) {
	case CAPOS_THREAD_START:
		if (target->state != THREAD_INACTIVE)
			return CAPOS_INVALID_ARGUMENT;
		thread_start(target);
		return CAPOS_OK;
	case CAPOS_THREAD_SET_PRIORITY: {
		struct capos_thread_priority a;
		if (!get_args(t, &a, sizeof(a)))
			return CAPOS_INVALID_ARGUMENT;
		if (a.priority > 255 || a.priority > t->priority)
			return CAPOS_INVALID_ARGUMENT;
		int requeue = target->state == THREAD_RUNNABLE;
		if (requeue)
			sched_unready(target);
		target->priority = (uint8_t)a.priority;
		if (a.time_slice_us)
			target->slice_ns = (uint64_t)a.time_slice_us * 1000;
		if (requeue)
			sched_ready(target);
		return CAPOS_OK;
	}
	case CAPOS_THREAD_BIND_NOTIFICATION: {
		struct capos_thread_bind a;
		if (!get_args(t, &a, sizeof(a)))
			return CAPOS_INVALID_ARGUMENT;
		if (a.notification == CAPOS_NO_CAP) {
			ntfn_unbind(target);
			return CAPOS_OK;
		}
		struct cap *n = ct_lookup(&t->proc->ct, a.notification);
		if (!n)
			return CAPOS_INVALID_CAP;
		if (n->type != CAPOS_CAP_NOTIFICATION)
			return CAPOS_WRONG_TYPE;
		if (!(n->rights & CAPOS_RIGHT_RECV))
			return CAPOS_DENIED;
		return ntfn_bind((struct notification *)n->obj, target);
	}
	case CAPOS_THREAD_SET_TLS: {
		struct capos_thread_tls a;
		if (!get_args(t, &a, sizeof(a)))
			return CAPOS_INVALID_ARGUMENT;
		if (a.base >= CAPOS_USER_TOP)
			return CAPOS_INVALID_ARGUMENT;
		target->fs_base = a.base;
		arch_set_tls(target); /* loads it now if target's context is live */
		return CAPOS_OK;
	}
	default:
		return CAPOS_UNSUPPORTED;
	}
}

static int port_ok(const struct ioport *io, uint32_t port, uint32_t width)
{
	return port >= io->base && port + width <= io->base + io->count;
}

static capos_status_t ioport_method(struct thread *t, struct cap *c)
{
	struct ioport *io = (struct ioport *)c->obj;
	switch (t->ipc->label) {
	case CAPOS_IOPORT_IN:
	case CAPOS_IOPORT_OUT: {
		struct capos_ioport a;
		if (!get_args(t, &a, sizeof(a)))
			return CAPOS_INVALID_ARGUMENT;
		if (a.width != 1 && a.width != 2 && a.width != 4)
			return CAPOS_INVALID_ARGUMENT;
		if (!port_ok(io, a.port, a.width))
			return CAPOS_DENIED;
		if (t->ipc->label == CAPOS_IOPORT_OUT) {
			if (!(c->rights & CAPOS_RIGHT_WRITE))
				return CAPOS_DENIED;
			port_out(a.port, a.width, a.value);
			return CAPOS_OK;
		}
		if (!(c->rights & CAPOS_RIGHT_READ))
			return CAPOS_DENIED;
		a.value = port_in(a.port, a.width);
		return reply_body(t, &a, sizeof(a));
	}
	case CAPOS_IOPORT_WRITE_STRING: {
		if (t->ipc->len < offsetof(struct capos_ioport_string, data))
			return CAPOS_INVALID_ARGUMENT;
		struct capos_ioport_string *a = (void *)t->ipc->body;
		uint32_t len = a->len;
		uint16_t port = a->port, status = a->status_port;
		uint8_t mask = a->ready_mask;
		if (len > CAPOS_IOPORT_STRING_MAX ||
		    t->ipc->len < offsetof(struct capos_ioport_string, data) + len)
			return CAPOS_INVALID_ARGUMENT;
		if (!(c->rights & CAPOS_RIGHT_WRITE) || !(c->rights & CAPOS_RIGHT_READ) ||
		    !port_ok(io, port, 1) || (mask && !port_ok(io, status, 1)))
			return CAPOS_DENIED;
		/* A device that never gets ready must not hold the kernel: the
		 * whole call may poll the status port a bounded number of times. */
		uint32_t budget = 1000000;
		for (uint32_t i = 0; i < len; i++) {
			while (mask && !(port_in(status, 1) & mask)) {
				if (--budget == 0)
					return CAPOS_TIMEOUT;
			}
			port_out(port, 1, a->data[i]);
		}
		return CAPOS_OK;
	}
	case CAPOS_IOPORT_SUBRANGE: {
		struct capos_ioport_range a;
		if (!get_args(t, &a, sizeof(a)))
			return CAPOS_INVALID_ARGUMENT;
		if (a.count == 0 || !port_ok(io, a.base, a.count))
			return CAPOS_DENIED;
		if (ct_free_count(&t->proc->ct) == 0)
			return CAPOS_LIMIT_EXCEEDED;
		capos_status_t st;
		struct ioport *n = kobj_alloc(CAPOS_CAP_IOPORT, t->proc, &st);
		if (!n)
			return st;
		n->base = a.base;
		n->count = a.count;
		return give_new_cap(t, &n->obj, CAPOS_CAP_IOPORT, c->rights);
	}
	default:
		return CAPOS_UNSUPPORTED;
	}
}

static capos_status_t kinfo_method(struct thread *t, struct cap *c)
{
	switch (t->ipc->label) {
	case CAPOS_KINFO_STATS: {
		struct capos_kinfo_stats r;
		memset(&r, 0, sizeof(r));
		r.free_frames = page_free_count();
		r.live_objects = kobj_live_count;
		r.now_ns = now_ns();
		r.tsc_khz = platform_tsc_khz();
		r.timer_interrupts = irq_count_for(0x20);
		r.boot_tsc = &kernel_entry_tsc ? kernel_entry_tsc : 0;
		return reply_body(t, &r, sizeof(r));
	}
	case CAPOS_KINFO_CHECK_INVARIANTS: {
#ifdef CAPOS_INVARIANT_CHECKS
		struct capos_kinfo_check r;
		r.violations = kernel_check_invariants(&r.objects_checked);
		return reply_body(t, &r, sizeof(r));
#else
		return CAPOS_UNSUPPORTED;
#endif
	}
	case CAPOS_KINFO_IRQ_COUNT: {
		struct capos_kinfo_irq a;
		if (!get_args(t, &a, sizeof(a)))
			return CAPOS_INVALID_ARGUMENT;
		if (a.vector > 255)
			return CAPOS_INVALID_ARGUMENT;
		a.count = irq_count_for(a.vector);
		return reply_body(t, &a, sizeof(a));
	}
	default:
		return CAPOS_UNSUPPORTED;
	}
}

static capos_status_t shared_buffer_method(struct thread *t, struct cap *c)
{
	struct shared_buffer *sb = (struct shared_buffer *)c->obj;
	if (t->ipc->label != CAPOS_SHARED_BUFFER_INFO)
		return CAPOS_UNSUPPORTED;
	struct capos_shared_buffer_info r = { sb->pages, sb->bytes };
	return reply_body(t, &r, sizeof(r));
}

static capos_status_t irq_method(struct thread *t, struct cap *c)
{
	if (c->type == CAPOS_CAP_IRQ_CONTROL) {
		if (t->ipc->label != CAPOS_IRQ_CONTROL_GET)
			return CAPOS_UNSUPPORTED;
		struct capos_irq_get a;
		if (!get_args(t, &a, sizeof(a)))
			return CAPOS_INVALID_ARGUMENT;
		struct cap *n = ct_lookup(&t->proc->ct, a.notification);
		if (!n)
			return CAPOS_INVALID_CAP;
		if (n->type != CAPOS_CAP_NOTIFICATION)
			return CAPOS_WRONG_TYPE;
		if (ct_free_count(&t->proc->ct) == 0)
			return CAPOS_LIMIT_EXCEEDED;
		struct kobj *h;
		capos_status_t st = irq_control_get(t, a.irq, n, a.bits, &h);
		if (st != CAPOS_OK)
			return st;
		return give_new_cap(t, h, CAPOS_CAP_IRQ_HANDLER, CAPOS_RIGHTS_ALL);
	}
	if (t->ipc->label != CAPOS_IRQ_HANDLER_ACK)
		return CAPOS_UNSUPPORTED;
	return irq_handler_ack(c->obj);
}

static capos_status_t process_control_method(struct thread *t, struct cap *c)
{
	if (t->ipc->label != CAPOS_PCTL_RETARGET)
		return CAPOS_UNSUPPORTED;
	struct capos_retarget a;
	if (!get_args(t, &a, sizeof(a)))
		return CAPOS_INVALID_ARGUMENT;
	struct cap *e = ct_lookup(&t->proc->ct, a.endpoint);
	struct cap *pc = ct_lookup(&t->proc->ct, a.process);
	if (!e || !pc)
		return CAPOS_INVALID_CAP;
	if (e->type != CAPOS_CAP_ENDPOINT || pc->type != CAPOS_CAP_PROCESS)
		return CAPOS_WRONG_TYPE;
	/* Only whoever may serve the endpoint may move its serving side. */
	if (!(e->rights & CAPOS_RIGHT_RECV) || !(pc->rights & CAPOS_RIGHT_CONTROL))
		return CAPOS_DENIED;
	return endpoint_retarget((struct endpoint *)e->obj, (struct process *)pc->obj);
}

capos_status_t invoke_kernel_object(struct thread *t, struct cap *c)
{
	if (t->ipc->len > CAPOS_MSG_BODY_MAX)
		return CAPOS_INVALID_ARGUMENT;
	switch (c->type) {
	case CAPOS_CAP_CAP_MANAGER:
		return capmgr(t, c);
	case CAPOS_CAP_PROCESS:
		return process_method(t, c);
	case CAPOS_CAP_THREAD:
		return thread_method(t, c);
	case CAPOS_CAP_IOPORT:
		return ioport_method(t, c);
	case CAPOS_CAP_KERNEL_INFO:
		return kinfo_method(t, c);
	case CAPOS_CAP_SHARED_BUFFER:
		return shared_buffer_method(t, c);
	case CAPOS_CAP_IRQ_CONTROL:
	case CAPOS_CAP_IRQ_HANDLER:
		return irq_method(t, c);
	case CAPOS_CAP_PROCESS_CONTROL:
		return process_control_method(t, c);
	default:
		return CAPOS_WRONG_TYPE;
	}
}
