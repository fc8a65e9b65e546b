/*
 * irq_serial.c - a userspace COM1 receive driver driven by IRQ 4.
 *
 * Gets an IRQHandler for ISA IRQ 4 that signals bit 0x10 on a fresh
 * notification, turns on the UART's receive interrupt, prints a ready line,
 * then reads two lines of input interrupt by interrupt: Wait, drain the
 * receive FIFO through the IOPort cap, ack. It echoes each line with the
 * number of interrupts so far and the kernel's own count for vector 0x34
 * (they must agree: the pin stays masked from each interrupt to its ack,
 * and a line is reported before that ack; the last interrupt is never
 * acked), and exits with the sum of both lines' bytes mod 256, so the test
 * also checks the bytes arrived intact. The second line only arrives after
 * the first echo, so it needs at least one ack to have unmasked the pin.
 *
 * Any failure exits with 200 + the step number, so the transcript says
 * which step broke.
 */
#include <stddef.h>
#include <stdint.h>

#include <capos/abi.h>
#include <capos/kernel.h>
#include <capos/syscall.h>
#include <capos/uart.h>


#define IRQ_BIT   0x10ull
#define IRQ_VEC   (0x30u + COM1_IRQ)
#define LINE_MAX  64u
#define LINES     2

int main(void);

static void put(const char *s, uint32_t len)
{
	capos_port_write_string(CAPOS_ROOT_IOPORT, COM1, COM1_LSR, LSR_THRE, s, len);
}

/* A line builder: no libc here, and the line needs just text and numbers. */
struct line {
	char buf[160];
	uint32_t len;
};

static void add_str(struct line *l, const char *s)
{
	while (*s && l->len < sizeof(l->buf))
		l->buf[l->len++] = *s++;
}

static void add_bytes(struct line *l, const char *s, uint32_t n)
{
	for (uint32_t i = 0; i < n && l->len < sizeof(l->buf); i++)
		l->buf[l->len++] = s[i];
}

static void add_u64(struct line *l, uint64_t v)
{
	char tmp[20];
	uint32_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n && l->len < sizeof(l->buf))
		l->buf[l->len++] = tmp[--n];
}

static uint8_t in8(uint16_t port, int *ok)
{
	uint32_t v = 0;
	if (capos_port_in(CAPOS_ROOT_IOPORT, port, 1, &v) != CAPOS_OK)
		*ok = 0;
	return (uint8_t)v;
}

static int out8(uint16_t port, uint8_t v)
{
	return capos_port_out(CAPOS_ROOT_IOPORT, port, 1, v) == CAPOS_OK;
}

/* "irq_serial: line L: got N bytes '<text>' after K interrupts; kernel
 * counted C". Runs before the ack, so the kernel's count for the vector
 * must equal ours exactly. */
static int report(int line, const char *text, uint32_t n, uint64_t interrupts)
{
	uint64_t kernel_count = 0;
	if (capos_kinfo_irq_count(CAPOS_ROOT_KERNEL_INFO, IRQ_VEC, &kernel_count) != CAPOS_OK)
		return -1;
	struct line l = { .len = 0 };
	add_str(&l, "irq_serial: line ");
	add_u64(&l, (uint64_t)line);
	add_str(&l, ": got ");
	add_u64(&l, n);
	add_str(&l, " bytes '");
	add_bytes(&l, text, n);
	add_str(&l, "' after ");
	add_u64(&l, interrupts);
	add_str(&l, " interrupts; kernel counted ");
	add_u64(&l, kernel_count);
	add_str(&l, "\n");
	put(l.buf, l.len);
	return 0;
}

int main(void)
{
	uint32_t ntfn, handler;
	if (capos_notification_create(CAPOS_ROOT_PROCESS, &ntfn) != CAPOS_OK)
		return 201;
	if (capos_irq_get(CAPOS_ROOT_IRQ_CONTROL, COM1_IRQ, ntfn, IRQ_BIT, &handler) !=
	    CAPOS_OK)
		return 202;

	/* Drop anything received before we were listening, then ask for an
	 * interrupt per byte (FIFO on, trigger level 1) so the count does not
	 * hinge on the UART's character timeout. */
	int ok = 1;
	for (int i = 0; i < 64 && (in8(COM1_LSR, &ok) & LSR_DATA); i++)
		(void)in8(COM1_RBR, &ok);
	uint8_t mcr = in8(COM1_MCR, &ok);
	if (!ok || !out8(COM1_FCR, 0x01) || !out8(COM1_MCR, (uint8_t)(mcr | MCR_OUT2)) ||
	    !out8(COM1_IER, IER_RDA))
		return 203;

	static const char ready[] = "irq_serial: ready\n";
	put(ready, sizeof(ready) - 1);

	/* Bytes drained but not yet part of an echoed line. Every interrupt
	 * drains the FIFO completely, whatever it holds: with an edge-triggered
	 * pin, bytes left behind would keep the UART's line high and no new
	 * edge would ever come. */
	char pend[LINE_MAX];
	uint32_t npend = 0;
	uint64_t interrupts = 0;
	uint32_t sum = 0;
	for (int line = 1; line <= LINES;) {
		if (capos_wait(ntfn, CAPOS_WAIT_FOREVER) != CAPOS_OK)
			return 204;
		if (capos_ipc()->signals != IRQ_BIT)
			return 205;
		interrupts++;
		while (in8(COM1_LSR, &ok) & LSR_DATA) {
			uint8_t c = in8(COM1_RBR, &ok);
			if (npend < LINE_MAX)
				pend[npend++] = (char)c;
		}
		if (!ok)
			return 206;

		/* Echo every complete line drained so far. */
		uint32_t i = 0;
		while (line <= LINES) {
			uint32_t end = i;
			while (end < npend && pend[end] != '\r' && pend[end] != '\n')
				end++;
			if (end == npend)
				break; /* no terminator yet: wait for more */
			if (end > i) { /* skip the empty line of a "\r\n" */
				if (report(line, &pend[i], end - i, interrupts) != 0)
					return 209;
				for (uint32_t j = i; j < end; j++)
					sum += (uint8_t)pend[j];
				line++;
			}
			i = end + 1;
		}
		for (uint32_t j = i; j < npend; j++) /* keep the unfinished tail */
			pend[j - i] = pend[j];
		npend -= i;
		if (npend == LINE_MAX)
			return 210; /* a line longer than the buffer */

		/* The last interrupt stays unacked (the pin masked), so no late
		 * one can land after the counts are compared with the kernel. */
		if (line <= LINES && capos_irq_ack(handler) != CAPOS_OK)
			return 207;
	}
	if (!out8(COM1_IER, 0)) /* hand the UART back quiet */
		return 208;
	return (int)(sum % 256);
}
