/* Parses console scripts: `expect "TEXT"`, `send "TEXT"`, `sleep TIME`, `at TIME`, blank
 * lines and # comments. TEXT takes C-like escapes; TIME is a decimal number and a unit. */
#include "console_script.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#define SCRIPT_MAX_LINE 4096

struct script_parser {
	const char *path;
	unsigned line;
};

static int parse_error(const struct script_parser *parser, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

static int parse_error(const struct script_parser *parser, const char *format, ...)
{
	char message[512];
	va_list args;

	va_start(args, format);
	vsnprintf(message, sizeof(message), format, args);
	va_end(args);
	return error_set("%s:%u: %s", parser->path, parser->line, message);
}

static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* One escape after a backslash at *p; advances *p past it. */
static int parse_escape(const struct script_parser *parser, const char **p, char *out)
{
	static const char plain[] = "nrte\\\"0";
	static const char meaning[] = "\n\r\t\033\\\"\0";
	const char *found = **p ? strchr(plain, **p) : NULL;

	if (found) {
		*out = meaning[found - plain];
		(*p)++;
		return 0;
	}
	if (**p == 'x' && isxdigit((unsigned char)(*p)[1]) && isxdigit((unsigned char)(*p)[2])) {
		char digits[3] = { (*p)[1], (*p)[2], '\0' };

		*out = (char)strtol(digits, NULL, 16);
		*p += 3;
		return 0;
	}
	return parse_error(parser, "unknown escape '\\%c' (use \\n \\r \\t \\e \\0 \\\\ \\\" or \\xHH)",
			   **p ? **p : ' ');
}

/* A double-quoted string at *p; advances *p past the closing quote. */
static int parse_string(const struct script_parser *parser, const char **p, struct script_step *step)
{
	const char *s = *p;
	size_t length = 0;

	if (*s != '"')
		return parse_error(parser, "expected a \"quoted string\"");
	step->text = malloc(strlen(s) + 1);
	if (!step->text)
		return parse_error(parser, "out of memory");
	for (s++; *s != '"'; ) {
		if (*s == '\0')
			return parse_error(parser, "unterminated string (no closing \")");
		if (*s != '\\')
			step->text[length++] = *s++;
		else if (s++, parse_escape(parser, &s, &step->text[length++]) < 0)
			return -1;
	}
	step->length = length;
	*p = s + 1;
	return 0;
}

/* A decimal number with a unit, e.g. 1.5s or 250ms, exactly in picoseconds (vtime_parse). */
static int parse_time(const struct script_parser *parser, const char **p, vtime_t *time)
{
	if (vtime_parse_prefix(*p, p, time) < 0)
		return parse_error(parser, "%s", error_message());
	return 0;
}

struct script_command {
	const char *name;
	enum script_op op;
	bool takes_text;
};

static const struct script_command script_commands[] = {
	{ "expect", SCRIPT_EXPECT, true },
	{ "send", SCRIPT_SEND, true },
	{ "sleep", SCRIPT_SLEEP, false },
	{ "at", SCRIPT_AT, false },
};

static const struct script_command *find_command(const char *word, size_t length)
{
	for (size_t i = 0; i < sizeof(script_commands) / sizeof(script_commands[0]); i++)
		if (strlen(script_commands[i].name) == length && strncmp(script_commands[i].name, word, length) == 0)
			return &script_commands[i];
	return NULL;
}

/* One non-blank, non-comment line into `step`. */
static int parse_step(const struct script_parser *parser, const char *p, struct script_step *step)
{
	const char *word = p;
	const struct script_command *command;

	while (*p && *p != ' ' && *p != '\t')
		p++;
	command = find_command(word, (size_t)(p - word));
	if (!command)
		return parse_error(parser, "unknown command '%.*s' (use expect, send, sleep or at)", (int)(p - word),
				   word);
	step->op = command->op;
	step->line = parser->line;
	p = skip_blanks(p);
	if (command->takes_text ? parse_string(parser, &p, step) : parse_time(parser, &p, &step->time))
		return -1;
	if (step->op == SCRIPT_EXPECT && step->length == 0)
		return parse_error(parser, "expect needs a non-empty string");
	p = skip_blanks(p);
	if (*p && *p != '#')
		return parse_error(parser, "unexpected '%.20s' after the %s command", p, command->name);
	return 0;
}

static int add_step(const struct script_parser *parser, struct script *script, const char *text)
{
	struct script_step *steps = realloc(script->steps, (script->count + 1) * sizeof(*steps));

	if (!steps)
		return parse_error(parser, "out of memory");
	script->steps = steps;
	memset(&steps[script->count], 0, sizeof(steps[0]));
	script->count++; /* counted first, so a half-parsed step's text is freed with the script */
	return parse_step(parser, text, &steps[script->count - 1]);
}

/* Reads one line into *line (getline's buffer) without its newline; 0 at the end of the file. */
static int read_line(const struct script_parser *parser, FILE *file, char **line, size_t *capacity)
{
	ssize_t length = getline(line, capacity, file);

	if (length < 0)
		return 0;
	if (memchr(*line, '\0', (size_t)length) != NULL)
		return parse_error(parser, "NUL byte in the line");
	if (length > SCRIPT_MAX_LINE)
		return parse_error(parser, "line longer than %d characters", SCRIPT_MAX_LINE);
	while (length && ((*line)[length - 1] == '\n' || (*line)[length - 1] == '\r'))
		(*line)[--length] = '\0';
	return 1;
}

static int parse_file(struct script_parser *parser, FILE *file, struct script *script)
{
	char *line = NULL;
	size_t capacity = 0;
	int got;

	for (parser->line = 1; (got = read_line(parser, file, &line, &capacity)) > 0; parser->line++) {
		const char *p = skip_blanks(line);
		if (*p == '\0' || *p == '#')
			continue;
		if (add_step(parser, script, p) < 0) {
			got = -1;
			break;
		}
	}
	free(line);
	if (got < 0)
		return -1;
	if (ferror(file))
		return error_set("%s: read failed: %s", parser->path, strerror(errno));
	return 0;
}

int console_script_parse(const char *path, struct script *script)
{
	struct script_parser parser = { path, 0 };
	FILE *file = fopen(path, "r");
	int result;

	memset(script, 0, sizeof(*script));
	if (!file)
		return error_set("--console-script %s: %s", path, strerror(errno));
	script->path = strdup(path);
	result = script->path ? parse_file(&parser, file, script) : error_set("out of memory");
	fclose(file);
	if (result < 0)
		console_script_free(script);
	return result;
}

void console_script_free(struct script *script)
{
	for (size_t i = 0; i < script->count; i++)
		free(script->steps[i].text);
	free(script->steps);
	free(script->path);
	memset(script, 0, sizeof(*script));
}
