/*
 * Component test: init's orderly stop (servers/init/stop.c and
 * stop_seq.c; docs/init.md, "Orderly stop") over a fake kernel: scripted
 * components that acknowledge at a given time, send a late readiness
 * first, end without acknowledging, or never answer, on a fake clock.
 * Checked: who may ask; the reverse start order without the caller; each
 * component told only after the one before it was finished with, and
 * killed after; the outcome line of each; the bound (never more than
 * grace_ms of waiting per component, the default and the cap); bits on
 * `ready` from before the notice never taken for the acknowledgement.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/stop.h>

#include "init.h"
#include "stop_seq.h"

struct init_state g_init;

/* ---- what init prints ---- */

static char lines[64][128];
static unsigned nlines;

void capos_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (nlines < 64)
		vsnprintf(lines[nlines++], sizeof(lines[0]), fmt, ap);
	va_end(ap);
}

/* ---- the fake kernel ---- */

#define NCOMP 5
#define MS 1000000ull

struct script {
	uint64_t pending;  /* bits on `ready` before the notice */
	uint64_t late_at;  /* after the notice: a readiness bit (0: none) */
	uint64_t ack_at;   /* after the notice: the acknowledgement (0: never) */
	uint64_t die_at;   /* after the notice: gone, no acknowledgement (0: never) */
};

static struct script script[NCOMP];
static uint64_t now, told_at[NCOMP], killed_at[NCOMP];
static int told[NCOMP], dead[NCOMP], late_sent[NCOMP];
static char events[64][8]; /* "T3", "F3", "K3": told, watch removed, killed */
static unsigned nevents;

static void event(char kind, uint32_t i)
{
	snprintf(events[nevents++], sizeof(events[0]), "%c%u", kind, (unsigned)i);
}

static void f_tell(void *ctx, uint32_t i)
{
	(void)ctx;
	assert_false(told[i]);
	told[i] = 1;
	told_at[i] = now;
	event('T', i);
}

static capos_status_t f_wait(void *ctx, uint32_t i, uint64_t ns, uint64_t *bits)
{
	(void)ctx;
	if (script[i].pending) {
		*bits = script[i].pending;
		script[i].pending = 0;
		return CAPOS_OK;
	}
	if (ns == 0)
		return CAPOS_WOULD_BLOCK;
	uint64_t late = told[i] && script[i].late_at && !late_sent[i]
				? told_at[i] + script[i].late_at : 0;
	uint64_t ack = told[i] && script[i].ack_at ? told_at[i] + script[i].ack_at : 0;
	uint64_t die = told[i] && script[i].die_at && !dead[i] ? told_at[i] + script[i].die_at : 0;
	uint64_t end = now + ns;
	if (late && late <= end && (!ack || late < ack)) {
		now = late;
		late_sent[i] = 1;
		*bits = 1; /* readiness */
		return CAPOS_OK;
	}
	if (ack && ack <= end) {
		now = ack;
		*bits = CAPOS_STOPPED_BIT;
		return CAPOS_OK;
	}
	if (die && die <= end) {
		now = die;
		dead[i] = 1;
		*bits = 1ull << 57; /* init's death watch */
		return CAPOS_OK;
	}
	now = end;
	return CAPOS_TIMEOUT;
}

/* init's death watch, set up by the telling: removed once the wait is
 * over, before the kill (which would fire it). */
static void f_forget(void *ctx, uint32_t i)
{
	(void)ctx;
	assert_true(told[i]);
	assert_false(killed_at[i]);
	event('F', i);
}

static int f_ended(void *ctx, uint32_t i)
{
	(void)ctx;
	return dead[i];
}

static void f_kill(void *ctx, uint32_t i)
{
	(void)ctx;
	dead[i] = 1;
	killed_at[i] = now;
	event('K', i);
}

static uint64_t f_now(void *ctx)
{
	(void)ctx;
	return now;
}

const struct init_stop_ops init_stop_kernel_ops = {
	.tell = f_tell, .wait = f_wait, .ended = f_ended, .forget = f_forget, .kill = f_kill,
	.now_ns = f_now,
};

/* stop.c kills spawned children and deletes its slots directly. */
capos_status_t capos_process_kill(capos_cap_t proc)
{
	event('C', proc);
	return CAPOS_OK;
}

capos_status_t capos_cap_delete(capos_cap_t mgr, uint32_t slot)
{
	(void)mgr;
	(void)slot;
	return CAPOS_OK;
}

/* ---- the system: c0..c4 started in that order, c2 asks ---- */

static capos_Component comps[NCOMP];

static int setup(void **st)
{
	(void)st;
	memset(&g_init, 0, sizeof(g_init));
	memset(script, 0, sizeof(script));
	memset(told, 0, sizeof(told));
	memset(dead, 0, sizeof(dead));
	memset(late_sent, 0, sizeof(late_sent));
	memset(killed_at, 0, sizeof(killed_at));
	nlines = nevents = 0;
	now = 1000 * MS;
	g_init.n = NCOMP;
	for (uint32_t i = 0; i < NCOMP; i++) {
		memset(&comps[i], 0, sizeof(comps[i]));
		snprintf(comps[i].name, sizeof(comps[i].name), "c%u", (unsigned)i);
		g_init.comp[i].m = &comps[i];
		g_init.comp[i].alive = 1;
		g_init.comp[i].proc = 100 + i;
		g_init.comp[i].stop_ntfn = CAPOS_NO_CAP;
		g_init.order[i] = i;
	}
	return 0;
}

static capos_status_t stop(uint64_t badge, uint32_t grace_ms, capos_StopResult *res)
{
	struct capos_rpc_request rq;
	memset(&rq, 0, sizeof(rq));
	rq.badge = badge;
	capos_StopRequest req = capos_StopRequest_init_zero;
	strcpy(req.reason, "test");
	req.grace_ms = grace_ms;
	return init_stop_system(NULL, &rq, &req, res);
}

#define ASKER (INIT_BADGE_CONTROL | INIT_CONTROL_WRITE | 2u)

static void test_order_and_outcomes(void **st)
{
	(void)st;
	script[4].ack_at = 10 * MS;                          /* stops by itself */
	script[3] = (struct script){ 0 };                     /* never answers */
	script[1].late_at = 5 * MS;                           /* a late readiness, */
	script[1].ack_at = 20 * MS;                           /* then stops */
	script[0].die_at = 30 * MS;                           /* ends, no answer */
	capos_StopResult res;
	assert_int_equal(stop(ASKER, 100, &res), CAPOS_OK);
	assert_int_equal(res.stopped, 4);

	static const char *const want[] = {
		"init: stop asked by c2 (test), 100 ms each\n",
		"init: stopping c4\n", "init: c4 stopped\n",
		"init: stopping c3\n", "init: c3 killed after 100 ms\n",
		"init: stopping c1\n", "init: c1 stopped\n",
		"init: stopping c0\n", "init: c0 ended without acknowledging\n",
		"init: stopped 4, c2 left running\n",
	};
	assert_int_equal(nlines, sizeof(want) / sizeof(want[0]));
	for (unsigned k = 0; k < nlines; k++)
		assert_string_equal(lines[k], want[k]);

	/* One at a time: told, its watch removed, then killed, before the
	 * next is told. */
	static const char *const order[] = { "T4", "F4", "K4", "T3", "F3", "K3",
					     "T1", "F1", "K1", "T0", "F0", "K0" };
	assert_int_equal(nevents, 12);
	for (unsigned k = 0; k < nevents; k++)
		assert_string_equal(events[k], order[k]);

	/* From the notice to the kill: c3 exactly grace_ms, the others until
	 * their answer (c1's late readiness did not end its wait). */
	assert_int_equal(killed_at[4] - told_at[4], 10 * MS);
	assert_int_equal(killed_at[3] - told_at[3], 100 * MS);
	assert_int_equal(killed_at[1] - told_at[1], 20 * MS);
	assert_int_equal(killed_at[0] - told_at[0], 30 * MS);
	assert_int_equal(now, 1000 * MS + 10 * MS + 100 * MS + 20 * MS + 30 * MS);
	assert_false(told[2]);
	assert_false(dead[2]);
	for (uint32_t i = 0; i < NCOMP; i++) {
		assert_int_equal(g_init.comp[i].alive, i == 2);
		assert_int_equal(g_init.comp[i].ended, i != 2);
	}
}

/* An acknowledgement signalled before the notice (or a readiness init has
 * not taken yet) is not an answer to it. */
static void test_bits_before_the_notice(void **st)
{
	(void)st;
	for (uint32_t i = 0; i < NCOMP; i++)
		g_init.comp[i].alive = i == 4 || i == 2;
	script[4].pending = CAPOS_STOPPED_BIT | 1;
	capos_StopResult res;
	assert_int_equal(stop(ASKER, 50, &res), CAPOS_OK);
	assert_int_equal(res.stopped, 1);
	assert_string_equal(lines[1], "init: stopping c4\n");
	assert_string_equal(lines[2], "init: c4 killed after 50 ms\n");
	assert_int_equal(killed_at[4] - told_at[4], 50 * MS);
}

/* grace_ms 0 is the default (100 ms); a larger one than 10 s is cut. */
static void test_grace_default_and_cap(void **st)
{
	(void)st;
	for (uint32_t i = 0; i < NCOMP; i++)
		g_init.comp[i].alive = i == 4 || i == 2;
	capos_StopResult res;
	assert_int_equal(stop(ASKER, 0, &res), CAPOS_OK);
	assert_string_equal(lines[0], "init: stop asked by c2 (test), 100 ms each\n");
	assert_int_equal(killed_at[4] - told_at[4], 100 * MS);

	setup(NULL);
	for (uint32_t i = 0; i < NCOMP; i++)
		g_init.comp[i].alive = i == 3 || i == 2;
	assert_int_equal(stop(ASKER, 4000000000u, &res), CAPOS_OK);
	assert_string_equal(lines[0], "init: stop asked by c2 (test), 10000 ms each\n");
	assert_int_equal(killed_at[3] - told_at[3], 10000 * MS);
}

/* Only a component's PROCESS_CONTROL grant with CONTROL: nobody is told. */
static void test_who_may_ask(void **st)
{
	(void)st;
	capos_StopResult res;
	assert_int_equal(stop(INIT_BADGE_CONTROL | 2u, 100, &res), CAPOS_DENIED);
	assert_int_equal(stop(INIT_BADGE_CHILDCTL | INIT_CONTROL_WRITE | 2u, 100, &res),
			 CAPOS_DENIED);
	assert_int_equal(stop(INIT_BADGE_CONTROL | INIT_CONTROL_WRITE | NCOMP, 100, &res),
			 CAPOS_DENIED);
	assert_int_equal(nevents, 0);
	assert_int_equal(nlines, 0);
	for (uint32_t i = 0; i < NCOMP; i++)
		assert_true(g_init.comp[i].alive);
}

/* Spawned children go first, killed without a notice; components already
 * dead are skipped. */
static void test_children_first(void **st)
{
	(void)st;
	g_init.child[3].used = 1;
	g_init.child[3].proc = 77;
	strcpy(g_init.child[3].name, "kid");
	for (uint32_t i = 0; i < NCOMP; i++)
		g_init.comp[i].alive = i != 1;
	for (uint32_t i = 0; i < NCOMP; i++)
		script[i].ack_at = 1 * MS;
	capos_StopResult res;
	assert_int_equal(stop(ASKER, 100, &res), CAPOS_OK);
	assert_int_equal(res.stopped, 4); /* the child and c4, c3, c0 */
	static const char *const order[] = { "C77", "T4", "F4", "K4", "T3", "F3", "K3",
					     "T0", "F0", "K0" };
	assert_int_equal(nevents, 10);
	for (unsigned k = 0; k < nevents; k++)
		assert_string_equal(events[k], order[k]);
	assert_string_equal(lines[1], "init: stopping child kid\n");
	assert_false(told[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_order_and_outcomes, setup),
		cmocka_unit_test_setup(test_bits_before_the_notice, setup),
		cmocka_unit_test_setup(test_grace_default_and_cap, setup),
		cmocka_unit_test_setup(test_who_may_ask, setup),
		cmocka_unit_test_setup(test_children_first, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
