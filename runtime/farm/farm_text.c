/* Text for the reports: XML character data and JSON strings from console bytes, which may hold
 * anything (control characters, bytes that are not UTF-8). */
#include "farm.h"

#include <stdio.h>

/* Length of the valid UTF-8 sequence at `text`, or 0 if it is not one. */
static size_t utf8_length(const unsigned char *text, size_t size)
{
	size_t length;
	unsigned code;

	if (text[0] < 0x80)
		return 1;
	if (text[0] >= 0xc2 && text[0] <= 0xdf)
		length = 2, code = text[0] & 0x1f;
	else if (text[0] >= 0xe0 && text[0] <= 0xef)
		length = 3, code = text[0] & 0x0f;
	else if (text[0] >= 0xf0 && text[0] <= 0xf4)
		length = 4, code = text[0] & 0x07;
	else
		return 0;
	if (length > size)
		return 0;
	for (size_t i = 1; i < length; i++) {
		if ((text[i] & 0xc0) != 0x80)
			return 0;
		code = code << 6 | (text[i] & 0x3f);
	}
	if ((length == 3 && (code < 0x800 || (code >= 0xd800 && code <= 0xdfff))) || (length == 4 && code < 0x10000) ||
	    code > 0x10ffff || code == 0xfffe || code == 0xffff)
		return 0;
	return length;
}

static void write_xml_char(FILE *out, unsigned char c)
{
	switch (c) {
	case '&':
		fputs("&amp;", out);
		break;
	case '<':
		fputs("&lt;", out);
		break;
	case '>':
		fputs("&gt;", out);
		break;
	case '"':
		fputs("&quot;", out);
		break;
	case '\'':
		fputs("&apos;", out);
		break;
	default:
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
}

void farm_write_xml_text(FILE *out, const char *text, size_t size)
{
	const unsigned char *bytes = (const unsigned char *)text;

	for (size_t i = 0; i < size;) {
		size_t length = utf8_length(bytes + i, size - i);
		if (length == 1)
			write_xml_char(out, bytes[i]);
		else if (length == 0)
			fprintf(out, "\\x%02x", bytes[i]);
		else
			fwrite(bytes + i, 1, length, out);
		i += length ? length : 1;
	}
}

static void write_json_char(FILE *out, unsigned char c)
{
	switch (c) {
	case '"':
		fputs("\\\"", out);
		break;
	case '\\':
		fputs("\\\\", out);
		break;
	case '\n':
		fputs("\\n", out);
		break;
	case '\r':
		fputs("\\r", out);
		break;
	case '\t':
		fputs("\\t", out);
		break;
	default:
		if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
}

void farm_write_json_string(FILE *out, const char *text, size_t size)
{
	const unsigned char *bytes = (const unsigned char *)text;

	fputc('"', out);
	for (size_t i = 0; i < size;) {
		size_t length = utf8_length(bytes + i, size - i);
		if (length == 1)
			write_json_char(out, bytes[i]);
		else if (length == 0)
			fputs("\\ufffd", out);
		else
			fwrite(bytes + i, 1, length, out);
		i += length ? length : 1;
	}
	fputc('"', out);
}
