/*
 * capos/kernel.h - typed wrappers for kernel object methods (capos/abi.h).
 * Each is one Call with the method's argument struct as the body.
 */
#ifndef CAPOS_USER_KERNEL_H
#define CAPOS_USER_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include <capos/abi.h>
#include <capos/syscall.h>

/* One kernel method call: args in, result (up to result_len bytes) out. */
capos_status_t capos_invoke(capos_cap_t cap, uint64_t method, const void *args,
			    uint32_t args_len, void *result, uint32_t result_len);

/* Capability manager (own table). */
capos_status_t capos_cap_copy(capos_cap_t mgr, uint32_t src, uint32_t dst);
capos_status_t capos_cap_mint(capos_cap_t mgr, uint32_t src, uint32_t dst,
			      uint32_t rights, int set_badge, uint64_t badge);
capos_status_t capos_cap_move(capos_cap_t mgr, uint32_t src, uint32_t dst);
capos_status_t capos_cap_delete(capos_cap_t mgr, uint32_t slot);
capos_status_t capos_cap_save_reply(capos_cap_t mgr, uint32_t dst);
capos_status_t capos_cap_list(capos_cap_t mgr, uint32_t first, uint32_t max,
			      struct capos_capmgr_list_result *out);

/* Death watch on an endpoint (through the caller's CapabilityManager). */
capos_status_t capos_watch_death(capos_cap_t mgr, uint32_t endpoint, uint32_t ntfn,
				 uint64_t bits);
capos_status_t capos_unwatch_death(capos_cap_t mgr, uint32_t endpoint, uint32_t ntfn);
/* Signal `bits` on ntfn whenever a message has to wait on `endpoint` (a
 * server's RECV cap) because nobody is receiving; bits 0 removes it. */
capos_status_t capos_notify_arrival(capos_cap_t mgr, uint32_t endpoint, uint32_t ntfn,
				   uint64_t bits);

/* Process. New caps go to the caller's first free slot (*slot). */
capos_status_t capos_process_create(capos_cap_t proc, const char *name,
				    const struct capos_limits *limits, uint32_t *slot);
capos_status_t capos_endpoint_create(capos_cap_t proc, uint64_t interface_id,
				     uint32_t *slot);
capos_status_t capos_notification_create(capos_cap_t proc, uint32_t *slot);
capos_status_t capos_shared_buffer_create(capos_cap_t proc, uint32_t pages,
					  uint32_t *slot);
capos_status_t capos_thread_create(capos_cap_t proc, const struct capos_thread_create *a,
				   uint32_t *slot);
capos_status_t capos_map_anon(capos_cap_t proc, uint64_t va, uint32_t pages,
			      uint32_t prot);
capos_status_t capos_map_shared(capos_cap_t proc, uint64_t va, capos_cap_t buffer,
				uint32_t first_page, uint32_t pages, uint32_t prot);
capos_status_t capos_unmap(capos_cap_t proc, uint64_t va, uint32_t pages);
capos_status_t capos_write_memory(capos_cap_t proc, uint64_t va, const void *data,
				  uint32_t len);
capos_status_t capos_install_cap(capos_cap_t proc, uint32_t src, uint32_t dst,
				 uint32_t rights, int set_badge, uint64_t badge);
capos_status_t capos_process_kill(capos_cap_t proc);
capos_status_t capos_process_info(capos_cap_t proc, struct capos_process_info *out);
capos_status_t capos_set_supervisor(capos_cap_t proc, uint32_t endpoint);
/* A CapabilityManager for proc's own table, to install into proc. */
capos_status_t capos_make_cap_manager(capos_cap_t proc, uint32_t *slot);

/* ProcessControl. */
capos_status_t capos_retarget(capos_cap_t pctl, uint32_t endpoint, uint32_t process);
/* Another process's table, read-only (process: a Process cap with CONTROL). */
capos_status_t capos_pctl_cap_list(capos_cap_t pctl, uint32_t process, uint32_t first,
				   uint32_t max, struct capos_capmgr_list_result *out);

/* Thread. */
capos_status_t capos_thread_start(capos_cap_t thread);
capos_status_t capos_thread_set_priority(capos_cap_t thread, uint32_t prio,
					 uint32_t slice_us);
capos_status_t capos_thread_bind(capos_cap_t thread, capos_cap_t ntfn);
/* The thread's FS base (its TCB, capos/runtime.h capos_tls_init). */
capos_status_t capos_thread_set_tls(capos_cap_t thread, uint64_t base);

/* SharedBuffer. */
capos_status_t capos_shared_buffer_info(capos_cap_t sb, struct capos_shared_buffer_info *out);

/* IOPort. */
capos_status_t capos_port_in(capos_cap_t io, uint16_t port, uint8_t width, uint32_t *value);
capos_status_t capos_port_out(capos_cap_t io, uint16_t port, uint8_t width, uint32_t value);
capos_status_t capos_port_subrange(capos_cap_t io, uint16_t base, uint16_t count,
				   uint32_t *slot);
capos_status_t capos_port_write_string(capos_cap_t io, uint16_t port, uint16_t status_port,
				       uint8_t ready_mask, const void *data, uint32_t len);

/* IRQ. */
capos_status_t capos_irq_get(capos_cap_t control, uint32_t irq, capos_cap_t ntfn,
			     uint64_t bits, uint32_t *slot);
capos_status_t capos_irq_ack(capos_cap_t handler);

/* KernelInfo. */
capos_status_t capos_kinfo_stats(capos_cap_t kinfo, struct capos_kinfo_stats *out);
capos_status_t capos_kinfo_irq_count(capos_cap_t kinfo, uint32_t vector, uint64_t *count);
capos_status_t capos_kinfo_check(capos_cap_t kinfo, struct capos_kinfo_check *out);

#endif
