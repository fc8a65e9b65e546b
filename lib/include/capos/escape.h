/*
 * capos/escape.h - text from others made safe to show a person
 * (lib/src/escape.c; docs/security.md, "Text shown to a person").
 *
 * Log records, process and spawn names come from other components: sent
 * to a terminal raw, a control character or an escape sequence would be
 * interpreted (clear the screen, move the cursor, start a forged line).
 * Everything that reaches the terminal from someone else goes through
 * capos_escape_text first, so those bytes are shown, never obeyed.
 */
#ifndef CAPOS_ESCAPE_H
#define CAPOS_ESCAPE_H

#include <stddef.h>

/* Writes `in` (len bytes; it may hold NULs) to out as visible text, always
 * NUL-terminated when size > 0, and returns the length written:
 *  - printable ASCII (0x20-0x7e) as it is, but '\' as "\\";
 *  - \n, \r, \t as "\n", "\r", "\t"; every other control byte (0x00-0x1f,
 *    0x7f, ESC included) as "\xHH" (lower-case hex);
 *  - well-formed UTF-8 of U+00A0 and above as it is; a C1 control
 *    (U+0080-U+009F, which some terminals obey like ESC [) and every byte
 *    that is not part of well-formed UTF-8 as "\xHH" per byte.
 * When out is too small the text stops before the first unit (a byte, an
 * escape, a UTF-8 sequence) that does not fit whole. */
size_t capos_escape_text(char *out, size_t size, const char *in, size_t len);

/* capos_escape_text of a NUL-terminated string. */
size_t capos_escape_str(char *out, size_t size, const char *s);

/* Bytes out needs for any `len` input bytes, NUL included (\xHH is 4). */
#define CAPOS_ESCAPE_SIZE(len) ((len) * 4u + 1u)

#endif
