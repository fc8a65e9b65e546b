/*
 * Component test: the shell's line editor (servers/shell/line_edit.c) fed
 * raw console bytes: what it echoes, the lines it completes, its history.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "line_edit.h"

static struct line_edit le;
static struct le_echo echo;
/* What a feed produced: the echo as a string, the events in order. */
static char shown[4 * LE_ECHO_MAX];
static int events[64], nevents;
static char lines[8][LE_LINE_MAX + 1];
static int nlines;

static int setup(void **st)
{
	(void)st;
	le_init(&le);
	echo.len = 0;
	return 0;
}

/* Feeds n bytes; collects echo, non-NONE events and completed lines. */
static void feedn(const char *s, size_t n)
{
	size_t at = 0;
	nevents = nlines = 0;
	shown[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		echo.len = 0;
		enum le_event ev = le_feed(&le, (unsigned char)s[i], &echo);
		assert_true(echo.len <= LE_ECHO_ONE);
		assert_true(at + echo.len < sizeof(shown));
		memcpy(shown + at, echo.buf, echo.len);
		at += echo.len;
		shown[at] = '\0';
		if (ev != LE_NONE) {
			assert_true(nevents < 64);
			events[nevents++] = ev;
		}
		if (ev == LE_LINE) {
			assert_true(nlines < 8);
			strcpy(lines[nlines++], le_line(&le));
		}
	}
}

static void feed(const char *s)
{
	feedn(s, strlen(s));
}

/* What a terminal that honours only \b (back one column) and plain text
 * would show on the current line after `s` was echoed onto `start`. */
static void render(const char *start, const char *s, char *screen, size_t len)
{
	size_t col = strlen(start), end = col;
	memset(screen, 0, len);
	memcpy(screen, start, col);
	for (; *s; s++) {
		if (*s == '\b') {
			if (col)
				col--;
		} else if (*s == '\a') {
			continue;
		} else {
			screen[col++] = *s;
			if (col > end)
				end = col;
		}
	}
	/* trailing blanks are invisible */
	while (end && screen[end - 1] == ' ')
		end--;
	screen[end] = '\0';
}

static void test_typing_echoes_and_completes(void **st)
{
	(void)st;
	feed("date");
	assert_string_equal(shown, "date");
	assert_int_equal(nevents, 0);
	feed("\r");
	assert_string_equal(shown, "\r\n");
	assert_int_equal(nevents, 1);
	assert_int_equal(events[0], LE_LINE);
	assert_string_equal(lines[0], "date");
}

static void test_backspace_and_del(void **st)
{
	(void)st;
	feed("dat\bx\x7f" "e\r");
	assert_string_equal(shown, "dat\b \bx\b \be\r\n");
	assert_int_equal(nlines, 1);
	assert_string_equal(lines[0], "dae");
}

static void test_backspace_at_start_of_line(void **st)
{
	(void)st;
	/* Nothing to erase: no echo at all (the prompt must not be eaten). */
	feed("\b\x7f\b");
	assert_string_equal(shown, "");
	assert_int_equal(nevents, 0);
	feed("a\b\b\bb\r");
	assert_string_equal(shown, "a\b \bb\r\n");
	assert_string_equal(lines[0], "b");
}

static void test_ctrl_u_erases_line(void **st)
{
	(void)st;
	feed("hello");
	feed("\x15");
	assert_string_equal(shown, "\b \b\b \b\b \b\b \b\b \b");
	assert_int_equal(nevents, 0);
	char screen[64];
	render("capos$ hello", shown, screen, sizeof(screen));
	assert_string_equal(screen, "capos$"); /* (trailing blanks trimmed) */
	/* Ctrl-U on an empty line: nothing. */
	feed("\x15");
	assert_string_equal(shown, "");
	feed("ok\r");
	assert_string_equal(lines[0], "ok");
}

static void test_ctrl_c_abandons_line(void **st)
{
	(void)st;
	feed("rm -rf\x03");
	assert_string_equal(shown, "rm -rf^C\r\n");
	assert_int_equal(nevents, 1);
	assert_int_equal(events[0], LE_CANCEL);
	/* The abandoned line is gone and not in the history. */
	assert_int_equal(le_history_count(&le), 0);
	feed("x\r");
	assert_string_equal(lines[0], "x");
	/* Ctrl-C on an empty line still cancels. */
	feed("\x03");
	assert_int_equal(events[0], LE_CANCEL);
	assert_string_equal(shown, "^C\r\n");
}

static void test_crlf_counts_once(void **st)
{
	(void)st;
	feed("a\r\nb\r\n");
	assert_int_equal(nlines, 2);
	assert_string_equal(lines[0], "a");
	assert_string_equal(lines[1], "b");
	assert_string_equal(shown, "a\r\nb\r\n");
	/* Split across reads: the LF arriving alone later is still the pair. */
	feed("c\r");
	assert_int_equal(nlines, 1);
	feed("\n");
	assert_int_equal(nlines, 0);
	assert_string_equal(shown, "");
	/* A LF alone ends a line; LF LF is two (empty) lines; CR CR too. */
	feed("d\n\n");
	assert_int_equal(nlines, 2);
	assert_string_equal(lines[0], "d");
	assert_string_equal(lines[1], "");
	feed("\r\r");
	assert_int_equal(nlines, 2);
	/* LF CR: two line ends (only CR LF pairs). */
	feed("e\n\r");
	assert_int_equal(nlines, 2);
}

static void test_ignored_bytes(void **st)
{
	(void)st;
	const char junk[] = { 0x01, 0x02, 0x04, '\t', 0x07, 0x0c, (char)0x80, (char)0xc3,
			      (char)0xff, 'z', '\r' };
	feedn(junk, sizeof(junk));
	assert_int_equal(nlines, 1);
	assert_string_equal(lines[0], "z");
	assert_string_equal(shown, "z\r\n");
}

static void test_line_full(void **st)
{
	(void)st;
	char buf[LE_LINE_MAX + 3];
	memset(buf, 'q', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	feed(buf); /* two too many */
	assert_int_equal(strlen(shown), LE_LINE_MAX + 2);
	assert_int_equal(shown[LE_LINE_MAX], '\a');
	assert_int_equal(shown[LE_LINE_MAX + 1], '\a');
	feed("\r");
	assert_int_equal(strlen(lines[0]), LE_LINE_MAX);
}

/* Feeds the lines one by one. */
static void enter(const char *const *ls, int n)
{
	for (int i = 0; i < n; i++) {
		feed(ls[i]);
		feed("\r");
	}
}

static void test_history_up_down_and_bounds(void **st)
{
	(void)st;
	const char *ls[] = { "one", "two", "three" };
	enter(ls, 3);
	assert_int_equal(le_history_count(&le), 3);
	feed("dr"); /* the user's own partial line */
	char screen[256];

	feed("\x1b[A");
	render("$ dr", shown, screen, sizeof(screen));
	assert_string_equal(screen, "$ three");
	assert_string_equal(shown, "\b\bthree");
	feed("\x1b[A");
	render("$ three", shown, screen, sizeof(screen));
	assert_string_equal(screen, "$ two");
	feed("\x1bOA"); /* SS3 form */
	render("$ two", shown, screen, sizeof(screen));
	assert_string_equal(screen, "$ one");
	/* Past the oldest: a bell, the line stays. */
	feed("\x1b[A");
	assert_string_equal(shown, "\a");

	feed("\x1b[B");
	render("$ one", shown, screen, sizeof(screen));
	assert_string_equal(screen, "$ two");
	feed("\x1bOB");
	render("$ two", shown, screen, sizeof(screen));
	assert_string_equal(screen, "$ three");
	/* Down past the newest brings back the user's own line, blanking
	 * what was longer. */
	feed("\x1b[B");
	assert_string_equal(shown, "\b\b\b\b\bdr   \b\b\b");
	render("$ three", shown, screen, sizeof(screen));
	assert_string_equal(screen, "$ dr");
	feed("\x1b[B");
	assert_string_equal(shown, "\a");
	feed("y\r");
	assert_string_equal(lines[0], "dry");

	/* A recalled line runs as shown, and can be edited first. */
	feed("\x1b[A\x1b[A\b\bo\r");
	assert_string_equal(lines[0], "thro");
	assert_string_equal(le_history_at(&le, le_history_count(&le) - 1), "thro");
}

static void test_history_empty(void **st)
{
	(void)st;
	feed("\x1b[A");
	assert_string_equal(shown, "\a");
	feed("\x1b[B");
	assert_string_equal(shown, "\a");
	feed("\r");
	assert_string_equal(lines[0], "");
	assert_int_equal(le_history_count(&le), 0); /* empty lines not kept */
}

static void test_history_keeps_last_16(void **st)
{
	(void)st;
	char l[16];
	for (int i = 0; i < 20; i++) {
		snprintf(l, sizeof(l), "cmd%d", i);
		feed(l);
		feed("\r");
	}
	assert_int_equal(le_history_count(&le), LE_HISTORY);
	assert_string_equal(le_history_at(&le, 0), "cmd4");
	assert_string_equal(le_history_at(&le, LE_HISTORY - 1), "cmd19");
	assert_null(le_history_at(&le, LE_HISTORY));
	/* Up 16 times reaches cmd4; the 17th rings. */
	for (int i = 0; i < LE_HISTORY; i++)
		feed("\x1b[A");
	feed("\r");
	assert_string_equal(lines[0], "cmd4");
	for (int i = 0; i < LE_HISTORY; i++)
		feed("\x1b[A");
	feed("\x1b[A");
	assert_string_equal(shown, "\a");
	feed("\x03");
	/* The same line twice in a row is kept once. */
	unsigned n = le_history_count(&le);
	feed("same\r");
	feed("same\r");
	assert_string_equal(le_history_at(&le, LE_HISTORY - 1), "same");
	assert_string_equal(le_history_at(&le, LE_HISTORY - 2), "cmd4");
	assert_int_equal(le_history_count(&le), n);
}

static void test_escape_split_across_reads(void **st)
{
	(void)st;
	const char *ls[] = { "alpha" };
	enter(ls, 1);
	feed("\x1b");
	assert_string_equal(shown, "");
	feed("[");
	assert_string_equal(shown, "");
	feed("A");
	assert_string_equal(shown, "alpha");
	feed("\x1bO");
	feed("B");
	assert_string_equal(shown, "\b\b\b\b\b     \b\b\b\b\b");
	feed("ok\r");
	assert_string_equal(lines[0], "ok");
}

static void test_other_escapes_swallowed(void **st)
{
	(void)st;
	/* Right/left arrows, Delete (ESC [ 3 ~), Ctrl-Right (ESC [ 1 ; 5 C),
	 * F1 (ESC O P), Alt-x (ESC x): no effect, none of their bytes land
	 * in the line. */
	feed("ab\x1b[C\x1b[D\x1b[3~\x1b[1;5C\x1bOP\x1bx" "c\r");
	assert_string_equal(lines[0], "abc");
	assert_string_equal(shown, "abc\r\n");
	/* ESC ESC [ A: the second ESC starts over, the sequence still works. */
	feed("z\r");
	feed("\x1b\x1b[A");
	assert_string_equal(shown, "z");
	feed("\x03");
	/* A broken sequence ended by Enter: the line still ends. */
	feed("q\x1b[\r");
	assert_int_equal(nlines, 1);
	assert_string_equal(lines[0], "q");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_typing_echoes_and_completes, setup),
		cmocka_unit_test_setup(test_backspace_and_del, setup),
		cmocka_unit_test_setup(test_backspace_at_start_of_line, setup),
		cmocka_unit_test_setup(test_ctrl_u_erases_line, setup),
		cmocka_unit_test_setup(test_ctrl_c_abandons_line, setup),
		cmocka_unit_test_setup(test_crlf_counts_once, setup),
		cmocka_unit_test_setup(test_ignored_bytes, setup),
		cmocka_unit_test_setup(test_line_full, setup),
		cmocka_unit_test_setup(test_history_up_down_and_bounds, setup),
		cmocka_unit_test_setup(test_history_empty, setup),
		cmocka_unit_test_setup(test_history_keeps_last_16, setup),
		cmocka_unit_test_setup(test_escape_split_across_reads, setup),
		cmocka_unit_test_setup(test_other_escapes_swallowed, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
