/*
 * shown.c - names from manifests and spawners as init prints them: escaped
 * (capos/escape.h), so a component named with control characters or
 * terminal escapes cannot forge lines or reprogram the operator's terminal.
 * Its own file so that the host fuzzer of spawner.c links the same code.
 */
#include <string.h>

#include <capos/escape.h>

#include "init.h"

/* Four rotating buffers: one printf may show up to four names. */
const char *init_shown(const char *s)
{
	static char buf[4][CAPOS_ESCAPE_SIZE(64u)];
	static unsigned next;
	char *b = buf[next++ % 4u];
	capos_escape_text(b, sizeof(buf[0]), s, strnlen(s, 64u));
	return b;
}
