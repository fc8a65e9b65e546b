/*
 * log_client.c - capos_log (capos/log.h): one LogSink.Write through the
 * generated stub, with capos_printf as the fallback.
 */
#include <stdarg.h>
#include <string.h>

#include <capos/debug.h>
#include <capos/log.h>
#include <capos/startup.h>

#include "log.capos.h"

void capos_log(capos_LogLevel level, const char *fmt, ...)
{
	static capos_LogRecord r; /* ~300 bytes: not on the stack */
	capos_LogWriteResult w;
	memset(&r, 0, sizeof(r));
	r.level = level;
	va_list ap;
	va_start(ap, fmt);
	capos_vsnprintf(r.text, sizeof(r.text), fmt, ap);
	va_end(ap);
	capos_cap_t log = capos_cap_lookup("log");
	if (log != CAPOS_NO_CAP && logsink_write(log, &r, &w) == CAPOS_OK)
		return;
	const struct capos_startup *su = capos_startup();
	capos_printf("%s: %s\n", su ? su->program : "?", r.text);
}
