/*
 * printf.c - the runtime's formatter: capos_vsnprintf/capos_snprintf (the
 * libc names snprintf/vsnprintf wrap them in libc.c). Freestanding and
 * self-contained, so the host unit tests compile this very file.
 *
 * Conversions: d i u x X o p s c %. Flags: '-' (left-justify), '0' (zero
 * pad; ignored with '-' or an integer precision), '+', ' ', '#' (0x / 0
 * prefix). Width and precision as numbers or '*'. Precision: the most
 * bytes of a %s, the fewest digits of an integer. Length modifiers hh h l
 * ll z j t. Anything else is copied as it stands. The result is always
 * NUL-terminated when n > 0; the return value is the length the whole
 * output would have had (C99).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

int capos_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int capos_snprintf(char *buf, size_t n, const char *fmt, ...);

struct out {
	char *buf;
	size_t cap;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len] = c;
	o->len++;
}

static void put_pad(struct out *o, char c, int count)
{
	while (count-- > 0)
		put(o, c);
}

enum {
	F_LEFT = 1,
	F_ZERO = 2,
	F_PLUS = 4,
	F_SPACE = 8,
	F_ALT = 16,
};

static void put_int(struct out *o, uint64_t v, int neg, unsigned base, int upper, int flags,
		    int width, int prec)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int nd = 0;
	if (!(v == 0 && prec == 0)) {
		do {
			tmp[nd++] = digits[v % base];
			v /= base;
		} while (v);
	}
	char prefix[3];
	int np = 0;
	if (neg)
		prefix[np++] = '-';
	else if (flags & F_PLUS)
		prefix[np++] = '+';
	else if (flags & F_SPACE)
		prefix[np++] = ' ';
	if ((flags & F_ALT) && base == 16 && nd && !(nd == 1 && tmp[0] == '0')) {
		prefix[np++] = '0';
		prefix[np++] = upper ? 'X' : 'x';
	}
	int zeros = prec > nd ? prec - nd : 0;
	if ((flags & F_ALT) && base == 8 && zeros == 0 && (nd == 0 || tmp[nd - 1] != '0'))
		zeros = 1;
	int body = np + zeros + nd;
	int padn = width > body ? width - body : 0;
	if ((flags & F_ZERO) && !(flags & F_LEFT) && prec < 0) {
		zeros += padn;
		padn = 0;
	}
	if (!(flags & F_LEFT))
		put_pad(o, ' ', padn);
	for (int i = 0; i < np; i++)
		put(o, prefix[i]);
	put_pad(o, '0', zeros);
	while (nd)
		put(o, tmp[--nd]);
	if (flags & F_LEFT)
		put_pad(o, ' ', padn);
}

static void put_str(struct out *o, const char *s, int flags, int width, int prec)
{
	int len = 0;
	while ((prec < 0 || len < prec) && s[len])
		len++;
	int padn = width > len ? width - len : 0;
	if (!(flags & F_LEFT))
		put_pad(o, ' ', padn);
	for (int i = 0; i < len; i++)
		put(o, s[i]);
	if (flags & F_LEFT)
		put_pad(o, ' ', padn);
}

int capos_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct out o = { buf, n, 0 };
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		const char *start = fmt++;
		int flags = 0;
		for (;; fmt++) {
			if (*fmt == '-')
				flags |= F_LEFT;
			else if (*fmt == '0')
				flags |= F_ZERO;
			else if (*fmt == '+')
				flags |= F_PLUS;
			else if (*fmt == ' ')
				flags |= F_SPACE;
			else if (*fmt == '#')
				flags |= F_ALT;
			else
				break;
		}
		int width = 0;
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				flags |= F_LEFT;
				width = width == INT32_MIN ? 0 : -width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9') {
				if (width < 100000)
					width = width * 10 + (*fmt - '0');
				fmt++;
			}
		}
		int prec = -1;
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				if (prec < 0)
					prec = -1;
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9') {
					if (prec < 100000)
						prec = prec * 10 + (*fmt - '0');
					fmt++;
				}
			}
		}
		int size = 0; /* -2 hh, -1 h, 0 int, 1 long/size_t/intmax/ptrdiff */
		if (*fmt == 'h') {
			size = -1;
			if (*++fmt == 'h') {
				size = -2;
				fmt++;
			}
		} else if (*fmt == 'l') {
			size = 1;
			if (*++fmt == 'l')
				fmt++;
		} else if (*fmt == 'z' || *fmt == 'j' || *fmt == 't') {
			size = 1;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = size > 0 ? va_arg(ap, int64_t) : va_arg(ap, int);
			if (size == -1)
				v = (short)v;
			else if (size == -2)
				v = (signed char)v;
			put_int(&o, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, v < 0, 10, 0,
				flags, width, prec);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o': {
			uint64_t v = size > 0 ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
			if (size == -1)
				v = (unsigned short)v;
			else if (size == -2)
				v = (unsigned char)v;
			unsigned base = *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16;
			put_int(&o, v, 0, base, *fmt == 'X', flags & ~(F_PLUS | F_SPACE), width,
				prec);
			break;
		}
		case 'p': {
			uint64_t v = (uint64_t)(uintptr_t)va_arg(ap, void *);
			if (v == 0) /* '#' gives no prefix for 0; %p always has one */
				put_str(&o, "0x0", flags & F_LEFT, width, -1);
			else
				put_int(&o, v, 0, 16, 0, (flags & (F_LEFT | F_ZERO)) | F_ALT, width,
					prec);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			put_str(&o, s ? s : "(null)", flags, width, prec);
			break;
		}
		case 'c': {
			char c[2] = { (char)va_arg(ap, int), 0 };
			int padn = width > 1 ? width - 1 : 0;
			if (!(flags & F_LEFT))
				put_pad(&o, ' ', padn);
			put(&o, c[0]);
			if (flags & F_LEFT)
				put_pad(&o, ' ', padn);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		default:
			/* Unknown or truncated: copy the directive as it stands. */
			for (const char *c = start; c < fmt; c++)
				put(&o, *c);
			if (!*fmt)
				fmt--;
			else
				put(&o, *fmt);
			break;
		}
	}
	if (n)
		buf[o.len < n ? o.len : n - 1] = '\0';
	return o.len > 0x7fffffff ? 0x7fffffff : (int)o.len;
}

int capos_snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = capos_vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}
