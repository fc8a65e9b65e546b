/*
 * cmd_admin.c - audit, kill, restart, upgrade, retarget, crash, debug (cmd_admin.h;
 * docs/shell.md "Administration"). The shell holds none of this authority
 * itself: every command gets a grant of the current session from the
 * broker, calls through it, and drops it at once.
 *
 * Through a "maintenance" grant the broker forwards DebugSession calls to
 * the debug server and AuditLog.Read to the audit log (`audit` tries
 * AuditLog.ReadBulk first and pages on UNSUPPORTED or DENIED); through a
 * "process-control" grant it forwards ProcessControl to init.
 */
#include <stdio.h>
#include <string.h>

#include <capos/status_names.h>
#include <capos/transport.h>

#include "audit.capos.h"
#include "cmd_admin.h"
#include "cmd_session.h"
#include "commands.h"
#include "debug.capos.h"
#include "log_bulk.h"
#include "process.capos.h"

#define AUDIT_DEFAULT_N 10u
#define AUDIT_MAX_N 200u

/* A decimal from 1 to max, all of s; 0 if it is not one. */
static unsigned long parse_num(const char *s, unsigned long max)
{
	unsigned long v = 0;
	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > max)
			return 0;
		v = v * 10u + (unsigned long)(*s - '0');
	}
	return v <= max ? v : 0;
}

static void drop(capos_cap_t cap)
{
	struct capos_cap_list l = { .count = 1, .cap = { cap } };
	if (cap != CAPOS_NO_CAP)
		capos_transport_drop(&l);
}

static capos_cap_t grant(struct shell *sh, const char *cmd, const char *name, const char *what)
{
	capos_GrantResult res;
	char reason[64];
	snprintf(reason, sizeof(reason), "%s %s", cmd, what);
	return sh_session_grant(sh, cmd, name, reason, &res);
}

/* The usage check ("usage: <usage>" printed when !usage_ok), then the
 * session's grant `name` for cmd with the reason "<cmd> <argv[1]>": the
 * cap, or CAPOS_NO_CAP when either fails (the broker's refusal printed
 * by sh_session_grant). argv[1] is read only when usage_ok. */
static capos_cap_t command_grant(struct shell *sh, int usage_ok, const char *usage,
				 const char *cmd, const char *name, char **argv)
{
	if (!usage_ok) {
		sh_printf(sh->out, "usage: %s\n", usage);
		return CAPOS_NO_CAP;
	}
	return grant(sh, cmd, name, argv[1]);
}

/* A call through the grant failed: "<cmd>: <what>: <status>". Returns
 * the command's exit code, 1. */
static int call_failed(struct shell *sh, const char *cmd, const char *what, capos_status_t st)
{
	sh_printf(sh->out, "%s: %s: %s\n", cmd, what, capos_status_name(st));
	return 1;
}

/* A ProcessRef naming a component. */
static capos_ProcessRef named(const char *name)
{
	capos_ProcessRef ref = capos_ProcessRef_init_zero;
	snprintf(ref.name, sizeof(ref.name), "%s", name);
	return ref;
}

static const char *kind_name(capos_AuditKind k)
{
	static const char *const names[] = {
		"unspecified", "crash", "restart", "session-open", "session-close", "grant",
		"debug-attach", "debug-detach", "shutdown", "upgrade", "key", "policy", "other",
	};
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "kind?";
}

static const char *cause_name(capos_DeathCause c)
{
	switch (c) {
	case capos_DeathCause_DEATH_CAUSE_EXIT:
		return "exit";
	case capos_DeathCause_DEATH_CAUSE_FAULT:
		return "fault";
	case capos_DeathCause_DEATH_CAUSE_KILLED:
		return "killed";
	default:
		return "unknown";
	}
}

static void print_record(struct shell *sh, const capos_AuditRecord *r)
{
	sh_printf(sh->out, "%4lu %-8s %-13s %s%s%s: %s (%s)\n", (unsigned long)r->sequence,
		  r->source, kind_name(r->kind), r->principal[0] ? r->principal : "",
		  r->principal[0] ? " " : "", r->action, r->detail,
		  capos_status_name((capos_status_t)r->outcome));
	if (r->has_crash) {
		const capos_CrashRecord *c = &r->crash;
		if (c->cause == capos_DeathCause_DEATH_CAUSE_LOST) {
			/* count-only: the kernel's queue was full, no process known */
			sh_printf(sh->out, "     crash: %lu records lost by the kernel\n",
				  (unsigned long)c->dropped);
			return;
		}
		if (c->cause == capos_DeathCause_DEATH_CAUSE_FAULT)
			sh_printf(sh->out, "     crash: %s pid %u fault vector %lu address %#lx rip %#lx\n",
				  c->name, (unsigned)c->pid, (unsigned long)c->vector,
				  (unsigned long)c->fault_addr, (unsigned long)c->rip);
		else
			sh_printf(sh->out, "     crash: %s pid %u %s exit code %ld\n", c->name,
				  (unsigned)c->pid, cause_name(c->cause), (long)c->exit_code);
		if (c->dropped) /* lost before this one was queued */
			sh_printf(sh->out, "     crash: %lu earlier records lost by the kernel\n",
				  (unsigned long)c->dropped);
	}
}

/* AuditLog.ReadBulk's records, printed as they come out of the buffer. */
struct audit_printer {
	struct shell *sh;
	unsigned *shown;
};

static int print_bulk_record(void *ctx, struct capos_wire_in *in)
{
	struct audit_printer *p = ctx;
	static capos_AuditRecord r; /* ~1 KiB: static, not on the stack */
	memset(&r, 0, sizeof(r));
	if (!capos_AuditRecord_wire_decode(in, &r))
		return 0;
	print_record(p->sh, &r);
	(*p->shown)++;
	return 1;
}

/* Records *cursor..last by AuditLog.ReadBulk into the shell's buffer
 * (log_bulk.h), printed; *cursor moves past what was printed and
 * *refused takes each answer's count. UNSUPPORTED without a buffer, or
 * the first failing status (UNSUPPORTED or DENIED on the first call: the
 * server, or the broker forwarding the grant, does not take ReadBulk). */
static capos_status_t audit_bulk(struct shell *sh, capos_cap_t cap, uint64_t *cursor,
				 uint64_t last, unsigned *shown, uint64_t *refused)
{
	struct sh_bulk b;
	if (!sh->log_buffer || sh->log_buffer(sh, &b) != CAPOS_OK)
		return CAPOS_UNSUPPORTED;
	struct audit_printer p = { sh, shown };
	capos_AuditBulkRead req = capos_AuditBulkRead_init_zero;
	while (*cursor <= last) {
		capos_AuditBulkResult out;
		struct capos_cap_list send = { .count = 1, .move = 0, .cap = { b.cap } };
		req.cursor = *cursor;
		req.max = (uint32_t)(last - *cursor + 1u); /* last - cursor < AUDIT_MAX_N */
		capos_status_t st = auditlog_read_bulk(cap, &req, &send, &out);
		if (st == CAPOS_OK)
			st = sh_bulk_records(&b, out.bytes, out.count,
					     capos_AuditReadResult_records_tag, print_bulk_record, &p);
		if (st != CAPOS_OK)
			return st;
		*refused = out.refused;
		if (out.count == 0 || out.next_cursor <= *cursor)
			break;
		*cursor = out.next_cursor;
	}
	return CAPOS_OK;
}

int sh_audit_show(struct shell *sh, capos_cap_t cap, unsigned n)
{
	static capos_AuditReadResult page; /* 4 records: ~2 KiB */
	capos_AuditFilter f = capos_AuditFilter_init_zero;
	f.max = 1;
	capos_status_t st = auditlog_read(cap, &f, &page);
	uint64_t last = page.last_sequence, refused = page.refused;
	f.cursor = last >= n ? last - n + 1u : 1u;
	f.max = 0;
	unsigned shown = 0;
	/* Many records a call when the grant's server takes ReadBulk and the
	 * shell has its buffer; else, or from where it stopped, page by page.
	 * Either way the same lines. */
	if (st == CAPOS_OK && f.cursor <= last) {
		st = audit_bulk(sh, cap, &f.cursor, last, &shown, &refused);
		if (st == CAPOS_UNSUPPORTED || st == CAPOS_DENIED)
			st = CAPOS_OK;
	}
	while (st == CAPOS_OK && f.cursor <= last) {
		st = auditlog_read(cap, &f, &page);
		if (st != CAPOS_OK)
			break;
		refused = page.refused;
		if (page.records_count == 0)
			break;
		for (pb_size_t i = 0; i < page.records_count; i++, shown++)
			print_record(sh, &page.records[i]);
		if (page.next_cursor <= f.cursor)
			break;
		f.cursor = page.next_cursor;
	}
	if (st != CAPOS_OK) {
		sh_printf(sh->out, "audit: %s\n", capos_status_name(st));
		return 1;
	}
	sh_printf(sh->out, "audit: %u of %lu records%s\n", shown, (unsigned long)last,
		  refused ? " (the log has refused appends: full)" : "");
	return 0;
}

int cmd_audit(struct shell *sh, int argc, char **argv)
{
	unsigned n = AUDIT_DEFAULT_N;
	if (argc == 3 && strcmp(argv[1], "-n") == 0) {
		unsigned long v = parse_num(argv[2], AUDIT_MAX_N);
		if (v == 0) {
			sh_printf(sh->out, "audit: -n needs a number from 1 to %u\n", AUDIT_MAX_N);
			return 1;
		}
		n = (unsigned)v;
	} else if (argc != 1) {
		sh_printf(sh->out, "usage: audit [-n N]\n");
		return 1;
	}
	capos_cap_t cap = grant(sh, "audit", "maintenance", "read the audit log");
	if (cap == CAPOS_NO_CAP)
		return 1;
	int rc = sh_audit_show(sh, cap, n);
	drop(cap);
	return rc;
}

static capos_status_t status_of(capos_cap_t cap, const char *name, capos_ProcessStatus *ps)
{
	capos_ProcessRef ref = named(name);
	return processcontrol_status(cap, &ref, ps);
}

int cmd_kill(struct shell *sh, int argc, char **argv)
{
	capos_cap_t cap =
		command_grant(sh, argc == 2, "kill COMPONENT", "kill", "process-control", argv);
	if (cap == CAPOS_NO_CAP)
		return 1;
	capos_ProcessRef ref = named(argv[1]);
	capos_Empty e;
	capos_status_t st = processcontrol_kill(cap, &ref, &e);
	drop(cap);
	if (st != CAPOS_OK)
		return call_failed(sh, "kill", argv[1], st);
	sh_printf(sh->out, "kill: %s killed\n", argv[1]);
	return 0;
}

/* Kill, then wait for init's restart policy to bring a new instance. */
int cmd_restart(struct shell *sh, int argc, char **argv)
{
	capos_cap_t cap = command_grant(sh, argc == 2, "restart COMPONENT", "restart",
					"process-control", argv);
	if (cap == CAPOS_NO_CAP)
		return 1;
	capos_ProcessStatus before, now;
	capos_status_t st = status_of(cap, argv[1], &before);
	capos_Empty e;
	if (st == CAPOS_OK) {
		capos_ProcessRef ref = capos_ProcessRef_init_zero;
		ref.handle = before.handle;
		st = processcontrol_kill(cap, &ref, &e);
	}
	/* Init restarts it before it answers anything else (one endpoint,
	 * one thread): the next Status already sees the new instance. */
	if (st == CAPOS_OK)
		st = status_of(cap, argv[1], &now);
	drop(cap);
	if (st != CAPOS_OK)
		return call_failed(sh, "restart", argv[1], st);
	if (now.state != capos_ProcessState_PROCESS_STATE_ALIVE || now.pid == before.pid) {
		sh_printf(sh->out, "restart: %s killed, not restarted (%s, restart policy)\n",
			  argv[1], sh_process_state_name((int)now.state));
		return 1;
	}
	sh_printf(sh->out, "restart: %s pid %u -> %u (restart %u)\n", argv[1],
		  (unsigned)before.pid, (unsigned)now.pid, (unsigned)now.restarts);
	return 0;
}

int cmd_upgrade(struct shell *sh, int argc, char **argv)
{
	capos_cap_t cap = command_grant(sh, argc == 2 || argc == 3, "upgrade COMPONENT [BINARY]",
					"upgrade", "process-control", argv);
	if (cap == CAPOS_NO_CAP)
		return 1;
	capos_UpgradeRequest rq = capos_UpgradeRequest_init_zero;
	capos_UpgradeResult res;
	snprintf(rq.component, sizeof(rq.component), "%s", argv[1]);
	if (argc == 3)
		snprintf(rq.binary, sizeof(rq.binary), "%s", argv[2]);
	capos_status_t st = processcontrol_upgrade(cap, &rq, &res);
	drop(cap);
	if (st != CAPOS_OK)
		return call_failed(sh, "upgrade", argv[1], st);
	sh_printf(sh->out, "upgrade: %s pid %u -> %u, %u endpoints moved\n", argv[1],
		  (unsigned)res.old_pid, (unsigned)res.new_pid, (unsigned)res.endpoints_moved);
	return 0;
}

/* Moves one endpoint to another running component that speaks its
 * interface (init's ProcessControl.Retarget; docs/recovery.md). */
int cmd_retarget(struct shell *sh, int argc, char **argv)
{
	capos_cap_t cap = command_grant(sh, argc == 3, "retarget ENDPOINT COMPONENT", "retarget",
					"process-control", argv);
	if (cap == CAPOS_NO_CAP)
		return 1;
	capos_RetargetRequest rq = capos_RetargetRequest_init_zero;
	snprintf(rq.endpoint, sizeof(rq.endpoint), "%s", argv[1]);
	snprintf(rq.component, sizeof(rq.component), "%s", argv[2]);
	capos_Empty e;
	capos_status_t st = processcontrol_retarget(cap, &rq, &e);
	drop(cap);
	if (st != CAPOS_OK) {
		sh_printf(sh->out, "retarget: %s to %s: %s\n", argv[1], argv[2],
			  capos_status_name(st));
		return 1;
	}
	sh_printf(sh->out, "retarget: %s now served by %s\n", argv[1], argv[2]);
	return 0;
}

/* Attach through the maintenance grant; prints the refusal. */
static capos_status_t attach(struct shell *sh, capos_cap_t cap, const char *cmd,
			     const capos_ProcessRef *target, const char *reason,
			     capos_DebugAttachResult *res)
{
	capos_DebugAttachRequest rq = capos_DebugAttachRequest_init_zero;
	rq.has_target = true;
	rq.target = *target;
	rq.authority = capos_DebugAuthority_DEBUG_AUTHORITY_MAINTENANCE_GRANT;
	snprintf(rq.reason, sizeof(rq.reason), "%s", reason);
	struct capos_cap_list none = { 0 };
	capos_status_t st = debugsession_attach(cap, &rq, &none, res);
	if (st != CAPOS_OK)
		sh_printf(sh->out, "%s: attach refused (%s)\n", cmd, capos_status_name(st));
	return st;
}

int cmd_crash(struct shell *sh, int argc, char **argv)
{
	capos_cap_t cap =
		command_grant(sh, argc == 2, "crash COMPONENT", "crash", "maintenance", argv);
	if (cap == CAPOS_NO_CAP)
		return 1;
	capos_ProcessRef ref = named(argv[1]);
	capos_DebugAttachResult res;
	capos_status_t st = attach(sh, cap, "crash", &ref, "fault injection from the shell", &res);
	if (st == CAPOS_OK) {
		capos_Empty e = capos_Empty_init_zero, out;
		st = debugsession_inject_fault(cap, &e, &out);
		debugsession_detach(cap, &e, &out);
		if (st == CAPOS_OK)
			sh_printf(sh->out, "crash: %s (pid %u) took a page fault\n", res.name,
				  (unsigned)res.pid);
		else
			call_failed(sh, "crash", argv[1], st);
	}
	drop(cap);
	return st == CAPOS_OK ? 0 : 1;
}

/* The handle of the process with `pid`, from the shell's `procs` (ps). */
static capos_status_t handle_of(struct shell *sh, uint32_t pid, uint64_t *handle)
{
	static capos_ProcessList list;
	capos_ProcessListRequest rq = capos_ProcessListRequest_init_zero;
	if (sh->procs == CAPOS_NO_CAP)
		return CAPOS_NOT_FOUND;
	for (unsigned round = 0; round < 64; round++) {
		capos_status_t st = processcontrol_list(sh->procs, &rq, &list);
		if (st != CAPOS_OK)
			return st;
		for (pb_size_t i = 0; i < list.processes_count; i++)
			if (list.processes[i].pid == pid &&
			    list.processes[i].state == capos_ProcessState_PROCESS_STATE_ALIVE) {
				*handle = list.processes[i].handle;
				return CAPOS_OK;
			}
		if (list.next == 0 || list.next <= rq.first)
			break;
		rq.first = list.next;
	}
	return CAPOS_NOT_FOUND;
}

int cmd_debug(struct shell *sh, int argc, char **argv)
{
	unsigned long pid = argc == 2 ? parse_num(argv[1], 0xffffffffu) : 0;
	capos_cap_t cap = command_grant(sh, pid != 0, "debug PID", "debug", "maintenance", argv);
	if (cap == CAPOS_NO_CAP)
		return 1;
	capos_ProcessRef ref = capos_ProcessRef_init_zero;
	capos_status_t st = handle_of(sh, (uint32_t)pid, &ref.handle);
	if (st != CAPOS_OK) {
		sh_printf(sh->out, "debug: no running process with pid %lu\n", pid);
		drop(cap);
		return 1;
	}
	capos_DebugAttachResult res;
	st = attach(sh, cap, "debug", &ref, "debug from the shell", &res);
	if (st != CAPOS_OK) {
		drop(cap);
		return 1;
	}
	sh_printf(sh->out, "debug: attached to %s (pid %u), attach id %lu\n", res.name,
		  (unsigned)res.pid, (unsigned long)res.attach_id);
	capos_Empty e = capos_Empty_init_zero, out;
	capos_ProcessStatus ps;
	st = debugsession_status(cap, &e, &ps);
	if (st == CAPOS_OK)
		sh_printf(sh->out, "status: %s, restarts %u, pages %u, slots %u, threads %u\n",
			  sh_process_state_name((int)ps.state), (unsigned)ps.restarts,
			  ps.has_usage ? (unsigned)ps.usage.pages : 0u,
			  ps.has_usage ? (unsigned)ps.usage.slots : 0u,
			  ps.has_usage ? (unsigned)ps.usage.threads : 0u);
	static capos_CapList list;
	capos_CapListRequest lr = capos_CapListRequest_init_zero;
	int header = 0;
	for (unsigned round = 0; st == CAPOS_OK && round < 64; round++) {
		st = debugsession_cap_table(cap, &lr, &list);
		if (st != CAPOS_OK)
			break;
		if (!header)
			sh_printf(sh->out, "  SLOT  TYPE           RIGHTS                   BADGE"
					   "               IFACE   NAME\n");
		header = 1;
		for (pb_size_t i = 0; i < list.entries_count; i++) {
			const capos_CapInfo *c = &list.entries[i];
			char rights[64];
			sh_format_rights(rights, sizeof(rights), c->rights);
			sh_printf(sh->out, "  %4u  %-13s  %-23s  %#-18lx  %#06lx  %s\n",
				  (unsigned)c->slot, sh_cap_type_name((uint32_t)c->type), rights,
				  (unsigned long)c->badge, (unsigned long)c->interface_id,
				  c->name);
		}
		if (list.next >= list.table_size || list.next <= lr.first ||
		    list.entries_count == 0)
			break;
		lr.first = list.next;
	}
	if (st == CAPOS_OK)
		sh_printf(sh->out, "table: %u of %u slots used\n", (unsigned)list.used,
			  (unsigned)list.table_size);
	else
		sh_printf(sh->out, "debug: %s\n", capos_status_name(st));
	debugsession_detach(cap, &e, &out);
	sh_printf(sh->out, "debug: detached\n");
	drop(cap);
	return st == CAPOS_OK ? 0 : 1;
}
