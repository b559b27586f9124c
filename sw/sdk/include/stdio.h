/* The SDK's freestanding subset of <stdio.h>: output goes to the UART, byte for byte. */
#ifndef QVP_SDK_STDIO_H
#define QVP_SDK_STDIO_H

#include <stdarg.h>
#include <stddef.h>

#define EOF (-1)

/*
 * Conversions: %d %i %u %x %X %p %s %c %%; length modifiers hh h l ll z; a field width
 * (digits or *); flags '-' and '0'. Return the number of characters produced.
 */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

int putchar(int c);
int puts(const char *s); /* writes s and a newline, like the standard one */

#endif
