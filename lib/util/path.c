/* Path normalisation for tar member names, and small file and system helpers. */
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int dd_path_normalize(char *path, bool *was_absolute)
{
    char *r = path, *w = path;

    if (was_absolute)
        *was_absolute = path[0] == '/';
    while (*r) {
        char *start;
        size_t n;

        while (*r == '/')
            r++;
        if (!*r)
            break;
        start = r;
        while (*r && *r != '/')
            r++;
        n = (size_t)(r - start);
        if (n == 1 && start[0] == '.')
            continue;
        if (n == 2 && start[0] == '.' && start[1] == '.')
            return DD_EINVALID;
        if (w != path)
            *w++ = '/';
        memmove(w, start, n);
        w += n;
    }
    *w = '\0';
    return DD_OK;
}

size_t dd_path_depth(const char *path)
{
    size_t n = 0;

    if (!*path)
        return 0;
    for (n = 1; *path; path++)
        if (*path == '/')
            n++;
    return n;
}

int dd_read_file(dd_buf *out, const char *path, uint64_t max_bytes)
{
    char chunk[65536];
    int fd, rc = DD_OK;
    uint64_t total = 0;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return dd_error_set(errno == ENOENT ? DD_ENOTFOUND : DD_EIO, "%s: %s", path,
                            strerror(errno));
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = dd_error_set(DD_EIO, "%s: %s", path, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        total += (uint64_t)n;
        if (total > max_bytes) {
            rc = dd_error_set(DD_ELIMIT, "%s: larger than the limit of %llu bytes", path,
                              (unsigned long long)max_bytes);
            break;
        }
        if ((rc = dd_buf_put(out, chunk, (size_t)n)) != DD_OK)
            break;
    }
    close(fd);
    return rc;
}

unsigned dd_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n > 0 ? (unsigned)n : 1u;
}

int dd_pread_full(int fd, void *buf, size_t n, uint64_t offset, size_t *got)
{
    size_t done = 0;

    while (done < n) {
        ssize_t r = pread(fd, (char *)buf + done, n - done, (off_t)(offset + done));

        if (r < 0) {
            if (errno == EINTR)
                continue;
            *got = done;
            return -1;
        }
        if (r == 0)
            break;
        done += (size_t)r;
    }
    *got = done;
    return 0;
}
