/*
 * console_service.c - the console server's logic (console_service.h): the
 * input ring, the line editor, the deferred-reader FIFO and its deadlines,
 * and the ops table for the generated Console dispatcher. No system calls:
 * the UART, the reply caps and the clock are behind hooks.
 */
#include <string.h>

#include <capos/service.h>

#include "console_service.h"

#define NS_PER_MS 1000000ull

#define CH_CTRL_C 0x03
#define CH_BS     0x08
#define CH_LF     0x0a
#define CH_CR     0x0d
#define CH_CTRL_U 0x15
#define CH_ESC    0x1b
#define CH_DEL    0x7f

void console_init(struct console_state *s, console_write_fn write, void *write_arg,
		  console_answer_fn answer, void *answer_arg, console_clock_fn clock,
		  void *clock_arg)
{
	memset(s, 0, sizeof(*s));
	s->defer_handle = CONSOLE_NO_HANDLE;
	capos_port_writer_init(&s->out, write, NULL, write_arg);
	s->answer = answer;
	s->answer_arg = answer_arg;
	s->clock = clock;
	s->clock_arg = clock_arg;
}

/* ---- echo: collected per batch of input, written in as few port calls
 * as possible ---- */

struct echo {
	uint8_t buf[128];
	uint32_t len;
};

static void echo_flush(struct console_state *s, struct echo *e)
{
	if (e->len && s->out.try_write)
		(void)capos_port_writer_write(&s->out, e->buf, e->len, NULL); /* best effort */
	e->len = 0;
}

static void echo_put(struct console_state *s, struct echo *e, const char *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (e->len == sizeof(e->buf))
			echo_flush(s, e);
		e->buf[e->len++] = (uint8_t)p[i];
	}
}

/* ---- the line editor ---- */

/* Removes the last character (a whole UTF-8 sequence: continuation bytes
 * and their lead byte), echoing one "\b \b" for it. */
static void erase_char(struct console_state *s, struct echo *e, int echo)
{
	if (!s->line_len)
		return;
	while (s->line_len > 1 && (s->line[s->line_len - 1] & 0xc0) == 0x80)
		s->line_len--;
	s->line_len--;
	if (echo)
		echo_put(s, e, "\b \b", 3);
}

/* Feeds one byte to the editor; returns 1 when it ended the line (the line
 * is then line[0..line_len)). */
static int edit(struct console_state *s, struct echo *e, uint8_t c, int echo, uint32_t max)
{
	if (s->skip_lf) {
		s->skip_lf = 0;
		if (c == CH_LF)
			return 0; /* the LF of a CRLF whose CR ended the last line */
	}
	switch (s->esc) {
	case CONSOLE_ESC_START:
		s->esc = c == '[' ? CONSOLE_ESC_CSI : c == 'O' ? CONSOLE_ESC_SS3 : CONSOLE_ESC_NONE;
		return 0;
	case CONSOLE_ESC_CSI:
		if (c >= 0x40 && c <= 0x7e)
			s->esc = CONSOLE_ESC_NONE;
		return 0;
	case CONSOLE_ESC_SS3:
		s->esc = CONSOLE_ESC_NONE;
		return 0;
	default:
		break;
	}
	switch (c) {
	case CH_CR:
		s->skip_lf = 1;
		/* fall through */
	case CH_LF:
		if (echo)
			echo_put(s, e, "\r\n", 2);
		return 1;
	case CH_BS:
	case CH_DEL:
		erase_char(s, e, echo);
		return 0;
	case CH_CTRL_U:
		while (s->line_len)
			erase_char(s, e, echo);
		return 0;
	case CH_CTRL_C:
		/* Abandon the line: the caller gets the one byte 0x03, so it can
		 * tell an interrupted line from an empty one. */
		s->line[0] = CH_CTRL_C;
		s->line_len = 1;
		if (echo)
			echo_put(s, e, "^C\r\n", 4);
		return 1;
	case CH_ESC:
		s->esc = CONSOLE_ESC_START;
		return 0;
	default:
		break;
	}
	if (c < 0x20 && c != '\t')
		return 0; /* other control bytes have no meaning in a line */
	if (s->line_len >= max)
		return 0; /* full: dropped until the line ends or is edited */
	s->line[s->line_len++] = c;
	if (echo)
		echo_put(s, e, (const char *)&c, 1);
	return 0;
}

/* ---- serving one reader from what is buffered ---- */

static uint8_t ring_take(struct console_state *s)
{
	uint8_t c = s->ring[s->head];
	s->head = (s->head + 1) % CONSOLE_RING_SIZE;
	s->count--;
	return c;
}

/* Tries to answer a reader from the ring. READ: up to max bytes, if any.
 * LINE: feeds the editor until a line ends (answered) or the ring is empty
 * (not answered; what was fed stays in the editor). */
static int try_serve(struct console_state *s, struct echo *e, uint8_t kind, uint32_t max,
		     int echo, capos_ConsoleInput *resp)
{
	memset(resp, 0, sizeof(*resp));
	if (kind == CONSOLE_WAIT_READ) {
		if (!s->count)
			return 0;
		uint32_t n = 0;
		while (n < max && s->count)
			resp->data.bytes[n++] = ring_take(s);
		resp->data.size = (pb_size_t)n;
		/* A raw reader took the bytes: a pending CRLF pairing is moot. */
		s->skip_lf = 0;
		return 1;
	}
	/* A shorter max than the unfinished line (left by an earlier reader)
	 * cuts it. */
	if (s->line_len > max)
		s->line_len = max;
	while (s->count) {
		if (edit(s, e, ring_take(s), echo, max)) {
			/* The LF of a CRLF already here goes with its line. One
			 * that comes later is skipped by the next ReadLine (edit)
			 * but given to a raw Read as typed. */
			if (s->skip_lf && s->count && s->ring[s->head] == CH_LF) {
				(void)ring_take(s);
				s->skip_lf = 0;
			}
			memcpy(resp->data.bytes, s->line, s->line_len);
			resp->data.size = (pb_size_t)s->line_len;
			s->line_len = 0;
			return 1;
		}
	}
	return 0;
}

static void pop_waiter(struct console_state *s, uint32_t i)
{
	memmove(&s->waiters[i], &s->waiters[i + 1],
		(s->nwaiters - i - 1) * sizeof(s->waiters[0]));
	s->nwaiters--;
}

/* Answers deferred readers, oldest first, while the ring satisfies them.
 * Afterwards, if any reader is still waiting, the ring is empty. */
static void pump(struct console_state *s)
{
	struct echo e = { .len = 0 };
	while (s->nwaiters) {
		struct console_waiter w = s->waiters[0];
		capos_ConsoleInput resp;
		if (!try_serve(s, &e, w.kind, w.max, w.echo, &resp))
			break;
		pop_waiter(s, 0);
		echo_flush(s, &e); /* the echoed line ending before the answer */
		if (s->answer)
			s->answer(s->answer_arg, w.handle, CAPOS_OK, &resp);
	}
	echo_flush(s, &e);
}

void console_input(struct console_state *s, const uint8_t *data, uint32_t len)
{
	s->bytes_in += len;
	for (uint32_t i = 0; i < len; i++) {
		if (s->count == CONSOLE_RING_SIZE) {
			s->overflow += len - i; /* drop-newest: keep what came first */
			break;
		}
		s->ring[(s->head + s->count) % CONSOLE_RING_SIZE] = data[i];
		s->count++;
		/* Serve as we go, so a burst larger than the ring still reaches a
		 * waiting reader instead of overflowing. */
		if (s->nwaiters && s->count == CONSOLE_RING_SIZE)
			pump(s);
	}
	pump(s);
}

void console_expire(struct console_state *s, uint64_t now_ns)
{
	uint32_t i = 0;
	while (i < s->nwaiters) {
		struct console_waiter w = s->waiters[i];
		if (w.deadline_ns > now_ns) {
			i++;
			continue;
		}
		pop_waiter(s, i);
		s->timeouts++;
		if (s->answer)
			s->answer(s->answer_arg, w.handle, CAPOS_TIMEOUT, NULL);
	}
	pump(s); /* no-op by the invariant; kept so the invariant cannot rot */
}

uint64_t console_next_deadline(const struct console_state *s)
{
	uint64_t d = CONSOLE_NO_DEADLINE;
	for (uint32_t i = 0; i < s->nwaiters; i++)
		if (s->waiters[i].deadline_ns < d)
			d = s->waiters[i].deadline_ns;
	return d;
}

uint64_t console_wait_ns(const struct console_state *s, uint64_t now_ns)
{
	uint64_t d = console_next_deadline(s);
	if (d == CONSOLE_NO_DEADLINE)
		return CONSOLE_NO_DEADLINE;
	return d <= now_ns ? 0 : d - now_ns;
}

int console_cancel(struct console_state *s, uint32_t handle)
{
	for (uint32_t i = 0; i < s->nwaiters; i++) {
		if (s->waiters[i].handle == handle) {
			pop_waiter(s, i);
			return 1;
		}
	}
	return 0;
}

void console_answer_all(struct console_state *s, capos_status_t status)
{
	while (s->nwaiters) {
		uint32_t h = s->waiters[0].handle;
		pop_waiter(s, 0);
		if (s->answer)
			s->answer(s->answer_arg, h, status, NULL);
	}
}

/* ---- the ops ---- */

static uint32_t clamp_max(uint32_t max)
{
	return max == 0 || max > CONSOLE_INPUT_MAX ? CONSOLE_INPUT_MAX : max;
}

/* Queues the current caller, or says why it cannot wait. */
static capos_status_t defer(struct console_state *s, uint8_t kind, uint32_t max, int echo,
			    uint32_t timeout_ms)
{
	uint64_t deadline = CONSOLE_NO_DEADLINE;
	if (timeout_ms != 0) {
		/* Without a clock a finite wait could never be ended on time:
		 * such a read does not wait at all. */
		if (!s->clock)
			return CAPOS_TIMEOUT;
		uint64_t now = s->clock(s->clock_arg);
		uint64_t span = (uint64_t)timeout_ms * NS_PER_MS;
		deadline = now + span < now ? CONSOLE_NO_DEADLINE - 1 : now + span;
	}
	if (s->defer_handle == CONSOLE_NO_HANDLE || s->nwaiters == CONSOLE_WAITERS_MAX)
		return CAPOS_LIMIT_EXCEEDED;
	s->waiters[s->nwaiters++] = (struct console_waiter){
		.kind = kind,
		.echo = (uint8_t)(echo != 0),
		.max = max,
		.deadline_ns = deadline,
		.handle = s->defer_handle,
	};
	s->defer_handle = CONSOLE_NO_HANDLE; /* used: one deferral per call */
	s->deferred++;
	return CONSOLE_DEFERRED;
}

static capos_status_t do_write(void *ctx, struct capos_rpc_request *rq,
			       const capos_ConsoleWrite *req, capos_ConsoleWriteResult *resp)
{
	struct console_state *s = ctx;
	(void)rq;
	/* A slow UART is waited for (the writer retries from where it
	 * stopped); one that takes nothing for the bound is given up:
	 * TIMEOUT, the rest dropped and counted (out.dropped). A refusal is
	 * its own status. */
	uint32_t n = req->data.size;
	capos_status_t st = CAPOS_OK;
	if (n && s->out.try_write)
		st = capos_port_writer_write(&s->out, req->data.bytes, req->data.size, &n);
	s->bytes_out += n;
	resp->written = n;
	return st;
}

/* Read and ReadLine: answered now when nobody is queued ahead and the ring
 * has what it takes; else polled (WOULD_BLOCK) or deferred. */
static capos_status_t do_input(struct console_state *s, uint8_t kind, uint32_t max, int echo,
			       uint32_t timeout_ms, capos_ConsoleInput *resp)
{
	max = clamp_max(max);
	if (!s->nwaiters) {
		struct echo e = { .len = 0 };
		int done = try_serve(s, &e, kind, max, echo, resp);
		echo_flush(s, &e);
		if (done)
			return CAPOS_OK;
	}
	if (timeout_ms == CONSOLE_TIMEOUT_POLL)
		return CAPOS_WOULD_BLOCK;
	return defer(s, kind, max, echo, timeout_ms);
}

/* The operator's keystrokes go only to the holder of the input grant
 * (CAPOS_BADGE_INPUT in its badge, set by init): anyone else granted the
 * console to write is DENIED before it can take a byte or a waiter slot. */
static int may_read(const struct capos_rpc_request *rq)
{
	return (rq->badge & CAPOS_BADGE_INPUT) != 0;
}

static capos_status_t do_read_line(void *ctx, struct capos_rpc_request *rq,
				   const capos_ConsoleReadLine *req, capos_ConsoleInput *resp)
{
	if (!may_read(rq))
		return CAPOS_DENIED;
	return do_input(ctx, CONSOLE_WAIT_LINE, req->max, req->echo, req->timeout_ms, resp);
}

static capos_status_t do_read(void *ctx, struct capos_rpc_request *rq,
			      const capos_ConsoleRead *req, capos_ConsoleInput *resp)
{
	if (!may_read(rq))
		return CAPOS_DENIED;
	return do_input(ctx, CONSOLE_WAIT_READ, req->max, 0, req->timeout_ms, resp);
}

const struct console_ops console_service_ops = {
	.write = do_write,
	.read_line = do_read_line,
	.read = do_read,
};
