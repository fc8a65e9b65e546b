/* IOPort WRITE_STRING is bounded (issue 12): the kernel polls the status
 * port at most CAPOS_IOPORT_POLL_MAX times per call, interrupts off, so a
 * device that never gets ready ends the call at once with WOULD_BLOCK and
 * the count of bytes written (0), instead of holding the machine for a
 * million polls. The "device" is COM1's scratch register (port 0x3ff),
 * which reads back what was last written: 0x00 never shows the ready bit,
 * 0x01 always does. */
#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/syscall.h>

#define COM1 0x3f8
#define COM1_SCR 0x3ff

int main(uint64_t arg);

static capos_status_t write_str(uint8_t scratch, const char *s, uint32_t len, uint32_t *written)
{
	capos_port_out(CAPOS_ROOT_IOPORT, COM1_SCR, 1, scratch);
	capos_status_t st = capos_port_write_string(CAPOS_ROOT_IOPORT, COM1, COM1_SCR, 0x01, s, len);
	const struct capos_ioport_written *w = (const void *)capos_ipc()->body;
	*written = capos_ipc()->len == sizeof(*w) ? w->written : 0xffffffffu;
	return st;
}

int main(uint64_t arg)
{
	(void)arg;
	uint32_t w1 = 0, w2 = 0;
	capos_status_t never = write_str(0x00, "lost", 4, &w1);
	capos_status_t ready = write_str(0x01, "ioport: ready\r\n", 15, &w2);
	capos_port_out(CAPOS_ROOT_IOPORT, COM1_SCR, 1, 0);
	(void)w2; /* OK leaves the body as it was: the bytes are on the line */
	capos_printf("ioport: never ready: status %ld, written %u; ready: status %ld\n",
		     (long)never, w1, (long)ready);
	return 0;
}
