/*
 * shell_console.c - the shell component tests' console (shell_console.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "shell_console.h"

char console[65536];
size_t console_len;
int console_writes;
capos_status_t console_write_status;
struct sh_out console_out;

/* Every write is one the shell's buffering allows: 1 to SH_OUT_MAX bytes. */
static capos_status_t console_write(void *ctx, const char *data, size_t n)
{
	assert_ptr_equal(ctx, &console);
	assert_true(n > 0 && n <= SH_OUT_MAX);
	assert_true(console_len + n < sizeof(console));
	memcpy(console + console_len, data, n);
	console_len += n;
	console[console_len] = '\0';
	console_writes++;
	return console_write_status;
}

void console_clear(void)
{
	console_len = 0;
	console[0] = '\0';
	console_writes = 0;
}

void console_attach(struct shell *sh)
{
	console_clear();
	console_write_status = CAPOS_OK;
	memset(&console_out, 0, sizeof(console_out));
	console_out.write = console_write;
	console_out.ctx = &console;
	sh_init(sh, &console_out);
}

int console_run(struct shell *sh, const char *line)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", line);
	console_clear();
	return sh_run(sh, buf);
}
