/*
 * shell - the interactive serial shell on the target (docs/shell.md).
 * Started by init from a manifest: it holds only the caps the manifest
 * grants, by local name (`console`, `clock`, `sysinfo`, `logs`, `log`,
 * `procs`, `self`, `mem`, `broker`, `capmgr`), and opens an anonymous session
 * through the AuthorityBroker cap `broker` (cmd_session.c; without one it
 * is anonymous with no session). It reads raw bytes with Console.Read,
 * edits the line itself (line_edit.c), echoes through Console.Write and
 * runs each line with commands.c. The line after `login` is a passphrase:
 * edited apart (never in the history) and never echoed.
 *
 * It ends (exit code 0) on `exit`, when the console reports the end of
 * its input, or when init's stop notice arrives (the exit acknowledges
 * it): while `shutdown` waits for it (cmd_session.c), or while the shell
 * waits for input - a Call cannot be woken by the notice, so with a
 * `stop` the shell's Reads wait at most SH_READ_SLICE_MS and the notice is
 * looked at between two. Without a `console` endpoint it has nowhere to
 * talk and exits with 1 at once; after SH_READ_FAILURES console reads in a
 * row fail it exits with 3 (init's restart policy decides what comes
 * next). A console that cannot keep a reader waiting (LIMIT_EXCEEDED) is
 * polled instead.
 */
#include <stdio.h>
#include <string.h>

#include <capos/kernel.h>
#include <capos/log.h>
#include <capos/service.h>
#include <capos/startup.h>
#include <capos/stop.h>
#include <capos/syscall.h>

#include "cmd_keys.h"
#include "cmd_session.h"
#include "commands.h"
#include "console.capos.h"
#include "line_edit.h"
#include "log.capos.h"
#include "log_bulk.h"

#define SH_READ_FAILURES 16
#define SH_READ_POLL 0xffffffffu /* ConsoleRead.timeout_ms: do not wait */
/* A waiting Read's bound when init may stop the shell: well inside init's
 * grace (100 ms unless the shutdown asks otherwise), few wake-ups idle. */
#define SH_READ_SLICE_MS 20u
/* After a timed-out Read, the pause on `stop`: a console without a clock
 * answers a timed Read TIMEOUT at once, and this keeps that from spinning. */
#define SH_STOP_PAUSE_NS 1000000ull

int main(uint64_t arg);

static capos_cap_t console = CAPOS_NO_CAP;

/* After a Read that brought nothing (st: TIMEOUT, or WOULD_BLOCK when
 * polling): 1 once init's stop notice arrived. */
static int stop_told(capos_status_t st)
{
	return capos_stop_wait(st == CAPOS_TIMEOUT ? SH_STOP_PAUSE_NS : CAPOS_WAIT_POLL) ==
	       CAPOS_OK;
}

/* Console.Write of n bytes, in pieces the message can hold. */
static capos_status_t console_out(void *ctx, const char *data, size_t n)
{
	(void)ctx;
	static capos_ConsoleWrite w;
	capos_ConsoleWriteResult r;
	capos_status_t worst = CAPOS_OK;
	while (n) {
		size_t k = n < sizeof(w.data.bytes) ? n : sizeof(w.data.bytes);
		memcpy(w.data.bytes, data, k);
		w.data.size = (pb_size_t)k;
		capos_status_t st = console_write(console, &w, &r);
		if (st != CAPOS_OK && worst == CAPOS_OK)
			worst = st;
		data += k;
		n -= k;
	}
	return worst;
}

static capos_status_t list_caps(capos_cap_t mgr, uint32_t first, uint32_t max,
				struct capos_capmgr_list_result *out)
{
	return capos_cap_list(mgr, first, max, out);
}

/* `log`'s SharedBuffer (log_bulk.h): made with the shell's own Process
 * cap (a KERNEL_RESOURCE_SELF grant: `self` when that names a Process,
 * else `mem`, for images whose `self` is the CapabilityManager `caps`
 * lists), charged to its profile, mapped at SH_BULK_VA on first use and
 * kept for the session. Without such a cap, or if the kernel refuses,
 * the answer stays and `log` pages through LogReader.Read. */
#define SH_BULK_VA 0x0000500000000000ull
#define SH_BULK_PAGES 8u
static capos_status_t log_buffer(struct shell *sh, struct sh_bulk *out)
{
	(void)sh;
	static capos_status_t made = CAPOS_UNSUPPORTED;
	static int tried;
	static uint32_t buf = CAPOS_NO_CAP;
	if (!tried) {
		tried = 1;
		uint32_t type = 0;
		capos_cap_t proc = capos_cap_lookup_type("self", &type);
		if (proc == CAPOS_NO_CAP || type != CAPOS_CAP_PROCESS)
			proc = capos_cap_lookup_type("mem", &type);
		if (proc != CAPOS_NO_CAP && type == CAPOS_CAP_PROCESS) {
			made = capos_shared_buffer_create(proc, SH_BULK_PAGES, &buf);
			if (made == CAPOS_OK)
				made = capos_map_shared(proc, SH_BULK_VA, buf, 0, SH_BULK_PAGES,
							CAPOS_PROT_READ | CAPOS_PROT_WRITE);
		}
	}
	out->cap = buf;
	out->base = (const uint8_t *)(uintptr_t)SH_BULK_VA;
	out->size = SH_BULK_PAGES * 4096u;
	return made;
}

/* One record in the system log: the session's start, so `log -s shell`
 * shows who opened it. A missing or failing log is no reason not to run. */
static void log_start(capos_cap_t log, const struct shell *sh)
{
	if (log == CAPOS_NO_CAP)
		return;
	capos_log(capos_LogLevel_LOG_LEVEL_INFO, "session started: principal %s, kind %s",
		  sh->principal, sh->session_kind);
}

static void prompt(struct sh_out *out, const char *host)
{
	sh_printf(out, "%s$ ", host);
	sh_flush(out);
}

int main(uint64_t arg)
{
	(void)arg;
	console = capos_cap_lookup("console");
	if (console == CAPOS_NO_CAP)
		return 1;

	static struct sh_out out;
	static struct shell sh;
	static struct line_edit le;
	static struct le_echo echo;
	out.write = console_out;
	sh_init(&sh, &out);
	sh.clock = capos_cap_lookup("clock");
	sh.sysinfo = capos_cap_lookup("sysinfo");
	sh.logs = capos_cap_lookup("logs");
	sh.log = capos_cap_lookup("log");
	sh.procs = capos_cap_lookup("procs");
	sh.self = capos_cap_lookup("self");
	sh_keys_cap = capos_cap_lookup("keys");
	sh.cap_list = list_caps;
	sh.log_buffer = log_buffer;
	sh.startup = capos_startup();
	sh.broker = capos_cap_lookup("broker");
	sh.stop_wait = capos_stop_wait;
	le_init(&le);
	static struct line_edit secret; /* the passphrase after `login` */
	le_init(&secret);

	char host[64];
	sh_hostname(&sh, host, sizeof(host));
	sh_session_start(&sh);
	sh_flush(&out);
	log_start(sh.log, &sh);
	/* Ready (init counts the system up) before the first prompt: init
	 * runs at a higher priority and prints its "system ready" line at
	 * once, so it does not land in the middle of the prompt line. */
	capos_cap_t ready = capos_cap_lookup("ready");
	if (ready != CAPOS_NO_CAP)
		capos_service_ready(ready, 1);
	sh_printf(&out, "\ncapOS shell: session %s (%s); type 'help' for the commands\n",
		  sh.principal, sh.session_kind);
	prompt(&out, host);

	static capos_ConsoleInput in;
	capos_ConsoleRead rq = capos_ConsoleRead_init_zero;
	rq.max = 0;        /* as many as have arrived */
	/* Wait for the first; in slices when init may tell the shell to stop. */
	int stoppable = capos_cap_lookup(CAPOS_STOP_NAME) != CAPOS_NO_CAP;
	rq.timeout_ms = stoppable ? SH_READ_SLICE_MS : 0;
	unsigned failures = 0;
	for (;;) {
		capos_status_t st = console_read(console, &rq, &in);
		if (st == CAPOS_TIMEOUT || st == CAPOS_WOULD_BLOCK) {
			if (stoppable && stop_told(st))
				return 0; /* the exit acknowledges the notice */
			capos_yield(); /* polling: let the others run */
			continue;
		}
		if (st == CAPOS_LIMIT_EXCEEDED && rq.timeout_ms != SH_READ_POLL) {
			/* A console that cannot hold a waiting reader (it has no
			 * table manager to save Reply caps in) refuses to wait:
			 * poll it instead, yielding between tries. */
			rq.timeout_ms = SH_READ_POLL;
			continue;
		}
		if (st != CAPOS_OK) {
			if (++failures >= SH_READ_FAILURES)
				return 3;
			continue;
		}
		failures = 0;
		for (pb_size_t i = 0; i < in.data.size && i < sizeof(in.data.bytes); i++) {
			if (sizeof(echo.buf) - echo.len < LE_ECHO_ONE) {
				console_out(NULL, echo.buf, echo.len);
				echo.len = 0;
			}
			int hidden = sh_session_wants_secret(&sh);
			enum le_event ev = le_feed(hidden ? &secret : &le, in.data.bytes[i], &echo);
			if (hidden) {
				/* Nothing of a passphrase shows but its line's end. */
				echo.len = 0;
				if (ev != LE_NONE)
					console_out(NULL, "\r\n", 2);
			}
			if (ev == LE_NONE)
				continue;
			/* The echo (ending the line) goes out before the answer. */
			console_out(NULL, echo.buf, echo.len);
			echo.len = 0;
			if (hidden) {
				if (ev == LE_LINE)
					sh_session_secret(&sh, le_line(&secret), strlen(le_line(&secret)));
				else
					sh.login_pending[0] = '\0'; /* Ctrl-C: no login */
				memset(&secret, 0, sizeof(secret));
				le_init(&secret);
			} else if (ev == LE_LINE) {
				char line[LE_LINE_MAX + 1];
				memcpy(line, le_line(&le), sizeof(line));
				sh_run(&sh, line);
				if (sh.exit_requested)
					return 0;
				if (sh_session_wants_secret(&sh))
					continue; /* `login` asked for the passphrase */
			}
			prompt(&out, host);
		}
		if (echo.len) {
			console_out(NULL, echo.buf, echo.len);
			echo.len = 0;
		}
		if (in.eof)
			return 0;
	}
}
