/* Links only where clang has libFuzzer and the sanitizers: tests/fuzz/CMakeLists.txt tries it. */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)data;
	(void)size;
	return 0;
}
