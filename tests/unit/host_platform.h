/*
 * host_platform.h - test doubles of the machine for host unit tests of the
 * portable kernel core (kern/object, kern/core/{sched,syscall,invoke}.c).
 *
 * host_platform.c implements core/platform.h, mm/vspace.h, arch_thread_init,
 * panic, and the few arch functions the core declares locally, plus the
 * controls below so tests can exhaust memory, move the clock and look at
 * what the kernel programmed.
 */
#ifndef CAPOS_TESTS_HOST_PLATFORM_H
#define CAPOS_TESTS_HOST_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include <capos/abi.h>

struct thread;
struct kobj;
struct cap;

/* Arch functions the core declares where it uses them (no header). */
const char *trap_name(uint64_t vector);
uint64_t irq_count_for(uint32_t vector);
capos_status_t irq_control_get(struct thread *t, uint32_t irq, struct cap *ntfn,
			       uint64_t bits, struct kobj **out);
capos_status_t irq_handler_ack(struct kobj *handler);
void irq_handler_destroy(struct kobj *handler);

/* ---- pages ---- */
/* Pages handed out by page_alloc and not yet freed. */
uint64_t host_live_pages(void);
/* page_alloc succeeds n more times (counting from now), then returns NULL. */
void host_set_free_pages(uint64_t n);
/* Back to a practically unlimited supply. */
void host_reset_pages(void);
/* Total page_alloc calls that returned NULL because of the budget. */
uint64_t host_failed_allocs(void);

/* ---- clock and timer ---- */
void host_set_now(uint64_t ns);
void host_advance(uint64_t ns);
/* The last value given to timer_set_deadline, and how many calls so far. */
uint64_t host_timer_deadline(void);
uint64_t host_timer_sets(void);

/* ---- kprintf ---- */
const char *host_log(void);
void host_log_clear(void);

/* ---- ports ---- */
void host_port_set(uint16_t port, uint32_t value);
uint32_t host_port_get(uint16_t port);

/* ---- fake address spaces ---- */
/* Pages mapped in vs, and table pages it holds (root included). */
uint32_t host_vs_mapped(uint64_t vs);
uint32_t host_vs_tables(uint64_t vs);
/* Live address spaces (created, not destroyed). */
uint32_t host_vs_live(void);

#endif
