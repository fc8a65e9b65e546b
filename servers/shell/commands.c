/*
 * commands.c - the shell's commands (commands.h): parsing and formatting
 * helpers, then one function per command. Every call to a server goes
 * through the generated stubs, and every failure is reported with the
 * status's name, so a session on a half-built system says what is missing
 * instead of hanging or printing garbage.
 */
#include "commands.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <capos/civil_date.h>
#ifndef CAPOS_HOST
#include <capos/startup.h>
#endif
#include <capos/escape.h>
#include <capos/status_names.h>

#include "avatar.h"
#include "cmd_keys.h"
#include "cmd_admin.h"
#include "cmd_session.h"
#include "log_bulk.h"
#include "clock.capos.h"
#include "log.capos.h"
#include "process.capos.h"
#include "sysinfo.capos.h"

/* ---- output ------------------------------------------------------------ */

void sh_flush(struct sh_out *o)
{
	if (o->len == 0)
		return;
	if (o->write) {
		capos_status_t st = o->write(o->ctx, o->buf, o->len);
		if (st != CAPOS_OK && o->status == CAPOS_OK)
			o->status = st;
	}
	o->len = 0;
}

void sh_put(struct sh_out *o, const char *s, size_t n)
{
	while (n) {
		if (o->len == sizeof(o->buf))
			sh_flush(o);
		size_t k = sizeof(o->buf) - o->len;
		if (k > n)
			k = n;
		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
	}
}

void sh_printf(struct sh_out *o, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(text))
		n = (int)sizeof(text) - 1; /* cut: a single answer line is shorter */
	/* Keep lines whole within one write where they fit: flush first if
	 * this text (with its \r's) would not fit in what is left. */
	size_t need = (size_t)n;
	for (int i = 0; i < n; i++)
		need += text[i] == '\n';
	if (need <= sizeof(o->buf) && o->len + need > sizeof(o->buf))
		sh_flush(o);
	const char *s = text;
	for (int i = 0; i < n; i++) {
		if (text[i] != '\n')
			continue;
		sh_put(o, s, (size_t)(&text[i] - s));
		sh_put(o, "\r\n", 2);
		s = &text[i + 1];
	}
	sh_put(o, s, (size_t)(text + n - s));
}

/* ---- pure helpers -------------------------------------------------------- */

int sh_tokenize(char *line, char **argv, int max, const char **err)
{
	int argc = 0;
	char *r = line, *w = line;
	*err = NULL;
	for (;;) {
		while (*r == ' ' || *r == '\t')
			r++;
		if (*r == '\0')
			return argc;
		if (argc == max) {
			*err = "too many words";
			return -1;
		}
		/* Words are rebuilt in place: w never passes r, since quotes
		 * only ever shrink a word. */
		argv[argc++] = w;
		while (*r && *r != ' ' && *r != '\t') {
			if (*r == '"' || *r == '\'') {
				char q = *r++;
				while (*r && *r != q)
					*w++ = *r++;
				if (*r != q) {
					*err = "unterminated quote";
					return -1;
				}
				r++;
			} else
				*w++ = *r++;
		}
		int end = *r == '\0';
		*w++ = '\0';
		if (end)
			return argc;
		r++;
	}
}

static const char *const level_names[] = {
	"trace", "debug", "info", "warning", "error", "critical",
};
#define N_LEVELS ((int)(sizeof(level_names) / sizeof(level_names[0])))

const char *sh_level_name(int level)
{
	if (level >= 0 && level < N_LEVELS)
		return level_names[level];
	return "level?";
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int equal_nocase(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (lower((unsigned char)*a) != lower((unsigned char)*b))
			return 0;
	return *a == *b;
}

/* A decimal number without sign, at most `limit`. */
static int parse_uint(const char *s, unsigned long long limit, unsigned long long *v)
{
	unsigned long long x = 0;
	if (!s || !*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		x = x * 10 + (unsigned)(*s - '0');
		if (x > limit)
			return 0;
	}
	*v = x;
	return 1;
}

int sh_parse_level(const char *s, int *level)
{
	unsigned long long v;
	if (parse_uint(s, N_LEVELS - 1, &v)) {
		*level = (int)v;
		return 1;
	}
	for (int i = 0; i < N_LEVELS; i++)
		if (equal_nocase(s, level_names[i])) {
			*level = i;
			return 1;
		}
	return 0;
}

const char *sh_provenance_name(int provenance)
{
	switch (provenance) {
	case capos_ClockProvenance_CLOCK_PROVENANCE_UNTRUSTED:
		return "untrusted";
	case capos_ClockProvenance_CLOCK_PROVENANCE_RTC:
		return "rtc";
	case capos_ClockProvenance_CLOCK_PROVENANCE_MANIFEST:
		return "manifest";
	case capos_ClockProvenance_CLOCK_PROVENANCE_NETWORK:
		return "network";
	default:
		return "unknown";
	}
}

int sh_parse_log_opts(int argc, char **argv, struct sh_log_opts *o, char *err, size_t errlen)
{
	o->min_level = 0;
	o->source[0] = '\0';
	o->n = SH_LOG_DEFAULT_N;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || a[1] == '\0') {
			snprintf(err, errlen, "unexpected argument '%s'", a);
			return 0;
		}
		if (strcmp(a, "-l") && strcmp(a, "-s") && strcmp(a, "-n")) {
			snprintf(err, errlen, "unknown option '%s'", a);
			return 0;
		}
		if (i + 1 >= argc) {
			snprintf(err, errlen, "%s needs a value", a);
			return 0;
		}
		const char *v = argv[++i];
		if (a[1] == 'l') {
			if (!sh_parse_level(v, &o->min_level)) {
				snprintf(err, errlen,
					 "bad level '%s' (trace, debug, info, warning, error, "
					 "critical or 0-5)", v);
				return 0;
			}
		} else if (a[1] == 's') {
			size_t n = strlen(v);
			if (n >= sizeof(o->source)) {
				snprintf(err, errlen, "source longer than %u characters",
					 (unsigned)sizeof(o->source) - 1);
				return 0;
			}
			memcpy(o->source, v, n + 1);
		} else {
			unsigned long long x;
			if (!parse_uint(v, SH_LOG_MAX_N, &x) || x == 0) {
				snprintf(err, errlen, "-n needs a number from 1 to %u",
					 (unsigned)SH_LOG_MAX_N);
				return 0;
			}
			o->n = (unsigned)x;
		}
	}
	return 1;
}

int sh_format_date(char *buf, size_t len, int64_t seconds, int provenance)
{
	struct capos_utc_time t; /* floor: a negative time is still a time of some day */
	capos_utc_from_seconds(seconds, &t);
	return snprintf(buf, len, "%04lld-%02u-%02u %02u:%02u:%02u UTC (%s)", (long long)t.year,
			t.month, t.day, t.hour, t.minute, t.second, sh_provenance_name(provenance));
}

int sh_format_uptime(char *buf, size_t len, uint64_t ns)
{
	uint64_t ms = ns / 1000000u, s = ms / 1000u;
	unsigned msec = (unsigned)(ms % 1000u), sec = (unsigned)(s % 60u);
	unsigned min = (unsigned)(s / 60u % 60u), hour = (unsigned)(s / 3600u % 24u);
	unsigned long long day = s / 86400u;
	if (day)
		return snprintf(buf, len, "up %llud %uh %um %u.%03us", day, hour, min, sec, msec);
	if (hour)
		return snprintf(buf, len, "up %uh %um %u.%03us", hour, min, sec, msec);
	if (min)
		return snprintf(buf, len, "up %um %u.%03us", min, sec, msec);
	return snprintf(buf, len, "up %u.%03us", sec, msec);
}

int sh_format_log_record(char *buf, size_t len, const capos_LogRecord *r)
{
	/* Text from other components: shown, never obeyed (capos/escape.h). */
	static char source[CAPOS_ESCAPE_SIZE(sizeof(r->source))];
	static char text[CAPOS_ESCAPE_SIZE(sizeof(r->text))];
	capos_escape_text(source, sizeof(source), r->source, strnlen(r->source, sizeof(r->source)));
	capos_escape_text(text, sizeof(text), r->text, strnlen(r->text, sizeof(r->text)));
	return snprintf(buf, len, "%llu %s %s: %s", (unsigned long long)r->sequence,
			sh_level_name((int)r->level), source[0] ? source : "-", text);
}

int sh_format_rights(char *buf, size_t len, uint32_t rights)
{
	static const char *const names[] = { "read", "write", "grant", "send", "recv", "control" };
	size_t at = 0;
	if (len)
		buf[0] = '\0';
	for (unsigned i = 0; i < 6; i++) {
		if (!(rights & (1u << i)))
			continue;
		int n = snprintf(buf + at, at < len ? len - at : 0, "%s%s", at ? "," : "", names[i]);
		at += (size_t)n;
	}
	if (rights >> 6) {
		int n = snprintf(buf + at, at < len ? len - at : 0, "%s%#x", at ? "," : "",
				 (unsigned)(rights & ~0x3fu));
		at += (size_t)n;
	}
	if (at == 0)
		return snprintf(buf, len, "none");
	return (int)at;
}

const char *sh_cap_type_name(uint32_t type)
{
	static const char *const names[] = {
		"null", "endpoint", "notification", "process", "thread", "shared_buffer",
		"irq_control", "irq_handler", "ioport", "cap_manager", "reply",
		"kernel_info", "process_control",
	};
	static char other[24];
	if (type < sizeof(names) / sizeof(names[0]))
		return names[type];
	snprintf(other, sizeof(other), "type%u", (unsigned)type);
	return other;
}

const char *sh_process_state_name(int state)
{
	static const char *const names[] = { "unknown", "alive", "exited", "faulted", "killed" };
	if (state >= 0 && state < (int)(sizeof(names) / sizeof(names[0])))
		return names[state];
	return "unknown";
}

void sh_log_tail_init(struct sh_log_tail *t, unsigned n)
{
	if (n < 1)
		n = 1;
	if (n > SH_LOG_MAX_N)
		n = SH_LOG_MAX_N;
	t->n = n;
	t->first = t->count = 0;
	t->seen = t->dropped = t->below_floor = 0;
}

void sh_log_tail_add(struct sh_log_tail *t, const capos_LogReadResult *page)
{
	t->dropped += page->dropped;
	t->below_floor = page->below_floor; /* a running total: the latest counts */
	for (pb_size_t i = 0; i < page->records_count && i < 5; i++) {
		t->seen++;
		if (t->count < t->n) {
			t->rec[(t->first + t->count) % t->n] = page->records[i];
			t->count++;
		} else {
			t->rec[t->first] = page->records[i]; /* over the oldest */
			t->first = (t->first + 1) % t->n;
		}
	}
}

const capos_LogRecord *sh_log_tail_at(const struct sh_log_tail *t, unsigned i)
{
	return i < t->count ? &t->rec[(t->first + i) % t->n] : NULL;
}

capos_status_t sh_log_collect(capos_cap_t reader, const struct sh_log_opts *o,
			      struct sh_log_tail *t)
{
	sh_log_tail_init(t, o->n);
	capos_LogFilter f = capos_LogFilter_init_zero;
	f.min_level = (capos_LogLevel)o->min_level;
	memcpy(f.source, o->source, sizeof(f.source));
	f.cursor = 0;
	static capos_LogReadResult page; /* ~1.6 KiB: off the small stack */
	for (unsigned pages = 0; pages < SH_LOG_MAX_PAGES; pages++) {
		capos_status_t st = logreader_read(reader, &f, &page);
		if (st != CAPOS_OK)
			return st;
		sh_log_tail_add(t, &page);
		/* Done when the cursor stops moving: the end of the log (a page
		 * may be empty yet move on, if a server bounds what it examines
		 * per call); a cursor going backwards would loop forever. */
		if (page.next_cursor <= f.cursor)
			break;
		f.cursor = page.next_cursor;
	}
	return CAPOS_OK;
}

/* ---- the session --------------------------------------------------------- */

void sh_init(struct shell *sh, struct sh_out *out)
{
	memset(sh, 0, sizeof(*sh));
	sh->clock = sh->sysinfo = sh->logs = sh->log = sh->procs = sh->self = CAPOS_NO_CAP;
	sh->broker = sh->session = CAPOS_NO_CAP;
	sh->principal = "anonymous";
	sh->session_kind = "anonymous";
	sh->out = out;
}

void sh_hostname(struct shell *sh, char *buf, size_t len)
{
	capos_Empty e = capos_Empty_init_zero;
	capos_HostnameInfo h;
	if (sh->sysinfo != CAPOS_NO_CAP && systeminfo_hostname(sh->sysinfo, &e, &h) == CAPOS_OK &&
	    h.hostname[0])
		snprintf(buf, len, "%s", h.hostname);
	else
		snprintf(buf, len, "capos");
}

/* "<cmd>: no '<cap>' capability (not granted to this session)": a cap the
 * manifest did not give is not an error of the server. */
static int no_cap(struct shell *sh, const char *cmd, const char *cap)
{
	sh_printf(sh->out, "%s: no '%s' capability (not granted to this session)\n", cmd, cap);
	return 1;
}

static int cmd_help(struct shell *sh, int argc, char **argv);

static int cmd_date(struct shell *sh, int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		sh_printf(sh->out, "usage: date\n");
		return 1;
	}
	if (sh->clock == CAPOS_NO_CAP)
		return no_cap(sh, "date", "clock");
	capos_Empty e = capos_Empty_init_zero;
	capos_WallTimeReading r;
	capos_status_t st = wallclock_wall_time(sh->clock, &e, &r);
	if (st != CAPOS_OK) {
		sh_printf(sh->out, "date: clock unavailable (%s)\n", capos_status_name(st));
		return 1;
	}
	char line[96];
	sh_format_date(line, sizeof(line), r.seconds, (int)r.provenance);
	sh_printf(sh->out, "%s\n", line);
	return 0;
}

static int cmd_hostname(struct shell *sh, int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		sh_printf(sh->out, "usage: hostname\n");
		return 1;
	}
	if (sh->sysinfo == CAPOS_NO_CAP)
		return no_cap(sh, "hostname", "sysinfo");
	capos_Empty e = capos_Empty_init_zero;
	capos_HostnameInfo h;
	capos_status_t st = systeminfo_hostname(sh->sysinfo, &e, &h);
	if (st != CAPOS_OK) {
		sh_printf(sh->out, "hostname: system info unavailable (%s)\n", capos_status_name(st));
		return 1;
	}
	sh_printf(sh->out, "%s\n", h.hostname);
	return 0;
}

static int cmd_uptime(struct shell *sh, int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		sh_printf(sh->out, "usage: uptime\n");
		return 1;
	}
	if (sh->sysinfo == CAPOS_NO_CAP)
		return no_cap(sh, "uptime", "sysinfo");
	capos_Empty e = capos_Empty_init_zero;
	capos_UptimeInfo u;
	capos_status_t st = systeminfo_uptime(sh->sysinfo, &e, &u);
	if (st != CAPOS_OK) {
		sh_printf(sh->out, "uptime: system info unavailable (%s)\n", capos_status_name(st));
		return 1;
	}
	char line[64];
	sh_format_uptime(line, sizeof(line), u.nanoseconds);
	sh_printf(sh->out, "%s\n", line);
	return 0;
}

static int cmd_log(struct shell *sh, int argc, char **argv)
{
	struct sh_log_opts o;
	char err[128];
	if (!sh_parse_log_opts(argc, argv, &o, err, sizeof(err))) {
		sh_printf(sh->out, "log: %s\nusage: log [-l level] [-s source] [-n N]\n", err);
		return 1;
	}
	if (sh->logs == CAPOS_NO_CAP)
		return no_cap(sh, "log", "logs");
	static struct sh_log_tail tail; /* ~33 KiB: static, not on the stack */
	/* Many records per call (LogReader.ReadBulk, docs/servers/log.md)
	 * into the shell's own SharedBuffer; from a logd that cannot serve it
	 * (no ReadBulk, or not allowed to map the buffer) or without a
	 * buffer, the records come page by page. Either way the same tail. */
	capos_status_t st = CAPOS_UNSUPPORTED;
	struct sh_bulk bulk;
	if (sh->log_buffer && sh->log_buffer(sh, &bulk) == CAPOS_OK)
		st = sh_log_collect_bulk(sh->logs, &bulk, &o, &tail);
	if (st == CAPOS_UNSUPPORTED || st == CAPOS_DENIED)
		st = sh_log_collect(sh->logs, &o, &tail);
	if (st != CAPOS_OK) {
		sh_printf(sh->out, "log: log reader unavailable (%s)\n", capos_status_name(st));
		return 1;
	}
	if (tail.dropped)
		sh_printf(sh->out, "log: %llu older records were dropped (ring overwritten)\n",
			  (unsigned long long)tail.dropped);
	for (unsigned i = 0; i < tail.count; i++) {
		static char line[SH_LOG_LINE_MAX];
		int n = sh_format_log_record(line, sizeof(line), sh_log_tail_at(&tail, i));
		/* sh_put: a line of escaped text may be longer than sh_printf's */
		if (n > 0)
			sh_put(sh->out, line, strnlen(line, sizeof(line)));
		sh_printf(sh->out, "\n");
	}
	if (tail.count == 0)
		sh_printf(sh->out, "log: no records\n");
	if (tail.below_floor)
		sh_printf(sh->out, "log: %llu records below the system's level were not kept\n",
			  (unsigned long long)tail.below_floor);
	return 0;
}

static const char *slot_name(const struct capos_startup *su, uint32_t slot)
{
	for (uint32_t i = 0; su && i < su->ncaps && i < CAPOS_STARTUP_MAX_CAPS; i++)
		if (su->caps[i].slot == slot)
			return su->caps[i].name;
	return "-";
}

static int cmd_caps(struct shell *sh, int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		sh_printf(sh->out, "usage: caps\n");
		return 1;
	}
	if (sh->self == CAPOS_NO_CAP || !sh->cap_list)
		return no_cap(sh, "caps", "self");
	static struct capos_capmgr_list_result r;
	uint32_t first = 0, shown = 0;
	sh_printf(sh->out, "slot  type              rights                    name\n");
	/* At most table_size rounds: every round moves `first` forward. */
	for (unsigned round = 0; round < 4096; round++) {
		capos_status_t st = sh->cap_list(sh->self, first, CAPOS_CAPMGR_LIST_MAX, &r);
		if (st != CAPOS_OK) {
			sh_printf(sh->out, "caps: capability manager unavailable (%s)\n",
				  capos_status_name(st));
			return 1;
		}
		for (uint32_t i = 0; i < r.count && i < CAPOS_CAPMGR_LIST_MAX; i++) {
			const struct capos_cap_info *e = &r.entries[i];
			char rights[64];
			sh_format_rights(rights, sizeof(rights), e->rights);
			sh_printf(sh->out, "%4u  %-16s  %-24s  %s\n", (unsigned)e->slot,
				  sh_cap_type_name(e->type), rights, slot_name(sh->startup, e->slot));
			shown++;
		}
		if (r.count == 0 || r.next <= first || r.next >= r.table_size)
			break;
		first = r.next;
	}
	sh_printf(sh->out, "%u caps (table of %u slots)\n", (unsigned)shown,
		  (unsigned)r.table_size);
	return 0;
}

static int cmd_ps(struct shell *sh, int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		sh_printf(sh->out, "usage: ps\n");
		return 1;
	}
	if (sh->procs == CAPOS_NO_CAP)
		return no_cap(sh, "ps", "procs");
	static capos_ProcessList list; /* ~1.5 KiB */
	capos_ProcessListRequest rq = capos_ProcessListRequest_init_zero;
	int header = 0;
	for (unsigned round = 0; round < 1024; round++) {
		capos_status_t st = processcontrol_list(sh->procs, &rq, &list);
		if (st != CAPOS_OK) {
			sh_printf(sh->out, "ps: %s (%s)\n",
				  header ? "list cut short" : "process list unavailable",
				  capos_status_name(st));
			return 1;
		}
		if (!header)
			sh_printf(sh->out,
				  "  PID  NAME                      STATE    RESTARTS  PAGES\n");
		header = 1;
		for (pb_size_t i = 0; i < list.processes_count && i < 8; i++) {
			const capos_ProcessStatus *p = &list.processes[i];
			/* A spawned child's name is its parent's choice: escaped. */
			char name[CAPOS_ESCAPE_SIZE(sizeof(p->name))];
			capos_escape_text(name, sizeof(name), p->name, strnlen(p->name, sizeof(p->name)));
			sh_printf(sh->out, "%5u  %-24s  %-7s  %8u  %5u\n", (unsigned)p->pid, name,
				  sh_process_state_name((int)p->state), (unsigned)p->restarts,
				  p->has_usage ? (unsigned)p->usage.pages : 0u);
		}
		/* next 0: no more; one that does not move forward would loop. */
		if (list.next == 0 || list.next <= rq.first || list.processes_count == 0)
			break;
		rq.first = list.next;
	}
	return 0;
}

static int cmd_echo(struct shell *sh, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		sh_printf(sh->out, "%s%s", i > 1 ? " " : "", argv[i]);
	sh_printf(sh->out, "\n");
	return 0;
}

static int cmd_exit(struct shell *sh, int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		sh_printf(sh->out, "usage: exit\n");
		return 1;
	}
	sh->exit_requested = 1;
	sh_printf(sh->out, "logout\n");
	return 0;
}

static const struct command {
	const char *name;
	int (*run)(struct shell *sh, int argc, char **argv);
	const char *help;
} commands[] = {
	{ "help", cmd_help, "list the commands" },
	{ "date", cmd_date, "UTC date and time, and where the clock got it" },
	{ "hostname", cmd_hostname, "the system's name" },
	{ "uptime", cmd_uptime, "time since the kernel started" },
	{ "session", cmd_session, "who this session runs as, and its avatar" },
	{ "whoami", cmd_whoami, "the session's principal" },
	{ "login", cmd_login, "PRINCIPAL: open a session as PRINCIPAL (asks the passphrase)" },
	{ "logout", cmd_logout, "close the session, back to an anonymous one" },
	{ "shutdown", cmd_shutdown, "[poweroff|reboot|halt] REASON: stop the system" },
	{ "grant", cmd_grant, "NAME [REASON]: ask the broker for a grant and hold it" },
	{ "grants", cmd_grants, "the grants held, and whether each still answers" },
	{ "log", cmd_log, "[-l level] [-s source] [-n N]: the last N log records" },
	{ "caps", cmd_caps, "the capabilities this shell holds" },
	{ "ps", cmd_ps, "the processes init runs" },
	{ "keys", sh_cmd_keys, "the crypto vault's keys (never their material)" },
	/* cmd_admin.c: each through a grant of the session; one help line
	 * for the seven keeps `help` in one console write (upgrade's BINARY
	 * is in its usage line) */
	{ "audit", cmd_audit, "[-n N]; kill|restart|upgrade|crash NAME; retarget ENDPOINT "
			      "NAME; debug PID" },
	{ "kill", cmd_kill, NULL },
	{ "restart", cmd_restart, NULL },
	{ "upgrade", cmd_upgrade, NULL },
	{ "retarget", cmd_retarget, NULL },
	{ "crash", cmd_crash, NULL },
	{ "debug", cmd_debug, NULL },
	{ "echo", cmd_echo, "ARGS: print the arguments" },
	{ "exit", cmd_exit, "end this session" },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static int cmd_help(struct shell *sh, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (commands[i].help)
			sh_printf(sh->out, "  %-9s %s\n", commands[i].name, commands[i].help);
	sh_printf(sh->out, "keys: Backspace, Ctrl-U (erase line), Ctrl-C (cancel), "
			   "Up/Down (history)\n");
	return 0;
}

int sh_run(struct shell *sh, char *line)
{
	char *argv[SH_MAX_ARGS];
	const char *err;
	int rc;
	int argc = sh_tokenize(line, argv, SH_MAX_ARGS, &err);
	if (argc < 0) {
		sh_printf(sh->out, "shell: %s\n", err);
		rc = 1;
	} else if (argc == 0) {
		rc = 2;
	} else {
		rc = -1;
		for (size_t i = 0; i < N_COMMANDS; i++)
			if (strcmp(argv[0], commands[i].name) == 0) {
				rc = commands[i].run(sh, argc, argv);
				break;
			}
		if (rc < 0) {
			sh_printf(sh->out, "%s: unknown command (try 'help')\n", argv[0]);
			rc = 1;
		}
	}
	sh_flush(sh->out);
	return rc;
}
