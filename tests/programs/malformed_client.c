/*
 * malformed_client - sends every server of the system raw Calls whose
 * label is a real method but whose body is not a valid encoding of its
 * request (manifests/test-malformed.textproto, tests/qemu/malformed.expect).
 *
 * For each server (console, log sink and reader, clock, audit, sysinfo,
 * echo, and init's ProcessControl) it tries, each on its own Call straight from the IPC buffer:
 *   - a length-delimited field whose length runs past the end of the body;
 *   - a varint of 11 bytes (10 is the most a 64-bit varint may take);
 *   - a known field with the wrong wire type, or wire type 7 (none such)
 *     for the methods whose request is Empty;
 *   - a string or bytes field longer than its bound (idl/<x>.options);
 * and, once per server, a method id the interface does not have and an
 * interface id the endpoint does not serve. It prints the status of the
 * Call and the server's reply label, then makes one valid call through the
 * generated stub and prints what the server answered, which shows the
 * server survived and still serves. The expectations file judges the
 * numbers: INVALID_ARGUMENT (4) for each malformed body, UNSUPPORTED (10)
 * for the unknown method or interface.
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/rpc.h>
#include <capos/startup.h>
#include <capos/syscall.h>

#include "audit.capos.h"
#include "clock.capos.h"
#include "console.capos.h"
#include "echo.capos.h"
#include "log.capos.h"
#include "process.capos.h"
#include "sysinfo.capos.h"

int main(uint64_t arg);

/* A body: fixed bytes, then `fill` bytes of 'A' (for the over-bound cases). */
struct bad {
	const char *what;
	uint8_t head[16];
	uint32_t head_len;
	uint32_t fill;
};

/* Tag 0x0a = field 1, wire type 2 (length-delimited); each case names the
 * field it abuses. An 11-byte varint in tag position cannot be skipped as
 * an unknown field, so it fails whatever the message. */
#define VARINT11 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01

static const struct bad console_bad[] = {
	{ "data length 16 past a 2-byte end", { 0x0a, 0x10, 'A', 'A' }, 4, 0 },
	{ "11-byte varint tag", { VARINT11 }, 11, 0 },
	{ "data as a varint (wrong wire type)", { 0x08, 0x01 }, 2, 0 },
	{ "data of 1036 bytes (bound 1024)", { 0x0a, 0x8c, 0x08 }, 3, 1036 },
};
static const struct bad sink_bad[] = {
	{ "text length 32 past a 1-byte end", { 0x1a, 0x20, 'A' }, 3, 0 },
	{ "level as an 11-byte varint", { 0x08, VARINT11 }, 12, 0 },
	{ "text as fixed32 (wrong wire type)", { 0x1d, 0, 0, 0, 0 }, 5, 0 },
	{ "text of 300 bytes (bound 255)", { 0x1a, 0xac, 0x02 }, 3, 300 },
	{ "level 9 (no such LogLevel)", { 0x08, 0x09 }, 2, 0 },
};
static const struct bad reader_bad[] = {
	{ "source length 32 past a 1-byte end", { 0x12, 0x20, 'A' }, 3, 0 },
	{ "cursor as an 11-byte varint", { 0x18, VARINT11 }, 12, 0 },
	{ "source as a varint (wrong wire type)", { 0x10, 0x05 }, 2, 0 },
	{ "source of 40 bytes (bound 31)", { 0x12, 40 }, 2, 40 },
};
/* Requests that are Empty: every field is unknown and skipped, so only
 * what cannot be skipped fails. */
static const struct bad empty_bad[] = {
	{ "unknown field length 16 past a 2-byte end", { 0x0a, 0x10, 'A', 'A' }, 4, 0 },
	{ "11-byte varint tag", { VARINT11 }, 11, 0 },
	{ "wire type 7", { 0x0f, 0x00 }, 2, 0 },
	{ "field number 0", { 0x00 }, 1, 0 },
};
static const struct bad audit_bad[] = {
	{ "action length 32 past a 1-byte end", { 0x32, 0x20, 'A' }, 3, 0 },
	{ "11-byte varint tag", { VARINT11 }, 11, 0 },
	{ "action as fixed32 (wrong wire type)", { 0x35, 0, 0, 0, 0 }, 5, 0 },
	{ "action of 80 bytes (bound 63)", { 0x32, 80 }, 2, 80 },
	{ "crash submessage length 5 past a 1-byte end", { 0x4a, 0x05, 0x08 }, 3, 0 },
};
static const struct bad echo_bad[] = {
	{ "data length 16 past a 2-byte end", { 0x0a, 0x10, 'A', 'A' }, 4, 0 },
	{ "11-byte varint tag", { VARINT11 }, 11, 0 },
	{ "data as a varint (wrong wire type)", { 0x08, 0x01 }, 2, 0 },
	{ "data of 1100 bytes (bound 1024)", { 0x0a, 0xcc, 0x08 }, 3, 1100 },
};

/* init's ProcessControl.Status (ProcessRef: handle = 1, name = 2). */
static const struct bad procs_bad[] = {
	{ "name length 32 past a 1-byte end", { 0x12, 0x20, 'A' }, 3, 0 },
	{ "handle as an 11-byte varint", { 0x08, VARINT11 }, 12, 0 },
	{ "name as a varint (wrong wire type)", { 0x10, 0x05 }, 2, 0 },
	{ "name of 40 bytes (bound 31)", { 0x12, 40 }, 2, 40 },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* One raw Call with `len` body bytes already in the IPC buffer. */
static void raw_call(const char *server, const char *what, capos_cap_t cap, uint64_t label,
		     uint32_t len)
{
	struct capos_ipc_buffer *b = capos_ipc();
	b->label = label;
	b->len = len;
	b->ncaps = 0;
	capos_status_t st = capos_call(cap);
	long reply = st == CAPOS_OK ? (long)b->label : -1L;
	capos_printf("malformed: %s: %s -> call %ld, reply %ld\n", server, what, (long)st, reply);
}

static void send_bad(const char *server, capos_cap_t cap, uint32_t iface, uint32_t method,
		     const struct bad *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t *body = capos_ipc()->body;
		memcpy(body, cases[i].head, cases[i].head_len);
		memset(body + cases[i].head_len, 'A', cases[i].fill);
		raw_call(server, cases[i].what, cap, CAPOS_RPC_LABEL(iface, method),
			 cases[i].head_len + cases[i].fill);
	}
	/* A well-formed empty body to a method and an interface that do not exist. */
	raw_call(server, "method 99", cap, CAPOS_RPC_LABEL(iface, 99), 0);
	raw_call(server, "interface 0xf1ff", cap, CAPOS_RPC_LABEL(0xF1FF, method), 0);
}

static capos_cap_t need(const char *name)
{
	capos_cap_t c = capos_cap_lookup(name);
	if (c == CAPOS_NO_CAP)
		capos_printf("malformed: no cap named %s\n", name);
	return c;
}

static void console_case(capos_cap_t c)
{
	send_bad("console", c, CONSOLE_INTERFACE_ID, CONSOLE_WRITE_METHOD_ID, console_bad,
		 N(console_bad));
	static const char line[] = "malformed: console still writes\n";
	capos_ConsoleWrite w = capos_ConsoleWrite_init_zero;
	w.data.size = sizeof(line) - 1;
	memcpy(w.data.bytes, line, sizeof(line) - 1);
	capos_ConsoleWriteResult r = capos_ConsoleWriteResult_init_zero;
	capos_status_t st = console_write(c, &w, &r);
	capos_printf("malformed: console: valid Write -> status %ld, written %u\n", (long)st,
		     (unsigned)r.written);
}

static capos_LogReadResult log_res; /* large: off the stack */

static void log_case(capos_cap_t sink, capos_cap_t logs)
{
	send_bad("log sink", sink, LOGSINK_INTERFACE_ID, LOGSINK_WRITE_METHOD_ID, sink_bad,
		 N(sink_bad));
	capos_LogRecord rec = capos_LogRecord_init_zero;
	rec.level = capos_LogLevel_LOG_LEVEL_WARNING;
	strcpy(rec.text, "malformed: the log still takes records");
	capos_LogWriteResult w = capos_LogWriteResult_init_zero;
	capos_status_t st = logsink_write(sink, &rec, &w);
	capos_printf("malformed: log sink: valid Write -> status %ld, accepted %d, sequence %lu\n",
		     (long)st, w.accepted ? 1 : 0, (unsigned long)w.sequence);

	send_bad("log reader", logs, LOGREADER_INTERFACE_ID, LOGREADER_READ_METHOD_ID, reader_bad,
		 N(reader_bad));
	/* Our own records only: the one valid Write above. */
	capos_LogFilter f = capos_LogFilter_init_zero;
	strcpy(f.source, "malformed");
	st = logreader_read(logs, &f, &log_res);
	capos_printf("malformed: log reader: valid Read -> status %ld, %u records\n", (long)st,
		     st == CAPOS_OK ? (unsigned)log_res.records_count : 0u);
	for (pb_size_t i = 0; st == CAPOS_OK && i < log_res.records_count; i++)
		capos_printf("malformed: log reader:   sequence %lu level %d source '%s' text '%s'\n",
			     (unsigned long)log_res.records[i].sequence, (int)log_res.records[i].level,
			     log_res.records[i].source, log_res.records[i].text);
}

static void clock_case(capos_cap_t c)
{
	send_bad("clock", c, WALLCLOCK_INTERFACE_ID, WALLCLOCK_WALL_TIME_METHOD_ID, empty_bad,
		 N(empty_bad));
	capos_Empty e = capos_Empty_init_zero;
	capos_WallTimeReading wt = capos_WallTimeReading_init_zero;
	capos_status_t st = wallclock_wall_time(c, &e, &wt);
	capos_printf("malformed: clock: valid WallTime -> status %ld, seconds %ld, provenance %d\n",
		     (long)st, (long)wt.seconds, (int)wt.provenance);
	capos_MonotonicReading m = capos_MonotonicReading_init_zero;
	st = wallclock_monotonic_time(c, &e, &m);
	capos_printf("malformed: clock: valid MonotonicTime -> status %ld, nanoseconds %lu\n",
		     (long)st, (unsigned long)m.nanoseconds);
}

static void audit_case(capos_cap_t c)
{
	send_bad("audit", c, AUDITLOG_INTERFACE_ID, AUDITLOG_APPEND_METHOD_ID, audit_bad,
		 N(audit_bad));
	capos_AuditRecord rec = capos_AuditRecord_init_zero;
	rec.kind = capos_AuditKind_AUDIT_KIND_OTHER;
	strcpy(rec.action, "malformed probe");
	capos_AuditAppendResult a = capos_AuditAppendResult_init_zero;
	capos_status_t st = auditlog_append(c, &rec, &a);
	capos_printf("malformed: audit: valid Append -> status %ld, sequence %lu\n", (long)st,
		     (unsigned long)a.sequence);
}

static void sysinfo_case(capos_cap_t c)
{
	send_bad("sysinfo", c, SYSTEMINFO_INTERFACE_ID, SYSTEMINFO_HOSTNAME_METHOD_ID, empty_bad,
		 N(empty_bad));
	capos_Empty e = capos_Empty_init_zero;
	capos_HostnameInfo h = capos_HostnameInfo_init_zero;
	capos_status_t st = systeminfo_hostname(c, &e, &h);
	capos_printf("malformed: sysinfo: valid Hostname -> status %ld, hostname '%s'\n", (long)st,
		     h.hostname);
}

static void echo_case(capos_cap_t c)
{
	send_bad("echo", c, ECHO_INTERFACE_ID, ECHO_ECHO_METHOD_ID, echo_bad, N(echo_bad));
	/* A body longer than any message may be: the kernel refuses the Call
	 * itself, the server never sees it. */
	raw_call("echo", "body of 4096 bytes (CAPOS_MSG_BODY_MAX 2048)", c,
		 CAPOS_RPC_LABEL(ECHO_INTERFACE_ID, ECHO_ECHO_METHOD_ID), 4096);
	capos_EchoRequest req = capos_EchoRequest_init_zero;
	req.data.size = 5;
	memcpy(req.data.bytes, "still", 5);
	capos_EchoReply r = capos_EchoReply_init_zero;
	capos_status_t st = echo_echo(c, &req, &r);
	char text[8] = { 0 };
	if (st == CAPOS_OK && r.data.size < sizeof(text))
		memcpy(text, r.data.bytes, r.data.size);
	capos_printf("malformed: echo: valid Echo -> status %ld, '%s', count %lu\n", (long)st, text,
		     (unsigned long)r.count);
}

/* init serves ProcessControl on its own endpoint: the same rules. With a
 * READ-only grant, Kill is DENIED (the right rides in init's badge). */
static void procs_case(capos_cap_t c)
{
	send_bad("procs", c, PROCESSCONTROL_INTERFACE_ID, PROCESSCONTROL_STATUS_METHOD_ID,
		 procs_bad, N(procs_bad));
	capos_ProcessRef ref = capos_ProcessRef_init_zero;
	strcpy(ref.name, "malformed");
	capos_ProcessStatus ps = capos_ProcessStatus_init_zero;
	capos_status_t st = processcontrol_status(c, &ref, &ps);
	capos_printf("malformed: procs: valid Status -> status %ld, name '%s', state %d, "
		     "binary '%s'\n", (long)st, ps.name, (int)ps.state, ps.binary);
	strcpy(ref.name, "echo");
	capos_Empty e = capos_Empty_init_zero;
	st = processcontrol_kill(c, &ref, &e);
	capos_printf("malformed: procs: Kill with a READ grant -> status %ld\n", (long)st);
	strcpy(ref.name, "nosuch");
	st = processcontrol_status(c, &ref, &ps);
	capos_printf("malformed: procs: Status of 'nosuch' -> status %ld\n", (long)st);
}

int main(uint64_t arg)
{
	(void)arg;
	capos_cap_t console = need("console"), sink = need("log"), logs = need("logs"),
		    clock = need("clock"), audit = need("audit"), sysinfo = need("sysinfo"),
		    echo = need("echo");
	if (console == CAPOS_NO_CAP || sink == CAPOS_NO_CAP || logs == CAPOS_NO_CAP ||
	    clock == CAPOS_NO_CAP || audit == CAPOS_NO_CAP || sysinfo == CAPOS_NO_CAP ||
	    echo == CAPOS_NO_CAP)
		return 1;
	console_case(console);
	log_case(sink, logs);
	clock_case(clock);
	audit_case(audit);
	sysinfo_case(sysinfo);
	echo_case(echo);
	capos_cap_t procs = need("procs");
	if (procs == CAPOS_NO_CAP)
		return 1;
	procs_case(procs);
	/* A second valid round after every server has had its garbage: each
	 * one still answers (the console through this very line). */
	capos_Empty e = capos_Empty_init_zero;
	capos_HostnameInfo h = capos_HostnameInfo_init_zero;
	capos_EchoCount ec = capos_EchoCount_init_zero;
	capos_status_t s1 = systeminfo_hostname(sysinfo, &e, &h);
	capos_status_t s2 = echo_count(echo, &e, &ec);
	capos_printf("malformed: again: hostname status %ld '%s', echo count status %ld count %lu\n",
		     (long)s1, h.hostname, (long)s2, (unsigned long)ec.count);
	return 0;
}
