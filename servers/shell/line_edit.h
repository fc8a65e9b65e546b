/*
 * line_edit.h - the shell's line editor: a state machine fed the raw bytes
 * the console delivers (no echo, no editing on the console's side). It
 * keeps the line being typed and a history of the last LE_HISTORY lines,
 * and appends to an echo buffer exactly what the terminal must be sent to
 * show the edit. Pure logic, no system calls: host-tested by
 * tests/component/test_shell_line.c.
 *
 * Keys:
 *   printable ASCII (0x20-0x7e)  inserted at the end of the line
 *   BS (0x08), DEL (0x7f)        erase the last character ("\b \b")
 *   Ctrl-U (0x15)                erase the whole line
 *   Ctrl-C (0x03)                abandon the line: "^C" and a new line
 *   CR or LF                     end the line; CR LF counts once
 *   ESC [ A / ESC O A            previous history line (up)
 *   ESC [ B / ESC O B            next history line (down)
 * Other control bytes, bytes >= 0x80 and other escape sequences (cursor
 * left/right, Delete, function keys) are swallowed without effect. The
 * escape parser keeps its state between calls, so a sequence split across
 * two console reads still works.
 */
#ifndef SERVERS_SHELL_LINE_EDIT_H
#define SERVERS_SHELL_LINE_EDIT_H

#include <stddef.h>

#define LE_LINE_MAX 160 /* characters of one line, without the NUL */
#define LE_HISTORY 16   /* lines remembered */
/* The most one byte can make the editor echo: erasing a full line (three
 * bytes a character) or replacing it by a history line (backspaces, the
 * new text, blanks and backspaces again). */
#define LE_ECHO_ONE (3 * LE_LINE_MAX + 8)
/* The echo buffer: room for one worst-case byte and more. */
#define LE_ECHO_MAX (4 * LE_LINE_MAX + 16)

enum le_event {
	LE_NONE = 0,  /* keep feeding */
	LE_LINE = 1,  /* a line is complete: le_line() until the next feed */
	LE_CANCEL = 2 /* Ctrl-C: the line was abandoned */
};

struct le_echo {
	char buf[LE_ECHO_MAX];
	size_t len;
};

struct line_edit {
	char line[LE_LINE_MAX + 1]; /* the line being edited, NUL-terminated */
	size_t len;
	/* History, a ring: the newest is hist[(hist_first + hist_count - 1) %
	 * LE_HISTORY]. */
	char hist[LE_HISTORY][LE_LINE_MAX + 1];
	unsigned hist_first, hist_count;
	/* While browsing: how many steps back from the newest (1 = newest);
	 * 0 = not browsing, the line is the user's own. */
	unsigned hist_back;
	char saved[LE_LINE_MAX + 1]; /* the user's own line while browsing */
	int esc;                     /* escape parser state (line_edit.c) */
	int after_cr;                /* the last byte was CR: a LF is its pair */
	char done[LE_LINE_MAX + 1];  /* the line just completed (LE_LINE) */
};

void le_init(struct line_edit *le);

/* Feeds one byte. What the terminal must be sent is appended to *echo;
 * the caller sends it, and must empty it before feeding when fewer than
 * LE_ECHO_ONE bytes are free (bytes that do not fit are dropped, never
 * written past the buffer). On
 * LE_LINE the completed line (without its ending) is le_line(le) and has
 * been added to the history; the echo ends with "\r\n". On LE_CANCEL the
 * echo is "^C\r\n". */
enum le_event le_feed(struct line_edit *le, unsigned char c, struct le_echo *echo);

/* The line completed by the last LE_LINE. */
const char *le_line(const struct line_edit *le);

/* History: number of lines held, and the i-th (0 = oldest); NULL past the
 * end. */
unsigned le_history_count(const struct line_edit *le);
const char *le_history_at(const struct line_edit *le, unsigned i);

#endif
