/*
 * kprintf.c - a small printf for the kernel.
 * One formatter drives both the serial sink and ksnprintf's buffer sink.
 */
#include <stdint.h>

#include "arch/x86_64/serial.h"
#include "core/kprintf.h"

struct sink {
	char *buf; /* NULL: serial */
	size_t cap;
	size_t len;
};

static void put(struct sink *s, char c)
{
	if (!s->buf)
		serial_putc(c);
	else if (s->len + 1 < s->cap)
		s->buf[s->len] = c;
	s->len++;
}

static void put_num(struct sink *s, uint64_t v, unsigned base, int neg,
		    int width, char pad)
{
	char tmp[24];
	int n = 0;
	do {
		unsigned d = (unsigned)(v % base);
		tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	for (int i = n; i < width; i++)
		put(s, pad);
	while (n)
		put(s, tmp[--n]);
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(s, *fmt);
			continue;
		}
		fmt++;
		char pad = ' ';
		int width = 0, lng = 0;
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			put_num(s, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, 10,
				v < 0, width, pad);
			break;
		}
		case 'u':
			put_num(s, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10,
				0, width, pad);
			break;
		case 'x':
			put_num(s, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16,
				0, width, pad);
			break;
		case 'p':
			put(s, '0');
			put(s, 'x');
			put_num(s, (uint64_t)(uintptr_t)va_arg(ap, void *), 16, 0, 16, '0');
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			int len = 0;
			while (str[len])
				len++;
			for (int i = len; i < width; i++)
				put(s, ' ');
			while (*str)
				put(s, *str++);
			break;
		}
		case 'c':
			put(s, (char)va_arg(ap, int));
			break;
		case '%':
			put(s, '%');
			break;
		case '\0':
			return;
		default:
			put(s, '%');
			put(s, *fmt);
			break;
		}
	}
}

void kvprintf(const char *fmt, va_list ap)
{
	struct sink s = { 0, 0, 0 };
	format(&s, fmt, ap);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

int ksnprintf(char *buf, size_t n, const char *fmt, ...)
{
	struct sink s = { buf, n, 0 };
	va_list ap;
	va_start(ap, fmt);
	format(&s, fmt, ap);
	va_end(ap);
	if (n)
		buf[s.len < n ? s.len : n - 1] = '\0';
	return (int)s.len;
}
