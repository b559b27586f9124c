/* image_dwarf.h in a build without libdw (a static qvp): coverage cannot name lines. */
#include "image_dwarf.h"

#include "error.h"

int image_dwarf_visit(const char *path, uint64_t offset, const struct image_dwarf_visitor *visitor)
{
	(void)offset;
	(void)visitor;
	return error_set("--coverage-image %s: this qvp was built without libdw (Debian: libdw-dev), "
			 "so it cannot read DWARF line tables", path);
}
