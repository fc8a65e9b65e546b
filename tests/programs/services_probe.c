/*
 * services_probe - the client of the services smoke test
 * (manifests/test-services.textproto, tests/qemu/services.expect): calls
 * the clock, sysinfo, audit and log servers through the generated stubs
 * and prints what they answered, one line per check, with the values.
 *
 *   clock    WallTime: provenance and the UTC date (the year must be in
 *            2024..2100: QEMU's RTC follows the host's clock);
 *            MonotonicTime twice around sysinfo's Uptime: never backwards,
 *            and on the kernel's time base (mono1 <= uptime <= mono2, 1 ms
 *            of slack for the clock's reading of the TSC);
 *   sysinfo  Hostname (the manifest's), Version;
 *   audit    (capacity 3) three appends get sequences 1, 2, 3, the fourth
 *            is refused with LIMIT_EXCEEDED; the read gives the three in
 *            order, source from this component's badge, timestamps from
 *            the clock (RTC, within a minute of the WallTime reading),
 *            refused 1;
 *   log      the records with source "clock" (written by the clock at its
 *            start) and "audit"; one record of our own comes back with the
 *            source "probe", not the one it claimed.
 *
 * It exits 0 when every check held, else the number of failed checks;
 * the expectations file checks the printed values as well.
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/rpc.h>
#include <capos/civil_date.h>
#include <capos/startup.h>

#include "audit.capos.h"
#include "clock.capos.h"
#include "log.capos.h"
#include "sysinfo.capos.h"

int main(uint64_t arg);

#define NS_PER_MS 1000000ull

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		failures++;
		capos_printf("services_probe: check failed: %s\n", what);
	}
}

/* The year of UTC seconds since 1970 (the runtime's calendar). */
static long year_of(int64_t seconds)
{
	struct capos_utc_time t;
	capos_utc_from_seconds(seconds, &t);
	return (long)t.year;
}

static capos_cap_t need(const char *name)
{
	capos_cap_t c = capos_cap_lookup(name);
	if (c == CAPOS_NO_CAP)
		capos_printf("services_probe: no cap named %s\n", name);
	check(c != CAPOS_NO_CAP, name);
	return c;
}

static int64_t probe_clock(capos_cap_t clock, capos_cap_t sysinfo)
{
	capos_Empty e = capos_Empty_init_zero;
	capos_WallTimeReading w;
	capos_status_t st = wallclock_wall_time(clock, &e, &w);
	long year = st == CAPOS_OK ? year_of(w.seconds) : 0;
	capos_printf("services_probe: WallTime -> status %ld, provenance %d, year %ld\n", (long)st,
		     (int)w.provenance, year);
	check(st == CAPOS_OK, "WallTime status");
	check(w.provenance == capos_ClockProvenance_CLOCK_PROVENANCE_RTC, "WallTime from the RTC");
	check(year >= 2024 && year <= 2100, "RTC year in 2024..2100");
	check(w.nanoseconds < 1000000000u, "nanoseconds in range");

	capos_MonotonicReading m1, m2;
	capos_UptimeInfo up;
	capos_status_t s1 = wallclock_monotonic_time(clock, &e, &m1);
	capos_status_t s2 = systeminfo_uptime(sysinfo, &e, &up);
	capos_status_t s3 = wallclock_monotonic_time(clock, &e, &m2);
	int ordered = s1 == CAPOS_OK && s2 == CAPOS_OK && s3 == CAPOS_OK && m1.nanoseconds > 0 &&
		      m1.nanoseconds <= m2.nanoseconds &&
		      m1.nanoseconds <= up.nanoseconds + NS_PER_MS &&
		      up.nanoseconds <= m2.nanoseconds + NS_PER_MS;
	capos_printf("services_probe: MonotonicTime, Uptime, MonotonicTime -> status %ld %ld %ld, "
		     "ordered %d\n", (long)s1, (long)s2, (long)s3, ordered);
	check(ordered, "monotonic time on the kernel's time base, never backwards");
	return st == CAPOS_OK ? w.seconds : 0;
}

static void probe_sysinfo(capos_cap_t sysinfo)
{
	capos_Empty e = capos_Empty_init_zero;
	capos_HostnameInfo h;
	capos_status_t st = systeminfo_hostname(sysinfo, &e, &h);
	const char *mine = capos_param("hostname"); /* what init told us */
	capos_printf("services_probe: Hostname -> status %ld, '%s'\n", (long)st,
		     st == CAPOS_OK ? h.hostname : "");
	check(st == CAPOS_OK && mine && strcmp(h.hostname, mine) == 0, "hostname as the manifest's");
	capos_VersionInfo v;
	st = systeminfo_version(sysinfo, &e, &v);
	capos_printf("services_probe: Version -> status %ld, system '%s', abi %u\n", (long)st,
		     st == CAPOS_OK ? v.system : "", (unsigned)v.abi_version);
	check(st == CAPOS_OK && v.abi_version == CAPOS_ABI_VERSION, "version's ABI");
}

static capos_AuditReadResult audit_res; /* 4 records: off the stack */

static void probe_audit(capos_cap_t audit, int64_t wall)
{
	static capos_AuditRecord r;
	capos_AuditAppendResult res;
	uint64_t seq[4];
	capos_status_t st[4];
	for (int i = 0; i < 4; i++) {
		memset(&r, 0, sizeof(r));
		r.kind = capos_AuditKind_AUDIT_KIND_OTHER;
		capos_snprintf(r.action, sizeof(r.action), "probe action %d", i + 1);
		strcpy(r.source, "init"); /* a claim the server must ignore */
		r.sequence = 100 + (uint64_t)i;
		memset(&res, 0, sizeof(res));
		st[i] = auditlog_append(audit, &r, &res);
		seq[i] = res.sequence;
	}
	capos_printf("services_probe: Append x4 -> status %ld %ld %ld %ld, sequence %lu %lu %lu\n",
		     (long)st[0], (long)st[1], (long)st[2], (long)st[3], (unsigned long)seq[0],
		     (unsigned long)seq[1], (unsigned long)seq[2]);
	check(st[0] == CAPOS_OK && st[1] == CAPOS_OK && st[2] == CAPOS_OK, "three appends taken");
	check(seq[0] == 1 && seq[1] == 2 && seq[2] == 3, "sequences 1, 2, 3");
	check(st[3] == CAPOS_LIMIT_EXCEEDED, "the fourth refused: full");

	capos_AuditFilter f = capos_AuditFilter_init_zero;
	capos_status_t rs = auditlog_read(audit, &f, &audit_res);
	capos_printf("services_probe: audit Read -> status %ld, %u records, last_sequence %lu, "
		     "refused %lu\n", (long)rs, rs == CAPOS_OK ? (unsigned)audit_res.records_count : 0u,
		     (unsigned long)audit_res.last_sequence, (unsigned long)audit_res.refused);
	check(rs == CAPOS_OK && audit_res.records_count == 3 && audit_res.last_sequence == 3 &&
		      audit_res.refused == 1,
	      "audit read: three held, one refused");
	for (pb_size_t i = 0; rs == CAPOS_OK && i < audit_res.records_count; i++) {
		const capos_AuditRecord *a = &audit_res.records[i];
		int64_t skew = a->timestamp.wall_seconds - wall;
		capos_printf("services_probe:   sequence %lu source '%s' action '%s' provenance %d\n",
			     (unsigned long)a->sequence, a->source, a->action,
			     (int)a->timestamp.provenance);
		check(a->sequence == i + 1u, "audit records in sequence");
		check(strcmp(a->source, "probe") == 0, "audit source from the badge");
		check(a->timestamp.provenance == capos_ClockProvenance_CLOCK_PROVENANCE_RTC &&
			      skew >= 0 && skew < 60 && a->timestamp.monotonic_ns > 0,
		      "audit timestamp from the clock");
	}
}

static capos_LogReadResult log_res; /* 5 records: off the stack */

/* Records of `source` from the start; prints the count and the first. */
static uint32_t log_from(capos_cap_t logs, const char *source)
{
	capos_LogFilter f = capos_LogFilter_init_zero;
	capos_snprintf(f.source, sizeof(f.source), "%s", source);
	capos_status_t st = logreader_read(logs, &f, &log_res);
	uint32_t n = st == CAPOS_OK ? log_res.records_count : 0;
	capos_printf("services_probe: log Read source '%s' -> status %ld, %u records\n", source,
		     (long)st, (unsigned)n);
	for (uint32_t i = 0; i < n; i++) {
		const capos_LogRecord *r = &log_res.records[i];
		capos_printf("services_probe:   level %d source '%s' text '%s'\n", (int)r->level,
			     r->source, r->text);
		check(strcmp(r->source, source) == 0, "the source filter");
	}
	return n;
}

static void probe_log(capos_cap_t logs, capos_cap_t log)
{
	check(log_from(logs, "clock") >= 1, "the clock's records carry source clock");
	check(log_res.records_count >= 1 &&
		      strncmp(log_res.records[0].text, "wall clock from the RTC", 23) == 0,
	      "the clock reported its source");
	check(log_from(logs, "audit") >= 1, "the audit log's records carry source audit");

	static capos_LogRecord r;
	capos_LogWriteResult w;
	memset(&r, 0, sizeof(r));
	r.level = capos_LogLevel_LOG_LEVEL_WARNING;
	strcpy(r.source, "clock"); /* a forgery the server must ignore */
	strcpy(r.text, "probe record");
	capos_status_t st = logsink_write(log, &r, &w);
	capos_printf("services_probe: log Write -> status %ld, accepted %d\n", (long)st,
		     (int)w.accepted);
	check(st == CAPOS_OK && w.accepted, "our record accepted");
	check(log_from(logs, "probe") == 1, "our record under our own name");
}

int main(uint64_t arg)
{
	(void)arg;
	capos_cap_t clock = need("clock"), sysinfo = need("sysinfo"), audit = need("audit");
	capos_cap_t logs = need("logs"), log = need("log");
	if (failures)
		return 100;
	int64_t wall = probe_clock(clock, sysinfo);
	probe_sysinfo(sysinfo);
	probe_audit(audit, wall);
	probe_log(logs, log);
	capos_printf("services_probe: %d failed checks\n", failures);
	return failures;
}
