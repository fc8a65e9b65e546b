/*
 * test_self_buffer - SharedBuffers through the narrowed self grant
 * (kern/object/process.c, process_vm.c, shared_buffer.c): WRITE on a
 * Process cap naming the caller itself creates a SharedBuffer charged to
 * its own quota (LIMIT_EXCEEDED past it, nothing left behind; the pages
 * come back with the last reference) and maps a buffer it holds into its
 * own address space, within the user range; a WRITE cap (without CONTROL)
 * to ANOTHER process may do neither to it (DENIED, nothing changes), as
 * WRITE|CONTROL may; W^X across aliases holds on the new path, against
 * mappings made by either side.
 */
#include <string.h>

#include "kcore_test.h"

#define ALL  CAPOS_RIGHTS_ALL
#define R    CAPOS_RIGHT_READ
#define W    CAPOS_RIGHT_WRITE
#define C    CAPOS_RIGHT_CONTROL
#define VA   0x10000000ull
#define RW   (CAPOS_PROT_READ | CAPOS_PROT_WRITE)
#define RX   (CAPOS_PROT_READ | CAPOS_PROT_EXEC)
#define OBJ  1u /* the page every kernel object costs its owner */

enum {
	S_SELF = 0,   /* READ|WRITE on its own process */
	S_WRITE = 1,  /* WRITE only on its own process */
	S_OTHER = 2,  /* READ|WRITE on another process */
	S_OTHER_WC = 3, /* WRITE|CONTROL on the other process */
	S_FREE = 4,   /* the first free slot: new caps land here */
};

static struct process *with_self(const char *name, uint32_t pages, struct thread **t)
{
	struct process *p = kt_proc(name, 16, 2, pages, 2);
	*t = kt_thread(p, 10);
	kt_cap(p, S_SELF, p, CAPOS_CAP_PROCESS, R | W, 0);
	kt_cap(p, S_WRITE, p, CAPOS_CAP_PROCESS, W, 0);
	return p;
}

static capos_status_t create(struct thread *t, uint32_t slot, uint32_t pages, uint32_t *out)
{
	struct capos_shared_buffer_create a = { pages, 0 };
	capos_status_t st = kt_method(t, slot, CAPOS_PROCESS_CREATE_SHARED_BUFFER, &a, sizeof a);
	if (st == CAPOS_OK && out)
		*out = ((struct capos_new_cap *)t->ipc->body)->slot;
	return st;
}

static capos_status_t map(struct thread *t, uint32_t slot, uint64_t va, uint32_t buf,
			  uint32_t first, uint32_t pages, uint32_t prot)
{
	struct capos_map m = { va, pages, prot, buf, first };
	return kt_method(t, slot, CAPOS_PROCESS_MAP_SHARED, &m, sizeof m);
}

static capos_status_t unmap(struct thread *t, uint32_t slot, uint64_t va, uint32_t pages)
{
	struct capos_map m = { va, pages, 0, 0, 0 };
	return kt_method(t, slot, CAPOS_PROCESS_UNMAP, &m, sizeof m);
}

static struct shared_buffer *buffer_at(struct process *p, uint32_t slot)
{
	struct cap *c = ct_lookup(&p->ct, slot);
	assert_non_null(c);
	assert_int_equal(c->type, CAPOS_CAP_SHARED_BUFFER);
	return (struct shared_buffer *)c->obj;
}

/* Create, map read-write, use, unmap, drop: every step through the self
 * grant, the quota charged at creation and given back with the last
 * reference (the mapping's, then the cap's). WRITE alone is enough. */
static void test_self_creates_and_maps(void **state)
{
	struct thread *t;
	struct process *p = with_self("reader", 64, &t);
	uint32_t pages0 = p->usage.pages;
	uint64_t live0 = host_live_pages();
	uint32_t b;
	assert_int_equal(create(t, S_SELF, 3, &b), CAPOS_OK);
	assert_int_equal(p->usage.pages, pages0 + 3 + OBJ);
	struct shared_buffer *sb = buffer_at(p, b);
	assert_int_equal(sb->pages, 3);
	assert_ptr_equal(sb->obj.owner, p);

	assert_int_equal(map(t, S_SELF, VA, b, 0, 3, RW), CAPOS_OK);
	for (uint32_t i = 0; i < 3; i++) {
		uint32_t fl = 0;
		assert_ptr_equal(vs_lookup(p->vspace, VA + i * CAPOS_PAGE_SIZE, &fl),
				 sb->frames[i]);
		assert_true(fl & VS_WRITE);
		assert_false(fl & (VS_EXEC | VS_OWNED));
	}
	assert_int_equal(sb->writable_maps, 1);
	/* WRITE alone maps too (a second window on the last page, read-only) */
	assert_int_equal(map(t, S_WRITE, VA + 0x200000, b, 2, 1, CAPOS_PROT_READ), CAPOS_OK);
	uint32_t tables = p->usage.pages - pages0 - 3 - OBJ; /* page tables the maps took */
	assert_true(tables >= 2);
	assert_ptr_equal(vs_lookup(p->vspace, VA + 0x200000, NULL), sb->frames[2]);
	assert_int_equal(sb->writable_maps, 1);

	/* a second buffer through WRITE alone */
	uint32_t b2;
	assert_int_equal(create(t, S_WRITE, 1, &b2), CAPOS_OK);
	assert_int_equal(p->usage.pages, pages0 + 4 + 2 * OBJ + tables);

	/* the mappings hold the frames: the cap goes first, the pages stay
	 * charged until the last mapping goes */
	assert_int_equal(ct_delete(&p->ct, b), CAPOS_OK);
	assert_int_equal(ct_delete(&p->ct, b2), CAPOS_OK);
	assert_int_equal(p->usage.pages, pages0 + 3 + OBJ + tables);
	assert_int_equal(unmap(t, S_SELF, VA, 3), CAPOS_OK);
	assert_int_equal(p->usage.pages, pages0 + 3 + OBJ + tables);
	assert_int_equal(unmap(t, S_WRITE, VA + 0x200000, 1), CAPOS_OK);
	assert_null(vs_lookup(p->vspace, VA, NULL));
	assert_int_equal(p->usage.pages, pages0 + tables);
	assert_int_equal(host_live_pages(), live0 + tables);
	kt_proc_end(p);
}

/* Past the quota: LIMIT_EXCEEDED with no cap, page or object left; what
 * is left fits exactly. Out-of-range sizes and mappings are refused. */
static void test_self_quota(void **state)
{
	struct thread *t;
	struct process *p = with_self("quota", 40, &t);
	uint32_t left = p->limits.max_pages - p->usage.pages;
	assert_true(left > 2);
	uint32_t used = p->ct.used;
	uint64_t live = host_live_pages(), objs = kobj_live_count;
	assert_int_equal(create(t, S_SELF, left + 1, NULL), CAPOS_LIMIT_EXCEEDED);
	/* the frames fit, the object's own page does not */
	assert_int_equal(create(t, S_SELF, left, NULL), CAPOS_LIMIT_EXCEEDED);
	assert_int_equal(create(t, S_SELF, 0, NULL), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(create(t, S_SELF, SHARED_BUFFER_MAX_PAGES + 1, NULL),
			 CAPOS_INVALID_ARGUMENT);
	assert_int_equal(p->usage.pages, p->limits.max_pages - left);
	assert_int_equal(p->ct.used, used);
	assert_int_equal(host_live_pages(), live);
	assert_int_equal(kobj_live_count, objs);
	uint32_t b;
	assert_int_equal(create(t, S_SELF, left - OBJ, &b), CAPOS_OK);
	assert_int_equal(p->usage.pages, p->limits.max_pages);
	/* the quota is spent: mapping it needs a page table, which does not
	 * fit; nothing is left mapped */
	assert_int_equal(map(t, S_SELF, VA, b, 0, 1, RW), CAPOS_LIMIT_EXCEEDED);
	assert_null(vs_lookup(p->vspace, VA, NULL));
	assert_int_equal(ct_delete(&p->ct, b), CAPOS_OK);
	assert_int_equal(p->usage.pages, p->limits.max_pages - left);

	/* within the user range only, and within the buffer */
	assert_int_equal(create(t, S_SELF, 2, &b), CAPOS_OK);
	assert_int_equal(map(t, S_SELF, 0xffff800000000000ull, b, 0, 1, RW),
			 CAPOS_INVALID_ARGUMENT);
	assert_int_equal(map(t, S_SELF, CAPOS_USER_TOP - CAPOS_PAGE_SIZE, b, 0, 2, RW),
			 CAPOS_INVALID_ARGUMENT);
	assert_int_equal(map(t, S_SELF, 0, b, 0, 1, RW), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(map(t, S_SELF, VA, b, 1, 2, RW), CAPOS_INVALID_ARGUMENT);
	/* not a buffer; a buffer cap without WRITE maps read-only only */
	assert_int_equal(map(t, S_SELF, VA, S_SELF, 0, 1, CAPOS_PROT_READ), CAPOS_WRONG_TYPE);
	assert_int_equal(ct_mint(&p->ct, b, &p->ct, 9, R, 0, 0), CAPOS_OK);
	assert_int_equal(map(t, S_SELF, VA, 9, 0, 1, RW), CAPOS_DENIED);
	assert_null(vs_lookup(p->vspace, VA, NULL));
	assert_int_equal(map(t, S_SELF, VA, 9, 0, 1, CAPOS_PROT_READ), CAPOS_OK);
	kt_proc_end(p);
}

/* A WRITE cap to another process is not a self grant: no buffer charged
 * to it, nothing mapped into it (DENIED, nothing changes in either);
 * WRITE|CONTROL on it does both, as before. */
static void test_write_to_other_denied(void **state)
{
	struct thread *t;
	struct process *a = with_self("caller", 64, &t);
	struct process *b = kt_proc("other", 8, 1, 64, 1);
	kt_cap(a, S_OTHER, b, CAPOS_CAP_PROCESS, R | W, 0);
	kt_cap(a, S_OTHER_WC, b, CAPOS_CAP_PROCESS, W | C, 0);
	uint32_t buf;
	assert_int_equal(create(t, S_SELF, 2, &buf), CAPOS_OK);
	struct shared_buffer *sb = buffer_at(a, buf);
	uint32_t a_pages = a->usage.pages, b_pages = b->usage.pages, used = a->ct.used;
	uint32_t b_mapped = host_vs_mapped(b->vspace);
	uint64_t objs = kobj_live_count;
	assert_int_equal(map(t, S_OTHER, VA, buf, 0, 2, RW), CAPOS_DENIED);
	assert_int_equal(map(t, S_OTHER, VA, buf, 0, 2, CAPOS_PROT_READ), CAPOS_DENIED);
	assert_int_equal(create(t, S_OTHER, 1, NULL), CAPOS_DENIED);
	/* refused before the arguments are looked at */
	assert_int_equal(map(t, S_OTHER, 0xffff800000000000ull, 12345, 0, 0, 0xff),
			 CAPOS_DENIED);
	assert_int_equal(create(t, S_OTHER, 0, NULL), CAPOS_DENIED);
	assert_null(vs_lookup(b->vspace, VA, NULL));
	assert_int_equal(host_vs_mapped(b->vspace), b_mapped);
	assert_int_equal(a->usage.pages, a_pages);
	assert_int_equal(b->usage.pages, b_pages);
	assert_int_equal(a->ct.used, used);
	assert_int_equal(kobj_live_count, objs);
	assert_int_equal(sb->writable_maps, 0);

	/* CONTROL with WRITE reaches the other process */
	assert_int_equal(map(t, S_OTHER_WC, VA, buf, 0, 2, RW), CAPOS_OK);
	assert_ptr_equal(vs_lookup(b->vspace, VA, NULL), sb->frames[0]);
	uint32_t nb, b_mapped_pages = b->usage.pages;
	assert_int_equal(create(t, S_OTHER_WC, 1, &nb), CAPOS_OK);
	assert_ptr_equal(buffer_at(a, nb)->obj.owner, b);
	assert_int_equal(b->usage.pages, b_mapped_pages + 1 + OBJ);
	assert_int_equal(a->usage.pages, a_pages);
	kt_proc_end(b);
	/* b's death dropped its mapping; the buffer b paid for goes with a's cap */
	assert_int_equal(sb->writable_maps, 0);
	kt_proc_end(a);
}

/* W^X across aliases on the self path: a buffer mapped writable anywhere
 * is not mapped executable anywhere, whichever side maps first. */
static void test_self_wx_across_aliases(void **state)
{
	struct thread *t;
	struct process *p = with_self("wx", 64, &t);
	struct process *q = kt_proc("peer", 8, 1, 64, 1);
	uint32_t b;
	assert_int_equal(create(t, S_SELF, 2, &b), CAPOS_OK);
	struct shared_buffer *sb = buffer_at(p, b);

	/* writable here: executable neither here nor in the peer */
	assert_int_equal(map(t, S_SELF, VA, b, 0, 2, RW), CAPOS_OK);
	assert_int_equal(map(t, S_SELF, VA + 0x100000, b, 0, 1, RX), CAPOS_DENIED);
	assert_int_equal(process_map_shared(q, VA, sb, 1, 1, RX), CAPOS_DENIED);
	assert_null(vs_lookup(p->vspace, VA + 0x100000, NULL));
	assert_null(vs_lookup(q->vspace, VA, NULL));
	/* W and X at once in one mapping: never */
	assert_int_equal(map(t, S_SELF, VA + 0x200000, b, 0, 1, RW | CAPOS_PROT_EXEC),
			 CAPOS_INVALID_ARGUMENT);
	assert_int_equal(unmap(t, S_SELF, VA, 2), CAPOS_OK);
	assert_int_equal(sb->writable_maps, 0);

	/* executable in the peer: no writable mapping here, read-only is fine */
	assert_int_equal(process_map_shared(q, VA, sb, 0, 1, RX), CAPOS_OK);
	assert_int_equal(map(t, S_SELF, VA, b, 0, 2, RW), CAPOS_DENIED);
	assert_int_equal(map(t, S_WRITE, VA, b, 1, 1, RW), CAPOS_DENIED);
	assert_null(vs_lookup(p->vspace, VA, NULL));
	assert_int_equal(map(t, S_SELF, VA, b, 0, 2, CAPOS_PROT_READ), CAPOS_OK);
	/* executable here too, through the self grant; still nothing writable */
	assert_int_equal(map(t, S_SELF, VA + 0x100000, b, 0, 1, RX), CAPOS_OK);
	assert_int_equal(sb->exec_maps, 2);
	assert_int_equal(process_map_shared(q, VA + 0x100000, sb, 0, 1, RW), CAPOS_DENIED);
	assert_int_equal(sb->writable_maps, 0);
	kt_proc_end(q);
	assert_int_equal(sb->exec_maps, 1);
	assert_int_equal(map(t, S_SELF, VA + 0x200000, b, 0, 1, RW), CAPOS_DENIED);
	assert_int_equal(unmap(t, S_SELF, VA + 0x100000, 1), CAPOS_OK);
	assert_int_equal(map(t, S_SELF, VA + 0x200000, b, 0, 1, RW), CAPOS_OK);
	kt_proc_end(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KT_TEST(test_self_creates_and_maps),
		KT_TEST(test_self_quota),
		KT_TEST(test_write_to_other_denied),
		KT_TEST(test_self_wx_across_aliases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
