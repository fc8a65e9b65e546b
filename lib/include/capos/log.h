/*
 * capos/log.h - a component's own log records (lib/src/log_client.c).
 *
 * capos_log writes one record to the LogSink the program holds under the
 * startup name "log" (granted with badge: true, so the log server names
 * the source after the component; what the program claims is ignored).
 * Without a log cap, or when the write fails, the text goes to
 * capos_printf as "<program>: <text>" instead, so nothing is silently
 * lost. For programs linked with the RPC runtime (capos_rpc_program).
 */
#ifndef CAPOS_USER_LOG_H
#define CAPOS_USER_LOG_H

#include "log.pb.h"

__attribute__((format(printf, 2, 3))) void capos_log(capos_LogLevel level, const char *fmt,
						     ...);

#endif
