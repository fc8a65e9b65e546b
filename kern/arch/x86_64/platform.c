/*
 * platform.c - core/platform.h on x86_64: port I/O and the TSC rate (pages
 * are in paging.c, kprintf in core/kprintf.c; now_ns and
 * timer_set_deadline are in apic.c, next to the scale factors they use,
 * so each compiles to one short function: the scheduler calls them on
 * most kernel exits).
 */
#include <stdint.h>

#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "core/platform.h"

uint64_t platform_tsc_khz(void)
{
	return tsc_khz();
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
