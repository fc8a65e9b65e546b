/*
 * line_edit.c - the shell's line editor (line_edit.h): raw bytes in, echo
 * and completed lines out, with a 16-line history. The terminal is assumed
 * to be a plain one: the cursor is always at the end of the line, so every
 * edit is done with backspaces, text and blanks (no cursor-addressing
 * escapes, which a serial log or a dumb terminal would show as junk).
 */
#include "line_edit.h"

#include <string.h>

enum {
	ESC_NONE = 0, /* not in an escape sequence */
	ESC_START,    /* got ESC */
	ESC_CSI,      /* got ESC [ : parameter bytes until a final byte */
	ESC_SS3,      /* got ESC O : one final byte */
};

#define KEY_CTRL_C 0x03
#define KEY_BS 0x08
#define KEY_LF 0x0a
#define KEY_CR 0x0d
#define KEY_CTRL_U 0x15
#define KEY_ESC 0x1b
#define KEY_DEL 0x7f

void le_init(struct line_edit *le)
{
	memset(le, 0, sizeof(*le));
}

static void put(struct le_echo *e, const char *s, size_t n)
{
	for (size_t i = 0; i < n && e->len < sizeof(e->buf); i++)
		e->buf[e->len++] = s[i];
}

static void put_rep(struct le_echo *e, char c, size_t n)
{
	for (size_t i = 0; i < n && e->len < sizeof(e->buf); i++)
		e->buf[e->len++] = c;
}

/* Shows `to` in place of the n characters on screen: back over the common
 * part only is not worth it on a serial line of 160 characters at most, so
 * back over everything, write the new text, blank what is left over. */
static void replace_line(struct line_edit *le, const char *to, struct le_echo *e)
{
	size_t old = le->len, n = strlen(to);
	if (n > LE_LINE_MAX)
		n = LE_LINE_MAX;
	put_rep(e, '\b', old);
	put(e, to, n);
	if (old > n) {
		put_rep(e, ' ', old - n);
		put_rep(e, '\b', old - n);
	}
	memcpy(le->line, to, n);
	le->line[n] = '\0';
	le->len = n;
}

static const char *hist_get(const struct line_edit *le, unsigned back)
{
	/* back 1 = newest */
	return le->hist[(le->hist_first + le->hist_count - back) % LE_HISTORY];
}

static void hist_add(struct line_edit *le, const char *s)
{
	if (s[0] == '\0')
		return; /* an empty line is not worth recalling */
	/* The same line twice in a row is kept once, so up goes back to
	 * something different. */
	if (le->hist_count && strcmp(hist_get(le, 1), s) == 0)
		return;
	unsigned slot;
	if (le->hist_count < LE_HISTORY) {
		slot = (le->hist_first + le->hist_count) % LE_HISTORY;
		le->hist_count++;
	} else {
		slot = le->hist_first; /* drop the oldest */
		le->hist_first = (le->hist_first + 1) % LE_HISTORY;
	}
	memcpy(le->hist[slot], s, strlen(s) + 1);
}

static void hist_up(struct line_edit *le, struct le_echo *e)
{
	if (le->hist_back >= le->hist_count) {
		put(e, "\a", 1); /* no older line */
		return;
	}
	if (le->hist_back == 0)
		memcpy(le->saved, le->line, le->len + 1);
	le->hist_back++;
	replace_line(le, hist_get(le, le->hist_back), e);
}

static void hist_down(struct line_edit *le, struct le_echo *e)
{
	if (le->hist_back == 0) {
		put(e, "\a", 1); /* already on the user's own line */
		return;
	}
	le->hist_back--;
	replace_line(le, le->hist_back ? hist_get(le, le->hist_back) : le->saved, e);
}

static enum le_event finish(struct line_edit *le, struct le_echo *e)
{
	memcpy(le->done, le->line, le->len + 1);
	hist_add(le, le->done);
	le->len = 0;
	le->line[0] = '\0';
	le->hist_back = 0;
	put(e, "\r\n", 2);
	return LE_LINE;
}

/* One byte of an escape sequence. Only up and down mean something; the
 * rest of any well-formed sequence is consumed so its bytes never land in
 * the line. */
static void feed_escape(struct line_edit *le, unsigned char c, struct le_echo *e)
{
	switch (le->esc) {
	case ESC_START:
		if (c == '[')
			le->esc = ESC_CSI;
		else if (c == 'O')
			le->esc = ESC_SS3;
		else
			le->esc = ESC_NONE; /* ESC + key (Alt-key): dropped */
		return;
	case ESC_CSI:
		if (c >= 0x20 && c <= 0x3f)
			return; /* parameter / intermediate bytes: "1;5", "3" */
		break;
	default: /* ESC_SS3: the next byte is the final one */
		break;
	}
	le->esc = ESC_NONE;
	if (c == 'A')
		hist_up(le, e);
	else if (c == 'B')
		hist_down(le, e);
}

enum le_event le_feed(struct line_edit *le, unsigned char c, struct le_echo *e)
{
	int after_cr = le->after_cr;
	le->after_cr = 0;
	if (le->esc != ESC_NONE) {
		if (c == KEY_ESC) {
			le->esc = ESC_START; /* a new sequence cuts the old one */
			return LE_NONE;
		}
		if (c == KEY_CTRL_C || c == KEY_CR || c == KEY_LF)
			le->esc = ESC_NONE; /* a broken sequence: the key still counts */
		else {
			feed_escape(le, c, e);
			return LE_NONE;
		}
	}
	switch (c) {
	case KEY_CR:
		le->after_cr = 1;
		return finish(le, e);
	case KEY_LF:
		if (after_cr)
			return LE_NONE; /* the LF of CR LF: the line already ended */
		return finish(le, e);
	case KEY_BS:
	case KEY_DEL:
		if (le->len == 0)
			return LE_NONE; /* nothing to erase: the prompt stays intact */
		le->line[--le->len] = '\0';
		put(e, "\b \b", 3);
		return LE_NONE;
	case KEY_CTRL_U:
		for (; le->len; le->len--)
			put(e, "\b \b", 3);
		le->line[0] = '\0';
		return LE_NONE;
	case KEY_CTRL_C:
		le->len = 0;
		le->line[0] = '\0';
		le->hist_back = 0;
		put(e, "^C\r\n", 4);
		return LE_CANCEL;
	case KEY_ESC:
		le->esc = ESC_START;
		return LE_NONE;
	default:
		break;
	}
	if (c < 0x20 || c > 0x7e)
		return LE_NONE; /* other control bytes, non-ASCII: ignored */
	if (le->len >= LE_LINE_MAX) {
		put(e, "\a", 1); /* full */
		return LE_NONE;
	}
	le->line[le->len++] = (char)c;
	le->line[le->len] = '\0';
	put(e, (const char *)&c, 1);
	return LE_NONE;
}

const char *le_line(const struct line_edit *le)
{
	return le->done;
}

unsigned le_history_count(const struct line_edit *le)
{
	return le->hist_count;
}

const char *le_history_at(const struct line_edit *le, unsigned i)
{
	if (i >= le->hist_count)
		return NULL;
	return le->hist[(le->hist_first + i) % LE_HISTORY];
}
