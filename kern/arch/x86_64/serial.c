/*
 * serial.c - COM1 output for boot messages, panics and fault reports.
 *
 * The kernel writes to the serial port only at boot, on panic, and for fault
 * reports while no supervisor exists (ARCHITECTURE.md §1). Once the console
 * server owns COM1 through an IOPort cap, the kernel stops writing here.
 * Polled, no interrupts: it must work inside a panic with interrupts off.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/serial.h"

#define COM1 0x3f8

void serial_init(void)
{
	outb(COM1 + 1, 0x00); /* no interrupts */
	outb(COM1 + 3, 0x80); /* DLAB on */
	outb(COM1 + 0, 0x01); /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03); /* 8N1, DLAB off */
	outb(COM1 + 2, 0xc7); /* FIFO on, cleared */
	outb(COM1 + 4, 0x03); /* DTR + RTS */
}

static void serial_putc_raw(char c)
{
	/* Bounded wait: a missing UART must not hang a panic. */
	for (int i = 0; i < 100000; i++) {
		if (inb(COM1 + 5) & 0x20)
			break;
		pause();
	}
	outb(COM1, (uint8_t)c);
}

void serial_putc(char c)
{
	if (c == '\n')
		serial_putc_raw('\r');
	serial_putc_raw(c);
}
