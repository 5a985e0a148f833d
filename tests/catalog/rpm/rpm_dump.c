/* Prints what drydock reads from an rpm database, one line per package in the format of
 * `rpm -qa --qf '%{NAME}|%{EPOCHNUM}|%{VERSION}|%{RELEASE}|%{ARCH}|%{SOURCERPM}|%{LICENSE}|
 * %{VENDOR}|%{SIZE}\n'` (or, with --files, `[%{=NAME}|%{FILENAMES}\n]`), for the differential
 * test against rpm itself. Every header is printed, gpg-pubkey included, as rpm -qa does. */
#include "catalog/rpm_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int files_mode;

static const char *or_none(const char *s)
{
    return s ? s : "(none)";
}

static int print_header(const uint8_t *blob, size_t len, uint32_t hdrnum, void *payload)
{
    dd_arena *arena;
    dd_rpm_header h;
    int rc;

    (void)payload;
    if ((rc = dd_arena_new(&arena)) != DD_OK)
        return rc;
    if ((rc = dd_rpm__header_parse(&h, arena, blob, len, files_mode)) != DD_OK) {
        dd_error_prefix("header %u", hdrnum);
        dd_arena_free(arena);
        return rc;
    }
    if (files_mode) {
        for (size_t i = 0; i < h.n_files; i++)
            printf("%s|/%s\n", h.name, h.files[i]);
    } else {
        printf("%s|%u|%s|%s|%s|%s|%s|%s|", h.name, h.has_epoch ? h.epoch : 0, or_none(h.version),
               or_none(h.release), or_none(h.arch), or_none(h.sourcerpm), or_none(h.license),
               or_none(h.vendor));
        if (h.has_size)
            printf("%" PRIu64 "\n", h.size);
        else
            printf("(none)\n");
    }
    dd_arena_free(arena);
    return DD_OK;
}

int main(int argc, char **argv)
{
    dd_buf data = DD_BUF_INIT;
    const char *path;
    int rc;

    if (argc == 3 && strcmp(argv[1], "--files") == 0) {
        files_mode = 1;
        path = argv[2];
    } else if (argc == 2) {
        path = argv[1];
    } else {
        fprintf(stderr, "usage: rpm_dump [--files] DATABASE\n");
        return 2;
    }
    if ((rc = dd_read_file(&data, path, 1ull << 30)) == DD_OK)
        rc = dd_rpm__db_each((const uint8_t *)data.data, data.len, path, print_header, NULL);
    dd_buf_dispose(&data);
    if (rc != DD_OK) {
        fprintf(stderr, "rpm_dump: %s\n", dd_error_message());
        return 1;
    }
    return 0;
}
