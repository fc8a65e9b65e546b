/*
 * loopback.c - the host transport: a Call runs the registered dispatcher
 * in the caller, through the same request structure the target's service
 * loop builds, so server code and stubs are tested unchanged on the host.
 * The request is copied out of the buffer first, as the kernel's copy
 * separates the two sides on the target.
 */
#include <string.h>

#include <capos/transport.h>

#define LOOPBACK_MAX 64

struct binding {
	capos_rpc_dispatch_fn dispatch;
	const void *ops;
	void *ctx;
	uint64_t badge;
	capos_status_t fail_status;
	int fail_count;
	uint64_t delivered;
};

static struct binding bindings[LOOPBACK_MAX];
static uint8_t buffer[CAPOS_TRANSPORT_BUFFER_SIZE];
static uint8_t request[CAPOS_TRANSPORT_BUFFER_SIZE];

uint8_t *capos_transport_buffer(void)
{
	return buffer;
}

void capos_loopback_register(capos_cap_t cap, capos_rpc_dispatch_fn dispatch,
			     const void *ops, void *ctx, uint64_t badge)
{
	if (cap >= LOOPBACK_MAX)
		return;
	bindings[cap].dispatch = dispatch;
	bindings[cap].ops = ops;
	bindings[cap].ctx = ctx;
	bindings[cap].badge = badge;
	bindings[cap].fail_count = 0;
	bindings[cap].delivered = 0;
}

void capos_loopback_fail_next(capos_cap_t cap, capos_status_t st, int n)
{
	if (cap >= LOOPBACK_MAX)
		return;
	bindings[cap].fail_status = st;
	bindings[cap].fail_count = n;
}

uint64_t capos_loopback_delivered(capos_cap_t cap)
{
	return cap < LOOPBACK_MAX ? bindings[cap].delivered : 0;
}

void capos_loopback_reset(void)
{
	memset(bindings, 0, sizeof(bindings));
}

capos_status_t capos_transport_call(capos_cap_t cap, uint64_t label, uint32_t len,
				    uint64_t *reply_label, uint32_t *reply_len)
{
	if (cap >= LOOPBACK_MAX || !bindings[cap].dispatch)
		return CAPOS_INVALID_CAP;
	if (len > CAPOS_TRANSPORT_BUFFER_SIZE)
		return CAPOS_INVALID_ARGUMENT;
	if (bindings[cap].fail_count > 0) {
		bindings[cap].fail_count--;
		return bindings[cap].fail_status;
	}
	bindings[cap].delivered++;
	memcpy(request, buffer, len);
	struct capos_rpc_request rq = {
		.label = label,
		.badge = bindings[cap].badge,
		.client = NULL,
		.body = request,
		.len = len,
		.out = buffer,
		.out_cap = CAPOS_TRANSPORT_BUFFER_SIZE,
		.out_len = 0,
	};
	capos_status_t st = bindings[cap].dispatch(bindings[cap].ops, bindings[cap].ctx, &rq);
	*reply_label = (uint64_t)st;
	*reply_len = st == CAPOS_OK ? rq.out_len : 0;
	return CAPOS_OK;
}
