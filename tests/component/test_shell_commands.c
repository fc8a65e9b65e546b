/*
 * Component test: the shell's commands (servers/shell/commands.c). The
 * pure helpers (tokens, log options, calendar, formats) directly; then
 * whole command lines through sh_run against the real clock, sysinfo and
 * log servers (their generated dispatchers over the host loopback), a fake
 * ProcessControl and a fake CapabilityManager list, checking every byte
 * the shell would send to the console and how many writes it took.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <capos/abi.h>
#include <capos/civil_date.h>
#include <capos/startup.h>
#include <capos/status_names.h>
#include <capos/transport.h>

#include "audit_service.h"
#include "avatar.h"
#include "cmd_admin.h"
#include "clock_service.h"
#include "commands.h"
#include "log_bulk.h"
#include "log_service.h"
#include "process.capos.h"
#include "shell_console.h"
#include "sysinfo_service.h"

/* ---- pure helpers ---------------------------------------------------------- */

static void test_tokenize(void **st)
{
	(void)st;
	char *argv[SH_MAX_ARGS];
	const char *err;
	char l1[] = "  log\t-s  clock -n 5 ";
	assert_int_equal(sh_tokenize(l1, argv, SH_MAX_ARGS, &err), 5);
	assert_string_equal(argv[0], "log");
	assert_string_equal(argv[1], "-s");
	assert_string_equal(argv[2], "clock");
	assert_string_equal(argv[3], "-n");
	assert_string_equal(argv[4], "5");
	char l2[] = "echo \"a  b\" 'c d'e \"\"";
	assert_int_equal(sh_tokenize(l2, argv, SH_MAX_ARGS, &err), 4);
	assert_string_equal(argv[1], "a  b");
	assert_string_equal(argv[2], "c de");
	assert_string_equal(argv[3], "");
	char l3[] = "   ";
	assert_int_equal(sh_tokenize(l3, argv, SH_MAX_ARGS, &err), 0);
	char l4[] = "echo 'open";
	assert_int_equal(sh_tokenize(l4, argv, SH_MAX_ARGS, &err), -1);
	assert_string_equal(err, "unterminated quote");
	char l5[] = "a b c d";
	assert_int_equal(sh_tokenize(l5, argv, 3, &err), -1);
	assert_string_equal(err, "too many words");
	char l6[] = "a b c";
	assert_int_equal(sh_tokenize(l6, argv, 3, &err), 3);
	assert_string_equal(argv[2], "c");
}

static void test_names(void **st)
{
	(void)st;
	/* The names the shell prints (capos_status_name; the whole table is
	 * checked against abi.h in tests/runtime/test_status_names.c). */
	assert_string_equal(capos_status_name(CAPOS_OK), "OK");
	assert_string_equal(capos_status_name(CAPOS_DISCONNECTED), "DISCONNECTED");
	assert_string_equal(capos_status_name(CAPOS_UNSUPPORTED), "UNSUPPORTED");
	assert_string_equal(capos_status_name(CAPOS_SLOT_OCCUPIED), "SLOT_OCCUPIED");
	assert_string_equal(capos_status_name(CAPOS_NOT_FOUND), "NOT_FOUND");
	assert_string_equal(capos_status_name(77), "STATUS_77");
	assert_string_equal(sh_provenance_name(0), "untrusted");
	assert_string_equal(sh_provenance_name(1), "rtc");
	assert_string_equal(sh_provenance_name(2), "manifest");
	assert_string_equal(sh_provenance_name(3), "network");
	assert_string_equal(sh_provenance_name(9), "unknown");
	assert_string_equal(sh_cap_type_name(CAPOS_CAP_ENDPOINT), "endpoint");
	assert_string_equal(sh_cap_type_name(CAPOS_CAP_CAP_MANAGER), "cap_manager");
	assert_string_equal(sh_cap_type_name(CAPOS_CAP_PROCESS_CONTROL), "process_control");
	assert_string_equal(sh_cap_type_name(40), "type40");
	assert_string_equal(sh_process_state_name(1), "alive");
	assert_string_equal(sh_process_state_name(3), "faulted");
	assert_string_equal(sh_process_state_name(99), "unknown");
	char r[64];
	sh_format_rights(r, sizeof(r), 0);
	assert_string_equal(r, "none");
	sh_format_rights(r, sizeof(r), CAPOS_RIGHT_SEND);
	assert_string_equal(r, "send");
	sh_format_rights(r, sizeof(r), CAPOS_RIGHT_READ | CAPOS_RIGHT_WRITE | CAPOS_RIGHT_GRANT |
					       CAPOS_RIGHT_CONTROL);
	assert_string_equal(r, "read,write,grant,control");
	sh_format_rights(r, sizeof(r), CAPOS_RIGHT_RECV | 0x100);
	assert_string_equal(r, "recv,0x100");
	char tiny[6];
	sh_format_rights(tiny, sizeof(tiny), CAPOS_RIGHT_READ | CAPOS_RIGHT_WRITE);
	assert_string_equal(tiny, "read,"); /* cut, still terminated */
}

static void test_levels(void **st)
{
	(void)st;
	int l = -1;
	const char *names[] = { "trace", "debug", "info", "warning", "error", "critical" };
	for (int i = 0; i < 6; i++) {
		assert_string_equal(sh_level_name(i), names[i]);
		assert_true(sh_parse_level(names[i], &l));
		assert_int_equal(l, i);
	}
	assert_true(sh_parse_level("WARNING", &l));
	assert_int_equal(l, 3);
	assert_true(sh_parse_level("Critical", &l));
	assert_int_equal(l, 5);
	assert_true(sh_parse_level("0", &l));
	assert_int_equal(l, 0);
	assert_true(sh_parse_level("4", &l));
	assert_int_equal(l, 4);
	l = 42;
	assert_false(sh_parse_level("6", &l));
	assert_false(sh_parse_level("-1", &l));
	assert_false(sh_parse_level("", &l));
	assert_false(sh_parse_level("warn", &l));
	assert_false(sh_parse_level("infos", &l));
	assert_false(sh_parse_level("2x", &l));
	assert_int_equal(l, 42); /* untouched on failure */
	assert_string_equal(sh_level_name(6), "level?");
}

static int parse(const char *line, struct sh_log_opts *o, char *err)
{
	static char buf[256];
	char *argv[SH_MAX_ARGS];
	const char *terr;
	snprintf(buf, sizeof(buf), "%s", line);
	int argc = sh_tokenize(buf, argv, SH_MAX_ARGS, &terr);
	assert_true(argc > 0);
	err[0] = '\0';
	return sh_parse_log_opts(argc, argv, o, err, 128);
}

static void test_log_options(void **st)
{
	(void)st;
	struct sh_log_opts o;
	char err[128];
	assert_true(parse("log", &o, err));
	assert_int_equal(o.min_level, 0);
	assert_string_equal(o.source, "");
	assert_int_equal(o.n, SH_LOG_DEFAULT_N);
	assert_true(parse("log -l Warning -s clock -n 3", &o, err));
	assert_int_equal(o.min_level, 3);
	assert_string_equal(o.source, "clock");
	assert_int_equal(o.n, 3);
	assert_true(parse("log -n 100 -l 1", &o, err));
	assert_int_equal(o.n, 100);
	assert_int_equal(o.min_level, 1);
	/* Later options win. */
	assert_true(parse("log -l error -l info", &o, err));
	assert_int_equal(o.min_level, 2);
	assert_true(parse("log -s 0123456789012345678901234567890", &o, err)); /* 31 */

	struct {
		const char *line, *err;
	} bad[] = {
		{ "log -l", "-l needs a value" },
		{ "log -s", "-s needs a value" },
		{ "log -n", "-n needs a value" },
		{ "log -l loud",
		  "bad level 'loud' (trace, debug, info, warning, error, critical or 0-5)" },
		{ "log -l 6", "bad level '6' (trace, debug, info, warning, error, critical or 0-5)" },
		{ "log -n 0", "-n needs a number from 1 to 100" },
		{ "log -n 101", "-n needs a number from 1 to 100" },
		{ "log -n -3", "-n needs a number from 1 to 100" },
		{ "log -n 5x", "-n needs a number from 1 to 100" },
		{ "log -n 99999999999999999999999", "-n needs a number from 1 to 100" },
		{ "log -x", "unknown option '-x'" },
		{ "log -ls", "unknown option '-ls'" },
		{ "log clock", "unexpected argument 'clock'" },
		{ "log -n 3 -", "unexpected argument '-'" },
		{ "log -s 01234567890123456789012345678901", "source longer than 31 characters" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(parse(bad[i].line, &o, err));
		assert_string_equal(err, bad[i].err);
	}
}

static void test_format_date(void **st)
{
	(void)st;
	char b[96];
	struct {
		int64_t s;
		int prov;
		const char *want;
	} k[] = {
		{ 0, 0, "1970-01-01 00:00:00 UTC (untrusted)" },
		{ 951782400 + 3600 * 23 + 60 * 59 + 59, 1, "2000-02-29 23:59:59 UTC (rtc)" },
		{ 951782400 + 86400, 2, "2000-03-01 00:00:00 UTC (manifest)" },
		{ 1709164800 + 45296, 1, "2024-02-29 12:34:56 UTC (rtc)" },
		{ 2147483647, 2, "2038-01-19 03:14:07 UTC (manifest)" },
		{ 2147483648LL, 1, "2038-01-19 03:14:08 UTC (rtc)" },
		{ 4294967296LL, 3, "2106-02-07 06:28:16 UTC (network)" },
		{ 4107456000LL + 86399, 1, "2100-02-28 23:59:59 UTC (rtc)" },
		{ 4107542400LL, 1, "2100-03-01 00:00:00 UTC (rtc)" },
		{ 253402300799LL, 1, "9999-12-31 23:59:59 UTC (rtc)" },
		{ -1, 0, "1969-12-31 23:59:59 UTC (untrusted)" },
		{ -86400, 0, "1969-12-31 00:00:00 UTC (untrusted)" },
		{ -86401, 0, "1969-12-30 23:59:59 UTC (untrusted)" },
		{ 1700000000, 7, "2023-11-14 22:13:20 UTC (unknown)" },
	};
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		int n = sh_format_date(b, sizeof(b), k[i].s, k[i].prov);
		assert_string_equal(b, k[i].want);
		assert_int_equal(n, (int)strlen(k[i].want));
	}
}

static void test_format_uptime(void **st)
{
	(void)st;
	char b[64];
	struct {
		uint64_t ns;
		const char *want;
	} k[] = {
		{ 0, "up 0.000s" },
		{ 999999, "up 0.000s" }, /* milliseconds are truncated */
		{ 1000000, "up 0.001s" },
		{ 12345678901ull, "up 12.345s" },
		{ 59999999999ull, "up 59.999s" },
		{ 60000000000ull, "up 1m 0.000s" },
		{ 65250000000ull, "up 1m 5.250s" },
		{ 3600000000000ull, "up 1h 0m 0.000s" },
		{ 3600000000000ull * 2 + 5007000000ull, "up 2h 0m 5.007s" },
		{ 86400000000000ull - 1, "up 23h 59m 59.999s" },
		{ 86400000000000ull * 3 + 3600000000000ull * 4 + 60000000000ull * 5 + 6007000000ull,
		  "up 3d 4h 5m 6.007s" },
		{ UINT64_MAX, "up 213503d 23h 34m 33.709s" },
	};
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		sh_format_uptime(b, sizeof(b), k[i].ns);
		assert_string_equal(b, k[i].want);
	}
}

static void test_format_log_record(void **st)
{
	(void)st;
	capos_LogRecord r = capos_LogRecord_init_zero;
	r.sequence = 42;
	r.level = capos_LogLevel_LOG_LEVEL_WARNING;
	strcpy(r.source, "clock");
	strcpy(r.text, "RTC unreadable, using the seed");
	char b[400];
	sh_format_log_record(b, sizeof(b), &r);
	assert_string_equal(b, "42 warning clock: RTC unreadable, using the seed");
	r.source[0] = '\0';
	r.level = 9;
	sh_format_log_record(b, sizeof(b), &r);
	assert_string_equal(b, "42 level? -: RTC unreadable, using the seed");
	/* Text from others is shown, never obeyed: ESC, CR and LF escaped,
	 * so no forged line and no terminal command reach the operator. */
	static char big[SH_LOG_LINE_MAX];
	r.level = capos_LogLevel_LOG_LEVEL_INFO;
	strcpy(r.source, "evil\x1b[1m");
	strcpy(r.text, "x\x1b[2J\r\ninit: system ready");
	sh_format_log_record(big, sizeof(big), &r);
	assert_string_equal(big, "42 info evil\\x1b[1m: x\\x1b[2J\\r\\ninit: system ready");
	/* The longest record fits whole. */
	memset(r.text, '\x1b', sizeof(r.text) - 1);
	r.text[sizeof(r.text) - 1] = '\0';
	memset(r.source, '\n', sizeof(r.source) - 1);
	r.source[sizeof(r.source) - 1] = '\0';
	r.sequence = UINT64_MAX;
	int n = sh_format_log_record(big, sizeof(big), &r);
	assert_true(n > 0 && (size_t)n < sizeof(big));
	assert_int_equal(strlen(big), (size_t)n);
	assert_string_equal(big + n - 4, "\\x1b");
}

static capos_LogReadResult page_of(uint64_t first_seq, unsigned n, uint64_t dropped)
{
	capos_LogReadResult p = capos_LogReadResult_init_zero;
	for (unsigned i = 0; i < n; i++) {
		p.records[i].sequence = first_seq + i;
		snprintf(p.records[i].text, sizeof(p.records[i].text), "r%llu",
			 (unsigned long long)(first_seq + i));
	}
	p.records_count = (pb_size_t)n;
	p.dropped = dropped;
	return p;
}

static void test_log_tail(void **st)
{
	(void)st;
	static struct sh_log_tail t;
	sh_log_tail_init(&t, 7);
	capos_LogReadResult p = page_of(1, 5, 3);
	sh_log_tail_add(&t, &p);
	assert_int_equal(t.count, 5);
	p = page_of(6, 5, 0);
	sh_log_tail_add(&t, &p);
	p = page_of(11, 2, 4);
	sh_log_tail_add(&t, &p);
	assert_int_equal(t.count, 7);
	assert_int_equal(t.seen, 12);
	assert_int_equal(t.dropped, 7);
	for (unsigned i = 0; i < 7; i++)
		assert_int_equal(sh_log_tail_at(&t, i)->sequence, 6 + i);
	assert_null(sh_log_tail_at(&t, 7));
	/* n is clamped to 1..SH_LOG_MAX_N. */
	sh_log_tail_init(&t, 0);
	assert_int_equal(t.n, 1);
	p = page_of(1, 5, 0);
	sh_log_tail_add(&t, &p);
	assert_int_equal(t.count, 1);
	assert_int_equal(sh_log_tail_at(&t, 0)->sequence, 5);
	sh_log_tail_init(&t, 1000);
	assert_int_equal(t.n, SH_LOG_MAX_N);
}

/* ---- whole commands over the loopback -------------------------------------- */

#define CLOCK_CAP 20
#define SYSINFO_CAP 21
#define LOGS_CAP 22
#define SINK_CLOCK 23 /* LogSink as the clock component (badge 2) */
#define SINK_AUDIT 24 /* LogSink as the audit component (badge 3) */
#define PROCS_CAP 25
#define SELF_CAP 26
#define DEAD_CAP 27 /* nothing registered */
#define AUDIT_CAP 28 /* AuditLog, as a maintenance grant would reach it */

static struct clock_state clk;
static struct sysinfo_state si;
static struct log_state logst;
static uint64_t mono_ns;
static int64_t cmos_seconds;
static const struct capos_client_name sources[] = { { 2, "clock" }, { 3, "audit" } };

static uint64_t fake_mono(void *ctx)
{
	(void)ctx;
	return mono_ns;
}

static uint64_t si_now(void *ctx)
{
	(void)ctx;
	return mono_ns;
}

/* A CMOS snapshot of cmos_seconds, binary 24-hour mode. */
static bool fake_cmos(void *ctx, uint8_t regs[CLOCK_CMOS_NREGS])
{
	(void)ctx;
	if (cmos_seconds == 0)
		return false;
	memset(regs, 0, CLOCK_CMOS_NREGS);
	int64_t days = cmos_seconds / 86400, rem = cmos_seconds % 86400;
	int64_t y;
	unsigned m, d;
	capos_civil_from_days(days, &y, &m, &d);
	regs[CLOCK_CMOS_SECONDS] = (uint8_t)(rem % 60);
	regs[CLOCK_CMOS_MINUTES] = (uint8_t)(rem / 60 % 60);
	regs[CLOCK_CMOS_HOURS] = (uint8_t)(rem / 3600);
	regs[CLOCK_CMOS_DAY] = (uint8_t)d;
	regs[CLOCK_CMOS_MONTH] = (uint8_t)m;
	regs[CLOCK_CMOS_YEAR] = (uint8_t)(y % 100);
	regs[CLOCK_CMOS_CENTURY] = (uint8_t)(y / 100);
	regs[CLOCK_CMOS_STATUS_B] = CLOCK_CMOS_B_24H | CLOCK_CMOS_B_BINARY;
	return true;
}

/* ProcessControl.List: a fake init with `nprocs` processes, pages of 3. */
static unsigned nprocs;
static const char *proc3_name; /* when set: process 3's name (a spawn name) */
static capos_status_t list_status;
static int list_calls;

static capos_status_t fake_list(void *ctx, struct capos_rpc_request *rq,
				const capos_ProcessListRequest *req, capos_ProcessList *resp)
{
	(void)ctx;
	(void)rq;
	list_calls++;
	if (list_status != CAPOS_OK)
		return list_status;
	uint64_t first = req->first ? req->first : 1; /* handles 1.. */
	resp->processes_count = 0;
	for (uint64_t h = first; h <= nprocs && resp->processes_count < 3; h++) {
		capos_ProcessStatus *p = &resp->processes[resp->processes_count++];
		snprintf(p->name, sizeof(p->name), "proc%llu", (unsigned long long)h);
		if (h == 3 && proc3_name)
			snprintf(p->name, sizeof(p->name), "%s", proc3_name);
		p->pid = (uint32_t)(h + 1);
		p->handle = h;
		p->state = h == 2 ? capos_ProcessState_PROCESS_STATE_FAULTED
				  : capos_ProcessState_PROCESS_STATE_ALIVE;
		p->restarts = (uint32_t)(h == 2 ? 3 : 0);
		p->has_usage = true;
		p->usage.pages = (uint32_t)(10 * h);
	}
	uint64_t next = first + resp->processes_count;
	resp->next = next <= nprocs ? next : 0;
	return CAPOS_OK;
}

static const struct processcontrol_ops fake_procs_ops = {
	.list = fake_list,
};

/* CapabilityManager.List over a fake table; pages of 2 entries. */
static struct capos_cap_info table[8];
static uint32_t table_n, table_size = 16;
static capos_status_t caplist_status;

static capos_status_t fake_cap_list(capos_cap_t mgr, uint32_t first, uint32_t max,
				    struct capos_capmgr_list_result *out)
{
	assert_int_equal(mgr, SELF_CAP);
	if (caplist_status != CAPOS_OK)
		return caplist_status;
	memset(out, 0, sizeof(*out));
	out->table_size = table_size;
	out->used = table_n;
	out->next = table_size;
	for (uint32_t i = 0; i < table_n; i++) {
		if (table[i].slot < first)
			continue;
		if (out->count == 2 || out->count == max) {
			out->next = table[i].slot;
			break;
		}
		out->entries[out->count++] = table[i];
	}
	return CAPOS_OK;
}

static struct capos_startup startup;
static struct shell sh;

static int setup(void **st)
{
	(void)st;
	capos_loopback_reset();
	mono_ns = 5 * 1000000000ull;
	cmos_seconds = 0;
	clock_init(&clk, fake_cmos, fake_mono, NULL);
	memset(&si, 0, sizeof(si));
	sysinfo_set_hostname(&si, "testhost");
	si.now_ns = si_now;
	log_init(&logst, 8, capos_LogLevel_LOG_LEVEL_TRACE, NULL, NULL);
	log_set_sources(&logst, sources, 2);
	capos_loopback_register(CLOCK_CAP, wallclock_service(&clock_service_ops, &clk), 9);
	capos_loopback_register(SYSINFO_CAP, systeminfo_service(&sysinfo_service_ops, &si), 9);
	capos_loopback_register(LOGS_CAP, logreader_service(&log_reader_ops, &logst), 9);
	capos_loopback_register(SINK_CLOCK, logsink_service(&log_sink_ops, &logst), 2);
	capos_loopback_register(SINK_AUDIT, logsink_service(&log_sink_ops, &logst), 3);
	capos_loopback_register(PROCS_CAP, processcontrol_service(&fake_procs_ops, NULL), 9);
	nprocs = 0;
	list_status = CAPOS_OK;
	list_calls = 0;
	table_n = 0;
	table_size = 16;
	caplist_status = CAPOS_OK;
	console_attach(&sh);
	sh.clock = CLOCK_CAP;
	sh.sysinfo = SYSINFO_CAP;
	sh.logs = LOGS_CAP;
	sh.procs = PROCS_CAP;
	sh.self = SELF_CAP;
	sh.cap_list = fake_cap_list;
	capos_startup_init(&startup, "shell", 0, 0);
	sh.startup = &startup;
	return 0;
}

/* ---- `log` through ReadBulk (servers/shell/log_bulk.c) ----------------------
 * The shell's SharedBuffer is a loopback object over bulk_mem; logd's hook
 * hands out the same memory (the first bulk_size bytes of it), or answers
 * bulk_refuse (DENIED: a log server not allowed to map it). */
#define BULK_TOKEN 0xb0u
static uint8_t bulk_mem[8 * 4096];
static uint32_t bulk_size;
static capos_status_t bulk_refuse;
static capos_cap_t bulk_cap;
static unsigned bulk_made; /* log_buffer hook calls that made the buffer */

static capos_status_t logd_buffer_get(void *arg, capos_cap_t cap, uint8_t **buf,
				      uint32_t *size)
{
	(void)arg;
	if (capos_loopback_cap_token(cap) != BULK_TOKEN)
		return CAPOS_INVALID_ARGUMENT;
	if (bulk_refuse != CAPOS_OK)
		return bulk_refuse;
	memset(bulk_mem, 0xee, sizeof(bulk_mem)); /* nothing stale is read */
	*buf = bulk_mem;
	*size = bulk_size;
	return CAPOS_OK;
}

/* The shell's hook: one buffer, made at first use and kept. */
static capos_status_t shell_log_buffer(struct shell *shp, struct sh_bulk *b)
{
	(void)shp;
	if (bulk_cap == CAPOS_NO_CAP) {
		bulk_cap = capos_loopback_new_object(BULK_TOKEN);
		bulk_made++;
	}
	b->cap = bulk_cap;
	b->base = bulk_mem;
	b->size = sizeof(bulk_mem);
	return CAPOS_OK;
}

/* Both ends of the bulk path on (after a log_init of logst, again). */
static void bulk_on(void)
{
	log_set_buffers(&logst, logd_buffer_get, NULL, NULL);
	sh.log_buffer = shell_log_buffer;
}

/* The same commands with `log` going through ReadBulk: every expected
 * line stays as it is. */
static int setup_bulk(void **st)
{
	setup(st);
	bulk_size = sizeof(bulk_mem);
	bulk_refuse = CAPOS_OK;
	bulk_cap = CAPOS_NO_CAP;
	bulk_made = 0;
	bulk_on();
	return 0;
}

/* Runs one line; returns sh_run's code; the console has what it wrote. */
static int run(const char *line)
{
	return console_run(&sh, line);
}

static void test_date(void **st)
{
	(void)st;
	/* No source at all: the reading is still given, marked untrusted. */
	assert_int_equal(run("date"), 0);
	assert_string_equal(console, "1970-01-01 00:00:00 UTC (untrusted)\r\n");
	assert_int_equal(console_writes, 1);
	/* Seeded from the manifest: seed + monotonic time. */
	clock_seed(&clk, 951782400 - 5 + 3600 * 23 + 60 * 59 + 59);
	assert_int_equal(run("date"), 0);
	assert_string_equal(console, "2000-02-29 23:59:59 UTC (manifest)\r\n");
	/* An RTC wins over the seed. */
	cmos_seconds = 2147483648LL;
	assert_int_equal(run("date"), 0);
	assert_string_equal(console, "2038-01-19 03:14:08 UTC (rtc)\r\n");
	assert_int_equal(run("date now"), 1);
	assert_string_equal(console, "usage: date\r\n");
}

static void test_date_errors(void **st)
{
	(void)st;
	/* The clock server died (more times than the stub retries). */
	capos_loopback_fail_next(CLOCK_CAP, CAPOS_DISCONNECTED, 10);
	assert_int_equal(run("date"), 1);
	assert_string_equal(console, "date: clock unavailable (DISCONNECTED)\r\n");
	/* Every status by its name: NOT_FOUND once printed as STATUS_13. */
	capos_loopback_fail_next(CLOCK_CAP, CAPOS_NOT_FOUND, 1);
	assert_int_equal(run("date"), 1);
	assert_string_equal(console, "date: clock unavailable (NOT_FOUND)\r\n");
	sh.clock = DEAD_CAP;
	assert_int_equal(run("date"), 1);
	assert_string_equal(console, "date: clock unavailable (INVALID_CAP)\r\n");
	sh.clock = CAPOS_NO_CAP;
	assert_int_equal(run("date"), 1);
	assert_string_equal(console,
			    "date: no 'clock' capability (not granted to this session)\r\n");
}

static void test_hostname_and_uptime(void **st)
{
	(void)st;
	assert_int_equal(run("hostname"), 0);
	assert_string_equal(console, "testhost\r\n");
	char h[64];
	sh_hostname(&sh, h, sizeof(h));
	assert_string_equal(h, "testhost");
	mono_ns = 3723004000000ull; /* 1h 2m 3.004s */
	assert_int_equal(run("uptime"), 0);
	assert_string_equal(console, "up 1h 2m 3.004s\r\n");
	/* A sysinfo without a clock answers UNSUPPORTED. */
	si.now_ns = NULL;
	assert_int_equal(run("uptime"), 1);
	assert_string_equal(console, "uptime: system info unavailable (UNSUPPORTED)\r\n");
	/* No sysinfo: the prompt falls back to "capos". */
	sh.sysinfo = CAPOS_NO_CAP;
	sh_hostname(&sh, h, sizeof(h));
	assert_string_equal(h, "capos");
	assert_int_equal(run("hostname"), 1);
	assert_string_equal(console,
			    "hostname: no 'sysinfo' capability (not granted to this session)\r\n");
	sh.sysinfo = DEAD_CAP;
	sh_hostname(&sh, h, sizeof(h));
	assert_string_equal(h, "capos");
	assert_int_equal(run("hostname"), 1);
	assert_string_equal(console, "hostname: system info unavailable (INVALID_CAP)\r\n");
}

static void test_session(void **st)
{
	(void)st;
	const struct avatar *a = avatar_for("anonymous");
	char want[512];
	size_t n = (size_t)snprintf(want, sizeof(want),
				    "principal: anonymous\r\nsession: anonymous\r\navatar: %s\r\n",
				    a->name);
	for (unsigned i = 0; i < a->nlines; i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n, "  %s\r\n", a->lines[i]);
	assert_int_equal(run("session"), 0);
	assert_string_equal(console, want);
	assert_int_equal(console_writes, 1);
	/* Another principal, another avatar (here: alice's, whichever it is). */
	sh.principal = "alice";
	sh.session_kind = "authenticated";
	assert_int_equal(run("session"), 0);
	const struct avatar *b = avatar_for("alice");
	snprintf(want, sizeof(want),
		 "principal: alice\r\nsession: authenticated\r\navatar: %s\r\n  %s\r\n", b->name,
		 b->lines[0]);
	assert_memory_equal(console, want, strlen(want));
}

/* Writes a record through a sink cap (the server stamps the source). */
static void write_log(capos_cap_t sink, int level, const char *text)
{
	capos_LogRecord r = capos_LogRecord_init_zero;
	capos_LogWriteResult res;
	r.level = (capos_LogLevel)level;
	strcpy(r.source, "forged"); /* ignored by the server */
	snprintf(r.text, sizeof(r.text), "%s", text);
	assert_int_equal(logsink_write(sink, &r, &res), CAPOS_OK);
	assert_true(res.accepted);
}

static void test_log_command(void **st)
{
	(void)st;
	assert_int_equal(run("log"), 0);
	assert_string_equal(console, "log: no records\r\n");
	write_log(SINK_CLOCK, 2, "rtc read");       /* 1 */
	write_log(SINK_AUDIT, 3, "audit full");     /* 2 */
	write_log(SINK_CLOCK, 4, "rtc failed");     /* 3 */
	write_log(SINK_AUDIT, 0, "trace me");       /* 4 */
	write_log(SINK_CLOCK, 5, "clock critical"); /* 5 */
	write_log(SINK_CLOCK, 1, "debug note");     /* 6 */
	assert_int_equal(run("log"), 0);
	assert_string_equal(console, "1 info clock: rtc read\r\n"
				     "2 warning audit: audit full\r\n"
				     "3 error clock: rtc failed\r\n"
				     "4 trace audit: trace me\r\n"
				     "5 critical clock: clock critical\r\n"
				     "6 debug clock: debug note\r\n");
	assert_int_equal(console_writes, 1);
	assert_int_equal(run("log -l WARNING"), 0);
	assert_string_equal(console, "2 warning audit: audit full\r\n"
				     "3 error clock: rtc failed\r\n"
				     "5 critical clock: clock critical\r\n");
	assert_int_equal(run("log -s clock -n 2"), 0);
	assert_string_equal(console, "5 critical clock: clock critical\r\n"
				     "6 debug clock: debug note\r\n");
	assert_int_equal(run("log -s clock -l 3"), 0);
	assert_string_equal(console, "3 error clock: rtc failed\r\n"
				     "5 critical clock: clock critical\r\n");
	assert_int_equal(run("log -s nobody"), 0);
	assert_string_equal(console, "log: no records\r\n");

	/* Past the ring (8): the oldest are overwritten, the reader is told. */
	for (int i = 7; i <= 12; i++) {
		char t[16];
		snprintf(t, sizeof(t), "n%d", i);
		write_log(SINK_AUDIT, 2, t);
	}
	assert_int_equal(run("log -n 3"), 0);
	assert_string_equal(console, "log: 4 older records were dropped (ring overwritten)\r\n"
				     "10 info audit: n10\r\n"
				     "11 info audit: n11\r\n"
				     "12 info audit: n12\r\n");
	assert_int_equal(run("log -l error"), 0);
	assert_string_equal(console, "log: 4 older records were dropped (ring overwritten)\r\n"
				     "5 critical clock: clock critical\r\n");

	/* Under a WARNING floor a DEBUG record is refused at the sink; the
	 * reader's count of those is shown. */
	logst.floor = capos_LogLevel_LOG_LEVEL_WARNING;
	for (int level = 0; level < 2; level++) {
		capos_LogRecord r = capos_LogRecord_init_zero;
		capos_LogWriteResult res;
		r.level = (capos_LogLevel)level;
		snprintf(r.text, sizeof(r.text), "too quiet");
		assert_int_equal(logsink_write(SINK_CLOCK, &r, &res), CAPOS_OK);
		assert_false(res.accepted);
	}
	assert_int_equal(run("log -n 1"), 0);
	assert_string_equal(console, "log: 4 older records were dropped (ring overwritten)\r\n"
				     "12 info audit: n12\r\n"
				     "log: 2 records below the system's level were not kept\r\n");
}

static void test_log_paging_many(void **st)
{
	(void)st;
	/* A ring of 200 read 5 a page: the last 100 come out, in order. */
	log_init(&logst, 200, capos_LogLevel_LOG_LEVEL_TRACE, NULL, NULL);
	log_set_sources(&logst, sources, 2);
	int bulk = sh.log_buffer != NULL;
	if (bulk)
		bulk_on();
	for (int i = 1; i <= 150; i++) {
		char t[16];
		snprintf(t, sizeof(t), "m%d", i);
		write_log(SINK_CLOCK, i % 6, t);
	}
	uint64_t before = capos_loopback_delivered(LOGS_CAP);
	assert_int_equal(run("log -n 100"), 0);
	/* 150 records, 5 a page: 30 full pages and one at the end; in bulk,
	 * all 150 in one call and one more that finds the end. */
	assert_int_equal(capos_loopback_delivered(LOGS_CAP) - before, bulk ? 2 : 31);
	const char *p = console;
	for (int i = 51; i <= 150; i++) {
		char want[64];
		int n = snprintf(want, sizeof(want), "%d %s clock: m%d\r\n", i,
				 sh_level_name(i % 6), i);
		assert_memory_equal(p, want, (size_t)n);
		p += n;
	}
	assert_int_equal(*p, '\0');
	/* Output larger than one Console.Write: whole lines per write. */
	assert_true(console_writes >= 3);
	/* Filtered while paging: only critical (i % 6 == 5): 25 of them. */
	assert_int_equal(run("log -l critical -n 100"), 0);
	int lines = 0;
	for (p = console; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 25);
	assert_memory_equal(console, "5 critical clock: m5\r\n", 22);
}

static void test_log_errors(void **st)
{
	(void)st;
	assert_int_equal(run("log -n"), 1);
	assert_string_equal(console, "log: -n needs a value\r\n"
				     "usage: log [-l level] [-s source] [-n N]\r\n");
	assert_int_equal(run("log -q"), 1);
	assert_string_equal(console, "log: unknown option '-q'\r\n"
				     "usage: log [-l level] [-s source] [-n N]\r\n");
	/* A failing reader names its status; no cap says so. */
	capos_loopback_fail_next(LOGS_CAP, CAPOS_DISCONNECTED, 10);
	assert_int_equal(run("log"), 1);
	assert_string_equal(console, "log: log reader unavailable (DISCONNECTED)\r\n");
	sh.logs = CAPOS_NO_CAP;
	assert_int_equal(run("log"), 1);
	assert_string_equal(console, "log: no 'logs' capability (not granted to this session)\r\n");
	/* Options are checked before the cap: a typo is a typo. */
	assert_int_equal(run("log -l x"), 1);
	assert_memory_equal(console, "log: bad level 'x'", 18);
}

static void test_ps(void **st)
{
	(void)st;
	nprocs = 4;
	assert_int_equal(run("ps"), 0);
	assert_string_equal(console,
			    "  PID  NAME                      STATE    RESTARTS  PAGES\r\n"
			    "    2  proc1                     alive           0     10\r\n"
			    "    3  proc2                     faulted         3     20\r\n"
			    "    4  proc3                     alive           0     30\r\n"
			    "    5  proc4                     alive           0     40\r\n");
	assert_int_equal(list_calls, 2); /* paged with `next` */
	/* A spawn name is its parent's choice: shown escaped, never obeyed. */
	proc3_name = "kid\x1b[2J\r\ninit: forged";
	nprocs = 3;
	assert_int_equal(run("ps"), 0);
	proc3_name = NULL;
	assert_string_equal(console,
			    "  PID  NAME                      STATE    RESTARTS  PAGES\r\n"
			    "    2  proc1                     alive           0     10\r\n"
			    "    3  proc2                     faulted         3     20\r\n"
			    "    4  kid\\x1b[2J\\r\\ninit: forged  alive           0     30\r\n");
	nprocs = 0;
	assert_int_equal(run("ps"), 0);
	assert_string_equal(console,
			    "  PID  NAME                      STATE    RESTARTS  PAGES\r\n");
	list_status = CAPOS_UNSUPPORTED;
	assert_int_equal(run("ps"), 1);
	assert_string_equal(console, "ps: process list unavailable (UNSUPPORTED)\r\n");
	sh.procs = CAPOS_NO_CAP;
	assert_int_equal(run("ps"), 1);
	assert_string_equal(console, "ps: no 'procs' capability (not granted to this session)\r\n");
}

static void test_caps(void **st)
{
	(void)st;
	struct capos_cap_info t[] = {
		{ 0, CAPOS_CAP_ENDPOINT, CAPOS_RIGHT_SEND, 0, 0x100 },
		{ 1, CAPOS_CAP_ENDPOINT, CAPOS_RIGHT_SEND, 7, 0x200 },
		{ 3, CAPOS_CAP_CAP_MANAGER, CAPOS_RIGHT_READ, 0, 0 },
		{ 4, CAPOS_CAP_NOTIFICATION, CAPOS_RIGHT_SEND, 1 << 20, 0 },
		{ 9, CAPOS_CAP_PROCESS_CONTROL, CAPOS_RIGHT_READ | CAPOS_RIGHT_CONTROL, 0, 0 },
	};
	memcpy(table, t, sizeof(t));
	table_n = 5;
	capos_startup_add(&startup, "console", 0, CAPOS_CAP_ENDPOINT);
	capos_startup_add(&startup, "log", 1, CAPOS_CAP_ENDPOINT);
	capos_startup_add(&startup, "self", 3, CAPOS_CAP_CAP_MANAGER);
	capos_startup_add(&startup, "ready", 4, CAPOS_CAP_NOTIFICATION);
	assert_int_equal(run("caps"), 0);
	assert_string_equal(console,
			    "slot  type              rights                    name\r\n"
			    "   0  endpoint          send                      console\r\n"
			    "   1  endpoint          send                      log\r\n"
			    "   3  cap_manager       read                      self\r\n"
			    "   4  notification      send                      ready\r\n"
			    "   9  process_control   read,control              -\r\n"
			    "5 caps (table of 16 slots)\r\n");
	caplist_status = CAPOS_DENIED;
	assert_int_equal(run("caps"), 1);
	assert_string_equal(console, "slot  type              rights                    name\r\n"
				     "caps: capability manager unavailable (DENIED)\r\n");
	sh.self = CAPOS_NO_CAP;
	assert_int_equal(run("caps"), 1);
	assert_string_equal(console, "caps: no 'self' capability (not granted to this session)\r\n");
}

/* The operator's commands (cmd_admin.c) before any call: a wrong word
 * count prints the usage; a right one asks for the session's grant, and
 * this shell has no broker, so each says so and does nothing else. */
static void test_admin_usage_and_no_broker(void **st)
{
	(void)st;
	static const struct {
		const char *line, *out;
	} k[] = {
		{ "kill", "usage: kill COMPONENT\r\n" },
		{ "kill a b", "usage: kill COMPONENT\r\n" },
		{ "restart", "usage: restart COMPONENT\r\n" },
		{ "upgrade", "usage: upgrade COMPONENT [BINARY]\r\n" },
		{ "upgrade a b c", "usage: upgrade COMPONENT [BINARY]\r\n" },
		{ "retarget echo.echo", "usage: retarget ENDPOINT COMPONENT\r\n" },
		{ "crash", "usage: crash COMPONENT\r\n" },
		{ "debug", "usage: debug PID\r\n" },
		{ "debug 0", "usage: debug PID\r\n" },
		{ "debug 4x", "usage: debug PID\r\n" },
		{ "audit 5", "usage: audit [-n N]\r\n" },
		{ "audit -n 0", "audit: -n needs a number from 1 to 200\r\n" },
		{ "kill log", "kill: no 'broker' capability (not granted to this session)\r\n" },
		{ "restart log",
		  "restart: no 'broker' capability (not granted to this session)\r\n" },
		{ "upgrade echo",
		  "upgrade: no 'broker' capability (not granted to this session)\r\n" },
		{ "upgrade echo echo2",
		  "upgrade: no 'broker' capability (not granted to this session)\r\n" },
		{ "retarget echo.echo echo2",
		  "retarget: no 'broker' capability (not granted to this session)\r\n" },
		{ "crash log", "crash: no 'broker' capability (not granted to this session)\r\n" },
		{ "debug 3", "debug: no 'broker' capability (not granted to this session)\r\n" },
		{ "audit -n 5", "audit: no 'broker' capability (not granted to this session)\r\n" },
	};
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		assert_int_equal(run(k[i].line), 1);
		assert_string_equal(console, k[i].out);
	}
}

static void test_echo_help_unknown(void **st)
{
	(void)st;
	assert_int_equal(run("echo  hello   world "), 0);
	assert_string_equal(console, "hello world\r\n");
	assert_int_equal(console_writes, 1);
	assert_int_equal(run("echo"), 0);
	assert_string_equal(console, "\r\n");
	assert_int_equal(run("echo 'a  b' c"), 0);
	assert_string_equal(console, "a  b c\r\n");
	assert_int_equal(run("frobnicate now"), 1);
	assert_string_equal(console, "frobnicate: unknown command (try 'help')\r\n");
	assert_int_equal(run("Date"), 1); /* commands are case-sensitive */
	assert_string_equal(console, "Date: unknown command (try 'help')\r\n");
	assert_int_equal(run("echo 'x"), 1);
	assert_string_equal(console, "shell: unterminated quote\r\n");
	assert_int_equal(run("   "), 2);
	assert_string_equal(console, "");
	assert_int_equal(console_writes, 0);
	assert_int_equal(run("help"), 0);
	/* Every command is listed, each on its own line, in one write. */
	const char *cmds[] = { "help", "date", "hostname", "uptime", "session", "whoami",
			       "login", "logout", "shutdown", "grant", "grants",
			       "log", "caps", "ps", "keys", "audit", "echo", "exit" };
	const char *at = console;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char want[32];
		snprintf(want, sizeof(want), "  %-9s ", cmds[i]);
		assert_memory_equal(at, want, strlen(want));
		at = strstr(at, "\r\n");
		assert_non_null(at);
		at += 2;
	}
	assert_int_equal(console_writes, 1);
	assert_false(sh.exit_requested);
	assert_int_equal(run("exit"), 0);
	assert_true(sh.exit_requested);
	assert_string_equal(console, "logout\r\n");
}

static void test_output_batching(void **st)
{
	(void)st;
	/* A write failure is remembered, output goes on. */
	console_write_status = CAPOS_DISCONNECTED;
	assert_int_equal(run("echo a"), 0);
	assert_int_equal(console_out.status, CAPOS_DISCONNECTED);
	console_write_status = CAPOS_OK;
	/* More than one buffer: cut only between lines while lines fit. */
	console_len = 0;
	console_writes = 0;
	char line[100];
	memset(line, 'x', 98);
	line[98] = '\0';
	for (int i = 0; i < 30; i++)
		sh_printf(&console_out, "%s\n", line);
	sh_flush(&console_out);
	assert_int_equal(console_len, 30 * 100);
	assert_int_equal(console_writes, 3); /* 10 lines of 100 bytes per write */
	/* A translation of every \n, even the first byte. */
	console_len = 0;
	sh_printf(&console_out, "\n%d\n", 7);
	sh_flush(&console_out);
	assert_string_equal(console, "\r\n7\r\n");
	/* Raw bytes pass through untouched, split at the buffer size. */
	console_len = 0;
	console_writes = 0;
	static char big[2500];
	memset(big, '\n', sizeof(big));
	sh_put(&console_out, big, sizeof(big));
	sh_flush(&console_out);
	assert_int_equal(console_len, sizeof(big));
	assert_int_equal(console_writes, 3);
}

/* The bulk path's own cases, each compared with the paged output of the
 * same command: a buffer holding a few records at a time (many calls,
 * same lines); a log server that may not map the buffer (DENIED) or has
 * no ReadBulk (UNSUPPORTED): the pages instead; any other failure is
 * reported, not papered over; the buffer is made once. */
static void test_log_bulk_paths(void **st)
{
	(void)st;
	log_init(&logst, 64, capos_LogLevel_LOG_LEVEL_INFO, NULL, NULL);
	log_set_sources(&logst, sources, 2);
	bulk_on();
	for (int i = 1; i <= 90; i++) { /* past the ring of 64, and a few below the floor */
		capos_LogRecord r = capos_LogRecord_init_zero;
		capos_LogWriteResult res;
		r.level = (capos_LogLevel)(i % 9 == 0 ? 1 : 2 + i % 4);
		snprintf(r.text, sizeof(r.text), "r%d", i);
		assert_int_equal(logsink_write(i % 2 ? SINK_CLOCK : SINK_AUDIT, &r, &res), CAPOS_OK);
		assert_int_equal(res.accepted, i % 9 != 0);
	}
	static const char *const lines[] = { "log -n 100", "log -n 7 -s audit", "log -l error" };
	static char paged[8192];
	for (size_t k = 0; k < sizeof(lines) / sizeof(lines[0]); k++) {
		sh.log_buffer = NULL;
		assert_int_equal(run(lines[k]), 0);
		assert_true(strlen(console) < sizeof(paged));
		memcpy(paged, console, strlen(console) + 1);
		assert_non_null(strstr(paged, "older records were dropped"));
		assert_non_null(strstr(paged, "records below the system's level"));
		sh.log_buffer = shell_log_buffer;

		bulk_size = sizeof(bulk_mem);
		uint64_t before = capos_loopback_delivered(LOGS_CAP);
		assert_int_equal(run(lines[k]), 0);
		assert_string_equal(console, paged);
		assert_int_equal(capos_loopback_delivered(LOGS_CAP) - before, 2);

		bulk_size = 64; /* two or three records a call */
		before = capos_loopback_delivered(LOGS_CAP);
		assert_int_equal(run(lines[k]), 0);
		assert_string_equal(console, paged);
		assert_true(capos_loopback_delivered(LOGS_CAP) - before > 5);

		bulk_size = sizeof(bulk_mem);
		bulk_refuse = CAPOS_DENIED;
		assert_int_equal(run(lines[k]), 0);
		assert_string_equal(console, paged);
		bulk_refuse = CAPOS_OK;

		log_set_buffers(&logst, NULL, NULL, NULL);
		assert_int_equal(run(lines[k]), 0);
		assert_string_equal(console, paged);
		bulk_on();
	}
	assert_int_equal(bulk_made, 1);
	/* a record too big for what the server may use: reported, no pages */
	bulk_size = 8;
	uint64_t before = capos_loopback_delivered(LOGS_CAP);
	assert_int_equal(run("log"), 1);
	assert_string_equal(console, "log: log reader unavailable (LIMIT_EXCEEDED)\r\n");
	assert_int_equal(capos_loopback_delivered(LOGS_CAP) - before, 1);
}

/* sh_audit_show on a cleared console, its output flushed there. */
static int audit_show(unsigned n)
{
	console_clear();
	int rc = sh_audit_show(&sh, AUDIT_CAP, n);
	sh_flush(sh.out);
	return rc;
}

/* `audit` once it holds its grant (sh_audit_show) against the real audit
 * server: through ReadBulk into the shell's buffer (one call after the
 * probe Read, or many with a small buffer) and through the pages (no
 * buffer; a server that cannot map it, DENIED; one without ReadBulk,
 * UNSUPPORTED, as the broker answers for a grant today): the same bytes.
 * A failure past those is reported, not papered over. */
static void test_audit_bulk_paths(void **st)
{
	(void)st;
	static capos_AuditRecord storage[40];
	static struct audit_state aud;
	audit_init(&aud, storage, 40, NULL, NULL, NULL, 0);
	audit_set_buffers(&aud, logd_buffer_get, NULL, NULL);
	capos_loopback_register(AUDIT_CAP, auditlog_service(&audit_service_ops, &aud), 0x44);
	for (int i = 1; i <= 42; i++) { /* the last two refused: full */
		capos_AuditRecord r = capos_AuditRecord_init_zero;
		capos_AuditAppendResult res;
		r.kind = i == 30 ? capos_AuditKind_AUDIT_KIND_CRASH : capos_AuditKind_AUDIT_KIND_GRANT;
		snprintf(r.action, sizeof(r.action), "act %d", i);
		snprintf(r.principal, sizeof(r.principal), "%s", i % 3 ? "alice" : "");
		snprintf(r.detail, sizeof(r.detail), "detail %d", i);
		r.has_crash = i == 30 || i == 33;
		r.crash.pid = 9;
		snprintf(r.crash.name, sizeof(r.crash.name), "victim");
		r.crash.cause = capos_DeathCause_DEATH_CAUSE_FAULT;
		r.crash.dropped = i == 30 ? 2 : 0;
		if (i == 33) { /* init's count-only record: no process */
			r.kind = capos_AuditKind_AUDIT_KIND_CRASH;
			memset(&r.crash, 0, sizeof(r.crash));
			r.crash.cause = capos_DeathCause_DEATH_CAUSE_LOST;
			r.crash.dropped = 7;
		}
		assert_int_equal(auditlog_append(AUDIT_CAP, &r, &res),
				 i <= 40 ? CAPOS_OK : CAPOS_LIMIT_EXCEEDED);
	}
	static const unsigned ns[] = { 10, 3, 200, 1 };
	static char paged[16384];
	for (size_t k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
		sh.log_buffer = NULL;
		uint64_t before = capos_loopback_delivered(AUDIT_CAP);
		assert_int_equal(audit_show(ns[k]), 0);
		const uint64_t pages = capos_loopback_delivered(AUDIT_CAP) - before;
		assert_true(strlen(console) < sizeof(paged));
		memcpy(paged, console, strlen(console) + 1);
		assert_non_null(strstr(paged, "(the log has refused appends: full)"));
		sh.log_buffer = shell_log_buffer;

		bulk_size = sizeof(bulk_mem);
		before = capos_loopback_delivered(AUDIT_CAP);
		assert_int_equal(audit_show(ns[k]), 0);
		assert_string_equal(console, paged);
		assert_int_equal(capos_loopback_delivered(AUDIT_CAP) - before, 2);
		assert_true(ns[k] < 5 || pages > 2);

		bulk_size = 200; /* a record or two a call */
		before = capos_loopback_delivered(AUDIT_CAP);
		assert_int_equal(audit_show(ns[k]), 0);
		assert_string_equal(console, paged);
		assert_true(ns[k] < 5 || capos_loopback_delivered(AUDIT_CAP) - before > 3);

		bulk_size = sizeof(bulk_mem);
		bulk_refuse = CAPOS_DENIED;
		assert_int_equal(audit_show(ns[k]), 0);
		assert_string_equal(console, paged);
		bulk_refuse = CAPOS_OK;

		audit_set_buffers(&aud, NULL, NULL, NULL);
		assert_int_equal(audit_show(ns[k]), 0);
		assert_string_equal(console, paged);
		audit_set_buffers(&aud, logd_buffer_get, NULL, NULL);
	}
	/* the last 11: 30..40, the crash record with its line */
	sh.log_buffer = NULL;
	assert_int_equal(audit_show(11), 0);
	assert_non_null(strstr(console, "  30 badge:68 crash         act 30: detail 30 (OK)\r\n"
					"     crash: victim pid 9 fault vector 0"));
	assert_non_null(strstr(console, "address 0 rip 0\r\n"
					"     crash: 2 earlier records lost by the kernel\r\n"
					"  31 badge:68 grant         alice act 31: detail 31 (OK)\r\n"));
	assert_non_null(strstr(console, "  33 badge:68 crash         act 33: detail 33 (OK)\r\n"
					"     crash: 7 records lost by the kernel\r\n"
					"  34 badge:68 grant "));
	assert_non_null(strstr(console, "audit: 11 of 40 records (the log has refused appends: full)\r\n"));
	sh.log_buffer = shell_log_buffer;
	/* a record too big for what the server may use: reported */
	bulk_size = 8;
	assert_int_equal(audit_show(5), 1);
	assert_string_equal(console, "audit: LIMIT_EXCEEDED\r\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokenize),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_log_options),
		cmocka_unit_test(test_format_date),
		cmocka_unit_test(test_format_uptime),
		cmocka_unit_test(test_format_log_record),
		cmocka_unit_test(test_log_tail),
		cmocka_unit_test_setup(test_date, setup),
		cmocka_unit_test_setup(test_date_errors, setup),
		cmocka_unit_test_setup(test_hostname_and_uptime, setup),
		cmocka_unit_test_setup(test_session, setup),
		cmocka_unit_test_setup(test_log_command, setup),
		cmocka_unit_test_setup(test_log_paging_many, setup),
		cmocka_unit_test_setup(test_log_errors, setup),
		cmocka_unit_test_setup(test_log_command, setup_bulk),
		cmocka_unit_test_setup(test_log_paging_many, setup_bulk),
		cmocka_unit_test_setup(test_log_errors, setup_bulk),
		cmocka_unit_test_setup(test_log_bulk_paths, setup_bulk),
		cmocka_unit_test_setup(test_audit_bulk_paths, setup_bulk),
		cmocka_unit_test_setup(test_ps, setup),
		cmocka_unit_test_setup(test_caps, setup),
		cmocka_unit_test_setup(test_admin_usage_and_no_broker, setup),
		cmocka_unit_test_setup(test_echo_help_unknown, setup),
		cmocka_unit_test_setup(test_output_batching, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
