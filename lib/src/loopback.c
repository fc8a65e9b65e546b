/*
 * loopback.c - the host transport: a Call runs the registered dispatcher
 * in the caller, through the same request structure the target's service
 * loop builds, so server code and stubs are tested unchanged on the host.
 * The request is copied out of the buffer first, as the kernel's copy
 * separates the two sides on the target.
 *
 * Caps live in one table for the whole program (capos/transport.h):
 *  - a slot is empty, an endpoint (a reference to a service binding and
 *    the badge its calls carry), or a plain object (a token);
 *  - a binding lives while some slot refers to it, and keeps its failure
 *    injection and delivery count across every cap to it;
 *  - caps move or copy the way the kernel's transfer does: all or none,
 *    into the first free slots, a cap moved twice in one message refused.
 */
#include <string.h>

#include <capos/transport.h>

#define SLOTS CAPOS_LOOPBACK_SLOTS

struct binding {
	uint32_t refs; /* slots naming it; 0: free */
	struct capos_rpc_service svc;
	capos_status_t fail_status;
	int fail_count;
	uint64_t delivered;
};

enum slot_kind { SLOT_EMPTY = 0, SLOT_ENDPOINT, SLOT_OBJECT };

struct slot {
	enum slot_kind kind;
	uint32_t binding; /* ENDPOINT: index into bindings */
	uint64_t badge;   /* ENDPOINT */
	uint64_t token;   /* OBJECT */
};

static struct binding bindings[SLOTS];
static struct slot slots[SLOTS];
static uint8_t buffer[CAPOS_TRANSPORT_BUFFER_SIZE];
static uint8_t request[CAPOS_TRANSPORT_BUFFER_SIZE];

uint8_t *capos_transport_buffer(void)
{
	return buffer;
}

static void slot_clear(capos_cap_t c)
{
	if (c >= SLOTS)
		return;
	if (slots[c].kind == SLOT_ENDPOINT && bindings[slots[c].binding].refs)
		bindings[slots[c].binding].refs--;
	memset(&slots[c], 0, sizeof(slots[c]));
}

/* A copy of slot src into the empty slot dst. */
static void slot_copy(capos_cap_t src, capos_cap_t dst)
{
	slots[dst] = slots[src];
	if (slots[dst].kind == SLOT_ENDPOINT)
		bindings[slots[dst].binding].refs++;
}

static capos_cap_t first_free(void)
{
	for (capos_cap_t c = 0; c < SLOTS; c++)
		if (slots[c].kind == SLOT_EMPTY)
			return c;
	return CAPOS_NO_CAP;
}

static uint32_t free_count(void)
{
	uint32_t n = 0;
	for (capos_cap_t c = 0; c < SLOTS; c++)
		n += slots[c].kind == SLOT_EMPTY;
	return n;
}

void capos_loopback_register(capos_cap_t cap, struct capos_rpc_service svc, uint64_t badge)
{
	if (cap >= SLOTS)
		return;
	slot_clear(cap);
	uint32_t b = 0;
	while (b < SLOTS && bindings[b].refs)
		b++;
	if (b == SLOTS)
		return; /* every slot names its own binding: cannot happen */
	memset(&bindings[b], 0, sizeof(bindings[b]));
	bindings[b].refs = 1;
	bindings[b].svc = svc;
	slots[cap].kind = SLOT_ENDPOINT;
	slots[cap].binding = b;
	slots[cap].badge = badge;
}

void capos_loopback_reset(void)
{
	memset(bindings, 0, sizeof(bindings));
	memset(slots, 0, sizeof(slots));
}

static struct binding *binding_of(capos_cap_t cap)
{
	if (cap >= SLOTS || slots[cap].kind != SLOT_ENDPOINT)
		return NULL;
	return &bindings[slots[cap].binding];
}

void capos_loopback_fail_next(capos_cap_t cap, capos_status_t st, int n)
{
	struct binding *b = binding_of(cap);
	if (!b)
		return;
	b->fail_status = st;
	b->fail_count = n;
}

uint64_t capos_loopback_delivered(capos_cap_t cap)
{
	struct binding *b = binding_of(cap);
	return b ? b->delivered : 0;
}

capos_cap_t capos_loopback_new_object(uint64_t token)
{
	capos_cap_t c = first_free();
	if (c == CAPOS_NO_CAP)
		return c;
	slots[c].kind = SLOT_OBJECT;
	slots[c].token = token;
	return c;
}

capos_cap_t capos_loopback_mint(capos_cap_t ep, uint64_t badge)
{
	if (!binding_of(ep))
		return CAPOS_NO_CAP;
	capos_cap_t c = first_free();
	if (c == CAPOS_NO_CAP)
		return c;
	slot_copy(ep, c);
	slots[c].badge = badge;
	return c;
}

int capos_loopback_cap_present(capos_cap_t cap)
{
	return cap < SLOTS && slots[cap].kind != SLOT_EMPTY;
}

uint64_t capos_loopback_cap_token(capos_cap_t cap)
{
	return cap < SLOTS && slots[cap].kind == SLOT_OBJECT ? slots[cap].token : 0;
}

uint32_t capos_loopback_caps_used(void)
{
	return SLOTS - free_count();
}

void capos_transport_drop(const struct capos_cap_list *caps)
{
	uint32_t n = caps->count <= CAPOS_MSG_MAX_CAPS ? caps->count : CAPOS_MSG_MAX_CAPS;
	for (uint32_t i = 0; i < n; i++)
		if (caps->cap[i] != CAPOS_NO_CAP)
			slot_clear(caps->cap[i]);
}

/* The kernel's transfer (kern/object/endpoint.c transfer_caps): every cap
 * checked first, then each copied or moved into the first free slot; *to
 * lists the new slots. */
static capos_status_t transfer(const struct capos_cap_list *l, struct capos_cap_list *to)
{
	*to = (struct capos_cap_list){ .count = 0 };
	if (!l || l->count == 0)
		return CAPOS_OK;
	if (l->count > CAPOS_MSG_MAX_CAPS)
		return CAPOS_INVALID_ARGUMENT;
	for (uint32_t i = 0; i < l->count; i++) {
		capos_cap_t c = l->cap[i];
		int move = (l->move >> i) & 1;
		if (!capos_loopback_cap_present(c))
			return CAPOS_INVALID_CAP;
		for (uint32_t j = 0; j < i; j++)
			if (l->cap[j] == c && (move || ((l->move >> j) & 1)))
				return CAPOS_INVALID_ARGUMENT; /* moved twice */
	}
	/* Each new slot is found while its source still holds its own. */
	if (free_count() < l->count)
		return CAPOS_LIMIT_EXCEEDED;
	for (uint32_t i = 0; i < l->count; i++) {
		capos_cap_t c = l->cap[i];
		capos_cap_t d = first_free();
		if ((l->move >> i) & 1) {
			/* As the kernel's: a new slot, the source left empty. */
			slots[d] = slots[c];
			memset(&slots[c], 0, sizeof(slots[c]));
		} else {
			slot_copy(c, d);
		}
		to->cap[to->count++] = d;
	}
	return CAPOS_OK;
}

capos_status_t capos_transport_call(capos_cap_t cap, uint64_t label, uint32_t len,
				    const struct capos_cap_list *send, uint64_t *reply_label,
				    uint32_t *reply_len, struct capos_cap_list *received)
{
	if (received)
		*received = (struct capos_cap_list){ .count = 0 };
	if (cap >= SLOTS || slots[cap].kind == SLOT_EMPTY)
		return CAPOS_INVALID_CAP;
	if (slots[cap].kind != SLOT_ENDPOINT)
		return CAPOS_WRONG_TYPE;
	struct binding *b = &bindings[slots[cap].binding];
	if (len > CAPOS_TRANSPORT_BUFFER_SIZE)
		return CAPOS_INVALID_ARGUMENT;
	if (b->fail_count > 0) {
		b->fail_count--;
		return b->fail_status; /* before the server: nothing moves */
	}
	struct capos_rpc_request rq = {
		.label = label,
		.badge = slots[cap].badge,
		.client = NULL,
		.body = request,
		.len = len,
		.out = buffer,
		.out_cap = CAPOS_TRANSPORT_BUFFER_SIZE,
		.out_len = 0,
	};
	capos_status_t st = transfer(send, &rq.caps_in);
	if (st != CAPOS_OK)
		return st; /* the kernel refuses the send: the server never sees it */
	b->delivered++;
	memcpy(request, buffer, len);
	struct capos_rpc_service svc = b->svc; /* the call may re-register */
	st = capos_rpc_service_dispatch(&svc, &rq);
	struct capos_cap_list drop, got;
	capos_rpc_settle(&rq, st, &drop);
	capos_status_t tst = transfer(&rq.caps_out, &got);
	if (tst != CAPOS_OK) {
		/* As the kernel: the caller wakes with the transfer's status and
		 * the caps the reply named stay where they were. */
		capos_transport_drop(&drop);
		return tst;
	}
	capos_transport_drop(&drop);
	*reply_label = (uint64_t)st;
	*reply_len = st == CAPOS_OK ? rq.out_len : 0;
	if (received)
		*received = got;
	else
		capos_transport_drop(&got);
	return CAPOS_OK;
}
