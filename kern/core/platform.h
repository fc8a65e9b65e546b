/*
 * platform.h - what the portable kernel core needs from the machine.
 *
 * kern/object/ and kern/core/ (except main.c) use only this interface and
 * kern/mm/vspace.h, so the same files compile into the kernel and into host
 * unit tests, where tests/unit/host_platform.c provides these functions.
 */
#ifndef KERN_CORE_PLATFORM_H
#define KERN_CORE_PLATFORM_H

#include <stdint.h>

/* A zeroed 4 KiB page (kernel virtual address), NULL when memory is out. */
void *page_alloc(void);
void page_free(void *page);
uint64_t page_free_count(void);

/* Monotonic nanoseconds. */
uint64_t now_ns(void);
/* The TSC's rate as calibrated at boot (KernelInfo reports it). */
uint64_t platform_tsc_khz(void);

/* One-shot timer for an absolute time; 0 disarms it. */
void timer_set_deadline(uint64_t deadline_ns);

/* Debug output (serial on the target, stderr on the host). */
__attribute__((format(printf, 1, 2))) void kprintf(const char *fmt, ...);

/* Port I/O for IOPort caps; the host fakes a port space. */
uint32_t port_in(uint16_t port, uint8_t width);
void port_out(uint16_t port, uint8_t width, uint32_t value);

#endif
