/*
 * kernel.c - kernel object method wrappers (capos/kernel.h).
 */
#include <capos/kernel.h>

void *memcpy(void *dst, const void *src, size_t n);

capos_status_t capos_invoke(capos_cap_t cap, uint64_t method, const void *args,
			    uint32_t args_len, void *result, uint32_t result_len)
{
	struct capos_ipc_buffer *b = capos_ipc();
	if (args_len > CAPOS_MSG_BODY_MAX)
		return CAPOS_INVALID_ARGUMENT;
	b->label = method;
	b->len = args_len;
	b->ncaps = 0;
	if (args_len)
		memcpy(b->body, args, args_len);
	capos_status_t st = capos_call(cap);
	if (st == CAPOS_OK && result) {
		uint32_t n = b->len < result_len ? b->len : result_len;
		memcpy(result, b->body, n);
	}
	return st;
}

static capos_status_t new_cap(capos_cap_t cap, uint64_t method, const void *args,
			      uint32_t len, uint32_t *slot)
{
	struct capos_new_cap r = { CAPOS_NO_CAP, 0 };
	capos_status_t st = capos_invoke(cap, method, args, len, &r, sizeof(r));
	if (slot)
		*slot = r.slot;
	return st;
}

capos_status_t capos_cap_copy(capos_cap_t mgr, uint32_t src, uint32_t dst)
{
	struct capos_capmgr_slots a = { src, dst };
	return capos_invoke(mgr, CAPOS_CAPMGR_COPY, &a, sizeof(a), NULL, 0);
}

capos_status_t capos_cap_mint(capos_cap_t mgr, uint32_t src, uint32_t dst,
			      uint32_t rights, int set_badge, uint64_t badge)
{
	struct capos_capmgr_mint a = { src, dst, rights, (uint32_t)set_badge, badge };
	return capos_invoke(mgr, CAPOS_CAPMGR_MINT, &a, sizeof(a), NULL, 0);
}

capos_status_t capos_cap_move(capos_cap_t mgr, uint32_t src, uint32_t dst)
{
	struct capos_capmgr_slots a = { src, dst };
	return capos_invoke(mgr, CAPOS_CAPMGR_MOVE, &a, sizeof(a), NULL, 0);
}

capos_status_t capos_cap_delete(capos_cap_t mgr, uint32_t slot)
{
	struct capos_capmgr_slots a = { slot, 0 };
	return capos_invoke(mgr, CAPOS_CAPMGR_DELETE, &a, sizeof(a), NULL, 0);
}

capos_status_t capos_cap_save_reply(capos_cap_t mgr, uint32_t dst)
{
	struct capos_capmgr_slots a = { 0, dst };
	return capos_invoke(mgr, CAPOS_CAPMGR_SAVE_REPLY, &a, sizeof(a), NULL, 0);
}

capos_status_t capos_cap_list(capos_cap_t mgr, uint32_t first, uint32_t max,
			      struct capos_capmgr_list_result *out)
{
	struct capos_capmgr_list a = { first, max };
	return capos_invoke(mgr, CAPOS_CAPMGR_LIST, &a, sizeof(a), out, sizeof(*out));
}

capos_status_t capos_process_create(capos_cap_t proc, const char *name,
				    const struct capos_limits *limits, uint32_t *slot)
{
	struct capos_process_create a;
	unsigned i = 0;
	for (; name[i] && i + 1 < sizeof(a.name); i++)
		a.name[i] = name[i];
	for (; i < sizeof(a.name); i++)
		a.name[i] = '\0';
	a.limits = *limits;
	return new_cap(proc, CAPOS_PROCESS_CREATE_PROCESS, &a, sizeof(a), slot);
}

capos_status_t capos_endpoint_create(capos_cap_t proc, uint64_t interface_id,
				     uint32_t *slot)
{
	struct capos_endpoint_create a = { interface_id };
	return new_cap(proc, CAPOS_PROCESS_CREATE_ENDPOINT, &a, sizeof(a), slot);
}

capos_status_t capos_notification_create(capos_cap_t proc, uint32_t *slot)
{
	return new_cap(proc, CAPOS_PROCESS_CREATE_NOTIFICATION, NULL, 0, slot);
}

capos_status_t capos_shared_buffer_create(capos_cap_t proc, uint32_t pages,
					  uint32_t *slot)
{
	struct capos_shared_buffer_create a = { pages, 0 };
	return new_cap(proc, CAPOS_PROCESS_CREATE_SHARED_BUFFER, &a, sizeof(a), slot);
}

capos_status_t capos_thread_create(capos_cap_t proc, const struct capos_thread_create *a,
				   uint32_t *slot)
{
	return new_cap(proc, CAPOS_PROCESS_CREATE_THREAD, a, sizeof(*a), slot);
}

capos_status_t capos_map_anon(capos_cap_t proc, uint64_t va, uint32_t pages,
			      uint32_t prot)
{
	struct capos_map a = { va, pages, prot, 0, 0 };
	return capos_invoke(proc, CAPOS_PROCESS_MAP_ANON, &a, sizeof(a), NULL, 0);
}

capos_status_t capos_map_shared(capos_cap_t proc, uint64_t va, capos_cap_t buffer,
				uint32_t first_page, uint32_t pages, uint32_t prot)
{
	struct capos_map a = { va, pages, prot, buffer, first_page };
	return capos_invoke(proc, CAPOS_PROCESS_MAP_SHARED, &a, sizeof(a), NULL, 0);
}

capos_status_t capos_unmap(capos_cap_t proc, uint64_t va, uint32_t pages)
{
	struct capos_map a = { va, pages, 0, 0, 0 };
	return capos_invoke(proc, CAPOS_PROCESS_UNMAP, &a, sizeof(a), NULL, 0);
}

capos_status_t capos_write_memory(capos_cap_t proc, uint64_t va, const void *data,
				  uint32_t len)
{
	if (len > CAPOS_WRITE_MEMORY_MAX)
		return CAPOS_INVALID_ARGUMENT;
	struct capos_ipc_buffer *b = capos_ipc();
	struct capos_write_memory *a = (struct capos_write_memory *)b->body;
	a->va = va;
	a->len = len;
	a->reserved = 0;
	memcpy(a->data, data, len);
	b->label = CAPOS_PROCESS_WRITE_MEMORY;
	b->len = (uint32_t)offsetof(struct capos_write_memory, data) + len;
	b->ncaps = 0;
	return capos_call(proc);
}

capos_status_t capos_install_cap(capos_cap_t proc, uint32_t src, uint32_t dst,
				 uint32_t rights, int set_badge, uint64_t badge)
{
	struct capos_install_cap a = { src, dst, rights, (uint32_t)set_badge, badge };
	return capos_invoke(proc, CAPOS_PROCESS_INSTALL_CAP, &a, sizeof(a), NULL, 0);
}

capos_status_t capos_process_kill(capos_cap_t proc)
{
	return capos_invoke(proc, CAPOS_PROCESS_KILL, NULL, 0, NULL, 0);
}

capos_status_t capos_process_info(capos_cap_t proc, struct capos_process_info *out)
{
	return capos_invoke(proc, CAPOS_PROCESS_INFO, NULL, 0, out, sizeof(*out));
}

capos_status_t capos_thread_start(capos_cap_t thread)
{
	return capos_invoke(thread, CAPOS_THREAD_START, NULL, 0, NULL, 0);
}

capos_status_t capos_thread_set_priority(capos_cap_t thread, uint32_t prio,
					 uint32_t slice_us)
{
	struct capos_thread_priority a = { prio, slice_us };
	return capos_invoke(thread, CAPOS_THREAD_SET_PRIORITY, &a, sizeof(a), NULL, 0);
}

capos_status_t capos_thread_bind(capos_cap_t thread, capos_cap_t ntfn)
{
	struct capos_thread_bind a = { ntfn, 0 };
	return capos_invoke(thread, CAPOS_THREAD_BIND_NOTIFICATION, &a, sizeof(a), NULL, 0);
}

capos_status_t capos_shared_buffer_info(capos_cap_t sb, struct capos_shared_buffer_info *out)
{
	return capos_invoke(sb, CAPOS_SHARED_BUFFER_INFO, NULL, 0, out, sizeof(*out));
}

capos_status_t capos_port_in(capos_cap_t io, uint16_t port, uint8_t width, uint32_t *value)
{
	struct capos_ioport a = { port, width, 0, 0 };
	capos_status_t st = capos_invoke(io, CAPOS_IOPORT_IN, &a, sizeof(a), &a, sizeof(a));
	if (st == CAPOS_OK && value)
		*value = a.value;
	return st;
}

capos_status_t capos_port_out(capos_cap_t io, uint16_t port, uint8_t width, uint32_t value)
{
	struct capos_ioport a = { port, width, 0, value };
	return capos_invoke(io, CAPOS_IOPORT_OUT, &a, sizeof(a), NULL, 0);
}

capos_status_t capos_port_subrange(capos_cap_t io, uint16_t base, uint16_t count,
				   uint32_t *slot)
{
	struct capos_ioport_range a = { base, count, 0 };
	return new_cap(io, CAPOS_IOPORT_SUBRANGE, &a, sizeof(a), slot);
}

capos_status_t capos_port_write_string(capos_cap_t io, uint16_t port, uint16_t status_port,
				       uint8_t ready_mask, const void *data, uint32_t len)
{
	if (len > CAPOS_IOPORT_STRING_MAX)
		return CAPOS_INVALID_ARGUMENT;
	struct capos_ipc_buffer *b = capos_ipc();
	struct capos_ioport_string *a = (struct capos_ioport_string *)b->body;
	a->port = port;
	a->status_port = status_port;
	a->ready_mask = ready_mask;
	a->len = len;
	memcpy(a->data, data, len);
	b->label = CAPOS_IOPORT_WRITE_STRING;
	b->len = (uint32_t)offsetof(struct capos_ioport_string, data) + len;
	b->ncaps = 0;
	return capos_call(io);
}

capos_status_t capos_irq_get(capos_cap_t control, uint32_t irq, capos_cap_t ntfn,
			     uint64_t bits, uint32_t *slot)
{
	struct capos_irq_get a = { irq, ntfn, bits };
	return new_cap(control, CAPOS_IRQ_CONTROL_GET, &a, sizeof(a), slot);
}

capos_status_t capos_irq_ack(capos_cap_t handler)
{
	return capos_invoke(handler, CAPOS_IRQ_HANDLER_ACK, NULL, 0, NULL, 0);
}

capos_status_t capos_kinfo_stats(capos_cap_t kinfo, struct capos_kinfo_stats *out)
{
	return capos_invoke(kinfo, CAPOS_KINFO_STATS, NULL, 0, out, sizeof(*out));
}

capos_status_t capos_kinfo_irq_count(capos_cap_t kinfo, uint32_t vector, uint64_t *count)
{
	struct capos_kinfo_irq a = { vector, 0, 0 };
	capos_status_t st = capos_invoke(kinfo, CAPOS_KINFO_IRQ_COUNT, &a, sizeof(a), &a,
					 sizeof(a));
	if (st == CAPOS_OK && count)
		*count = a.count;
	return st;
}

capos_status_t capos_watch_death(capos_cap_t mgr, uint32_t endpoint, uint32_t ntfn,
				 uint64_t bits)
{
	struct capos_endpoint_watch a = { endpoint, ntfn, bits };
	return capos_invoke(mgr, CAPOS_CAPMGR_WATCH_DEATH, &a, sizeof(a), NULL, 0);
}

capos_status_t capos_notify_arrival(capos_cap_t mgr, uint32_t endpoint, uint32_t ntfn,
				   uint64_t bits)
{
	struct capos_endpoint_watch a = { endpoint, ntfn, bits };
	return capos_invoke(mgr, CAPOS_CAPMGR_NOTIFY_ARRIVAL, &a, sizeof(a), NULL, 0);
}

capos_status_t capos_unwatch_death(capos_cap_t mgr, uint32_t endpoint, uint32_t ntfn)
{
	struct capos_endpoint_watch a = { endpoint, ntfn, 0 };
	return capos_invoke(mgr, CAPOS_CAPMGR_UNWATCH_DEATH, &a, sizeof(a), NULL, 0);
}

capos_status_t capos_set_supervisor(capos_cap_t proc, uint32_t endpoint)
{
	struct capos_set_supervisor a = { endpoint, 0 };
	return capos_invoke(proc, CAPOS_PROCESS_SET_SUPERVISOR, &a, sizeof(a), NULL, 0);
}

capos_status_t capos_retarget(capos_cap_t pctl, uint32_t endpoint, uint32_t process)
{
	struct capos_retarget a = { endpoint, process };
	return capos_invoke(pctl, CAPOS_PCTL_RETARGET, &a, sizeof(a), NULL, 0);
}

capos_status_t capos_pctl_cap_list(capos_cap_t pctl, uint32_t process, uint32_t first,
				   uint32_t max, struct capos_capmgr_list_result *out)
{
	struct capos_pctl_cap_list a = { process, first, max, 0 };
	return capos_invoke(pctl, CAPOS_PCTL_CAP_LIST, &a, sizeof(a), out, sizeof(*out));
}

capos_status_t capos_kinfo_check(capos_cap_t kinfo, struct capos_kinfo_check *out)
{
	return capos_invoke(kinfo, CAPOS_KINFO_CHECK_INVARIANTS, NULL, 0, out, sizeof(*out));
}

capos_status_t capos_make_cap_manager(capos_cap_t proc, uint32_t *slot)
{
	return new_cap(proc, CAPOS_PROCESS_MAKE_CAP_MANAGER, NULL, 0, slot);
}

capos_status_t capos_thread_set_tls(capos_cap_t thread, uint64_t base)
{
	struct capos_thread_tls a = { base };
	return capos_invoke(thread, CAPOS_THREAD_SET_TLS, &a, sizeof(a), NULL, 0);
}
