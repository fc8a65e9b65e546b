/*
 * restart_client - kills the servers it is using and checks that it can
 * go on using them (manifests/test-restart.textproto,
 * tests/qemu/restart.expect). Everything printed is what the servers and
 * init answered; the expectations file judges it.
 *
 *  1. writes a log record and reads it back;
 *  2. kills the log server through ProcessControl (CONTROL grant); init,
 *     at a higher priority, restarts it and retargets its endpoints before
 *     this client runs again, so the same caps reach the new instance: a
 *     write is accepted, and the ring starts again (sequence 1, and the
 *     record from step 1 is gone);
 *  3. kills the console the same way, then prints through it (the new
 *     instance) and reads a line typed over serial, which needs the new
 *     console to have IRQ 4 and the UART again;
 *  4. asks Status of both: alive, one restart each.
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/startup.h>

#include "console.capos.h"
#include "log.capos.h"
#include "process.capos.h"

int main(uint64_t arg);

static capos_cap_t sink, logs, procs, console;

static void write_and_read(const char *text)
{
	static capos_LogRecord rec;
	static capos_LogReadResult res;
	memset(&rec, 0, sizeof(rec));
	rec.level = capos_LogLevel_LOG_LEVEL_INFO;
	strlcpy(rec.text, text, sizeof(rec.text));
	capos_LogWriteResult w = capos_LogWriteResult_init_zero;
	capos_status_t st = logsink_write(sink, &rec, &w);
	capos_printf("chaos: write '%s' -> status %ld, accepted %d, sequence %lu\n", text, (long)st,
		     w.accepted ? 1 : 0, (unsigned long)w.sequence);
	capos_LogFilter f = capos_LogFilter_init_zero;
	strlcpy(f.source, "chaos", sizeof(f.source));
	st = logreader_read(logs, &f, &res);
	capos_printf("chaos: read -> status %ld, %u records:", (long)st,
		     st == CAPOS_OK ? (unsigned)res.records_count : 0u);
	for (pb_size_t i = 0; st == CAPOS_OK && i < res.records_count; i++)
		capos_printf(" [%lu '%s']", (unsigned long)res.records[i].sequence,
			     res.records[i].text);
	capos_printf("\n");
}

static void kill(const char *name)
{
	capos_ProcessRef ref = capos_ProcessRef_init_zero;
	strlcpy(ref.name, name, sizeof(ref.name));
	capos_Empty e = capos_Empty_init_zero;
	capos_status_t st = processcontrol_kill(procs, &ref, &e);
	capos_printf("chaos: kill %s -> status %ld\n", name, (long)st);
}

static void status(const char *name)
{
	static capos_ProcessStatus ps;
	capos_ProcessRef ref = capos_ProcessRef_init_zero;
	strlcpy(ref.name, name, sizeof(ref.name));
	capos_status_t st = processcontrol_status(procs, &ref, &ps);
	capos_printf("chaos: %s -> status %ld, state %d, restarts %u, pid %u\n", name, (long)st,
		     (int)ps.state, (unsigned)ps.restarts, (unsigned)ps.pid);
}

int main(uint64_t arg)
{
	(void)arg;
	sink = capos_cap_lookup("log");
	logs = capos_cap_lookup("logs");
	procs = capos_cap_lookup("procs");
	console = capos_cap_lookup("console");
	if (sink == CAPOS_NO_CAP || logs == CAPOS_NO_CAP || procs == CAPOS_NO_CAP ||
	    console == CAPOS_NO_CAP)
		return 1;

	write_and_read("before the restart");
	kill("log");
	write_and_read("after the restart");

	kill("console");
	capos_printf("chaos: printing through the restarted console\n");
	capos_printf("chaos: type a line\n");
	static capos_ConsoleInput in;
	capos_ConsoleReadLine rl = capos_ConsoleReadLine_init_zero;
	rl.echo = false;
	capos_status_t st = console_read_line(console, &rl, &in);
	char line[64] = { 0 };
	if (st == CAPOS_OK && in.data.size < sizeof(line))
		memcpy(line, in.data.bytes, in.data.size);
	capos_printf("chaos: read line -> status %ld, '%s'\n", (long)st, line);

	status("log");
	status("console");
	return 0;
}
