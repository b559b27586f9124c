/* The farm manifest parser (farm_manifest.c of the farm room, YAML through libyaml) on arbitrary
 * files: a manifest is loaded and freed, or refused with a message, never a crash. */
#include <stdint.h>

#include "farm.h"
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct farm_manifest *manifest;

	if (farm_manifest_load(fuzz_input_file(data, size), &manifest) == 0)
		farm_manifest_free(manifest);
	return 0;
}
