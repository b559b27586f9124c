/* Names beneath the semihosting root: checked as text first (a clear EACCES for "/..." and
 * ".."), then resolved by openat2(RESOLVE_BENEATH), so a symlink cannot lead out either. */
#include "semihosting_files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"

int semihosting_root_open(const char *path)
{
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		error_set("--semihosting-root: cannot open directory '%s': %s", path, strerror(errno));
	return fd;
}

/* Whether a relative name has a ".." component. */
static bool climbs(const char *name)
{
	for (const char *part = name; *part;) {
		size_t n = strcspn(part, "/");

		if (n == 2 && part[0] == '.' && part[1] == '.')
			return true;
		part += n;
		part += *part == '/';
	}
	return false;
}

/* `name` as a C string in `out`, or a negative errno when it cannot be a name beneath the root. */
static int checked_name(const char *name, size_t length, char out[PATH_MAX])
{
	if (length == 0)
		return -ENOENT;
	if (length >= PATH_MAX)
		return -ENAMETOOLONG;
	if (memchr(name, '\0', length))
		return -EINVAL;
	memcpy(out, name, length);
	out[length] = '\0';
	if (out[0] == '/' || climbs(out))
		return -EACCES;
	return 0;
}

static int open_beneath(int root, const char *name, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.mode = (flags & O_CREAT) ? 0644 : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, root, name, &how, sizeof(how));

	if (fd >= 0)
		return (int)fd;
	return errno == EXDEV ? -EACCES : -errno; /* EXDEV: the resolution would leave the root */
}

int semihosting_file_open(int root, const char *name, size_t length, int flags)
{
	char path[PATH_MAX];
	int checked = checked_name(name, length, path);

	return checked < 0 ? checked : open_beneath(root, path, flags);
}

int semihosting_file_remove(int root, const char *name, size_t length)
{
	char path[PATH_MAX];
	char *slash;
	const char *base = path;
	int checked = checked_name(name, length, path), dir = root, result = 0;

	if (checked < 0)
		return checked;
	slash = strrchr(path, '/');
	if (slash) { /* the directory is resolved beneath the root; the last component is removed there */
		*slash = '\0';
		base = slash + 1;
		dir = open_beneath(root, path, O_PATH | O_DIRECTORY);
		if (dir < 0)
			return dir;
	}
	if (*base == '\0' || strcmp(base, ".") == 0)
		result = -EISDIR;
	else if (unlinkat(dir, base, 0) < 0)
		result = -errno;
	if (dir != root)
		close(dir);
	return result;
}
