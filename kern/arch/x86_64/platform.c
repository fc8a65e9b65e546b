/*
 * platform.c - core/platform.h on x86_64: time, the one-shot timer and
 * port I/O (pages are in paging.c, kprintf in core/kprintf.c).
 */
#include <stdint.h>

#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "core/platform.h"

uint64_t now_ns(void)
{
	return time_ns();
}

uint64_t platform_tsc_khz(void)
{
	return tsc_khz();
}

void timer_set_deadline(uint64_t deadline_ns)
{
	if (!deadline_ns) {
		timer_disarm();
		return;
	}
	uint64_t now = time_ns();
	timer_arm_ns(deadline_ns > now ? deadline_ns - now : 1);
}

uint32_t port_in(uint16_t port, uint8_t width)
{
	uint32_t v = 0;
	if (width == 1)
		v = inb(port);
	else if (width == 2)
		__asm__ volatile("inw %1, %w0" : "=a"(v) : "Nd"(port));
	else
		__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

void port_out(uint16_t port, uint8_t width, uint32_t value)
{
	if (width == 1)
		outb(port, (uint8_t)value);
	else if (width == 2)
		outw(port, (uint16_t)value);
	else
		outl(port, value);
}
