/*
 * commands.h - the shell's commands: tokenising, option parsing, the
 * formatting of every answer, and running a command line against the caps
 * the session holds, through the generated client stubs. No system call of
 * its own except through the stubs (and the CapabilityManager list, given
 * as a function), so the host tests (tests/component/test_shell_commands.c)
 * run it unchanged over the loopback transport against real servers.
 */
#ifndef SERVERS_SHELL_COMMANDS_H
#define SERVERS_SHELL_COMMANDS_H

#include <stddef.h>
#include <stdint.h>

#include <capos/abi.h>

#include "log.pb.h"
#include "process.pb.h"

/* ---- output ------------------------------------------------------------ */

/* One Console.Write carries at most this much (idl/console.options). */
#define SH_OUT_MAX 1024

/* Output is gathered and handed to `write` a command (or a buffer) at a
 * time, never a character at a time. */
struct sh_out {
	char buf[SH_OUT_MAX];
	size_t len;
	/* Sends n bytes; its status is remembered in `status` (the first
	 * failure wins) but output goes on: a lost line is no reason to stop. */
	capos_status_t (*write)(void *ctx, const char *data, size_t n);
	void *ctx;
	capos_status_t status;
};

/* Appends formatted text; each '\n' becomes "\r\n" (the console does not
 * translate). Whatever does not fit is written first, so nothing is lost. */
__attribute__((format(printf, 2, 3))) void sh_printf(struct sh_out *o, const char *fmt, ...);
/* Appends n raw bytes (no translation). */
void sh_put(struct sh_out *o, const char *s, size_t n);
/* Writes what is gathered. */
void sh_flush(struct sh_out *o);

/* ---- pure helpers -------------------------------------------------------- */

#define SH_MAX_ARGS 16

/* Splits `line` in place into at most max words separated by spaces or
 * tabs; '...' and "..." group (the quotes are removed, no escapes).
 * Returns the count, or -1 with *err set ("unterminated quote", "too many
 * words"). */
int sh_tokenize(char *line, char **argv, int max, const char **err);

/* LogLevel: "trace" ... "critical"; parse accepts those names in any case
 * or a number 0-5. Returns 1 and *level, or 0. */
const char *sh_level_name(int level);
int sh_parse_level(const char *s, int *level);

/* ClockProvenance: "untrusted", "rtc", "manifest", "network", else
 * "unknown". */
const char *sh_provenance_name(int provenance);

/* log [-l level] [-s source] [-n N] */
#define SH_LOG_DEFAULT_N 20
#define SH_LOG_MAX_N 100 /* the records kept while paging (static memory) */

struct sh_log_opts {
	int min_level;
	char source[32]; /* LogFilter.source: 31 characters */
	unsigned n;
};

/* argv[0] is "log". Returns 1, or 0 with a reason in err ("bad level
 * 'x'", "-n needs a number from 1 to 100", "unknown option '-x'",
 * "-s needs a value", "unexpected argument 'x'", "source longer than 31
 * characters"). */
int sh_parse_log_opts(int argc, char **argv, struct sh_log_opts *o, char *err, size_t errlen);

/* "YYYY-MM-DD HH:MM:SS UTC (rtc)" from UTC seconds since 1970 (negative:
 * before 1970) and a ClockProvenance (the date: capos/civil_date.h).
 * Returns the length, as snprintf. Statuses are printed by
 * capos_status_name (capos/status_names.h). */
int sh_format_date(char *buf, size_t len, int64_t seconds, int provenance);

/* "up 0.250s", "up 1m 5.000s", "up 2h 0m 5.250s", "up 3d 4h 5m 6.007s"
 * from nanoseconds (milliseconds truncated). */
int sh_format_uptime(char *buf, size_t len, uint64_t ns);

/* "seq level source: text" */
/* The longest `log` line: sequence, level, then source and text escaped
 * (capos/escape.h: up to 4 bytes shown per byte sent). */
#define SH_LOG_LINE_MAX (48u + 4u * 32u + 4u * 256u)
int sh_format_log_record(char *buf, size_t len, const capos_LogRecord *r);

/* Rights bits as "read,write,grant,send,recv,control" (only those set),
 * "none" for 0. */
int sh_format_rights(char *buf, size_t len, uint32_t rights);

/* CAPOS_CAP_* as "endpoint", "notification", ... "process_control";
 * "type<n>" for another value (static buffer). */
const char *sh_cap_type_name(uint32_t type);

/* ProcessState as "unknown", "alive", "exited", "faulted", "killed". */
const char *sh_process_state_name(int state);

/* The last n records of a paged read (drop the oldest beyond n), and the
 * dropped counts the pages reported. */
struct sh_log_tail {
	capos_LogRecord rec[SH_LOG_MAX_N];
	unsigned n;     /* keep at most this many (1..SH_LOG_MAX_N) */
	unsigned first; /* index of the oldest kept */
	unsigned count; /* kept */
	uint64_t seen;  /* records received in all */
	uint64_t dropped;
	uint64_t below_floor; /* the server's count of records under its floor */
};

void sh_log_tail_init(struct sh_log_tail *t, unsigned n);
void sh_log_tail_add(struct sh_log_tail *t, const capos_LogReadResult *page);
/* The i-th kept record, 0 = oldest; NULL past the end. */
const capos_LogRecord *sh_log_tail_at(const struct sh_log_tail *t, unsigned i);

/* Pages through LogReader.Read from cursor 0 with the options' filter
 * until next_cursor stops moving forward (or after
 * SH_LOG_MAX_PAGES pages: a log written faster than it is read cannot
 * keep the shell forever). Returns the first failing status, else OK. */
#define SH_LOG_MAX_PAGES 4096
capos_status_t sh_log_collect(capos_cap_t reader, const struct sh_log_opts *o,
			      struct sh_log_tail *t);

/* ---- the session --------------------------------------------------------- */

/* Lists a CapabilityManager's table (capos_cap_list on the target). */
typedef capos_status_t (*sh_cap_list_fn)(capos_cap_t mgr, uint32_t first, uint32_t max,
					 struct capos_capmgr_list_result *out);

#define SH_MAX_GRANTS 4 /* grants `grant` keeps at once */

struct sh_bulk;

struct shell {
	/* The caps, CAPOS_NO_CAP when the manifest did not grant one. */
	capos_cap_t clock, sysinfo, logs, log, procs, self;
	/* The session (cmd_session.c): the AuthorityBroker cap, the Session
	 * cap (CAPOS_NO_CAP: none), what the broker said about it, and the
	 * grants `grant` holds. principal and session_kind point into it
	 * ("anonymous" without a broker). */
	capos_cap_t broker, session;
	uint64_t session_id;
	char principal_buf[32], avatar[32];
	const char *principal;
	const char *session_kind;
	char login_pending[32]; /* `login` waits for this principal's passphrase */
	struct {
		capos_cap_t cap;
		char name[32];
		uint32_t interface_id;
	} grants[SH_MAX_GRANTS];
	unsigned ngrants;
	/* For `caps`: the list function and the startup page naming slots. */
	sh_cap_list_fn cap_list;
	/* For `log`: the SharedBuffer LogReader.ReadBulk writes into
	 * (log_bulk.h), made and mapped at first use and kept; anything but
	 * OK (or no hook) and `log` pages through LogReader.Read. */
	capos_status_t (*log_buffer)(struct shell *sh, struct sh_bulk *out);
	/* For `shutdown`: waits up to ns for init's stop notice
	 * (capos_stop_wait on the target): OK once told, else TIMEOUT or
	 * NOT_FOUND. NULL: no notice comes (back to the prompt). */
	capos_status_t (*stop_wait)(uint64_t ns);
	const struct capos_startup *startup;
	struct sh_out *out;
	int exit_requested; /* `exit` was run, or init told the shell to stop */
};

/* Sets every cap to CAPOS_NO_CAP and the defaults. */
void sh_init(struct shell *sh, struct sh_out *out);

/* The hostname from SystemInfo.Hostname, or "capos" when it cannot be
 * had. */
void sh_hostname(struct shell *sh, char *buf, size_t len);

/* Runs one command line (modified in place) and flushes its output.
 * Returns 0 when the command succeeded, 1 when it reported an error
 * (unknown command, bad usage, a failed call), 2 for an empty line. */
int sh_run(struct shell *sh, char *line);

#endif
