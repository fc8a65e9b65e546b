/*
 * capos/port_writer.h - writing all of a text to a device that may be slow
 * (lib/src/port_writer.c): the retry loop around IOPort WRITE_STRING for
 * the console server and the runtime's direct debug output.
 *
 * The kernel polls the UART's status a bounded number of times per
 * WRITE_STRING (CAPOS_IOPORT_POLL_MAX) and answers WOULD_BLOCK with how
 * much went out. A writer then pauses (yields) and tries again from there,
 * so a slow UART loses nothing. A dead one must not hang its writer: after
 * `stalls_max` tries in a row that take no byte the rest is dropped and
 * counted, and while the device stays dead each later write gets only one
 * try (a single byte taken makes it live again).
 *
 * Pure: the device and the pause are hooks, so host tests drive it with a
 * fake device (tests/runtime/test_port_writer.c, tests/component/
 * test_console.c).
 */
#ifndef CAPOS_PORT_WRITER_H
#define CAPOS_PORT_WRITER_H

#include <stdint.h>

#include <capos/abi.h>

/* One try at writing data[0..len): OK when all of it went out, WOULD_BLOCK
 * when the device stayed busy after *written bytes (< len), anything else
 * when it refused (*written bytes went out; nothing more will). */
typedef capos_status_t (*capos_port_try_fn)(void *arg, const uint8_t *data, uint32_t len,
					    uint32_t *written);
/* Between two tries: give the device time (the target yields). */
typedef void (*capos_port_pause_fn)(void *arg);

/* Tries in a row that take no byte before a write gives up. On real
 * hardware each try polls for about a millisecond (CAPOS_IOPORT_POLL_MAX
 * status reads), more than a 16550 needs for a byte at any usual rate. */
#define CAPOS_PORT_STALLS_MAX 16u

struct capos_port_writer {
	capos_port_try_fn try_write;
	capos_port_pause_fn pause; /* NULL: try again at once */
	void *arg;                 /* for both hooks */
	uint32_t chunk_max;        /* the most bytes one try is given (0: all) */
	uint32_t stalls_max;       /* see above; at least 1 */
	uint8_t dead;              /* the last write gave up and nothing moved since */
	uint64_t written;          /* bytes that went out */
	uint64_t dropped;          /* bytes given up (device dead or refusing) */
	uint64_t stalls;           /* WOULD_BLOCK answers that took no byte */
};

/* A writer with CAPOS_PORT_STALLS_MAX and no chunk limit. */
void capos_port_writer_init(struct capos_port_writer *w, capos_port_try_fn try_write,
			    capos_port_pause_fn pause, void *arg);

/* Writes all of data[0..len) in order, each try starting where the last
 * stopped. OK: all written. TIMEOUT: the device took nothing in
 * stalls_max tries in a row (one while it is dead). Another status: a try
 * refused so. On anything but OK the rest is dropped and counted;
 * *written (NULL: not wanted) says how many bytes went out. */
capos_status_t capos_port_writer_write(struct capos_port_writer *w, const void *data,
				       uint32_t len, uint32_t *written);

/* The target's try for COM1 (lib/src/debug.c; arg points at the IOPort
 * cap): one WRITE_STRING to the transmit register, gated on LSR_THRE, of
 * at most CAPOS_IOPORT_STRING_MAX bytes, reading WOULD_BLOCK's count from
 * the reply. */
capos_status_t capos_uart_try_write(void *arg, const uint8_t *data, uint32_t len,
				    uint32_t *written);
/* The target's pause: capos_yield. */
void capos_uart_pause(void *arg);

#endif
