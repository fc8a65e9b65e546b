/*
 * console_service.h - the console server's logic (idl/console.proto), free
 * of system calls, so the same code serves on the target (main.c) and in
 * the host component test (tests/component/test_console.c).
 *
 * Three pieces of state:
 *  - an input ring of raw bytes from the UART (drop-newest when full: what
 *    was typed first is kept, the overflow is counted);
 *  - one line editor (backspace/DEL, Ctrl-U, Ctrl-C, CR/LF endings, a CRLF
 *    pair ending one line), shared by all ReadLine callers in turn: a line
 *    left unfinished by a timed-out ReadLine is continued by the next;
 *  - a FIFO of deferred readers: a Read or ReadLine that cannot be answered
 *    when it arrives is queued and answered later, from console_input()
 *    when bytes arrive or console_expire() when its deadline passes.
 *
 * Deferral protocol with the serve loop: before each dispatch the loop
 * stores in `defer_handle` what it will use to answer this caller later
 * (on the target: the call's rq->defer_slot, where the service framework
 * will keep the Reply cap), or
 * CONSOLE_NO_HANDLE when it cannot defer. An op that defers records that
 * handle and returns CONSOLE_DEFERRED; the loop then saves the reply, and
 * later the `answer` hook gets (handle, status, response).
 */
#ifndef SERVERS_CONSOLE_SERVICE_H
#define SERVERS_CONSOLE_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include <capos/port_writer.h>

#include "console.capos.h"

#define CONSOLE_RING_SIZE   1024u /* raw input bytes held for readers */
#define CONSOLE_WAITERS_MAX 8u    /* deferred readers */
/* The most bytes one answer carries (ConsoleInput.data, idl/console.options). */
#define CONSOLE_INPUT_MAX ((uint32_t)sizeof(((capos_ConsoleInput *)0)->data.bytes))
#define CONSOLE_NO_HANDLE 0xffffffffu
/* timeout_ms meaning "do not wait" (console.proto). */
#define CONSOLE_TIMEOUT_POLL 0xffffffffu
/* A deferred waiter without a deadline. */
#define CONSOLE_NO_DEADLINE UINT64_MAX

/* An op's status meaning "not answered now: save the reply": the service
 * framework's (capos/rpc.h), outside enum capos_status, so it can never be
 * mistaken for a real answer. */
#define CONSOLE_DEFERRED CAPOS_RPC_DEFERRED

/* Bytes to the UART, written as they are: one try (capos_port_try_fn).
 * WOULD_BLOCK with a count when the UART stayed busy; the console's writer
 * (`out`) goes on from there, pausing between tries, and gives up after
 * CAPOS_PORT_STALLS_MAX tries that take nothing (the rest is dropped and
 * counted in out.dropped). */
typedef capos_port_try_fn console_write_fn;
/* Answer a deferred reader: resp is meaningful only when status is OK. */
typedef void (*console_answer_fn)(void *arg, uint32_t handle, capos_status_t status,
				  const capos_ConsoleInput *resp);
/* Monotonic nanoseconds. */
typedef uint64_t (*console_clock_fn)(void *arg);

enum console_wait_kind {
	CONSOLE_WAIT_READ = 1,
	CONSOLE_WAIT_LINE = 2,
};

struct console_waiter {
	uint8_t kind;         /* enum console_wait_kind */
	uint8_t echo;         /* ReadLine: echo */
	uint32_t max;         /* 1..CONSOLE_INPUT_MAX */
	uint64_t deadline_ns; /* CONSOLE_NO_DEADLINE: until input comes */
	uint32_t handle;      /* the loop's, from defer_handle */
};

/* Escape-sequence states of the line editor (arrow keys and the like are
 * swallowed, not put into the line). */
enum console_esc {
	CONSOLE_ESC_NONE = 0,
	CONSOLE_ESC_START, /* after ESC */
	CONSOLE_ESC_CSI,   /* after ESC [ : until a final byte 0x40-0x7e */
	CONSOLE_ESC_SS3,   /* after ESC O : one more byte */
};

struct console_state {
	/* raw input */
	uint8_t ring[CONSOLE_RING_SIZE];
	uint32_t head;  /* oldest byte */
	uint32_t count; /* bytes held */
	/* line editor */
	uint8_t line[CONSOLE_INPUT_MAX];
	uint32_t line_len;
	uint8_t skip_lf; /* the last line ended with CR: a following LF is its pair */
	uint8_t esc;     /* enum console_esc */
	/* deferred readers, oldest first */
	struct console_waiter waiters[CONSOLE_WAITERS_MAX];
	uint32_t nwaiters;
	/* set by the loop before each dispatch (see above) */
	uint32_t defer_handle;
	/* hooks */
	struct capos_port_writer out; /* the UART: its try, pause, counts */
	console_answer_fn answer;
	void *answer_arg;
	console_clock_fn clock; /* NULL: no clock, finite timeouts do not wait */
	void *clock_arg;
	/* counters */
	uint64_t overflow;    /* input bytes dropped because the ring was full */
	uint64_t bytes_in;    /* input bytes taken from the UART */
	uint64_t bytes_out;   /* bytes written for Write (lost ones: out.dropped) */
	uint64_t deferred;    /* reads that were deferred */
	uint64_t timeouts;    /* deferred reads answered TIMEOUT */
};

/* The writer pauses with nothing in between tries; main.c sets
 * s->out.pause (a yield) after this. */
void console_init(struct console_state *s, console_write_fn write, void *write_arg,
		  console_answer_fn answer, void *answer_arg, console_clock_fn clock,
		  void *clock_arg);

/* Bytes from the UART: into the ring (beyond its room they are dropped and
 * counted), then deferred readers are answered in order while they can be. */
void console_input(struct console_state *s, const uint8_t *data, uint32_t len);

/* Answers TIMEOUT to every deferred reader whose deadline is <= now. */
void console_expire(struct console_state *s, uint64_t now_ns);

/* The earliest deadline of a deferred reader, or CONSOLE_NO_DEADLINE. */
uint64_t console_next_deadline(const struct console_state *s);

/* How long the loop may block at now_ns: CONSOLE_NO_DEADLINE (forever), 0
 * (a deadline has passed: poll), else the nanoseconds to the earliest. */
uint64_t console_wait_ns(const struct console_state *s, uint64_t now_ns);

/* Takes a waiter out without answering it (the loop could not save its
 * reply); returns whether it was there. */
int console_cancel(struct console_state *s, uint32_t handle);

/* Answers every deferred reader with `status` (the server is leaving). */
void console_answer_all(struct console_state *s, capos_status_t status);

extern const struct console_ops console_service_ops;

#endif
