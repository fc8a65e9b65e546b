/*
 * fuzz_srv_debug: DebugSession (servers/debug/debug_service.c) behind its
 * generated dispatcher, with the real audit server behind it and fakes
 * only for what it asks of the kernel and init: the kernel's answer on an
 * offered cap (env.process_cap) and init's ProcessControl (Status,
 * CapTable, InjectFault) for one target, "shell".
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

#include "audit.capos.h"
#include "audit_service.h"
#include "debug_service.h"
#include "dispatch_fuzz.h"
#include "process.capos.h"

#define AUDIT 1
#define PROCS 2
#define SHELL 5   /* the fuzzed clients */
#define OTHER 6
#define BROKER 7
#define CHECKER 8 /* the known-good session's */
#define SHELL_BADGE 0x15
#define OTHER_BADGE 0x16
#define BROKER_BADGE 0x99
#define CHECK_BADGE 0x77

#define TARGET_HANDLE 3
#define AUDIT_CAPACITY 24

/* What an offered cap is to the (fake) kernel. */
enum offer { OFFER_CONTROL, OFFER_WEAK, OFFER_OTHER_PID, OFFER_NOT_PROCESS };

/* The check's own proof: tokens with bit 63 are Process caps whose rights
 * and pid are in the token (the fuzzed records' caps are 0xf00d + i). */
#define PROC_TOKEN(rights, pid) ((1ull << 63) | ((uint64_t)(rights) << 32) | (pid))

static capos_AuditRecord storage[AUDIT_CAPACITY];
static struct audit_state audit;
static struct debug_state dbg;
static uint32_t target_pid;
static int target_alive;
static enum offer offer;

static const struct capos_client_name sources[] = { { 0x42, "debug" } };

/* ---- fake init: one component, "shell", under TARGET_HANDLE ---- */

static capos_status_t fake_status(void *ctx, struct capos_rpc_request *rq,
				  const capos_ProcessRef *req, capos_ProcessStatus *resp)
{
	(void)ctx;
	(void)rq;
	if (req->handle != TARGET_HANDLE && strcmp(req->name, "shell") != 0)
		return CAPOS_NOT_FOUND;
	if (!target_alive)
		return CAPOS_NOT_FOUND;
	strcpy(resp->name, "shell");
	resp->pid = target_pid;
	resp->handle = TARGET_HANDLE;
	resp->state = capos_ProcessState_PROCESS_STATE_ALIVE;
	return CAPOS_OK;
}

static capos_status_t fake_cap_table(void *ctx, struct capos_rpc_request *rq,
				     const capos_CapTableRequest *req, capos_CapList *resp)
{
	(void)ctx;
	(void)rq;
	if (req->target.handle != TARGET_HANDLE || !target_alive)
		return CAPOS_NOT_FOUND;
	resp->entries_count = 2;
	resp->entries[0].slot = 0;
	resp->entries[0].type = capos_CapType_CAP_TYPE_ENDPOINT;
	resp->entries[0].rights = CAPOS_RIGHT_SEND;
	resp->entries[0].interface_id = 0x0100;
	strcpy(resp->entries[0].name, "console");
	resp->entries[1].slot = 1;
	resp->entries[1].type = capos_CapType_CAP_TYPE_NOTIFICATION;
	resp->entries[1].rights = CAPOS_RIGHT_SEND;
	strcpy(resp->entries[1].name, "ready");
	resp->next = 2;
	resp->table_size = 64;
	resp->used = 2;
	return CAPOS_OK;
}

static capos_status_t fake_inject(void *ctx, struct capos_rpc_request *rq,
				  const capos_ProcessRef *req, capos_Empty *resp)
{
	(void)ctx;
	(void)rq;
	(void)resp;
	return req->handle == TARGET_HANDLE && target_alive ? CAPOS_OK : CAPOS_NOT_FOUND;
}

static const struct processcontrol_ops fake_init_ops = {
	.status = fake_status,
	.cap_table = fake_cap_table,
	.inject_fault = fake_inject,
};

/* ---- fake kernel: what an offered cap is ---- */

static capos_status_t fake_process_cap(void *ctx, capos_cap_t cap, uint32_t *rights,
				       uint32_t *pid)
{
	(void)ctx;
	if (!capos_loopback_cap_present(cap))
		return CAPOS_INVALID_CAP;
	uint64_t t = capos_loopback_cap_token(cap);
	if (t >> 63) {
		*rights = (uint32_t)((t >> 32) & 0xffu);
		*pid = (uint32_t)t;
		return CAPOS_OK;
	}
	switch (offer) {
	case OFFER_CONTROL:
		*rights = CAPOS_RIGHT_CONTROL | CAPOS_RIGHT_READ;
		*pid = target_pid;
		return CAPOS_OK;
	case OFFER_WEAK:
		*rights = CAPOS_RIGHT_READ | CAPOS_RIGHT_WRITE;
		*pid = target_pid;
		return CAPOS_OK;
	case OFFER_OTHER_PID:
		*rights = CAPOS_RIGHT_CONTROL;
		*pid = target_pid + 1;
		return CAPOS_OK;
	default:
		return CAPOS_WRONG_TYPE;
	}
}

static void setup(void)
{
	memset(storage, 0, sizeof(storage));
	audit_init(&audit, storage, AUDIT_CAPACITY, NULL, NULL, sources, 1);
	capos_loopback_register(AUDIT, auditlog_service(&audit_service_ops, &audit), 0x42);
	capos_loopback_register(PROCS, processcontrol_service(&fake_init_ops, NULL), 1);
	struct debug_env env = {
		.process_cap = fake_process_cap,
		.procs = PROCS,
		.audit = AUDIT,
		.broker_badge = BROKER_BADGE,
	};
	debug_init(&dbg, &env);
	struct capos_rpc_service svc = debugsession_service(&debug_service_ops, &dbg);
	capos_loopback_register(SHELL, svc, SHELL_BADGE);
	capos_loopback_register(OTHER, svc, OTHER_BADGE);
	capos_loopback_register(BROKER, svc, BROKER_BADGE);
	capos_loopback_register(CHECKER, svc, CHECK_BADGE);
	target_pid = 7;
	target_alive = 1;
	offer = OFFER_CONTROL;
}

static void feed(const uint8_t *data, size_t len)
{
	if (!len)
		return;
	offer = (enum offer)(data[0] & 3u);
	if (data[0] & 4u)
		target_pid++; /* a restart: same handle, new pid */
	if (data[0] & 8u)
		target_alive = !target_alive;
}

/* Every record the server writes is either kept or refused as full. */
static uint64_t audited(void)
{
	return audit.count + audit.refused;
}

static int check_attachments(void)
{
	int bad = 0;
	for (uint32_t i = 0; i < DEBUG_MAX_CLIENTS; i++) {
		const struct debug_attachment *a = &dbg.at[i];
		if (!a->used)
			continue;
		bad |= fuzz_expect(a->badge == SHELL_BADGE || a->badge == OTHER_BADGE ||
					   a->badge == BROKER_BADGE,
				   "an attachment of a badge that never called");
		bad |= fuzz_expect(a->attach_id >= 1 && a->attach_id < dbg.next_attach_id,
				   "an attach id never given out");
		for (uint32_t j = i + 1; j < DEBUG_MAX_CLIENTS; j++)
			if (dbg.at[j].used)
				bad |= fuzz_expect(dbg.at[j].badge != a->badge &&
							   dbg.at[j].attach_id != a->attach_id,
						   "two attachments of one client or one id");
	}
	return bad;
}

static capos_status_t check_attach(capos_DebugAuthority auth, uint32_t rights,
				   capos_DebugAttachResult *res)
{
	capos_DebugAttachRequest req = capos_DebugAttachRequest_init_zero;
	req.has_target = true;
	req.target.handle = TARGET_HANDLE;
	req.authority = auth;
	strcpy(req.reason, "known good");
	struct capos_cap_list send = { .count = 1 };
	send.cap[0] = capos_loopback_new_object(PROC_TOKEN(rights, target_pid));
	if (send.cap[0] == CAPOS_NO_CAP)
		return CAPOS_LIMIT_EXCEEDED;
	memset(res, 0, sizeof(*res));
	capos_status_t st = debugsession_attach(CHECKER, &req, &send, res);
	capos_transport_drop(&send); /* sent as a copy: ours to drop */
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
		uint64_t records = audited(), refusals = dbg.refusals, id = dbg.next_attach_id;
		capos_DebugAttachResult res;
		capos_status_t st = check_attach(bad_proofs[i].auth, bad_proofs[i].rights, &res);
		bad |= fuzz_expect(st == CAPOS_DENIED && dbg.refusals == refusals + 1 &&
					   audited() == records + 1 && dbg.next_attach_id == id,
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
	uint64_t records = audited(), id = dbg.next_attach_id;
	uint64_t attaches = dbg.attaches, detaches = dbg.detaches, refusals = dbg.refusals;
	capos_DebugAttachResult res;
	capos_status_t st = check_attach(capos_DebugAuthority_DEBUG_AUTHORITY_OWNER_CONSENT,
					 CAPOS_RIGHT_CONTROL, &res);
	if (!target_alive) {
		bad |= fuzz_expect(st == CAPOS_NOT_FOUND && dbg.refusals == refusals + 1 &&
					   audited() == records + 1 && dbg.next_attach_id == id,
				   "Attach to a dead target: not NOT_FOUND, refused and audited");
		bad |= fuzz_expect(capos_loopback_caps_used() == caps, "the check leaked a cap");
		return bad;
	}
	bad |= fuzz_expect(st == CAPOS_OK && res.pid == target_pid && res.attach_id == id &&
				   !strcmp(res.name, "shell") && dbg.attaches == attaches + 1,
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
				   ps.pid == target_pid && ps.handle == TARGET_HANDLE,
			   "Status: not the target's");
	capos_Empty out;
	bad |= fuzz_expect(debugsession_detach(CHECKER, &e, &out) == CAPOS_OK &&
				   dbg.detaches == detaches + 1,
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
	.has_target = true, .target = { .handle = TARGET_HANDLE },
	.authority = capos_DebugAuthority_DEBUG_AUTHORITY_OWNER_CONSENT, .reason = "look",
};
static const capos_DebugAttachRequest att_maint = {
	.has_target = true, .target = { .name = "shell" },
	.authority = capos_DebugAuthority_DEBUG_AUTHORITY_MAINTENANCE_GRANT, .reason = "fix",
};
static const capos_DebugAttachRequest att_none = {
	.has_target = true, .target = { .handle = TARGET_HANDLE },
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
