/* The farm's manifest: a YAML file read with libyaml's document API, checked field by field.
 * Every error names the file, the line, the test and the field. */
#include "farm.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "error.h"

/* A test (or the defaults) as written, before the defaults are merged in. */
struct draft {
	char *name, *firmware, *kernel, *initrd, *setup, *platform, *timeout, *input;
	struct farm_list options, expect, forbid;
	int exit_code;
	bool exit_set;
	double watchdog;
	unsigned repeat;
	unsigned cpus;
	int line;
};

struct parser {
	const char *path;
	yaml_document_t document;
	char scope[160]; /* "test 'hello'", "test #3", "setup 'boot'", "defaults" */
};

static int fail_at(const struct parser *p, const yaml_node_t *node, const char *field, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static int fail_at(const struct parser *p, const yaml_node_t *node, const char *field, const char *format, ...)
{
	char what[400];
	char where[200];
	va_list args;

	va_start(args, format);
	vsnprintf(what, sizeof(what), format, args);
	va_end(args);
	where[0] = '\0';
	if (p->scope[0])
		snprintf(where, sizeof(where), "%s: ", p->scope);
	if (field)
		return error_set("%s:%zu: %sfield '%s': %s", p->path, node->start_mark.line + 1, where, field, what);
	return error_set("%s:%zu: %s%s", p->path, node->start_mark.line + 1, where, what);
}

static const char *scalar(const yaml_node_t *node)
{
	return node->type == YAML_SCALAR_NODE ? (const char *)node->data.scalar.value : NULL;
}

static yaml_node_t *node_at(struct parser *p, int index)
{
	return yaml_document_get_node(&p->document, index);
}

static void list_free(struct farm_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->items[i]);
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

static void list_append(struct farm_list *list, const char *text)
{
	list->items = realloc(list->items, (list->count + 1) * sizeof(*list->items));
	if (!list->items)
		abort();
	list->items[list->count++] = strdup(text);
}

static void draft_free(struct draft *draft)
{
	free(draft->name);
	free(draft->firmware);
	free(draft->kernel);
	free(draft->initrd);
	free(draft->setup);
	free(draft->platform);
	free(draft->timeout);
	free(draft->input);
	list_free(&draft->options);
	list_free(&draft->expect);
	list_free(&draft->forbid);
	memset(draft, 0, sizeof(*draft));
}

/* ---- value parsers: one per kind of field ---- */

static int parse_string(struct parser *p, const char *field, yaml_node_t *value, char **out)
{
	const char *text = scalar(value);

	if (!text || !text[0])
		return fail_at(p, value, field, "expected a string");
	free(*out);
	*out = strdup(text);
	return 0;
}

static int parse_integer(struct parser *p, const char *field, yaml_node_t *value, long min, long max, long *out)
{
	const char *text = scalar(value);
	char *end;

	if (!text || !text[0])
		return fail_at(p, value, field, "expected an integer");
	errno = 0;
	*out = strtol(text, &end, 10);
	if (errno || *end)
		return fail_at(p, value, field, "expected an integer");
	if (*out < min || *out > max)
		return fail_at(p, value, field, "%ld is out of range (%ld to %ld)", *out, min, max);
	return 0;
}

/* A list of strings, or one string standing for a list of one. */
static int parse_strings(struct parser *p, const char *field, yaml_node_t *value, struct farm_list *out)
{
	if (scalar(value)) {
		list_append(out, scalar(value));
		return 0;
	}
	if (value->type != YAML_SEQUENCE_NODE)
		return fail_at(p, value, field, "expected a list of strings");
	for (yaml_node_item_t *item = value->data.sequence.items.start; item < value->data.sequence.items.top; item++) {
		yaml_node_t *element = node_at(p, *item);
		if (!scalar(element))
			return fail_at(p, element, field, "expected a list of strings");
		list_append(out, scalar(element));
	}
	return 0;
}

/* Where a bracket expression that starts at `open` ('[') ends: its ']', which may also be
 * its first member ("[]a]", "[^]a]"); NULL if it never does. */
static const char *bracket_end(const char *open)
{
	const char *c = open + 1;

	if (*c == '^')
		c++;
	if (*c == ']')
		c++;
	return strchr(c, ']');
}

/* POSIX leaves adjacent duplication symbols ("a++", "a*{2}") undefined, and glibc's regcomp
 * doubles its parse tree for each: forty of them take all the host's memory. */
static bool stacks_repetitions(const char *pattern)
{
	bool after_repetition = false;

	for (const char *c = pattern; *c; c++) {
		bool repetition = *c == '*' || *c == '+' || *c == '?' || *c == '{';
		if (repetition && after_repetition)
			return true;
		if (*c == '\\' && c[1])
			c++;
		else if (*c == '[' && bracket_end(c))
			c = bracket_end(c);
		else if (*c == '{' && strchr(c, '}'))
			c = strchr(c, '}');
		after_repetition = repetition;
	}
	return false;
}

static int parse_patterns(struct parser *p, const char *field, yaml_node_t *value, struct farm_list *out)
{
	size_t first = out->count;
	regex_t regex;
	char problem[160];
	int code;

	if (parse_strings(p, field, value, out) < 0)
		return -1;
	for (size_t i = first; i < out->count; i++) {
		if (stacks_repetitions(out->items[i]))
			return fail_at(p, value, field,
				       "invalid regular expression '%s': repetitions one after another (as in a++ or a*{2})",
				       out->items[i]);
		code = regcomp(&regex, out->items[i], REG_EXTENDED | REG_NEWLINE | REG_NOSUB);
		if (code != 0) {
			regerror(code, &regex, problem, sizeof(problem));
			return fail_at(p, value, field, "invalid regular expression '%s': %s", out->items[i], problem);
		}
		regfree(&regex);
	}
	return 0;
}

/* `qvp run` options, except those the farm itself sets: it reads the console from standard
 * output and the counters from its own --stats-json file. */
static int parse_options(struct parser *p, yaml_node_t *value, struct farm_list *out)
{
	static const char *const reserved[] = {"--console", "--stats-json"};

	if (parse_strings(p, "options", value, out) < 0)
		return -1;
	for (size_t i = 0; i < out->count; i++)
		for (size_t r = 0; r < 2; r++) {
			size_t length = strlen(reserved[r]);
			if (strncmp(out->items[i], reserved[r], length) == 0 &&
			    (out->items[i][length] == '\0' || out->items[i][length] == '='))
				return fail_at(p, value, "options", "%s is set by the farm itself (docs/farm.md)",
				               reserved[r]);
		}
	return 0;
}

static bool valid_name(const char *name)
{
	if (!isalnum((unsigned char)name[0]) && name[0] != '_')
		return false;
	for (const char *c = name; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("_.+-", *c))
			return false;
	return strlen(name) <= 100;
}

/* ---- the fields ---- */

enum field_id {
	FIELD_NAME,
	FIELD_FIRMWARE,
	FIELD_PLATFORM,
	FIELD_OPTIONS,
	FIELD_EXIT,
	FIELD_EXPECT,
	FIELD_FORBID,
	FIELD_INPUT,
	FIELD_TIMEOUT,
	FIELD_WATCHDOG,
	FIELD_REPEAT,
	FIELD_CPUS,
	FIELD_KERNEL,
	FIELD_INITRD,
	FIELD_SETUP,
	FIELD_COUNT,
};

static const char *const field_names[FIELD_COUNT] = {
    "name",     "firmware", "platform", "options", "exit", "expect", "forbid", "input",
    "timeout",  "watchdog", "repeat",   "cpus",    "kernel", "initrd", "setup",
};

/* Which fields each kind of entry takes, and how the message lists them. */
enum draft_kind {
	DRAFT_DEFAULTS,
	DRAFT_SETUP,
	DRAFT_TEST,
};

static const char *const draft_fields[] = {
	[DRAFT_DEFAULTS] = "platform, options, exit, expect, forbid, input, timeout, watchdog, repeat, cpus",
	[DRAFT_SETUP] = "name, firmware, kernel, initrd, platform, options, input, timeout, watchdog, cpus",
	[DRAFT_TEST] = ("name, firmware, kernel, initrd, setup, platform, options, exit, expect, forbid, input, "
			"timeout, watchdog, repeat, cpus"),
};

static bool takes_field(enum draft_kind kind, enum field_id id)
{
	switch (kind) {
	case DRAFT_DEFAULTS:
		return id != FIELD_NAME && id != FIELD_FIRMWARE && id != FIELD_KERNEL && id != FIELD_INITRD &&
		       id != FIELD_SETUP;
	case DRAFT_SETUP:
		return id != FIELD_EXIT && id != FIELD_EXPECT && id != FIELD_FORBID && id != FIELD_REPEAT &&
		       id != FIELD_SETUP;
	case DRAFT_TEST:
		return true;
	}
	return false;
}

/* Wall-clock seconds, written with a time unit like every duration in qvp (300s, 2.5s). */
static int parse_watchdog(struct parser *p, yaml_node_t *value, double *out)
{
	const char *text = scalar(value);
	vtime_t time;

	if (!text)
		return fail_at(p, value, "watchdog", "expected a wall-clock time such as 300s");
	if (vtime_parse(text, &time) < 0)
		return fail_at(p, value, "watchdog", "%s", error_message());
	if (time == 0)
		return fail_at(p, value, "watchdog", "must be more than 0");
	*out = (double)time / (double)VTIME_S;
	return 0;
}

static int parse_timeout(struct parser *p, yaml_node_t *value, char **out)
{
	vtime_t time;

	if (parse_string(p, "timeout", value, out) < 0)
		return -1;
	if (vtime_parse(*out, &time) < 0)
		return fail_at(p, value, "timeout", "%s", error_message());
	if (time == 0)
		return fail_at(p, value, "timeout", "must be more than 0");
	return 0;
}

static int parse_field(struct parser *p, enum field_id id, yaml_node_t *value, struct draft *draft)
{
	const char *field = field_names[id];
	long number;

	switch (id) {
	case FIELD_NAME:
		if (parse_string(p, field, value, &draft->name) < 0)
			return -1;
		if (!valid_name(draft->name))
			return fail_at(p, value, field,
			               "'%s' is not a valid test name (letters, digits and _ . + - only)", draft->name);
		return 0;
	case FIELD_FIRMWARE:
		return parse_string(p, field, value, &draft->firmware);
	case FIELD_KERNEL:
		return parse_string(p, field, value, &draft->kernel);
	case FIELD_INITRD:
		return parse_string(p, field, value, &draft->initrd);
	case FIELD_SETUP:
		return parse_string(p, field, value, &draft->setup);
	case FIELD_PLATFORM:
		return parse_string(p, field, value, &draft->platform);
	case FIELD_OPTIONS:
		return parse_options(p, value, &draft->options);
	case FIELD_EXIT:
		draft->exit_set = true;
		if (parse_integer(p, field, value, 0, 255, &number) < 0)
			return -1;
		draft->exit_code = (int)number;
		return 0;
	case FIELD_EXPECT:
		return parse_patterns(p, field, value, &draft->expect);
	case FIELD_FORBID:
		return parse_patterns(p, field, value, &draft->forbid);
	case FIELD_INPUT:
		return parse_string(p, field, value, &draft->input);
	case FIELD_TIMEOUT:
		return parse_timeout(p, value, &draft->timeout);
	case FIELD_WATCHDOG:
		return parse_watchdog(p, value, &draft->watchdog);
	case FIELD_REPEAT:
		if (parse_integer(p, field, value, 1, 1000000, &number) < 0)
			return -1;
		draft->repeat = (unsigned)number;
		return 0;
	case FIELD_CPUS:
		if (parse_integer(p, field, value, 1, 8, &number) < 0)
			return -1;
		draft->cpus = (unsigned)number;
		return 0;
	case FIELD_COUNT:
		break;
	}
	return -1;
}

static int find_field(const char *key)
{
	for (int id = 0; id < FIELD_COUNT; id++)
		if (strcmp(key, field_names[id]) == 0)
			return id;
	return -1;
}

/* Parses one mapping of fields, those that its kind takes. */
static int parse_draft(struct parser *p, yaml_node_t *mapping, enum draft_kind kind, struct draft *draft)
{
	bool seen[FIELD_COUNT] = {false};

	draft->line = (int)mapping->start_mark.line + 1;
	for (yaml_node_pair_t *pair = mapping->data.mapping.pairs.start; pair < mapping->data.mapping.pairs.top;
	     pair++) {
		yaml_node_t *key = node_at(p, pair->key);
		const char *word = scalar(key);
		int id = word ? find_field(word) : -1;

		if (!word)
			return fail_at(p, key, NULL, "a field name must be a plain word");
		if (id < 0 || !takes_field(kind, (enum field_id)id))
			return fail_at(p, key, NULL, "unknown field '%s' (%s take%s: %s)", word,
				       kind == DRAFT_DEFAULTS ? "defaults" : kind == DRAFT_SETUP ? "a setup" : "a test",
				       kind == DRAFT_DEFAULTS ? "" : "s", draft_fields[kind]);
		if (seen[id])
			return fail_at(p, key, word, "given twice");
		seen[id] = true;
		if (parse_field(p, (enum field_id)id, node_at(p, pair->value), draft) < 0)
			return -1;
	}
	return 0;
}

/* The scope for messages: the test's (or setup's) name if it has a usable one, else its position. */
static void set_test_scope(struct parser *p, yaml_node_t *mapping, const char *kind, size_t number)
{
	snprintf(p->scope, sizeof(p->scope), "%s #%zu", kind, number);
	for (yaml_node_pair_t *pair = mapping->data.mapping.pairs.start; pair < mapping->data.mapping.pairs.top;
	     pair++) {
		const char *key = scalar(node_at(p, pair->key));
		const char *value = scalar(node_at(p, pair->value));
		if (key && value && strcmp(key, "name") == 0 && value[0]) {
			snprintf(p->scope, sizeof(p->scope), "%s '%.100s'", kind, value);
			return;
		}
	}
}

/* ---- from drafts to tests ---- */

static void compile_patterns(const struct farm_list *first, const struct farm_list *second, struct farm_pattern **out,
                             size_t *count)
{
	const struct farm_list *lists[2] = {first, second};

	*count = first->count + second->count;
	*out = calloc(*count ? *count : 1, sizeof(**out));
	if (!*out)
		abort();
	for (size_t l = 0, n = 0; l < 2; l++)
		for (size_t i = 0; i < lists[l]->count; i++, n++) {
			(*out)[n].text = strdup(lists[l]->items[i]);
			if (regcomp(&(*out)[n].regex, (*out)[n].text, REG_EXTENDED | REG_NEWLINE) != 0)
				abort(); /* it compiled when it was parsed */
		}
}

static char *pick(const char *own, const char *fallback)
{
	const char *value = own ? own : fallback;

	return value ? strdup(value) : NULL;
}

/* A setup takes the defaults that shape a machine, not those that judge a test's output; a test
 * from a setup takes those that judge, its machine being the setup's. */
static void make_test(const struct draft *defaults, const struct draft *own, bool setup, struct farm_test *test)
{
	static const struct farm_list none;
	const struct farm_list *expect = setup ? &none : &defaults->expect;
	const struct farm_list *forbid = setup ? &none : &defaults->forbid;

	test->name = strdup(own->name);
	test->line = own->line;
	test->firmware = pick(own->firmware, NULL);
	test->kernel = pick(own->kernel, NULL);
	test->initrd = pick(own->initrd, NULL);
	test->platform = own->setup ? NULL : pick(own->platform, defaults->platform);
	test->timeout = pick(own->timeout, defaults->timeout);
	test->input = pick(own->input, defaults->input);
	for (size_t i = 0; i < defaults->options.count && !own->setup; i++) /* they shaped the setup's machine */
		list_append(&test->options, defaults->options.items[i]);
	for (size_t i = 0; i < own->options.count; i++)
		list_append(&test->options, own->options.items[i]);
	test->exit_code = setup ? 0 : own->exit_set ? own->exit_code : defaults->exit_code; /* a setup ends at its --stop */
	compile_patterns(expect, &own->expect, &test->expect, &test->expect_count);
	compile_patterns(forbid, &own->forbid, &test->forbid, &test->forbid_count);
	test->watchdog = own->watchdog > 0        ? own->watchdog
	                 : defaults->watchdog > 0 ? defaults->watchdog
	                                          : FARM_DEFAULT_WATCHDOG;
	test->repeat = own->repeat;
	test->cpus = own->cpus ? own->cpus : own->setup ? 0 : defaults->cpus;
}

static const struct farm_test *find_setup(const struct farm_manifest *manifest, const char *name)
{
	for (size_t i = 0; i < manifest->setup_count; i++)
		if (strcmp(manifest->setups[i].name, name) == 0)
			return &manifest->setups[i];
	return NULL;
}

static const struct farm_test *find_test(const struct farm_test *tests, size_t count, const char *name)
{
	for (size_t i = 0; i < count; i++)
		if (strcmp(tests[i].name, name) == 0)
			return &tests[i];
	return NULL;
}

/* What the machine starts from: firmware, a Linux kernel (with its initrd) or a setup's snapshot. */
static int check_start(struct parser *p, yaml_node_t *mapping, const struct draft *own, bool setup)
{
	int starts = !!own->firmware + !!own->kernel + !!own->setup;

	if (starts == 0)
		return fail_at(p, mapping, NULL, setup ? "missing field 'firmware' or 'kernel'"
						   : "missing field 'firmware', 'kernel' or 'setup'");
	if (starts > 1)
		return fail_at(p, mapping, NULL, "give one of 'firmware', 'kernel'%s, not %s", setup ? "" : " and 'setup'",
			       own->setup ? "'setup' and another" : "both");
	if (own->initrd && !own->kernel)
		return fail_at(p, mapping, "initrd", "needs 'kernel' (qvp run --initrd goes with --kernel)");
	if (own->setup && (own->platform || own->cpus))
		return fail_at(p, mapping, own->platform ? "platform" : "cpus",
			       "comes from setup '%s' (the snapshot's board)", own->setup);
	if (setup && !own->input)
		return fail_at(p, mapping, NULL, "missing field 'input' (a setup's console script: its end is "
						 "where the snapshot is taken)");
	return 0;
}

static int check_test(struct parser *p, yaml_node_t *mapping, const struct draft *own,
                      const struct farm_manifest *manifest, bool setup)
{
	const struct farm_test *twin;

	if (!own->name)
		return fail_at(p, mapping, NULL, "missing field 'name'");
	if (check_start(p, mapping, own, setup) < 0)
		return -1;
	if (own->setup && !find_setup(manifest, own->setup))
		return fail_at(p, mapping, "setup", "no setup is named '%s'%s", own->setup,
			       manifest->setup_count ? " (see 'setups:')" : " (the manifest has no 'setups:')");
	twin = setup ? find_test(manifest->setups, manifest->setup_count, own->name)
		     : find_test(manifest->tests, manifest->test_count, own->name);
	if (twin)
		return fail_at(p, mapping, "name", "'%s' is already the name of the %s at line %d", own->name,
			       setup ? "setup" : "test", twin->line);
	return 0;
}

/* One entry of `tests:` (or of `setups:`, which the defaults shape too). */
static int parse_test(struct parser *p, yaml_node_t *node, size_t number, const struct draft *defaults,
                      struct farm_manifest *manifest, bool setup)
{
	struct farm_test **list = setup ? &manifest->setups : &manifest->tests;
	size_t *count = setup ? &manifest->setup_count : &manifest->test_count;
	const char *kind = setup ? "setup" : "test";
	struct draft own = {0};
	struct farm_test *test;

	if (node->type != YAML_MAPPING_NODE) {
		snprintf(p->scope, sizeof(p->scope), "%s #%zu", kind, number);
		return fail_at(p, node, NULL, "expected a mapping of fields (name:, firmware:, ...)");
	}
	set_test_scope(p, node, kind, number);
	if (parse_draft(p, node, setup ? DRAFT_SETUP : DRAFT_TEST, &own) < 0 ||
	    check_test(p, node, &own, manifest, setup) < 0) {
		draft_free(&own);
		return -1;
	}
	*list = realloc(*list, (*count + 1) * sizeof(**list));
	if (!*list)
		abort();
	test = &(*list)[(*count)++];
	memset(test, 0, sizeof(*test));
	make_test(defaults, &own, setup, test);
	test->is_setup = setup;
	test->setup = own.setup ? find_setup(manifest, own.setup) : NULL;
	draft_free(&own);
	return 0;
}

static int parse_tests(struct parser *p, yaml_node_t *node, const struct draft *defaults,
                       struct farm_manifest *manifest, bool setups)
{
	size_t number = 1;

	if (node->type != YAML_SEQUENCE_NODE)
		return fail_at(p, node, setups ? "setups" : "tests", "expected a list of %s", setups ? "setups" : "tests");
	for (yaml_node_item_t *item = node->data.sequence.items.start; item < node->data.sequence.items.top;
	     item++, number++)
		if (parse_test(p, node_at(p, *item), number, defaults, manifest, setups) < 0)
			return -1;
	return 0;
}

/* ---- the top level: name, defaults, tests ---- */

static yaml_node_t *top_field(struct parser *p, yaml_node_t *root, const char *name)
{
	for (yaml_node_pair_t *pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++) {
		const char *key = scalar(node_at(p, pair->key));
		if (key && strcmp(key, name) == 0)
			return node_at(p, pair->value);
	}
	return NULL;
}

static int check_top_fields(struct parser *p, yaml_node_t *root)
{
	for (yaml_node_pair_t *pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = node_at(p, pair->key);
		const char *word = scalar(key);
		if (!word || (strcmp(word, "name") && strcmp(word, "defaults") && strcmp(word, "setups") &&
			      strcmp(word, "tests")))
			return fail_at(p, key, NULL, "unknown field '%s' (a manifest takes: name, defaults, setups, tests)",
			               word ? word : "?");
		for (yaml_node_pair_t *other = root->data.mapping.pairs.start; other < pair; other++)
			if (strcmp(scalar(node_at(p, other->key)), word) == 0)
				return fail_at(p, key, word, "given twice");
	}
	return 0;
}

static int parse_root(struct parser *p, yaml_node_t *root, struct farm_manifest *manifest)
{
	struct draft defaults = {0};
	yaml_node_t *node;
	int status = -1;

	if (!root)
		return error_set("%s:1: the manifest is empty: expected 'tests:'", p->path);
	if (root->type != YAML_MAPPING_NODE)
		return fail_at(p, root, NULL, "expected a mapping with 'tests:' at the top level");
	if (check_top_fields(p, root) < 0)
		return -1;
	if ((node = top_field(p, root, "name")) && parse_string(p, "name", node, &manifest->name) < 0)
		return -1;
	if (!(node = top_field(p, root, "tests")))
		return fail_at(p, root, NULL, "missing field 'tests'");
	if ((node = top_field(p, root, "defaults"))) {
		strcpy(p->scope, "defaults");
		if (node->type != YAML_MAPPING_NODE)
			fail_at(p, node, NULL, "expected a mapping of fields");
		else if (parse_draft(p, node, DRAFT_DEFAULTS, &defaults) == 0)
			status = 0;
		p->scope[0] = '\0';
		if (status < 0)
			goto out;
	}
	node = top_field(p, root, "setups");
	status = node ? parse_tests(p, node, &defaults, manifest, true) : 0; /* before the tests that name them */
	if (status == 0)
		status = parse_tests(p, top_field(p, root, "tests"), &defaults, manifest, false);
	manifest->default_repeat = defaults.repeat;
out:
	draft_free(&defaults);
	return status;
}

static int load_document(struct parser *p, FILE *file)
{
	yaml_parser_t yaml;
	int status = 0;

	yaml_parser_initialize(&yaml);
	yaml_parser_set_input_file(&yaml, file);
	if (!yaml_parser_load(&yaml, &p->document)) {
		status = error_set("%s:%zu: not valid YAML: %s%s%s", p->path, yaml.problem_mark.line + 1,
		                   yaml.problem ? yaml.problem : "unreadable", yaml.context ? " " : "",
		                   yaml.context ? yaml.context : "");
	}
	yaml_parser_delete(&yaml);
	return status;
}

static void set_names(struct farm_manifest *manifest, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	const char *dot = strrchr(base, '.');

	manifest->path = strdup(path);
	manifest->dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
	if (!manifest->name)
		manifest->name = dot && dot != base ? strndup(base, (size_t)(dot - base)) : strdup(base);
}

int farm_manifest_load(const char *path, struct farm_manifest **out)
{
	struct parser p = {.path = path};
	struct farm_manifest *manifest;
	FILE *file = fopen(path, "rb");
	int status;

	*out = NULL;
	if (!file)
		return error_set("%s: cannot open the manifest: %s", path, strerror(errno));
	status = load_document(&p, file);
	fclose(file);
	if (status < 0)
		return -1;
	manifest = calloc(1, sizeof(*manifest));
	if (!manifest)
		abort();
	status = parse_root(&p, yaml_document_get_root_node(&p.document), manifest);
	yaml_document_delete(&p.document);
	if (status < 0) {
		farm_manifest_free(manifest);
		return -1;
	}
	set_names(manifest, path);
	*out = manifest;
	return 0;
}

static void free_patterns(struct farm_pattern *patterns, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		regfree(&patterns[i].regex);
		free(patterns[i].text);
	}
	free(patterns);
}

static void free_tests(struct farm_test *tests, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		struct farm_test *test = &tests[i];
		free(test->name);
		free(test->firmware);
		free(test->kernel);
		free(test->initrd);
		free(test->platform);
		free(test->timeout);
		free(test->input);
		list_free(&test->options);
		free_patterns(test->expect, test->expect_count);
		free_patterns(test->forbid, test->forbid_count);
	}
	free(tests);
}

void farm_manifest_free(struct farm_manifest *manifest)
{
	if (!manifest)
		return;
	free_tests(manifest->setups, manifest->setup_count);
	free_tests(manifest->tests, manifest->test_count);
	free(manifest->path);
	free(manifest->dir);
	free(manifest->name);
	free(manifest);
}
