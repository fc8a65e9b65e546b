/*
 * captable.c - capability table operations. Invariants in captable.h.
 *
 * Every operation validates everything first and only then changes state,
 * so an error never leaves a half-done copy or move behind.
 */
#include <stddef.h>

#include "core/panic.h"
#include "core/platform.h"
#include "object/captable.h"
#include "object/endpoint.h"

uint32_t ct_pages_for(uint32_t size)
{
	return (size + CT_SLOTS_PER_CHUNK - 1) / CT_SLOTS_PER_CHUNK;
}

capos_status_t ct_init(struct captable *ct, uint32_t size)
{
	if (size == 0 || size > CT_MAX_SLOTS)
		return CAPOS_INVALID_ARGUMENT;
	uint32_t n = ct_pages_for(size);
	for (uint32_t i = 0; i < n; i++) {
		ct->chunks[i] = page_alloc();
		if (!ct->chunks[i]) {
			for (uint32_t j = 0; j < i; j++) {
				page_free(ct->chunks[j]);
				ct->chunks[j] = NULL;
			}
			return CAPOS_NO_MEMORY;
		}
	}
	ct->size = size;
	ct->used = 0;
	ct->chunks_allocated = n;
	return CAPOS_OK;
}

/* ct_first_error (captable.h) picks the earlier check by its number. */
_Static_assert(CAPOS_INVALID_CAP < CAPOS_WRONG_TYPE && CAPOS_WRONG_TYPE < CAPOS_DENIED,
	       "lookup statuses in the order they are checked");

capos_status_t ct_lookup_typed(struct captable *ct, uint32_t slot, uint16_t type,
			       uint16_t rights, struct cap **out)
{
	struct cap *c = ct_lookup(ct, slot);
	*out = NULL;
	if (!c)
		return CAPOS_INVALID_CAP;
	if (c->type != type)
		return CAPOS_WRONG_TYPE;
	if ((c->rights & rights) != rights)
		return CAPOS_DENIED;
	*out = c;
	return CAPOS_OK;
}

uint32_t ct_find_free(struct captable *ct)
{
	/* Chunk by chunk: no division per slot (every cap transfer asks). */
	for (uint32_t k = 0, base = 0; base < ct->size; k++, base += CT_SLOTS_PER_CHUNK) {
		const struct cap *chunk = ct->chunks[k];
		uint32_t n = ct->size - base < CT_SLOTS_PER_CHUNK ? ct->size - base
								 : CT_SLOTS_PER_CHUNK;
		for (uint32_t i = 0; i < n; i++)
			if (chunk[i].type == CAPOS_CAP_NULL)
				return base + i;
	}
	return CAPOS_NO_CAP;
}

uint32_t ct_free_count(const struct captable *ct)
{
	return ct->size - ct->used;
}

static void clear(struct cap *c)
{
	c->obj = NULL;
	c->badge = 0;
	c->type = CAPOS_CAP_NULL;
	c->rights = 0;
}

capos_status_t ct_insert(struct captable *ct, uint32_t slot, struct kobj *obj,
			 uint16_t type, uint16_t rights, uint64_t badge)
{
	struct cap *c = ct_slot(ct, slot);
	if (!c)
		return CAPOS_INVALID_CAP;
	if (c->type != CAPOS_CAP_NULL)
		return CAPOS_SLOT_OCCUPIED;
	kobj_ref(obj);
	c->obj = obj;
	c->type = type;
	c->rights = rights & CAPOS_RIGHTS_ALL;
	c->badge = badge;
	ct->used++;
	return CAPOS_OK;
}

capos_status_t ct_copy(struct captable *ct, uint32_t src, uint32_t dst)
{
	return ct_mint(ct, src, ct, dst, CAPOS_RIGHTS_ALL, 0, 0);
}

capos_status_t ct_mint(struct captable *src_ct, uint32_t src, struct captable *dst_ct,
		       uint32_t dst, uint32_t rights, int set_badge, uint64_t badge)
{
	struct cap *s = ct_lookup(src_ct, src);
	if (!s)
		return CAPOS_INVALID_CAP;
	struct cap *d = ct_slot(dst_ct, dst);
	if (!d)
		return CAPOS_INVALID_ARGUMENT;
	if (d->type != CAPOS_CAP_NULL)
		return CAPOS_SLOT_OCCUPIED;
	if (set_badge && s->badge != 0)
		return CAPOS_DENIED; /* a badge, once set, is the holder's identity */
	if (s->type == CAPOS_CAP_REPLY)
		return CAPOS_DENIED; /* one-shot: copying would allow two answers */
	uint64_t new_badge = set_badge ? badge : s->badge;
	return ct_insert(dst_ct, dst, s->obj, s->type, (uint16_t)(s->rights & rights),
			 new_badge);
}

capos_status_t ct_move(struct captable *src_ct, uint32_t src, struct captable *dst_ct,
		       uint32_t dst)
{
	struct cap *s = ct_lookup(src_ct, src);
	if (!s)
		return CAPOS_INVALID_CAP;
	struct cap *d = ct_slot(dst_ct, dst);
	if (!d)
		return CAPOS_INVALID_ARGUMENT;
	if (s == d)
		return CAPOS_OK;
	if (d->type != CAPOS_CAP_NULL)
		return CAPOS_SLOT_OCCUPIED;
	/* The reference moves with the cap: no count changes. */
	*d = *s;
	clear(s);
	src_ct->used--;
	dst_ct->used++;
	return CAPOS_OK;
}

capos_status_t ct_delete(struct captable *ct, uint32_t slot)
{
	struct cap *c = ct_lookup(ct, slot);
	if (!c)
		return CAPOS_INVALID_CAP;
	struct kobj *o = c->obj;
	uint16_t type = c->type;
	uint64_t badge = c->badge;
	clear(c);
	ct->used--;
	/* A Reply cap deleted unanswered (by hand or with its table) must
	 * wake its caller with DISCONNECTED: a client never hangs. */
	if (type == CAPOS_CAP_REPLY)
		reply_cap_dropped(o, badge);
	kobj_unref(o); /* last: destruction may reach back into tables */
	return CAPOS_OK;
}

void ct_destroy(struct captable *ct)
{
	for (uint32_t s = 0; s < ct->size; s++)
		if (ct_slot(ct, s)->type != CAPOS_CAP_NULL)
			ct_delete(ct, s);
	for (uint32_t i = 0; i < ct->chunks_allocated; i++) {
		page_free(ct->chunks[i]);
		ct->chunks[i] = NULL;
	}
	ct->chunks_allocated = 0;
	ct->size = 0;
}

/* The entries of slots first.. (at most max_entries, and at most what one
 * IPC body holds) as CapabilityManager.LIST and ProcessControl.CAP_LIST
 * answer them; returns the answer's length. Reads the table only. */
uint32_t ct_list(struct captable *ct, uint32_t first, uint32_t max_entries,
		 struct capos_capmgr_list_result *r)
{
	uint32_t max = max_entries < CAPOS_CAPMGR_LIST_MAX ? max_entries : CAPOS_CAPMGR_LIST_MAX;
	uint32_t n = 0, s = first;
	for (; s < ct->size && n < max; s++) {
		struct cap *e = ct_lookup(ct, s);
		if (!e)
			continue;
		r->entries[n].slot = s;
		r->entries[n].type = e->type;
		r->entries[n].rights = e->rights;
		r->entries[n].badge = e->badge;
		r->entries[n].interface_id = e->type == CAPOS_CAP_ENDPOINT ?
			((struct endpoint *)e->obj)->interface_id : 0;
		n++;
	}
	r->count = n;
	r->next = s;
	r->table_size = ct->size;
	r->used = ct->used;
	return (uint32_t)(offsetof(struct capos_capmgr_list_result, entries) +
			  n * sizeof(struct capos_cap_info));
}
