/* The console-script parser (runtime/console/console_script.c) on arbitrary files: a script is
 * parsed and freed, or refused with FILE:LINE and a message, never a crash. */
#include <stdint.h>
#include <stdlib.h>

#include "console_script.h"
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script script;

	if (console_script_parse(fuzz_input_file(data, size), &script) == 0) {
		for (size_t i = 0; i < script.count; i++)
			if ((script.steps[i].op == SCRIPT_EXPECT || script.steps[i].op == SCRIPT_SEND) &&
			    !script.steps[i].text)
				abort(); /* every text step holds its text */
		console_script_free(&script);
	}
	return 0;
}
