/*
 * A small printf: %d %i %u %x %X %p %s %c %%, length modifiers hh h l ll z, a field
 * width (digits or *), flags '-' and '0'. Output goes to a sink: the UART or a buffer.
 */
#include <qvp/uart.h>
#include <stdint.h>
#include <stdio.h>

struct sink {
	void (*put)(struct sink *s, char c);
	char *buf; /* snprintf only */
	size_t size;
	size_t count; /* characters produced, whether or not they fit */
};

static void put_uart(struct sink *s, char c)
{
	uart_putc(c);
	s->count++;
}

static void put_buffer(struct sink *s, char c)
{
	if (s->count + 1 < s->size)
		s->buf[s->count] = c;
	s->count++;
}

static void pad(struct sink *s, char c, int n)
{
	while (n-- > 0)
		s->put(s, c);
}

/* Writes `digits` (length n) and an optional sign, padded to `width` as the flags ask. */
static void emit_number(struct sink *s, const char *digits, int n, char sign, int width, int left, int zero)
{
	int len = n + (sign != 0);
	if (!left && !zero)
		pad(s, ' ', width - len);
	if (sign)
		s->put(s, sign);
	if (!left && zero)
		pad(s, '0', width - len);
	while (n--)
		s->put(s, *digits++);
	if (left)
		pad(s, ' ', width - len);
}

/* Formats `v` in `base` into the end of buf[24]; returns the first digit. */
static char *utoa(uint64_t v, unsigned base, int upper, char *end, int *n)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char *p = end;
	do {
		*--p = set[v % base];
		v /= base;
	} while (v != 0);
	*n = (int)(end - p);
	return p;
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

static uint64_t arg_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_SHORT:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_LONG:
		return va_arg(*ap, unsigned long);
	case LEN_LLONG:
		return va_arg(*ap, unsigned long long);
	case LEN_SIZE:
		return va_arg(*ap, size_t);
	case LEN_INT:
	default:
		return va_arg(*ap, unsigned int);
	}
}

static int64_t arg_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR:
		return (signed char)va_arg(*ap, int);
	case LEN_SHORT:
		return (short)va_arg(*ap, int);
	case LEN_LONG:
		return va_arg(*ap, long);
	case LEN_LLONG:
		return va_arg(*ap, long long);
	case LEN_SIZE:
		return (int64_t)va_arg(*ap, size_t);
	case LEN_INT:
	default:
		return va_arg(*ap, int);
	}
}

static void format(struct sink *s, const char *fmt, va_list ap_in)
{
	va_list ap;
	va_copy(ap, ap_in);

	for (; *fmt != '\0'; fmt++) {
		if (*fmt != '%') {
			s->put(s, *fmt);
			continue;
		}
		const char *start = fmt++;
		int left = 0, zero = 0, width = 0;
		for (;; fmt++) {
			if (*fmt == '-')
				left = 1;
			else if (*fmt == '0')
				zero = 1;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				left = 1;
				width = -width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				width = width * 10 + (*fmt++ - '0');
		}
		enum length len = LEN_INT;
		if (*fmt == 'h') {
			len = fmt[1] == 'h' ? LEN_CHAR : LEN_SHORT;
			fmt += len == LEN_CHAR ? 2 : 1;
		} else if (*fmt == 'l') {
			len = fmt[1] == 'l' ? LEN_LLONG : LEN_LONG;
			fmt += len == LEN_LLONG ? 2 : 1;
		} else if (*fmt == 'z') {
			len = LEN_SIZE;
			fmt++;
		}

		char buf[24];
		char *end = buf + sizeof(buf);
		char *digits;
		int n;
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = arg_signed(&ap, len);
			uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
			digits = utoa(mag, 10, 0, end, &n);
			emit_number(s, digits, n, v < 0 ? '-' : 0, width, left, zero);
			break;
		}
		case 'u':
			digits = utoa(arg_unsigned(&ap, len), 10, 0, end, &n);
			emit_number(s, digits, n, 0, width, left, zero);
			break;
		case 'x':
		case 'X':
			digits = utoa(arg_unsigned(&ap, len), 16, *fmt == 'X', end, &n);
			emit_number(s, digits, n, 0, width, left, zero);
			break;
		case 'p': {
			digits = utoa((uintptr_t)va_arg(ap, void *), 16, 0, end, &n);
			*--digits = 'x';
			*--digits = '0';
			emit_number(s, digits, n + 2, 0, width, left, 0);
			break;
		}
		case 'c':
			buf[0] = (char)va_arg(ap, int);
			emit_number(s, buf, 1, 0, width, left, 0);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			if (str == NULL)
				str = "(null)";
			int slen = 0;
			while (str[slen] != '\0')
				slen++;
			emit_number(s, str, slen, 0, width, left, 0);
			break;
		}
		case '%':
			s->put(s, '%');
			break;
		default:
			/* Unknown conversion: print it as written so the mistake is visible. */
			for (; start <= fmt && *start != '\0'; start++)
				s->put(s, *start);
			if (*fmt == '\0')
				fmt--;
			break;
		}
	}
	va_end(ap);
}

int vprintf(const char *fmt, va_list ap)
{
	struct sink s = {.put = put_uart};
	format(&s, fmt, ap);
	return (int)s.count;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = {.put = put_buffer, .buf = buf, .size = size};
	format(&s, fmt, ap);
	if (size > 0)
		buf[s.count < size ? s.count : size - 1] = '\0';
	return (int)s.count;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int putchar(int c)
{
	uart_putc((char)c);
	return (unsigned char)c;
}

int puts(const char *s)
{
	while (*s != '\0')
		uart_putc(*s++);
	uart_putc('\n');
	return 1;
}
