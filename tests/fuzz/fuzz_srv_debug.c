/*
 * fuzz_srv_debug: DebugSession (servers/debug/debug_service.c) behind its
 * generated dispatcher, with the real audit server behind it and fakes
 * only for what it asks of the kernel and init: the kernel's answer on an
 * offered cap (env.process_cap) and init's ProcessControl (Status,
 * CapTable, InjectFault) for one target, "shell" (init's from
 * tests/component/debug_fixture.c, which component_debug shares).
 *
 * Three clients call: two with their own badges and the broker (whose
 * badge the server trusts for maintenance grants). Feed records change
 * the world between calls: byte 0's low two bits say what a cap a client
 * offers is to the kernel (a Process cap of the target with CONTROL,
 * without it, of another process, not a Process cap), bit 2 restarts the
 * target (a new pid under the same handle), bit 3 makes it die or come
 * back.
 *
 * Checked besides the driver's rules (among them: no cap leaks, a
 * CapTable snapshot carries no cap): the attachments stay consistent
 * (ids below next_attach_id and unique, one per client, only the callers'
 * badges), and a fourth client's known-good session - owner consent with
 * a CONTROL Process cap of the target, CapTable, Status, Detach - answers
 * as it must for the target as it is now, with every step audited, and
 * attaches without authority (a maintenance claim not through the broker,
 * none named, a Process cap without CONTROL) are still DENIED.
 */
#include <stdio.h>
#include <string.h>

#include "debug_fixture.h"
#include "dispatch_fuzz.h"

#define SHELL 5   /* the fuzzed clients */
#define OTHER 6
#define BROKER 7
#define CHECKER 8 /* the known-good session's */
#define SHELL_BADGE 0x15
#define OTHER_BADGE 0x16
#define BROKER_BADGE 0x99
#define CHECK_BADGE 0x77

#define AUDIT_CAPACITY 24

/* What an offered cap is to the (fake) kernel. */
enum offer { OFFER_CONTROL, OFFER_WEAK, OFFER_OTHER_PID, OFFER_NOT_PROCESS };

/* The fake init (debug_fixture.c): one component, "shell", under
 * DFX_TARGET_HANDLE; the feed restarts it and makes it die. */
static struct debug_fixture fx;
static enum offer offer;

/* ---- fake kernel: what an offered cap is ---- */

/* The check's own proofs are DFX_PROC_TOKEN objects, answered as their
 * token says; the fuzzed records' caps (0xf00d + i) are what `offer`
 * says. */
static capos_status_t fake_process_cap(void *ctx, capos_cap_t cap, uint32_t *rights,
				       uint32_t *pid)
{
	capos_status_t st = dfx_process_cap(ctx, cap, rights, pid);
	if (st != CAPOS_WRONG_TYPE)
		return st;
	switch (offer) {
	case OFFER_CONTROL:
		*rights = CAPOS_RIGHT_CONTROL | CAPOS_RIGHT_READ;
		*pid = fx.target_pid;
		return CAPOS_OK;
	case OFFER_WEAK:
		*rights = CAPOS_RIGHT_READ | CAPOS_RIGHT_WRITE;
		*pid = fx.target_pid;
		return CAPOS_OK;
	case OFFER_OTHER_PID:
		*rights = CAPOS_RIGHT_CONTROL;
		*pid = fx.target_pid + 1;
		return CAPOS_OK;
	default:
		return CAPOS_WRONG_TYPE;
	}
}

static void setup(void)
{
	dfx_start(&fx, AUDIT_CAPACITY, fake_process_cap, BROKER_BADGE);
	struct capos_rpc_service svc = debugsession_service(&debug_service_ops, &fx.dbg);
	capos_loopback_register(SHELL, svc, SHELL_BADGE);
	capos_loopback_register(OTHER, svc, OTHER_BADGE);
	capos_loopback_register(BROKER, svc, BROKER_BADGE);
	capos_loopback_register(CHECKER, svc, CHECK_BADGE);
	offer = OFFER_CONTROL;
}

static void feed(const uint8_t *data, size_t len)
{
	if (!len)
		return;
	offer = (enum offer)(data[0] & 3u);
	if (data[0] & 4u)
		fx.target_pid++; /* a restart: same handle, new pid */
	if (data[0] & 8u)
		fx.target_alive = !fx.target_alive;
}

/* Every record the server writes is either kept or refused as full. */
static uint64_t audited(void)
{
	return fx.audit.count + fx.audit.refused;
}

static int check_attachments(void)
{
	int bad = 0;
	for (uint32_t i = 0; i < DEBUG_MAX_CLIENTS; i++) {
		const struct debug_attachment *a = &fx.dbg.at[i];
		if (!a->used)
			continue;
		bad |= fuzz_expect(a->badge == SHELL_BADGE || a->badge == OTHER_BADGE ||
					   a->badge == BROKER_BADGE,
				   "an attachment of a badge that never called");
		bad |= fuzz_expect(a->attach_id >= 1 && a->attach_id < fx.dbg.next_attach_id,
				   "an attach id never given out");
		for (uint32_t j = i + 1; j < DEBUG_MAX_CLIENTS; j++)
			if (fx.dbg.at[j].used)
				bad |= fuzz_expect(fx.dbg.at[j].badge != a->badge &&
							   fx.dbg.at[j].attach_id != a->attach_id,
						   "two attachments of one client or one id");
	}
	return bad;
}

static capos_status_t check_attach(capos_DebugAuthority auth, uint32_t rights,
				   capos_DebugAttachResult *res)
{
	struct capos_cap_list proof = { .count = 1 };
	proof.cap[0] = capos_loopback_new_object(DFX_PROC_TOKEN(rights, fx.target_pid));
	if (proof.cap[0] == CAPOS_NO_CAP)
		return CAPOS_LIMIT_EXCEEDED;
	capos_status_t st = dfx_attach(CHECKER, auth, "known good", proof.cap[0], res);
	capos_transport_drop(&proof); /* sent as a copy: ours to drop */
	return st;
}

/* What no fuzzed input may unlock: a maintenance claim not through the
 * broker, no authority named, a Process cap without CONTROL. Each is
 * DENIED, audited, and leaves no attachment. */
static int check_refusals(void)
{
	static const struct {
		capos_DebugAuthority auth;
		uint32_t rights;
	} bad_proofs[] = {
		{ capos_DebugAuthority_DEBUG_AUTHORITY_MAINTENANCE_GRANT, CAPOS_RIGHT_CONTROL },
		{ capos_DebugAuthority_DEBUG_AUTHORITY_UNSPECIFIED, CAPOS_RIGHT_CONTROL },
		{ capos_DebugAuthority_DEBUG_AUTHORITY_OWNER_CONSENT,
		  CAPOS_RIGHT_READ | CAPOS_RIGHT_WRITE },
	};
	int bad = 0;
	for (size_t i = 0; i < sizeof(bad_proofs) / sizeof(bad_proofs[0]); i++) {
		uint64_t records = audited(), refusals = fx.dbg.refusals;
		uint64_t id = fx.dbg.next_attach_id;
		capos_DebugAttachResult res;
		capos_status_t st = check_attach(bad_proofs[i].auth, bad_proofs[i].rights, &res);
		bad |= fuzz_expect(st == CAPOS_DENIED && fx.dbg.refusals == refusals + 1 &&
					   audited() == records + 1 && fx.dbg.next_attach_id == id,
				   "an attach without authority: not DENIED and audited");
	}
	capos_Empty e = capos_Empty_init_zero;
	capos_ProcessStatus ps;
	bad |= fuzz_expect(debugsession_status(CHECKER, &e, &ps) == CAPOS_INVALID_ARGUMENT,
			   "a refused attach left an attachment");
	return bad;
}

static int check(void)
{
	int bad = check_attachments();
	uint32_t caps = capos_loopback_caps_used();
	uint64_t records = audited(), id = fx.dbg.next_attach_id;
	uint64_t attaches = fx.dbg.attaches, detaches = fx.dbg.detaches, refusals = fx.dbg.refusals;
	capos_DebugAttachResult res;
	capos_status_t st = check_attach(capos_DebugAuthority_DEBUG_AUTHORITY_OWNER_CONSENT,
					 CAPOS_RIGHT_CONTROL, &res);
	if (!fx.target_alive) {
		bad |= fuzz_expect(st == CAPOS_NOT_FOUND && fx.dbg.refusals == refusals + 1 &&
					   audited() == records + 1 && fx.dbg.next_attach_id == id,
				   "Attach to a dead target: not NOT_FOUND, refused and audited");
		bad |= fuzz_expect(capos_loopback_caps_used() == caps, "the check leaked a cap");
		return bad;
	}
	bad |= fuzz_expect(st == CAPOS_OK && res.pid == fx.target_pid && res.attach_id == id &&
				   !strcmp(res.name, "shell") && fx.dbg.attaches == attaches + 1,
			   "Attach with owner consent: not the target, or not the next id");
	capos_CapListRequest lr = capos_CapListRequest_init_zero;
	capos_CapList cl;
	memset(&cl, 0, sizeof(cl));
	bad |= fuzz_expect(debugsession_cap_table(CHECKER, &lr, &cl) == CAPOS_OK &&
				   cl.entries_count == 2 && !strcmp(cl.entries[0].name, "console") &&
				   !strcmp(cl.entries[1].name, "ready") && cl.used == 2,
			   "CapTable: not the target's snapshot");
	capos_Empty e = capos_Empty_init_zero;
	capos_ProcessStatus ps;
	memset(&ps, 0, sizeof(ps));
	bad |= fuzz_expect(debugsession_status(CHECKER, &e, &ps) == CAPOS_OK &&
				   ps.pid == fx.target_pid && ps.handle == DFX_TARGET_HANDLE,
			   "Status: not the target's");
	capos_Empty out;
	bad |= fuzz_expect(debugsession_detach(CHECKER, &e, &out) == CAPOS_OK &&
				   fx.dbg.detaches == detaches + 1,
			   "Detach: not counted");
	/* after Detach the session is gone */
	bad |= fuzz_expect(debugsession_status(CHECKER, &e, &ps) == CAPOS_INVALID_ARGUMENT,
			   "Status after Detach answered");
	bad |= fuzz_expect(audited() == records + 2, "attach and detach not both audited");
	bad |= check_refusals();
	bad |= fuzz_expect(capos_loopback_caps_used() == caps, "the check leaked a cap");
	return bad;
}

static const capos_DebugAttachRequest att_owner = {
	.has_target = true, .target = { .handle = DFX_TARGET_HANDLE },
	.authority = capos_DebugAuthority_DEBUG_AUTHORITY_OWNER_CONSENT, .reason = "look",
};
static const capos_DebugAttachRequest att_maint = {
	.has_target = true, .target = { .name = "shell" },
	.authority = capos_DebugAuthority_DEBUG_AUTHORITY_MAINTENANCE_GRANT, .reason = "fix",
};
static const capos_DebugAttachRequest att_none = {
	.has_target = true, .target = { .handle = DFX_TARGET_HANDLE },
};
static const capos_CapListRequest list_all = capos_CapListRequest_init_zero;
static const capos_CapListRequest list_page = { .first = 1, .max = 1 };
static const capos_Empty empty = capos_Empty_init_zero;

static const struct fuzz_seed seeds[] = {
	{ 0, &debugsession_attach_method, &att_owner, 1 },
	{ 0, &debugsession_cap_table_method, &list_all, 0 },
	{ 0, &debugsession_status_method, &empty, 0 },
	{ 2, &debugsession_attach_method, &att_maint, 0 },
	{ 2, &debugsession_inject_fault_method, &empty, 0 },
	{ 1, &debugsession_attach_method, &att_maint, 0 },
	{ 1, &debugsession_attach_method, &att_none, 2 },
	{ 0, NULL, "\x05", 0, 1 }, /* a restart; offered caps lack CONTROL */
	{ 0, &debugsession_status_method, &empty, 0 },
	{ 1, &debugsession_attach_method, &att_owner, 0x11 },
	{ 0, &debugsession_detach_method, &empty, 0 },
	{ 2, &debugsession_cap_table_method, &list_page, 0 },
	{ 0, NULL, "\x08", 0, 1 }, /* the target dies */
	{ 2, &debugsession_status_method, &empty, 0 },
};

const struct fuzz_server fuzz_server = {
	.name = "debug",
	.setup = setup,
	.endpoints = { SHELL, OTHER, BROKER },
	.nendpoints = 3,
	.methods = { &debugsession_attach_method, &debugsession_cap_table_method,
		     &debugsession_status_method, &debugsession_detach_method,
		     &debugsession_inject_fault_method, NULL },
	.check = check,
	.feed = feed,
	.seeds = seeds,
	.nseeds = sizeof(seeds) / sizeof(seeds[0]),
};
