/*
 * log_producer - the writing half of the system-monitoring-log demo
 * (manifests/system-monitoring-log.textproto, tests/qemu/monitoring_log.expect).
 *
 * Through the generated LogSink stub on its badged `log` cap it writes one
 * record at every level, TRACE to CRITICAL, and prints what the server
 * answered for each (status, accepted, sequence). Then it waits on its own
 * `sync` endpoint for the reader: the reader's first call says "I am about
 * to read"; when the reader calls a second time the producer writes
 * WRAP_RECORDS more INFO records (enough to wrap the manifest's 16-record
 * ring) before answering, so the reader sees the ring before and after the
 * wrap and nothing is written while it reads.
 *
 * Every record claims source "reader" in its body: the server must ignore
 * that and name the writer from its badge, which the reader checks.
 * The record texts ("monlog ...") are never printed here, so the test can
 * tell whether the log server forwarded or returned a record.
 */
#include <stdio.h>
#include <string.h>

#include <capos/debug.h>
#include <capos/service.h>
#include <capos/startup.h>
#include <capos/syscall.h>

#include "log.capos.h"

#define WRAP_RECORDS 20

int main(uint64_t arg);

static const char *const level_names[] = {
	"TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL",
};
static const char *const level_texts[] = {
	"monlog trace", "monlog debug", "monlog info",
	"monlog warning", "monlog error", "monlog critical",
};

/* One Write through the stub; prints the server's answer. */
static capos_status_t write_one(capos_cap_t log, capos_LogLevel level, const char *text,
				const char *what)
{
	capos_LogRecord rec = capos_LogRecord_init_zero;
	rec.level = level;
	/* A forged source: the server must replace it with the badge's name. */
	strcpy(rec.source, "reader");
	snprintf(rec.text, sizeof(rec.text), "%s", text);
	capos_LogWriteResult res = capos_LogWriteResult_init_zero;
	capos_status_t st = logsink_write(log, &rec, &res);
	capos_printf("log_producer: Write %s -> status %ld accepted %d sequence %lu\n", what,
		     (long)st, res.accepted ? 1 : 0, (unsigned long)res.sequence);
	return st;
}

/* Replies to the call being served (empty body, OK) and waits for the
 * next one. */
static capos_status_t answer_and_wait(capos_cap_t sync)
{
	struct capos_ipc_buffer *b = capos_ipc();
	b->label = CAPOS_OK;
	b->len = 0;
	b->ncaps = 0;
	return capos_reply_recv(sync);
}

int main(uint64_t arg)
{
	(void)arg;
	capos_cap_t log = capos_cap_lookup("log");
	capos_cap_t sync = capos_cap_lookup("sync");
	if (log == CAPOS_NO_CAP || sync == CAPOS_NO_CAP) {
		capos_printf("log_producer: missing cap (log %u, sync %u)\n", (unsigned)log,
			     (unsigned)sync);
		return 1;
	}

	for (int l = capos_LogLevel_LOG_LEVEL_TRACE; l <= capos_LogLevel_LOG_LEVEL_CRITICAL; l++) {
		char what[32];
		snprintf(what, sizeof(what), "level %d (%s)", l, level_names[l]);
		if (write_one(log, (capos_LogLevel)l, level_texts[l], what) != CAPOS_OK)
			return 2;
	}

	/* Started and done with phase 1: init may count us ready. */
	capos_cap_t ready = capos_cap_lookup("ready");
	if (ready != CAPOS_NO_CAP)
		capos_service_ready(ready, 1);

	/* The reader's first call: it reads phase 1 after our answer. */
	capos_status_t st = capos_recv(sync);
	if (st != CAPOS_OK) {
		capos_printf("log_producer: sync recv -> status %ld\n", (long)st);
		return 3;
	}
	/* Answer it; the next call asks for the wrap. */
	st = answer_and_wait(sync);
	if (st != CAPOS_OK) {
		capos_printf("log_producer: sync recv -> status %ld\n", (long)st);
		return 3;
	}
	for (int i = 1; i <= WRAP_RECORDS; i++) {
		char text[32], what[32];
		snprintf(text, sizeof(text), "monlog wrap %02d", i);
		snprintf(what, sizeof(what), "wrap %02d level 2 (INFO)", i);
		if (write_one(log, capos_LogLevel_LOG_LEVEL_INFO, text, what) != CAPOS_OK)
			return 2;
	}
	/* Answer the second call and wait: init stops this server once the
	 * reader (the manifest's only client) has ended. */
	st = answer_and_wait(sync);
	capos_printf("log_producer: sync recv -> status %ld\n", (long)st);
	return 4;
}
