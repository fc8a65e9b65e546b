/*
 * captable.h - a process's capability table.
 *
 * Invariants:
 *  - slots [0, size) exist; size is fixed at creation (the profile's
 *    max_slots), so no operation ever allocates and none can fail half-way;
 *  - a slot is empty iff type == CAPOS_CAP_NULL and obj == NULL;
 *  - every non-empty slot holds one reference on its object;
 *  - used is the number of non-empty slots;
 *  - derived caps (copy, mint, transfer) never carry a right the source
 *    lacks, and a badged cap is never rebadged.
 */
#ifndef KERN_OBJECT_CAPTABLE_H
#define KERN_OBJECT_CAPTABLE_H

#include <stdint.h>

#include <capos/abi.h>

#include "object/kobj.h"

struct cap {
	struct kobj *obj;
	uint64_t badge;
	uint16_t type;   /* enum capos_cap_type */
	uint16_t rights; /* CAPOS_RIGHT_* */
	uint32_t reserved;
};

#define CT_SLOTS_PER_CHUNK (4096u / sizeof(struct cap))
#define CT_MAX_CHUNKS      64u
#define CT_MAX_SLOTS       (CT_SLOTS_PER_CHUNK * CT_MAX_CHUNKS)

struct captable {
	uint32_t size;
	uint32_t used;
	uint32_t chunks_allocated;
	struct cap *chunks[CT_MAX_CHUNKS];
};

/* Pages a table of `size` slots needs (charged by the caller). */
uint32_t ct_pages_for(uint32_t size);

/* Allocates the slot storage; NO_MEMORY leaves nothing allocated. */
capos_status_t ct_init(struct captable *ct, uint32_t size);
/* Deletes every cap (dropping references) and frees the storage. */
void ct_destroy(struct captable *ct);

/* The slot, or NULL when out of range. Inline, as ct_lookup: every
 * syscall looks a cap up. */
static inline struct cap *ct_slot(struct captable *ct, uint32_t slot)
{
	if (slot >= ct->size)
		return NULL;
	return &ct->chunks[slot / CT_SLOTS_PER_CHUNK][slot % CT_SLOTS_PER_CHUNK];
}

/* The non-empty slot, or NULL (INVALID_CAP). */
static inline struct cap *ct_lookup(struct captable *ct, uint32_t slot)
{
	struct cap *c = ct_slot(ct, slot);
	if (!c || c->type == CAPOS_CAP_NULL)
		return NULL;
	return c;
}

/* Slots first.. listed into r (CapabilityManager.LIST, ProcessControl.
 * CAP_LIST); returns the answer's length in bytes. */
uint32_t ct_list(struct captable *ct, uint32_t first, uint32_t max_entries,
		 struct capos_capmgr_list_result *r);

/*
 * The cap a method names by slot, checked: INVALID_CAP (empty or out of
 * range), WRONG_TYPE (not `type`), DENIED (lacks any of `rights`), in that
 * order; else OK with *out set. *out is NULL on every error.
 */
capos_status_t ct_lookup_typed(struct captable *ct, uint32_t slot, uint16_t type,
			       uint16_t rights, struct cap **out);

/*
 * Two caps named in one method, checked together: the stronger of two
 * ct_lookup_typed results, INVALID_CAP before WRONG_TYPE before DENIED, so
 * which of the two is looked up first never shows in the answer.
 */
static inline capos_status_t ct_first_error(capos_status_t a, capos_status_t b)
{
	if (a == CAPOS_OK)
		return b;
	if (b == CAPOS_OK)
		return a;
	return a < b ? a : b;
}

/* Lowest empty slot, or CAPOS_NO_CAP. */
uint32_t ct_find_free(struct captable *ct);
uint32_t ct_free_count(const struct captable *ct);

/* Puts a new cap into an empty slot, taking a new reference on obj. */
capos_status_t ct_insert(struct captable *ct, uint32_t slot, struct kobj *obj,
			 uint16_t type, uint16_t rights, uint64_t badge);

/* Table operations (CapabilityManager). Each either fully succeeds or
 * changes nothing. */
capos_status_t ct_copy(struct captable *ct, uint32_t src, uint32_t dst);
capos_status_t ct_mint(struct captable *src_ct, uint32_t src, struct captable *dst_ct,
		       uint32_t dst, uint32_t rights, int set_badge, uint64_t badge);
capos_status_t ct_move(struct captable *src_ct, uint32_t src, struct captable *dst_ct,
		       uint32_t dst);
capos_status_t ct_delete(struct captable *ct, uint32_t slot);

#endif
