/*
 * ioport.c - IOPort: a range of x86 I/O ports [base, base + count). The
 * root task gets every port; narrower caps come from SUBRANGE, so a driver
 * holds only its device's ports.
 *
 * Invariants:
 *  - a method touches only ports inside the invoked cap's range (DENIED
 *    otherwise), and a SUBRANGE cap lies inside its source's range with at
 *    most the source's rights: authority only ever narrows;
 *  - IN needs READ, OUT needs WRITE, WRITE_STRING both (it polls a status
 *    port); SUBRANGE needs no right of its own;
 *  - WRITE_STRING reads the status port at most CAPOS_IOPORT_POLL_MAX
 *    times per call (about a millisecond on real hardware, where an inb
 *    costs a microsecond): a device that is not ready by then ends the call
 *    with WOULD_BLOCK and the count of bytes written, it never holds the
 *    kernel (interrupts are off for the whole call).
 *
 * The rights are checked here, in the handlers, after the argument and
 * range checks, not by the generic table check (object/method.h): that is
 * the order callers have always seen (a bad width is INVALID_ARGUMENT even
 * on a cap without the right), kept as it is.
 */
#include <stddef.h>

#include "core/platform.h"
#include "object/method.h"
#include "object/objects.h"
#include "object/process.h"
#include "object/thread.h"

static int port_ok(const struct ioport *io, uint32_t port, uint32_t width)
{
	return port >= io->base && port + width <= io->base + io->count;
}

static int width_ok(uint8_t width)
{
	return width == 1 || width == 2 || width == 4;
}

static capos_status_t m_in(struct thread *t, struct cap *c, void *args)
{
	struct capos_ioport *a = args;
	if (!width_ok(a->width))
		return CAPOS_INVALID_ARGUMENT;
	if (!port_ok((struct ioport *)c->obj, a->port, a->width) ||
	    !(c->rights & CAPOS_RIGHT_READ))
		return CAPOS_DENIED;
	a->value = port_in(a->port, a->width);
	return kmethod_reply(t, a, sizeof(*a));
}

static capos_status_t m_out(struct thread *t, struct cap *c, void *args)
{
	(void)t;
	const struct capos_ioport *a = args;
	if (!width_ok(a->width))
		return CAPOS_INVALID_ARGUMENT;
	if (!port_ok((struct ioport *)c->obj, a->port, a->width) ||
	    !(c->rights & CAPOS_RIGHT_WRITE))
		return CAPOS_DENIED;
	port_out(a->port, a->width, a->value);
	return CAPOS_OK;
}

/* Variable length: args is the header; the bytes follow it in the body. */
static capos_status_t m_write_string(struct thread *t, struct cap *c, void *args)
{
	const struct capos_ioport_string *a = args;
	const struct ioport *io = (const struct ioport *)c->obj;
	uint32_t len = a->len;
	uint16_t port = a->port, status = a->status_port;
	uint8_t mask = a->ready_mask;
	if (len > CAPOS_IOPORT_STRING_MAX ||
	    t->ipc->len < offsetof(struct capos_ioport_string, data) + len)
		return CAPOS_INVALID_ARGUMENT;
	if (!(c->rights & CAPOS_RIGHT_WRITE) || !(c->rights & CAPOS_RIGHT_READ) ||
	    !port_ok(io, port, 1) || (mask && !port_ok(io, status, 1)))
		return CAPOS_DENIED;
	const uint8_t *data = ((const struct capos_ioport_string *)(const void *)t->ipc->body)->data;
	/* A device that never gets ready must not hold the kernel: the whole
	 * call may poll the status port a small bounded number of times. */
	uint32_t budget = CAPOS_IOPORT_POLL_MAX;
	struct capos_ioport_written w = { 0, 0 };
	for (; w.written < len; w.written++) {
		while (mask && !(port_in(status, 1) & mask)) {
			if (--budget == 0) {
				kmethod_reply(t, &w, sizeof(w));
				return CAPOS_WOULD_BLOCK;
			}
		}
		port_out(port, 1, data[w.written]);
	}
	return CAPOS_OK; /* the body as it was: callers may still read it */
}

static capos_status_t m_subrange(struct thread *t, struct cap *c, void *args)
{
	const struct capos_ioport_range *a = args;
	if (a->count == 0 || !port_ok((struct ioport *)c->obj, a->base, a->count))
		return CAPOS_DENIED;
	if (ct_free_count(&t->proc->ct) == 0)
		return CAPOS_LIMIT_EXCEEDED;
	capos_status_t st;
	struct ioport *n = kobj_alloc(CAPOS_CAP_IOPORT, t->proc, &st);
	if (!n)
		return st;
	n->base = a->base;
	n->count = a->count;
	return kmethod_new_cap(t, &n->obj, CAPOS_CAP_IOPORT, c->rights);
}

static const struct kmethod methods[] = {
	[CAPOS_IOPORT_IN] = { m_in, KM_ARGS(struct capos_ioport), 0, 0 },
	[CAPOS_IOPORT_OUT] = { m_out, KM_ARGS(struct capos_ioport), 0, 0 },
	[CAPOS_IOPORT_SUBRANGE] = { m_subrange, KM_ARGS(struct capos_ioport_range), 0, 0 },
	[CAPOS_IOPORT_WRITE_STRING] = { m_write_string,
					KM_HEADER(struct capos_ioport_string, data), 0, 0 },
};

const struct kmethod_table ioport_methods = KMETHOD_TABLE(methods, 0, NULL);
