/*
 * shell_console.h - the console of the shell's component tests
 * (test_shell_commands.c, test_shell_keys.c, test_shell_session.c): the
 * shell under test writes through console_out, and every write is kept
 * and counted, so a test checks every byte the shell would send and how
 * many writes it took. One console per test program.
 */
#ifndef TESTS_COMPONENT_SHELL_CONSOLE_H
#define TESTS_COMPONENT_SHELL_CONSOLE_H

#include <stddef.h>

#include "commands.h"

/* What the shell wrote since the console was last cleared, NUL-terminated
 * ("\r\n" line ends, as the console gets them), and the writes it took. */
extern char console[65536];
extern size_t console_len;
extern int console_writes;
/* What each write answers: CAPOS_OK unless a test makes it fail. */
extern capos_status_t console_write_status;
/* The shell's output, writing to the console. */
extern struct sh_out console_out;

/* Empties the console and zeroes the write count. */
void console_clear(void);

/* sh_init(sh) writing through console_out; the console cleared and its
 * writes answering CAPOS_OK. */
void console_attach(struct shell *sh);

/* Runs one command line (a copy: sh_run splits it in place) on a cleared
 * console. Returns sh_run's code. */
int console_run(struct shell *sh, const char *line);

#endif
