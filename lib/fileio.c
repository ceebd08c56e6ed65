/*
 * fileio.c - the library's own files: the cache directory, whole-file
 * reads, and atomic replacement.
 */
#include "fileio-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void cu__cache_dir(const char *configured, char *out, size_t size)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	if (configured && *configured)
		snprintf(out, size, "%s", configured);
	else if (xdg && *xdg == '/')
		snprintf(out, size, "%s/claude-usage", xdg);
	else if (home && *home)
		snprintf(out, size, "%s/.cache/claude-usage", home);
	else if (size)
		out[0] = '\0';
}

int cu__mkdir_p(const char *dir)
{
	char path[1024];
	if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
		return -1;
	for (char *p = path + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(path, 0700) != 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	}
	return mkdir(path, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

char *cu__read_file(const char *path, size_t max, size_t *len, int *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = errno;
		return NULL;
	}
	/* Start at the file's size, so that one read usually does. */
	struct stat st;
	size_t cap = 65536, n = 0;
	if (fstat(fd, &st) == 0 && st.st_size > 0 && (uint64_t)st.st_size < max)
		cap = (size_t)st.st_size + 1;
	char *buf = malloc(cap + 1);
	if (!buf)
		*err = ENOMEM;
	while (buf) {
		if (n == cap) {
			if (cap >= max) {
				free(buf);
				buf = NULL;
				*err = EFBIG;
				break;
			}
			cap = cap * 2 < max ? cap * 2 : max;
			char *b = realloc(buf, cap + 1);
			if (!b) {
				free(buf);
				buf = NULL;
				*err = ENOMEM;
				break;
			}
			buf = b;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*err = errno;
			free(buf);
			buf = NULL;
			break;
		}
		if (r == 0) {
			buf[n] = '\0';
			*len = n;
			break;
		}
		n += (size_t)r;
	}
	close(fd);
	return buf;
}

int cu__write_atomic(const char *dir, const char *path, const cu__iov *parts, size_t nparts,
                     int sync)
{
	char tmp[1100];
	if (snprintf(tmp, sizeof tmp, "%s/.tmp-XXXXXX", dir) >= (int)sizeof tmp)
		return -1;
	int fd = mkstemp(tmp);
	if (fd < 0)
		return -1;
	int ok = 1;
	for (size_t i = 0; i < nparts && ok; i++) {
		const char *p = parts[i].p;
		size_t off = 0;
		while (off < parts[i].n) {
			ssize_t w = write(fd, p + off, parts[i].n - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				ok = 0;
				break;
			}
			off += (size_t)w;
		}
	}
	if (ok && fchmod(fd, 0600) != 0)
		ok = 0;
	if (ok && sync && fsync(fd) != 0)
		ok = 0;
	if (close(fd) != 0)
		ok = 0;
	if (ok && rename(tmp, path) != 0)
		ok = 0;
	if (!ok)
		unlink(tmp);
	return ok ? 0 : -1;
}

void *cu__map_file(const char *path, size_t max, size_t *len, int *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = errno;
		return NULL;
	}
	struct stat st;
	void *p = NULL;
	if (fstat(fd, &st) != 0) {
		*err = errno;
	} else if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > max) {
		*err = EFBIG;
	} else {
#ifdef MAP_POPULATE
		int flags = MAP_PRIVATE | MAP_POPULATE;
#else
		int flags = MAP_PRIVATE;
#endif
		/*
		 * Populated read-only, then made writable: populating a writable
		 * private mapping would copy every page up front.
		 */
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, flags, fd, 0);
		if (p == MAP_FAILED) {
			*err = errno;
			p = NULL;
		} else if (mprotect(p, (size_t)st.st_size, PROT_READ | PROT_WRITE) != 0) {
			*err = errno;
			munmap(p, (size_t)st.st_size);
			p = NULL;
		} else {
			*len = (size_t)st.st_size;
		}
	}
	close(fd);
	return p;
}

void cu__unmap(void *p, size_t len)
{
	if (p)
		munmap(p, len);
}
