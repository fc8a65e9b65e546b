/*
 * test_captable - capability tables (kern/object/captable.c) and the
 * CapabilityManager methods over the real syscall path: every failing
 * copy/mint/move changes nothing, minting never adds rights, badges are
 * set once, reply caps are never copied, and reference counts free each
 * object exactly once whatever the order caps go away in.
 */
#include <string.h>

#include "kcore_test.h"

#define SLOTS 8u
#define ALL CAPOS_RIGHTS_ALL

static struct captable A, B;

static void tables_init(void)
{
	memset(&A, 0, sizeof A);
	memset(&B, 0, sizeof B);
	assert_int_equal(ct_init(&A, SLOTS), CAPOS_OK);
	assert_int_equal(ct_init(&B, SLOTS), CAPOS_OK);
}

static void tables_destroy(void)
{
	ct_destroy(&A);
	ct_destroy(&B);
}

static struct endpoint *new_ep(void)
{
	capos_status_t st = -1;
	struct endpoint *ep = endpoint_create(NULL, 7, &st);
	assert_int_equal(st, CAPOS_OK);
	return ep;
}

/* Everything observable about two tables: every slot and the reference
 * count of every object named. */
struct snap {
	struct cap a[SLOTS], b[SLOTS];
	uint32_t refs_a[SLOTS], refs_b[SLOTS];
	uint32_t used_a, used_b;
	uint64_t live;
};

static void take(struct snap *s)
{
	memset(s, 0, sizeof *s);
	for (uint32_t i = 0; i < SLOTS; i++) {
		s->a[i] = *ct_slot(&A, i);
		s->b[i] = *ct_slot(&B, i);
		s->refs_a[i] = s->a[i].obj ? s->a[i].obj->refs : 0;
		s->refs_b[i] = s->b[i].obj ? s->b[i].obj->refs : 0;
	}
	s->used_a = A.used;
	s->used_b = B.used;
	s->live = kobj_live_count;
}

static void assert_unchanged(const struct snap *before)
{
	struct snap now;
	take(&now);
	assert_memory_equal(before, &now, sizeof now);
}

static void test_init_bounds_and_no_memory(void **state)
{
	struct captable t;
	memset(&t, 0, sizeof t);
	assert_int_equal(ct_init(&t, 0), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(ct_init(&t, CT_MAX_SLOTS + 1), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(ct_pages_for(1), 1);
	assert_int_equal(ct_pages_for(CT_SLOTS_PER_CHUNK), 1);
	assert_int_equal(ct_pages_for(CT_SLOTS_PER_CHUNK + 1), 2);

	/* A three-page table with memory for two: nothing left allocated. */
	uint64_t pages = host_live_pages();
	host_set_free_pages(2);
	assert_int_equal(ct_init(&t, 2 * CT_SLOTS_PER_CHUNK + 1), CAPOS_NO_MEMORY);
	assert_int_equal(host_live_pages(), pages);
	host_reset_pages();

	assert_int_equal(ct_init(&t, CT_MAX_SLOTS), CAPOS_OK);
	assert_int_equal(host_live_pages(), pages + CT_MAX_CHUNKS);
	assert_non_null(ct_slot(&t, CT_MAX_SLOTS - 1));
	assert_null(ct_slot(&t, CT_MAX_SLOTS));
	ct_destroy(&t);
	assert_int_equal(host_live_pages(), pages);
}

static void test_insert_lookup_free(void **state)
{
	tables_init();
	struct endpoint *ep = new_ep();
	assert_int_equal(ct_find_free(&A), 0);
	assert_int_equal(ct_free_count(&A), SLOTS);
	assert_int_equal(ct_insert(&A, 0, &ep->obj, CAPOS_CAP_ENDPOINT, 0xffff, 5), CAPOS_OK);
	struct cap *c = ct_lookup(&A, 0);
	assert_non_null(c);
	assert_int_equal(c->rights, ALL); /* unknown rights bits dropped */
	assert_int_equal(c->badge, 5);
	assert_int_equal(ep->obj.refs, 2);
	assert_int_equal(ct_insert(&A, 0, &ep->obj, CAPOS_CAP_ENDPOINT, ALL, 0),
			 CAPOS_SLOT_OCCUPIED);
	assert_int_equal(ct_insert(&A, SLOTS, &ep->obj, CAPOS_CAP_ENDPOINT, ALL, 0),
			 CAPOS_INVALID_CAP);
	assert_int_equal(ep->obj.refs, 2);
	assert_int_equal(ct_find_free(&A), 1);
	assert_int_equal(ct_free_count(&A), SLOTS - 1);
	assert_null(ct_lookup(&A, 1));
	assert_null(ct_lookup(&A, SLOTS));
	assert_null(ct_lookup(&A, 0xffffffffu));

	for (uint32_t s = 1; s < SLOTS; s++)
		assert_int_equal(ct_copy(&A, 0, s), CAPOS_OK);
	assert_int_equal(ct_find_free(&A), CAPOS_NO_CAP);
	assert_int_equal(ct_free_count(&A), 0);
	assert_int_equal(ep->obj.refs, SLOTS + 1);
	assert_int_equal(ct_delete(&A, 3), CAPOS_OK);
	assert_int_equal(ct_delete(&A, 3), CAPOS_INVALID_CAP);
	assert_int_equal(ct_find_free(&A), 3);

	kobj_unref(&ep->obj);
	tables_destroy();
}

static void test_move(void **state)
{
	tables_init();
	struct endpoint *ep = new_ep();
	assert_int_equal(ct_insert(&A, 1, &ep->obj, CAPOS_CAP_ENDPOINT,
				   CAPOS_RIGHT_SEND | CAPOS_RIGHT_GRANT, 99), CAPOS_OK);
	kobj_unref(&ep->obj);
	/* Across tables: the reference moves with the cap. */
	assert_int_equal(ct_move(&A, 1, &B, 4), CAPOS_OK);
	assert_null(ct_lookup(&A, 1));
	struct cap *c = ct_lookup(&B, 4);
	assert_non_null(c);
	assert_ptr_equal(c->obj, &ep->obj);
	assert_int_equal(c->rights, CAPOS_RIGHT_SEND | CAPOS_RIGHT_GRANT);
	assert_int_equal(c->badge, 99);
	assert_int_equal(ep->obj.refs, 1);
	assert_int_equal(A.used, 0);
	assert_int_equal(B.used, 1);
	/* Within a table, and onto itself (a no-op). */
	assert_int_equal(ct_move(&B, 4, &B, 0), CAPOS_OK);
	assert_int_equal(ct_move(&B, 0, &B, 0), CAPOS_OK);
	assert_non_null(ct_lookup(&B, 0));
	assert_int_equal(B.used, 1);
	assert_int_equal(ep->obj.refs, 1);
	tables_destroy();
}

/* Every failing move, copy and mint leaves both tables exactly as they were. */
static void test_failures_change_nothing(void **state)
{
	tables_init();
	struct endpoint *e1 = new_ep(), *e2 = new_ep();
	assert_int_equal(ct_insert(&A, 0, &e1->obj, CAPOS_CAP_ENDPOINT, ALL, 0), CAPOS_OK);
	assert_int_equal(ct_insert(&A, 1, &e2->obj, CAPOS_CAP_ENDPOINT,
				   CAPOS_RIGHT_SEND, 42), CAPOS_OK);
	assert_int_equal(ct_insert(&B, 2, &e2->obj, CAPOS_CAP_ENDPOINT, ALL, 0), CAPOS_OK);
	kobj_unref(&e1->obj);
	kobj_unref(&e2->obj);

	struct snap s;
	take(&s);
	/* destination occupied */
	assert_int_equal(ct_move(&A, 0, &A, 1), CAPOS_SLOT_OCCUPIED);
	assert_int_equal(ct_move(&A, 0, &B, 2), CAPOS_SLOT_OCCUPIED);
	assert_int_equal(ct_copy(&A, 0, 1), CAPOS_SLOT_OCCUPIED);
	assert_int_equal(ct_mint(&A, 0, &B, 2, ALL, 0, 0), CAPOS_SLOT_OCCUPIED);
	assert_unchanged(&s);
	/* source empty */
	assert_int_equal(ct_move(&A, 5, &A, 6), CAPOS_INVALID_CAP);
	assert_int_equal(ct_move(&B, 0, &A, 6), CAPOS_INVALID_CAP);
	assert_int_equal(ct_copy(&A, 5, 6), CAPOS_INVALID_CAP);
	assert_int_equal(ct_mint(&A, 5, &B, 6, ALL, 1, 3), CAPOS_INVALID_CAP);
	assert_int_equal(ct_delete(&A, 5), CAPOS_INVALID_CAP);
	assert_unchanged(&s);
	/* out of range, either side */
	uint32_t far[] = { SLOTS, SLOTS + 1, 0x7fffffffu, 0xffffffffu };
	for (size_t i = 0; i < sizeof far / sizeof far[0]; i++) {
		assert_int_equal(ct_move(&A, far[i], &A, 6), CAPOS_INVALID_CAP);
		assert_int_equal(ct_move(&A, 0, &B, far[i]), CAPOS_INVALID_ARGUMENT);
		assert_int_equal(ct_copy(&A, far[i], 6), CAPOS_INVALID_CAP);
		assert_int_equal(ct_copy(&A, 0, far[i]), CAPOS_INVALID_ARGUMENT);
		assert_int_equal(ct_mint(&A, far[i], &B, 6, ALL, 0, 0), CAPOS_INVALID_CAP);
		assert_int_equal(ct_mint(&A, 0, &B, far[i], ALL, 0, 0), CAPOS_INVALID_ARGUMENT);
		assert_int_equal(ct_delete(&A, far[i]), CAPOS_INVALID_CAP);
		assert_unchanged(&s);
	}
	/* rebadging a badged cap */
	assert_int_equal(ct_mint(&A, 1, &B, 6, ALL, 1, 7), CAPOS_DENIED);
	assert_int_equal(ct_mint(&A, 1, &A, 6, ALL, 1, 42), CAPOS_DENIED);
	assert_unchanged(&s);
	tables_destroy();
}

/* For every source rights set and every requested mask, the derived cap
 * has exactly source & mask: never a right the source lacks. */
static void test_mint_never_adds_rights(void **state)
{
	tables_init();
	struct endpoint *ep = new_ep();
	for (uint32_t src = 0; src <= ALL; src++) {
		assert_int_equal(ct_insert(&A, 0, &ep->obj, CAPOS_CAP_ENDPOINT,
					   (uint16_t)src, 0), CAPOS_OK);
		for (uint32_t mask = 0; mask <= 0xffff; mask = mask < ALL ? mask + 1 : mask * 2 + 1) {
			assert_int_equal(ct_mint(&A, 0, &B, 1, mask, 0, 0), CAPOS_OK);
			uint16_t got = ct_lookup(&B, 1)->rights;
			assert_int_equal(got, src & mask);
			assert_int_equal(got & ~src, 0);
			/* and a mint of the mint cannot climb back */
			assert_int_equal(ct_mint(&B, 1, &B, 2, ALL, 0, 0), CAPOS_OK);
			assert_int_equal(ct_lookup(&B, 2)->rights, src & mask);
			assert_int_equal(ct_delete(&B, 2), CAPOS_OK);
			assert_int_equal(ct_delete(&B, 1), CAPOS_OK);
		}
		/* copy keeps exactly the source's rights */
		assert_int_equal(ct_copy(&A, 0, 3), CAPOS_OK);
		assert_int_equal(ct_lookup(&A, 3)->rights, src);
		assert_int_equal(ct_delete(&A, 3), CAPOS_OK);
		assert_int_equal(ct_delete(&A, 0), CAPOS_OK);
	}
	assert_int_equal(ep->obj.refs, 1);
	kobj_unref(&ep->obj);
	tables_destroy();
}

static void test_badges(void **state)
{
	tables_init();
	struct endpoint *ep = new_ep();
	assert_int_equal(ct_insert(&A, 0, &ep->obj, CAPOS_CAP_ENDPOINT, ALL, 0), CAPOS_OK);
	kobj_unref(&ep->obj);
	/* an unbadged cap can be badged once */
	assert_int_equal(ct_mint(&A, 0, &A, 1, ALL, 1, 0xbeef), CAPOS_OK);
	assert_int_equal(ct_lookup(&A, 1)->badge, 0xbeef);
	/* copies and plain mints of it keep the badge */
	assert_int_equal(ct_copy(&A, 1, 2), CAPOS_OK);
	assert_int_equal(ct_lookup(&A, 2)->badge, 0xbeef);
	assert_int_equal(ct_mint(&A, 1, &B, 0, CAPOS_RIGHT_SEND, 0, 0x1111), CAPOS_OK);
	assert_int_equal(ct_lookup(&B, 0)->badge, 0xbeef);
	/* and none of them can be rebadged, in either table */
	assert_int_equal(ct_mint(&A, 1, &A, 3, ALL, 1, 0x1111), CAPOS_DENIED);
	assert_int_equal(ct_mint(&A, 2, &B, 3, ALL, 1, 0), CAPOS_DENIED);
	assert_int_equal(ct_mint(&B, 0, &B, 3, ALL, 1, 0xbeef), CAPOS_DENIED);
	assert_null(ct_lookup(&A, 3));
	assert_null(ct_lookup(&B, 3));
	/* a move keeps it too */
	assert_int_equal(ct_move(&A, 2, &B, 5), CAPOS_OK);
	assert_int_equal(ct_lookup(&B, 5)->badge, 0xbeef);
	tables_destroy();
}

/* A Reply cap is one-shot: it can be moved but never copied or minted. */
static void test_reply_caps_not_copied(void **state)
{
	struct process *p = kt_proc("p", 8, 2, 64, 4);
	struct thread *caller = kt_thread(p, 1);
	kt_cap(p, 0, caller, CAPOS_CAP_REPLY, CAPOS_RIGHT_SEND, 1);
	uint32_t refs = caller->obj.refs;

	assert_int_equal(ct_copy(&p->ct, 0, 1), CAPOS_DENIED);
	assert_int_equal(ct_mint(&p->ct, 0, &p->ct, 1, ALL, 0, 0), CAPOS_DENIED);
	assert_int_equal(ct_mint(&p->ct, 0, &p->ct, 1, CAPOS_RIGHT_SEND, 0, 0), CAPOS_DENIED);
	assert_null(ct_lookup(&p->ct, 1));
	assert_int_equal(caller->obj.refs, refs);
	assert_int_equal(ct_move(&p->ct, 0, &p->ct, 1), CAPOS_OK);
	assert_int_equal(ct_lookup(&p->ct, 1)->type, CAPOS_CAP_REPLY);
	assert_int_equal(caller->obj.refs, refs);

	/* through the CapabilityManager too */
	struct thread *t = kt_thread(p, 3);
	kt_cap(p, 2, p, CAPOS_CAP_CAP_MANAGER, ALL, 0);
	struct capos_capmgr_slots sl = { 1, 3 };
	assert_int_equal(kt_method(t, 2, CAPOS_CAPMGR_COPY, &sl, sizeof sl), CAPOS_DENIED);
	struct capos_capmgr_mint m = { 1, 3, ALL, 0, 0 };
	assert_int_equal(kt_method(t, 2, CAPOS_CAPMGR_MINT, &m, sizeof m), CAPOS_DENIED);
	assert_null(ct_lookup(&p->ct, 3));
	kt_proc_end(p);
}

static void shuffle_delete(const int *order, int n)
{
	/* caps 0..3 in A slots 0,1 and B slots 0,1 */
	for (int i = 0; i < n; i++) {
		int k = order[i];
		assert_int_equal(ct_delete(k < 2 ? &A : &B, (uint32_t)(k % 2)), CAPOS_OK);
	}
}

/* An object named by four caps in two tables is destroyed exactly when the
 * last one goes, in every one of the 24 deletion orders. */
static void test_refcount_every_order(void **state)
{
	tables_init();
	uint64_t live0 = kobj_live_count, pages0 = host_live_pages();
	int order[4] = { 0, 1, 2, 3 };
	int count = 0;
	/* Heap's algorithm over the 24 permutations. */
	int c[4] = { 0, 0, 0, 0 };
	int i = 0;
	for (;;) {
		struct endpoint *ep = new_ep();
		assert_int_equal(ct_insert(&A, 0, &ep->obj, CAPOS_CAP_ENDPOINT, ALL, 0), CAPOS_OK);
		kobj_unref(&ep->obj);
		assert_int_equal(ct_copy(&A, 0, 1), CAPOS_OK);
		assert_int_equal(ct_mint(&A, 0, &B, 0, CAPOS_RIGHT_SEND, 1, 9), CAPOS_OK);
		assert_int_equal(ct_mint(&B, 0, &B, 1, CAPOS_RIGHT_SEND, 0, 0), CAPOS_OK);
		assert_int_equal(ep->obj.refs, 4);
		assert_int_equal(kobj_live_count, live0 + 1);
		shuffle_delete(order, 3);
		assert_int_equal(ep->obj.refs, 1);
		assert_int_equal(kobj_live_count, live0 + 1);
		shuffle_delete(order + 3, 1);
		assert_int_equal(kobj_live_count, live0);
		assert_int_equal(host_live_pages(), pages0);
		count++;

		while (i < 4 && c[i] >= i) {
			c[i] = 0;
			i++;
		}
		if (i >= 4)
			break;
		int j = (i % 2) ? c[i] : 0;
		int tmp = order[j];
		order[j] = order[i];
		order[i] = tmp;
		c[i]++;
		i = 1;
	}
	assert_int_equal(count, 24);

	/* ct_destroy drops every reference it holds, once. */
	struct endpoint *ep = new_ep();
	for (uint32_t s = 0; s < SLOTS; s++)
		assert_int_equal(ct_insert(&A, s, &ep->obj, CAPOS_CAP_ENDPOINT, ALL, s), CAPOS_OK);
	assert_int_equal(ct_insert(&B, 7, &ep->obj, CAPOS_CAP_ENDPOINT, ALL, 0), CAPOS_OK);
	kobj_unref(&ep->obj);
	ct_destroy(&A);
	assert_int_equal(ep->obj.refs, 1);
	assert_int_equal(kobj_live_count, live0 + 1);
	ct_destroy(&B);
	assert_int_equal(kobj_live_count, live0);
}

/* ct_lookup_typed: INVALID_CAP, WRONG_TYPE, DENIED in that order, every
 * right asked for needed, *out NULL on every error; ct_first_error keeps
 * the earlier check of two lookups whichever way round they come. */
static void test_lookup_typed(void **state)
{
	tables_init();
	struct endpoint *ep = new_ep();
	assert_int_equal(ct_insert(&A, 2, &ep->obj, CAPOS_CAP_ENDPOINT,
				   CAPOS_RIGHT_SEND | CAPOS_RIGHT_GRANT, 0), CAPOS_OK);
	kobj_unref(&ep->obj);
	struct cap *c = (struct cap *)1;
	uint32_t bad_slots[] = { 0, 3, SLOTS, 0xffffffffu };
	for (size_t i = 0; i < sizeof bad_slots / sizeof bad_slots[0]; i++) {
		c = (struct cap *)1;
		assert_int_equal(ct_lookup_typed(&A, bad_slots[i], CAPOS_CAP_ENDPOINT, 0, &c),
				 CAPOS_INVALID_CAP);
		assert_null(c);
	}
	c = (struct cap *)1;
	assert_int_equal(ct_lookup_typed(&A, 2, CAPOS_CAP_NOTIFICATION, 0, &c), CAPOS_WRONG_TYPE);
	assert_null(c);
	/* the type is checked before the rights */
	assert_int_equal(ct_lookup_typed(&A, 2, CAPOS_CAP_NOTIFICATION, CAPOS_RIGHT_RECV, &c),
			 CAPOS_WRONG_TYPE);
	c = (struct cap *)1;
	assert_int_equal(ct_lookup_typed(&A, 2, CAPOS_CAP_ENDPOINT, CAPOS_RIGHT_RECV, &c),
			 CAPOS_DENIED);
	assert_null(c);
	/* every right asked for, not any one of them */
	assert_int_equal(ct_lookup_typed(&A, 2, CAPOS_CAP_ENDPOINT,
					 CAPOS_RIGHT_SEND | CAPOS_RIGHT_RECV, &c), CAPOS_DENIED);
	assert_int_equal(ct_lookup_typed(&A, 2, CAPOS_CAP_ENDPOINT,
					 CAPOS_RIGHT_SEND | CAPOS_RIGHT_GRANT, &c), CAPOS_OK);
	assert_ptr_equal(c, ct_lookup(&A, 2));
	c = NULL;
	assert_int_equal(ct_lookup_typed(&A, 2, CAPOS_CAP_ENDPOINT, 0, &c), CAPOS_OK);
	assert_ptr_equal(c->obj, &ep->obj);
	/* lookups change nothing */
	assert_int_equal(ep->obj.refs, 1);
	assert_int_equal(A.used, 1);

	capos_status_t order[] = { CAPOS_INVALID_CAP, CAPOS_WRONG_TYPE, CAPOS_DENIED };
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ct_first_error(CAPOS_OK, order[i]), order[i]);
		assert_int_equal(ct_first_error(order[i], CAPOS_OK), order[i]);
		for (int j = 0; j < 3; j++) {
			capos_status_t want = order[i < j ? i : j];
			assert_int_equal(ct_first_error(order[i], order[j]), want);
		}
	}
	assert_int_equal(ct_first_error(CAPOS_OK, CAPOS_OK), CAPOS_OK);
	tables_destroy();
}

/* The CapabilityManager methods through syscall Call. */
static void test_capmgr_methods(void **state)
{
	struct process *p = kt_proc("p", 16, 2, 64, 4);
	struct process *q = kt_proc("q", 4, 1, 64, 4);
	struct thread *t = kt_thread(p, 3);
	kt_cap(p, 0, p, CAPOS_CAP_CAP_MANAGER, ALL, 0);
	struct endpoint *ep = kt_endpoint_at(p, p, 1, ALL, 0);
	kt_cap(p, 5, q, CAPOS_CAP_CAP_MANAGER, ALL, 0); /* q's manager */

	struct capos_capmgr_mint m = { 1, 2, CAPOS_RIGHT_SEND | CAPOS_RIGHT_RECV, 1, 77 };
	assert_int_equal(kt_method(t, 0, CAPOS_CAPMGR_MINT, &m, sizeof m), CAPOS_OK);
	struct capos_capmgr_slots sl = { 2, 3 };
	assert_int_equal(kt_method(t, 0, CAPOS_CAPMGR_COPY, &sl, sizeof sl), CAPOS_OK);
	sl = (struct capos_capmgr_slots){ 3, 4 };
	assert_int_equal(kt_method(t, 0, CAPOS_CAPMGR_MOVE, &sl, sizeof sl), CAPOS_OK);
	assert_null(ct_lookup(&p->ct, 3));
	/* failures through the method change nothing either */
	sl = (struct capos_capmgr_slots){ 4, 1 };
	assert_int_equal(kt_method(t, 0, CAPOS_CAPMGR_MOVE, &sl, sizeof sl),
			 CAPOS_SLOT_OCCUPIED);
	assert_non_null(ct_lookup(&p->ct, 4));
	m = (struct capos_capmgr_mint){ 4, 6, ALL, 1, 1 };
	assert_int_equal(kt_method(t, 0, CAPOS_CAPMGR_MINT, &m, sizeof m), CAPOS_DENIED);
	/* short bodies are rejected */
	assert_int_equal(kt_method(t, 0, CAPOS_CAPMGR_MINT, &m, sizeof m - 1),
			 CAPOS_INVALID_ARGUMENT);
	assert_int_equal(kt_method(t, 0, 99, NULL, 0), CAPOS_UNSUPPORTED);
	/* a manager of another table is refused */
	assert_int_equal(kt_method(t, 5, CAPOS_CAPMGR_COPY, &sl, sizeof sl), CAPOS_DENIED);

	struct capos_capmgr_list l = { 0, 10 };
	assert_int_equal(kt_method(t, 0, CAPOS_CAPMGR_LIST, &l, sizeof l), CAPOS_OK);
	struct capos_capmgr_list_result *r = (void *)t->ipc->body;
	assert_int_equal(r->count, 5); /* slots 0, 1, 2, 4, 5 */
	assert_int_equal(r->used, 5);
	assert_int_equal(r->table_size, 16);
	assert_int_equal(r->entries[1].slot, 1);
	assert_int_equal(r->entries[1].interface_id, 0x1234);
	assert_int_equal(r->entries[2].slot, 2);
	assert_int_equal(r->entries[2].badge, 77);
	assert_int_equal(r->entries[2].rights, CAPOS_RIGHT_SEND | CAPOS_RIGHT_RECV);
	assert_int_equal(r->entries[3].slot, 4);
	assert_int_equal(r->entries[3].badge, 77);

	uint32_t refs = ep->obj.refs;
	sl = (struct capos_capmgr_slots){ 4, 0 };
	assert_int_equal(kt_method(t, 0, CAPOS_CAPMGR_DELETE, &sl, sizeof sl), CAPOS_OK);
	assert_int_equal(ep->obj.refs, refs - 1);
	assert_int_equal(kt_method(t, 0, CAPOS_CAPMGR_DELETE, &sl, sizeof sl), CAPOS_INVALID_CAP);
	/* save-reply with nothing to save */
	assert_int_equal(kt_method(t, 0, CAPOS_CAPMGR_SAVE_REPLY, &sl, sizeof sl),
			 CAPOS_INVALID_ARGUMENT);
	/* rights: READ lists, WRITE changes; a READ-only manager (slot 6)
	 * cannot delete, a WRITE-only one (slot 7) cannot list */
	kt_cap(p, 6, p, CAPOS_CAP_CAP_MANAGER, CAPOS_RIGHT_READ, 0);
	kt_cap(p, 7, p, CAPOS_CAP_CAP_MANAGER, CAPOS_RIGHT_WRITE, 0);
	assert_int_equal(kt_method(t, 6, CAPOS_CAPMGR_LIST, &l, sizeof l), CAPOS_OK);
	struct capos_capmgr_slots del = { 5, 0 };
	assert_int_equal(kt_method(t, 6, CAPOS_CAPMGR_DELETE, &del, sizeof del), CAPOS_DENIED);
	assert_int_equal(kt_method(t, 6, CAPOS_CAPMGR_SAVE_REPLY, &sl, sizeof sl), CAPOS_DENIED);
	assert_int_equal(kt_method(t, 7, CAPOS_CAPMGR_LIST, &l, sizeof l), CAPOS_DENIED);
	assert_int_equal(kt_method(t, 7, CAPOS_CAPMGR_DELETE, &del, sizeof del), CAPOS_OK);
	/* a Call on a slot that is empty or out of range */
	assert_int_equal(kt_method(t, 9, CAPOS_CAPMGR_LIST, &l, sizeof l), CAPOS_INVALID_CAP);
	assert_int_equal(kt_sys(t, CAPOS_SYS_CALL, 1ull << 32, 0), CAPOS_INVALID_CAP);
	assert_int_equal(kt_sys(t, 77, 0, 0), CAPOS_UNSUPPORTED);
	kt_proc_end(q);
	kt_proc_end(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KT_TEST(test_init_bounds_and_no_memory),
		KT_TEST(test_insert_lookup_free),
		KT_TEST(test_move),
		KT_TEST(test_failures_change_nothing),
		KT_TEST(test_mint_never_adds_rights),
		KT_TEST(test_badges),
		KT_TEST(test_reply_caps_not_copied),
		KT_TEST(test_refcount_every_order),
		KT_TEST(test_lookup_typed),
		KT_TEST(test_capmgr_methods),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
