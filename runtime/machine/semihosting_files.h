/* The semihosting root: host files a guest may open and remove, all beneath one directory. */
#ifndef QVP_SEMIHOSTING_FILES_H
#define QVP_SEMIHOSTING_FILES_H

#include <stddef.h>

/* The root directory as a descriptor to resolve names beneath; -1 with error_set() if it is not one. */
int semihosting_root_open(const char *path);

/*
 * Opens `name` (`length` bytes, no NUL inside) beneath the root with open(2) `flags` (new
 * files 0644): a relative name whose every component, symlinks included, stays inside the
 * root. Returns a descriptor or a negative errno: EACCES for an absolute name, a ".."
 * component or a symlink leading out.
 */
int semihosting_file_open(int root, const char *name, size_t length, int flags);

/* Removes the file `name` beneath the root, with the same rules: 0 or a negative errno. */
int semihosting_file_remove(int root, const char *name, size_t length);

#endif
