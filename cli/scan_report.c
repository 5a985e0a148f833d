/* What `drydock image` and `drydock scan-sbom` share once they hold an inventory: match it
 * against the database, apply the ignore file and VEX documents, write the report and decide the
 * exit code. */
#include "cli.h"

#include <drydock/scan.h>
#include <drydock/vulndb.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

double dd_cli_now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Parses "CRITICAL,HIGH" into a bit mask of 1u << dd_severity. */
static int parse_severities(unsigned *out, const char *list)
{
    char *copy = strdup(list), *save = NULL, *tok;
    dd_severity s;
    int rc = 0;

    *out = 0;
    if (!copy)
        return DD_EXIT_USAGE;
    for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        if (dd_severity_parse(&s, tok) != DD_OK || strcasecmp(tok, dd_severity_name(s)) != 0) {
            dd_cli_error("--severity: \"%s\" is not one of UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL",
                         tok);
            rc = DD_EXIT_USAGE;
            break;
        }
        *out |= 1u << s;
    }
    free(copy);
    return rc;
}

static int read_whole(const char *path, char **data, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    size_t cap = 1 << 16, n = 0, got;
    char *buf;

    if (!fp)
        return -1;
    if (!(buf = malloc(cap))) {
        fclose(fp);
        return -1;
    }
    while ((got = fread(buf + n, 1, cap - n, fp)) > 0) {
        n += got;
        if (n == cap) {
            char *nb;
            if (cap >= (64u << 20) || !(nb = realloc(buf, cap * 2))) {
                free(buf);
                fclose(fp);
                errno = EFBIG;
                return -1;
            }
            buf = nb;
            cap *= 2;
        }
    }
    if (ferror(fp)) {
        free(buf);
        fclose(fp);
        return -1;
    }
    fclose(fp);
    *data = buf;
    *len = n;
    return 0;
}

int dd_cli_scan_report(const dd_cli_scan_flags *f, const dd_cli_scan_input *in)
{
    dd_report_opts ro = {0};
    dd_scan_result *res = NULL;
    dd_vulndb *db = NULL;
    dd_cli_out out = {0};
    char *db_path = NULL;
    unsigned fail_mask = 0;
    dd_severity fail_on = DD_SEV_UNKNOWN;
    double t0, t_match, t_report;
    size_t failing = 0;
    int rc;

    if (strcmp(f->format, "table") == 0)
        ro.format = DD_REPORT_TABLE;
    else if (strcmp(f->format, "json") == 0)
        ro.format = DD_REPORT_JSON;
    else if (strcmp(f->format, "sarif") == 0)
        ro.format = DD_REPORT_SARIF;
    else if (strcmp(f->format, "cyclonedx") == 0)
        ro.format = DD_REPORT_CYCLONEDX;
    else
        ro.format = DD_REPORT_MARKDOWN;
    if (f->severity && (rc = parse_severities(&ro.severities, f->severity)) != 0)
        return rc;
    if (f->fail_on) {
        if (dd_severity_parse(&fail_on, f->fail_on) != DD_OK ||
            strcasecmp(f->fail_on, dd_severity_name(fail_on)) != 0) {
            dd_cli_error("--fail-on: \"%s\" is not one of UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL",
                         f->fail_on);
            return DD_EXIT_USAGE;
        }
        for (int s = fail_on; s < DD_SEV_COUNT; s++)
            fail_mask |= 1u << s;
    }
    if (f->exit_code < 0 || f->exit_code > 255) {
        dd_cli_error("--exit-code: %d is not between 0 and 255", f->exit_code);
        return DD_EXIT_USAGE;
    }
    ro.ignore_unfixed = f->ignore_unfixed;
    ro.show_suppressed = f->show_suppressed;
    ro.target = in->target;
    ro.target_digest = in->digest;
    ro.timestamp = (int64_t)time(NULL);
    ro.issue_classes = in->issue_classes;
    if (in->match && (rc = dd_cli_db_path(&db_path, f->db)) != 0)
        return rc;
    t0 = dd_cli_now_ms();
    if (in->match ? dd_vulndb_open(&db, db_path) != DD_OK ||
                        dd_scan_match(&res, in->inv, db, NULL) != DD_OK
                  : dd_scan_result_new(&res, in->inv) != DD_OK) {
        rc = dd_cli_fail();
        goto done;
    }
    for (size_t i = 0; in->issues && i < dd_scan_issue_count(in->issues); i++)
        if (dd_scan_add_issue(res, dd_scan_issue_get(in->issues, i)) != DD_OK) {
            rc = dd_cli_fail();
            goto done;
        }
    /* suppressions: the ignore file (the default one only when it exists) and VEX documents */
    {
        const char *ignore = f->ignorefile ? f->ignorefile : ".drydockignore";
        char *data = NULL;
        size_t len = 0;
        if (read_whole(ignore, &data, &len) == 0) {
            rc = dd_scan_apply_ignorefile(res, ignore, data, len, (int64_t)time(NULL));
            free(data);
            if (rc != DD_OK) {
                rc = dd_cli_fail();
                goto done;
            }
        } else if (f->ignorefile) {
            dd_cli_error("--ignorefile: %s: %s", ignore, strerror(errno));
            rc = DD_EXIT_USAGE;
            goto done;
        }
        if (f->vex) {
            char *list = strdup(f->vex), *save = NULL, *file;
            rc = list ? DD_OK : DD_ENOMEM;
            for (file = list ? strtok_r(list, ",", &save) : NULL; file && rc == DD_OK;
                 file = strtok_r(NULL, ",", &save)) {
                if (read_whole(file, &data, &len) != 0) {
                    dd_cli_error("--vex: %s: %s", file, strerror(errno));
                    free(list);
                    rc = DD_EXIT_USAGE;
                    goto done;
                }
                rc = dd_scan_apply_vex(res, file, data, len);
                free(data);
            }
            free(list);
            if (rc != DD_OK) {
                rc = dd_cli_fail();
                goto done;
            }
        }
    }
    t_match = dd_cli_now_ms() - t0;
    for (size_t i = 0; i < dd_scan_count(res); i++) {
        const dd_finding *fd = dd_scan_get(res, i);
        if (!dd_report_selects(&ro, fd))
            continue;
        if (!f->fail_on || (fail_mask & (1u << fd->severity)))
            failing++;
    }
    for (size_t i = 0; i < dd_scan_issue_count(res); i++) {
        const dd_issue *is = dd_scan_issue_get(res, i);
        if (dd_report_selects_issue(&ro, is) && (!f->fail_on || (fail_mask & (1u << is->severity))))
            failing++;
    }
    t0 = dd_cli_now_ms();
    if ((rc = dd_cli_out_open(&out, f->output)) != 0)
        goto done;
    ro.color = !f->output && dd_cli_color(stdout);
    rc = dd_report_write(out.fp, res, &ro) == DD_OK;
    if (!rc)
        dd_cli_error("%s", dd_error_message());
    if ((rc = dd_cli_out_close(&out, rc)) != 0)
        goto done;
    t_report = dd_cli_now_ms() - t0;
    if (f->timing)
        fprintf(stderr, "drydock: timing: catalog %.1f ms, match %.1f ms, report %.1f ms\n",
                in->t_catalog_ms, t_match, t_report);
    rc = DD_EXIT_OK;
    if (failing && (f->fail_on || f->exit_code > 0))
        rc = f->exit_code > 0 ? f->exit_code : 1;
done:
    dd_scan_result_free(res);
    dd_vulndb_close(db);
    free(db_path);
    return rc;
}
