/* Unit tests for the fleet store (lib/fleet/) on a SQLite file, and on PostgreSQL too when
 * DD_TEST_PG_URL names a server: real SBOMs written from inventories, real OSV records
 * (tests/data/vulndb/records.jsonl) imported into two vulnerability databases, one without
 * DSA-5343-1, so a re-match has exactly one advisory to find. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <sys/socket.h>
#include <zlib.h>
#include <zstd.h>

#include <drydock/fleet.h>
#include <drydock/sbom.h>

#include "catalog/catalog_int.h"
#include "fleet/fleet_int.h"

static char db_old[4096], db_new[4096], store_url[8192];
static dd_fleet *F;

#define DIGEST_A "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define DIGEST_B "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define DIGEST_C "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

/* --- fixtures --- */

static int write_subset(const char *in, const char *out, const char *drop_id)
{
    FILE *r = fopen(in, "r"), *w = fopen(out, "w");
    char line[1 << 16], needle[128];

    if (!r || !w)
        return -1;
    snprintf(needle, sizeof(needle), "\"id\":\"%s\"", drop_id);
    while (fgets(line, sizeof(line), r))
        if (!strstr(line, needle))
            fputs(line, w);
    fclose(r);
    return fclose(w);
}

static int import(const char *input, const char *db)
{
    const char *inputs[] = {input};
    dd_vulndb_import_stats st;

    return dd_vulndb_import(db, inputs, 1, NULL, &st) == DD_OK ? 0 : -1;
}

static int make_vulndbs(void)
{
    const char *data = getenv("DD_TEST_DATA"), *tmp = getenv("DD_TEST_TMP");
    char full[4096], subset[4096];

    if (!data || !tmp)
        return -1;
    mkdir(tmp, 0755);
    snprintf(full, sizeof(full), "%s/vulndb/records.jsonl", data);
    snprintf(subset, sizeof(subset), "%s/fleet-subset.jsonl", tmp);
    snprintf(db_old, sizeof(db_old), "%s/fleet-old.db", tmp);
    snprintf(db_new, sizeof(db_new), "%s/fleet-new.db", tmp);
    if (write_subset(full, subset, "DSA-5343-1") != 0)
        return -1;
    return import(subset, db_old) || import(full, db_new) ? -1 : 0;
}

static int open_store(void)
{
    dd_fleet_opts o = DD_FLEET_OPTS_INIT;

    o.url = store_url;
    o.vulndb_path = db_old;
    o.pool_size = 4;
    return dd_fleet_open(&F, &o) == DD_OK ? 0 : -1;
}

static int setup_sqlite(void **state)
{
    const char *tmp = getenv("DD_TEST_TMP");
    char path[4096];

    (void)state;
    if (make_vulndbs() != 0)
        return -1;
    snprintf(path, sizeof(path), "%s/fleet-store.db", tmp);
    unlink(path);
    snprintf(store_url, sizeof(store_url), "sqlite:%s", path);
    return open_store();
}

/* The PostgreSQL server to test on: DD_TEST_PG_URL, else the first line of the file
 * DD_TEST_PG_URL_FILE names (the tests' "pg" fixture writes it once the server listens); NULL
 * when neither is set. */
static const char *pg_url(void)
{
    static char buf[1024];
    const char *env = getenv("DD_TEST_PG_URL"), *file = getenv("DD_TEST_PG_URL_FILE");
    FILE *fp;

    if (env && *env)
        return env;
    if (!file || !*file || !(fp = fopen(file, "r")))
        return NULL;
    if (!fgets(buf, sizeof(buf), fp))
        buf[0] = '\0';
    fclose(fp);
    buf[strcspn(buf, "\r\n")] = '\0';
    return buf[0] ? buf : NULL;
}

/* A schema of its own on the server, dropped first: each run starts from an empty store. */
static int setup_pg(void **state)
{
    const char *url = pg_url();
    dd_db_conn *c;

    (void)state;
    if (make_vulndbs() != 0)
        return -1;
    if (dd_fleet__pg_ops.connect(&c, url) != DD_OK)
        return -1;
    if (dd_fleet__pg_ops.exec_script(c, "DROP SCHEMA IF EXISTS dd_unit_fleet CASCADE; "
                                        "CREATE SCHEMA dd_unit_fleet") != DD_OK) {
        dd_fleet__pg_ops.close(c);
        return -1;
    }
    dd_fleet__pg_ops.close(c);
    snprintf(store_url, sizeof(store_url), "%s%soptions=-csearch_path%%3Ddd_unit_fleet", url,
             strchr(url, '?') ? "&" : "?");
    return open_store();
}

static int teardown(void **state)
{
    (void)state;
    dd_fleet_close(F);
    F = NULL;
    return 0;
}

static dd_os_info *debian11(void)
{
    dd_os_info *os = dd_calloc(1, sizeof(*os));

    os->id = dd_strdup("debian");
    os->version_id = dd_strdup("11");
    return os;
}

/* A CycloneDX SBOM of `pkgs` on Debian 11, subject `digest`. The caller frees it. */
static char *sbom_of(const dd_package *pkgs, size_t n, const char *digest, size_t *len)
{
    dd_inventory *inv;
    dd_sbom_subject subj = {.name = "test", .digest = digest};
    dd_sbom_opts opts = DD_SBOM_OPTS_INIT;
    char *out;

    assert_int_equal(dd_inventory__new(&inv), DD_OK);
    dd_inventory__set_os(inv, debian11());
    for (size_t i = 0; i < n; i++)
        assert_int_equal(dd_inventory__add(inv, &pkgs[i]), DD_OK);
    dd_inventory__sort(inv);
    opts.timestamp = 1700000000;
    assert_int_equal(dd_sbom_write(&out, len, inv, &subj, &opts), DD_OK);
    dd_inventory_free(inv);
    return out;
}

static const dd_package openssl_u1 = {.type = DD_PKG_DEB, .name = "openssl",
                                      .version = "1.1.1k-1+deb11u1", .arch = "amd64",
                                      .source_name = "openssl",
                                      .source_version = "1.1.1k-1+deb11u1",
                                      .db_path = "var/lib/dpkg/status"};
static const dd_package libssl_u3 = {.type = DD_PKG_DEB, .name = "libssl1.1",
                                     .version = "1.1.1n-0+deb11u3", .arch = "amd64",
                                     .source_name = "openssl",
                                     .source_version = "1.1.1n-0+deb11u3",
                                     .db_path = "var/lib/dpkg/status"};
static const dd_package py = {.type = DD_PKG_PYPI, .name = "py", .version = "1.10.0",
                              .path = "usr/lib/python3/dist-packages/py-1.10.0.dist-info"};
static const dd_package hyper = {.type = DD_PKG_CARGO, .name = "hyper", .version = "0.9.0",
                                 .db_path = "app/Cargo.lock"};

static int ingest_pkgs(const dd_package *pkgs, size_t n, const char *digest, const char *repo,
                       const char *tag, const char *base, dd_fleet_ingest_result *res)
{
    const char *tags[] = {tag};
    dd_fleet_image_ref ref = {.repository = repo, .tags = tags, .n_tags = 1, .base_image = base};
    size_t len;
    char *sbom = sbom_of(pkgs, n, digest, &len);
    int rc = dd_fleet_ingest(F, &ref, "test.cdx.json", sbom, len, res);

    dd_free(sbom);
    return rc;
}

/* The digests of a page's "images", joined by spaces. */
static const char *digests(json_t *doc)
{
    static char out[1024];
    json_t *im;
    size_t i;

    out[0] = '\0';
    json_array_foreach(json_object_get(doc, "images"), i, im) {
        const char *d = json_string_value(json_object_get(im, "digest"));
        snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%c", i ? " " : "", d[7]);
    }
    return out;
}

static const char *affected(const char *id)
{
    json_t *doc;
    const char *s;

    assert_int_equal(dd_fleet_affected(F, id, NULL, &doc), DD_OK);
    s = digests(doc);
    json_decref(doc);
    return s;
}

/* --- tests, in order: each builds on the store the earlier ones left --- */

static void ingest_is_idempotent_by_digest(void **state)
{
    const dd_package a[] = {openssl_u1, py}, b[] = {libssl_u3}, c[] = {openssl_u1, hyper};
    dd_fleet_ingest_result r1, r2;

    (void)state;
    assert_int_equal(ingest_pkgs(a, 2, DIGEST_A, "registry.example/app", "1.0", NULL, &r1), DD_OK);
    assert_true(r1.created);
    assert_string_equal(r1.digest, DIGEST_A);
    assert_int_equal(r1.packages, 2);
    assert_int_equal(r1.new_identities, 2);
    /* openssl 1.1.1k-1+deb11u1 without DSA-5343-1: DSA-5103-1's two CVEs, DSA-5139-1 and
     * DSA-5169-1 one each; py: PYSEC-2022-42969 */
    assert_int_equal(r1.new_findings, 5);

    assert_int_equal(ingest_pkgs(a, 2, DIGEST_A, "registry.example/app", "1.0", NULL, &r2), DD_OK);
    assert_false(r2.created);
    assert_int_equal(r2.image_id, r1.image_id);
    assert_int_equal(r2.packages, 2);
    assert_int_equal(r2.new_identities, 0);
    assert_int_equal(r2.new_findings, 0);

    assert_int_equal(ingest_pkgs(b, 1, DIGEST_B, "registry.example/api", "2.0", NULL, &r2), DD_OK);
    assert_int_equal(r2.new_identities, 1);
    assert_int_equal(r2.new_findings, 0);
    /* the openssl identity is shared with A: only hyper is new, and only its finding */
    assert_int_equal(ingest_pkgs(c, 2, DIGEST_C, "registry.example/app", "1.1", "debian:11", &r2),
                     DD_OK);
    assert_int_equal(r2.new_identities, 1);
    assert_int_equal(r2.new_findings, 1);
}

static void ingest_compressed_and_malformed(void **state)
{
    const dd_package a[] = {openssl_u1, py};
    dd_fleet_image_ref ref = {.repository = "registry.example/app"};
    dd_fleet_ingest_result r;
    size_t len, zlen;
    char *sbom = sbom_of(a, 2, DIGEST_A, &len);
    unsigned char *z = malloc(ZSTD_compressBound(len));
    z_stream gz = {0};

    (void)state;
    zlen = ZSTD_compress(z, ZSTD_compressBound(len), sbom, len, 3);
    assert_int_equal(dd_fleet_ingest(F, &ref, "z.json", z, zlen, &r), DD_OK);
    assert_false(r.created);
    assert_string_equal(r.digest, DIGEST_A);

    assert_int_equal(deflateInit2(&gz, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
    gz.next_in = (unsigned char *)sbom;
    gz.avail_in = (uInt)len;
    gz.next_out = z;
    gz.avail_out = (uInt)ZSTD_compressBound(len);
    assert_int_equal(deflate(&gz, Z_FINISH), Z_STREAM_END);
    assert_int_equal(dd_fleet_ingest(F, &ref, "g.json", z, gz.total_out, &r), DD_OK);
    assert_string_equal(r.digest, DIGEST_A);
    /* cut short: a clear error, nothing stored */
    assert_int_equal(dd_fleet_ingest(F, &ref, "g.json", z, gz.total_out / 2, &r), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "g.json: gzip"));
    deflateEnd(&gz);

    assert_int_equal(dd_fleet_ingest(F, &ref, "bad.json", "{\"bomFormat\":", 13, &r), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "bad.json"));
    ref.repository = NULL;
    assert_int_equal(dd_fleet_ingest(F, &ref, "a.json", sbom, len, &r), DD_EINVALID);
    free(z);
    dd_free(sbom);
}

static void affected_names_exactly_the_images(void **state)
{
    json_t *doc;

    (void)state;
    assert_string_equal(affected("DSA-5103-1"), "a c");
    assert_string_equal(affected("cve-2022-0778"), "a c");
    assert_string_equal(affected("RUSTSEC-2016-0002"), "c");
    assert_string_equal(affected("DSA-5343-1"), "");
    assert_string_equal(affected("CVE-1999-0001"), "");

    assert_int_equal(dd_fleet_affected(F, "CVE-2022-0778", NULL, &doc), DD_OK);
    assert_string_equal(json_string_value(json_object_get(doc, "advisory")), "CVE-2022-0778");
    {
        json_t *im = json_array_get(json_object_get(doc, "images"), 0);
        json_t *pkg = json_array_get(json_object_get(im, "packages"), 0);
        assert_string_equal(json_string_value(json_object_get(pkg, "installed")),
                            "1.1.1k-1+deb11u1");
        assert_string_equal(json_string_value(json_object_get(pkg, "fixed")), "1.1.1k-1+deb11u2");
        assert_string_equal(json_string_value(json_array_get(json_object_get(im, "tags"), 0)),
                            "1.0");
    }
    assert_true(json_is_null(json_object_get(doc, "next")));
    json_decref(doc);
}

static void pages_and_cursors(void **state)
{
    dd_fleet_page pg = {NULL, 1};
    json_t *doc, *doc2;
    char bad[40];

    (void)state;
    assert_int_equal(dd_fleet_affected(F, "DSA-5103-1", &pg, &doc), DD_OK);
    assert_string_equal(digests(doc), "a");
    pg.cursor = json_string_value(json_object_get(doc, "next"));
    assert_non_null(pg.cursor);
    assert_int_equal(dd_fleet_affected(F, "DSA-5103-1", &pg, &doc2), DD_OK);
    assert_string_equal(digests(doc2), "c");
    assert_true(json_is_null(json_object_get(doc2, "next")));
    /* a cursor with a wrong check letter, or not one at all */
    snprintf(bad, sizeof(bad), "%s", pg.cursor);
    bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == 'a' ? 'b' : 'a';
    json_decref(doc);
    json_decref(doc2);
    pg.cursor = bad;
    assert_int_equal(dd_fleet_affected(F, "DSA-5103-1", &pg, &doc), DD_EINVALID);
    pg.cursor = "12";
    assert_int_equal(dd_fleet_images(F, NULL, &pg, &doc), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "cursor"));
}

static const char *packages(const char *purl, const char *range)
{
    json_t *doc;
    const char *s;

    assert_int_equal(dd_fleet_packages(F, purl, range, NULL, &doc), DD_OK);
    s = digests(doc);
    json_decref(doc);
    return s;
}

static void package_ranges(void **state)
{
    json_t *doc;

    (void)state;
    assert_string_equal(packages("pkg:deb/debian/openssl", NULL), "a c");
    assert_string_equal(packages("pkg:deb/debian/openssl", "<1.1.1n"), "a c");
    assert_string_equal(packages("pkg:deb/debian/openssl", ">=1.1.1n"), "");
    assert_string_equal(packages("pkg:deb/debian/libssl1.1", ">= 1.1.1k, <1.1.1n-0+deb11u4"), "b");
    assert_string_equal(packages("pkg:deb/debian/libssl1.1", "=1.1.1n-0+deb11u3"), "b");
    assert_string_equal(packages("pkg:deb/debian/libssl1.1@1.1.1n-0%2Bdeb11u3", NULL), "b");
    assert_string_equal(packages("pkg:pypi/PY", "<1.11"), "a");
    assert_string_equal(packages("pkg:cargo/hyper", ">0.9.0"), "");

    assert_int_equal(dd_fleet_packages(F, "pkg:deb/debian/openssl", NULL, NULL, &doc), DD_OK);
    {
        json_t *pkg = json_array_get(
            json_object_get(json_array_get(json_object_get(doc, "images"), 0), "packages"), 0);
        assert_string_equal(json_string_value(json_object_get(pkg, "version")),
                            "1.1.1k-1+deb11u1");
    }
    json_decref(doc);
    assert_int_equal(dd_fleet_packages(F, "pkg:deb/debian/openssl", "~>1", NULL, &doc),
                     DD_EINVALID);
    assert_int_equal(dd_fleet_packages(F, "pkg:deb/debian/openssl", "<", NULL, &doc), DD_EINVALID);
    assert_int_equal(dd_fleet_packages(F, "not a purl", NULL, NULL, &doc), DD_EINVALID);
    assert_int_equal(dd_fleet_packages(F, "pkg:generic/tool", "<1", NULL, &doc), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "generic"));
}

static void image_filters(void **state)
{
    dd_fleet_image_filter flt = {.repository = "registry.example/app"};
    json_t *doc, *im;

    (void)state;
    assert_int_equal(dd_fleet_images(F, &flt, NULL, &doc), DD_OK);
    assert_string_equal(digests(doc), "a c");
    im = json_array_get(json_object_get(doc, "images"), 0);
    assert_int_equal(json_integer_value(json_object_get(im, "packages")), 2);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(im, "findings"), "UNKNOWN")) +
            json_integer_value(json_object_get(json_object_get(im, "findings"), "HIGH")) +
            json_integer_value(json_object_get(json_object_get(im, "findings"), "CRITICAL")) +
            json_integer_value(json_object_get(json_object_get(im, "findings"), "MEDIUM")) +
            json_integer_value(json_object_get(json_object_get(im, "findings"), "LOW")),
        5);
    json_decref(doc);
    flt.repository = NULL;
    flt.base_image = "debian:11";
    assert_int_equal(dd_fleet_images(F, &flt, NULL, &doc), DD_OK);
    assert_string_equal(digests(doc), "c");
    json_decref(doc);
    flt.base_image = NULL;
    flt.purl = "pkg:pypi/py";
    assert_int_equal(dd_fleet_images(F, &flt, NULL, &doc), DD_OK);
    assert_string_equal(digests(doc), "a");
    json_decref(doc);
    flt.purl = "pkg:deb/debian/openssl";
    flt.repository = "registry.example/app";
    flt.base_image = "debian:11";
    assert_int_equal(dd_fleet_images(F, &flt, NULL, &doc), DD_OK);
    assert_string_equal(digests(doc), "c");
    json_decref(doc);
    assert_int_equal(dd_fleet_images(F, NULL, NULL, &doc), DD_OK);
    assert_string_equal(digests(doc), "a b c");
    json_decref(doc);
}

static void one_image(void **state)
{
    json_t *doc;

    (void)state;
    assert_int_equal(dd_fleet_image(F, DIGEST_C, &doc), DD_OK);
    assert_string_equal(json_string_value(json_object_get(doc, "base_image")), "debian:11");
    assert_int_equal(json_array_size(json_object_get(doc, "packages")), 2);
    assert_int_equal(json_array_size(json_object_get(doc, "findings")), 5);
    assert_string_equal(json_string_value(json_object_get(doc, "os")), "debian 11");
    json_decref(doc);
    assert_int_equal(
        dd_fleet_image(F, "sha256:0000000000000000000000000000000000000000000000000000000000000000",
                       &doc),
        DD_ENOTFOUND);
    assert_int_equal(dd_fleet_image(F, "latest", &doc), DD_EINVALID);
}

static size_t n_deployments(const char *id)
{
    json_t *doc, *im;
    size_t i, n = 0;

    assert_int_equal(dd_fleet_affected(F, id, NULL, &doc), DD_OK);
    json_array_foreach(json_object_get(doc, "images"), i, im)
        n += json_array_size(json_object_get(im, "deployments"));
    json_decref(doc);
    return n;
}

static void deployments_snapshot_and_upsert(void **state)
{
    dd_fleet_deployment d[] = {
        {.cluster = "eu1", .namespace_ = "shop", .container = "web", .image = DIGEST_A},
        {.cluster = "eu1", .namespace_ = "shop", .container = "api",
         .image = "registry.example/api:2.0"},
        {.cluster = "eu2", .container = "web", .image = "registry.example/app@" DIGEST_C},
    };
    dd_fleet_deployment bad = {.cluster = "eu1", .container = "x", .image = "registry.example/app:9"};
    json_t *doc;

    (void)state;
    assert_int_equal(dd_fleet_deploy(F, "prod", true, d, 3), DD_OK);
    assert_int_equal(n_deployments("DSA-5103-1"), 2);
    assert_int_equal(n_deployments("RUSTSEC-2016-0002"), 1);
    /* a new snapshot without A's container: A runs nowhere now */
    assert_int_equal(dd_fleet_deploy(F, "prod", true, &d[1], 2), DD_OK);
    assert_int_equal(n_deployments("DSA-5103-1"), 1);
    /* one at a time into another environment, then the same key again */
    assert_int_equal(dd_fleet_deploy(F, "staging", false, &d[0], 1), DD_OK);
    assert_int_equal(dd_fleet_deploy(F, "staging", false, &d[0], 1), DD_OK);
    assert_int_equal(n_deployments("DSA-5103-1"), 2);
    /* an unknown tag: refused, and nothing of the batch written */
    d[2].image = DIGEST_B;
    {
        dd_fleet_deployment batch[] = {d[2], bad};
        assert_int_equal(dd_fleet_deploy(F, "staging", false, batch, 2), DD_EINVALID);
        assert_non_null(strstr(dd_error_message(), "deployment 1"));
    }
    bad.image = "sha256:12";
    assert_int_equal(dd_fleet_deploy(F, "staging", false, &bad, 1), DD_EINVALID);
    assert_int_equal(dd_fleet_image(F, DIGEST_B, &doc), DD_OK);
    assert_int_equal(json_array_size(json_object_get(doc, "deployments")), 1);
    json_decref(doc);
}

static void rematch_finds_exactly_the_new_advisory(void **state)
{
    dd_fleet_rematch_stats st;
    int64_t hook;
    dd_fleet_outbox_stats ob;
    char metrics[4096];
    size_t len = 0;

    (void)state;
    /* nothing changed: nothing matched */
    assert_int_equal(dd_fleet_rematch(F, NULL, &st), DD_OK);
    assert_int_equal(st.names_checked, 3);
    assert_int_equal(st.names_changed, 0);
    assert_int_equal(st.new_findings, 0);

    assert_int_equal(dd_fleet_webhook_add(F, "http://127.0.0.1:9/hook", "s3cret", &hook), DD_OK);
    assert_int_equal(dd_fleet_rematch(F, db_new, &st), DD_OK);
    assert_int_equal(st.names_changed, 1);   /* Debian:11 openssl */
    assert_int_equal(st.identities_matched, 2);
    assert_int_equal(st.new_findings, 10);   /* DSA-5343-1's five CVEs in two identities */
    assert_int_equal(st.resolved_findings, 0);
    assert_string_equal(affected("DSA-5343-1"), "a b c");
    assert_string_equal(affected("CVE-2023-0286"), "a b c");
    assert_string_equal(affected("DSA-5103-1"), "a c");

    assert_int_equal(dd_fleet_rematch(F, db_new, &st), DD_OK);
    assert_int_equal(st.names_changed, 0);

    /* the new findings wait in the outbox; a receiver that does not answer keeps them there */
    assert_int_equal(dd_fleet_metrics(F, metrics, sizeof(metrics), &len), DD_OK);
    assert_non_null(strstr(metrics, "dd_fleet_outbox_pending 1\n"));
    assert_non_null(strstr(metrics, "dd_fleet_images 3\n"));
    assert_int_equal(dd_fleet_outbox_deliver(F, 2000, &ob), DD_OK);
    assert_int_equal(ob.delivered, 0);
    assert_int_equal(ob.failed, 1);
    assert_int_equal(ob.pending, 1);
    /* backed off: not retried at once */
    assert_int_equal(dd_fleet_outbox_deliver(F, 2000, &ob), DD_OK);
    assert_int_equal(ob.failed, 0);
    assert_int_equal(dd_fleet_webhook_delete(F, hook), DD_OK);
    assert_int_equal(dd_fleet_webhook_delete(F, hook), DD_ENOTFOUND);

    /* back to the old database: the advisory is gone, its findings resolved */
    assert_int_equal(dd_fleet_rematch(F, db_old, &st), DD_OK);
    assert_int_equal(st.names_changed, 1);
    assert_int_equal(st.resolved_findings, 10);
    assert_int_equal(st.new_findings, 0);
    assert_string_equal(affected("DSA-5343-1"), "");
    assert_string_equal(affected("DSA-5103-1"), "a c");
}

/* A webhook receiver: accepts one request on a loopback port, keeps it, answers 200. */
typedef struct {
    int fd;
    int port;
    char req[1 << 16];
    size_t len;
} receiver;

static void *receive_one(void *arg)
{
    receiver *r = arg;
    int c = accept(r->fd, NULL, NULL);
    const char *ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

    for (;;) {
        ssize_t n = read(c, r->req + r->len, sizeof(r->req) - 1 - r->len);
        const char *hdr_end, *cl;
        if (n <= 0)
            break;
        r->len += (size_t)n;
        r->req[r->len] = '\0';
        hdr_end = strstr(r->req, "\r\n\r\n");
        cl = strcasestr(r->req, "content-length:");
        if (hdr_end && cl && r->len >= (size_t)(hdr_end + 4 - r->req) + strtoul(cl + 15, NULL, 10))
            break;
    }
    assert_int_equal(write(c, ok, strlen(ok)), (ssize_t)strlen(ok));
    close(c);
    return NULL;
}

static void start_receiver(receiver *r, pthread_t *t)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t alen = sizeof(a);

    memset(r, 0, sizeof(*r));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    r->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(bind(r->fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(r->fd, 4), 0);
    assert_int_equal(getsockname(r->fd, (struct sockaddr *)&a, &alen), 0);
    r->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(t, NULL, receive_one, r), 0);
}

static void webhook_delivery_is_signed(void **state)
{
    receiver rcv;
    pthread_t t;
    char url[64], want[80] = "sha256=", *sig;
    unsigned char mac[32];
    unsigned mac_len;
    const char *body;
    int64_t hook;
    dd_fleet_rematch_stats st;
    dd_fleet_outbox_stats ob;
    json_t *doc;

    (void)state;
    start_receiver(&rcv, &t);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", rcv.port);
    assert_int_equal(dd_fleet_webhook_add(F, url, "hook-secret", &hook), DD_OK);
    /* the advisory comes back: its ten findings reopen and go out in one delivery */
    assert_int_equal(dd_fleet_rematch(F, db_new, &st), DD_OK);
    assert_int_equal(st.new_findings, 10);
    assert_int_equal(dd_fleet_outbox_deliver(F, 5000, &ob), DD_OK);
    assert_int_equal(ob.delivered, 1);
    assert_int_equal(ob.pending, 0);
    pthread_join(t, NULL);
    close(rcv.fd);

    body = strstr(rcv.req, "\r\n\r\n") + 4;
    HMAC(EVP_sha256(), "hook-secret", 11, (const unsigned char *)body, strlen(body), mac, &mac_len);
    for (unsigned i = 0; i < mac_len; i++)
        snprintf(want + 7 + 2 * i, 3, "%02x", mac[i]);
    sig = strcasestr(rcv.req, "X-Drydock-Signature: ");
    assert_non_null(sig);
    assert_memory_equal(sig + 21, want, strlen(want));
    assert_non_null(strcasestr(rcv.req, "X-Drydock-Delivery: "));
    assert_non_null(doc = json_loads(body, 0, NULL));
    assert_string_equal(json_string_value(json_object_get(doc, "event")), "finding.new");
    assert_int_equal(json_array_size(json_object_get(doc, "findings")), 10);
    {
        json_t *fd = json_array_get(json_object_get(doc, "findings"), 0);
        assert_non_null(json_object_get(fd, "purl"));
        assert_true(json_array_size(json_object_get(fd, "images")) >= 1);
    }
    json_decref(doc);

    assert_int_equal(dd_fleet_webhook_delete(F, hook), DD_OK);
    assert_int_equal(dd_fleet_rematch(F, db_old, &st), DD_OK);
    assert_int_equal(st.resolved_findings, 10);
}

static void keys_and_scopes(void **state)
{
    char r[64], w[64], a[64];
    json_t *doc;
    int64_t id;

    (void)state;
    assert_int_equal(dd_fleet_key_create(F, "ci-read", DD_FLEET_SCOPE_READ, r), DD_OK);
    assert_int_equal(dd_fleet_key_create(F, "ci-write", DD_FLEET_SCOPE_WRITE, w), DD_OK);
    assert_int_equal(strlen(r), 44);
    assert_memory_equal(r, "ddk_", 4);
    assert_string_not_equal(r, w);
    assert_int_equal(dd_fleet_key_check(F, r, DD_FLEET_SCOPE_READ), DD_OK);
    assert_int_equal(dd_fleet_key_check(F, r, DD_FLEET_SCOPE_WRITE), DD_EPERM);
    assert_int_equal(dd_fleet_key_check(F, w, DD_FLEET_SCOPE_WRITE), DD_OK);
    assert_int_equal(dd_fleet_key_check(F, w, DD_FLEET_SCOPE_ADMIN), DD_EPERM);
    assert_int_equal(dd_fleet_key_check(F, "ddk_nope", DD_FLEET_SCOPE_READ), DD_ENOTFOUND);
    w[10] ^= 1;
    assert_int_equal(dd_fleet_key_check(F, w, DD_FLEET_SCOPE_READ), DD_ENOTFOUND);

    assert_int_equal(dd_fleet_key_bootstrap(F, "first-admin-secret-0123"), DD_OK);
    assert_int_equal(dd_fleet_key_check(F, "first-admin-secret-0123", DD_FLEET_SCOPE_ADMIN), DD_OK);
    /* an admin exists: a second bootstrap does nothing */
    assert_int_equal(dd_fleet_key_bootstrap(F, "second-admin-secret-99"), DD_OK);
    assert_int_equal(dd_fleet_key_check(F, "second-admin-secret-99", DD_FLEET_SCOPE_READ),
                     DD_ENOTFOUND);
    assert_int_equal(dd_fleet_key_create(F, "ops", DD_FLEET_SCOPE_ADMIN, a), DD_OK);

    assert_int_equal(dd_fleet_key_list(F, &doc), DD_OK);
    assert_int_equal(json_array_size(json_object_get(doc, "keys")), 4);
    {
        char *text = json_dumps(doc, 0);
        assert_null(strstr(text, r + 12)); /* no secret beyond its prefix */
        assert_null(strstr(text, "hash"));
        free(text);
    }
    id = json_integer_value(json_object_get(json_array_get(json_object_get(doc, "keys"), 0), "id"));
    json_decref(doc);
    assert_int_equal(dd_fleet_key_revoke(F, id), DD_OK);
    assert_int_equal(dd_fleet_key_check(F, r, DD_FLEET_SCOPE_READ), DD_ENOTFOUND);
    assert_int_equal(dd_fleet_key_revoke(F, id), DD_ENOTFOUND);
    assert_int_equal(dd_fleet_key_create(F, "", DD_FLEET_SCOPE_READ, r), DD_EINVALID);
}

static void tokens_webhooks_summary(void **state)
{
    char tok[37];
    bool known;
    int64_t id;
    json_t *doc;

    (void)state;
    assert_int_equal(dd_fleet_token_record(F, 1, tok), DD_OK);
    assert_int_equal(strlen(tok), 36);
    assert_int_equal(dd_fleet_token_get(F, tok, &known), DD_OK);
    assert_true(known);
    assert_int_equal(dd_fleet_token_get(F, "00000000-0000-4000-8000-000000000000", &known), DD_OK);
    assert_false(known);

    assert_int_equal(dd_fleet_webhook_add(F, "ftp://x", "s", &id), DD_EINVALID);
    assert_int_equal(dd_fleet_webhook_add(F, "https://hooks.example/a", "s", &id), DD_OK);
    assert_int_equal(dd_fleet_webhook_list(F, &doc), DD_OK);
    assert_int_equal(json_array_size(json_object_get(doc, "webhooks")), 1);
    {
        char *text = json_dumps(doc, 0);
        assert_null(strstr(text, "\"s\"")); /* the secret is not listed */
        free(text);
    }
    json_decref(doc);

    assert_int_equal(dd_fleet_summary(F, &doc), DD_OK);
    assert_int_equal(json_integer_value(json_object_get(doc, "images")), 3);
    assert_int_equal(json_integer_value(json_object_get(doc, "identities")), 4);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(doc, "top_advisories"), 0), "advisory")),
                        "CVE-2021-4160");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(doc, "most_exposed"), 0), "digest")),
                        DIGEST_A);
    json_decref(doc);
    assert_true(dd_fleet_ping(F));
    assert_string_equal(dd_fleet_backend(F), strncmp(store_url, "sqlite:", 7) == 0 ? "sqlite"
                                                                                  : "postgresql");
}

static void urls_and_reopen(void **state)
{
    dd_fleet_opts o = DD_FLEET_OPTS_INIT;
    dd_fleet *g;

    (void)state;
    o.url = "mysql://localhost/x";
    assert_int_equal(dd_fleet_open(&g, &o), DD_EINVALID);
    o.url = "";
    assert_int_equal(dd_fleet_open(&g, &o), DD_EINVALID);
    /* a second handle on the same store: the migrations are not applied twice */
    o.url = store_url;
    assert_int_equal(dd_fleet_open(&g, &o), DD_OK);
    {
        json_t *doc;
        assert_int_equal(dd_fleet_summary(g, &doc), DD_OK);
        assert_int_equal(json_integer_value(json_object_get(doc, "images")), 3);
        json_decref(doc);
    }
    dd_fleet_close(g);
}

/* Several threads pushing at once through one handle: every push lands, none twice. */
typedef struct {
    int thread;
    int failed;
} pusher;

static void *push_some(void *arg)
{
    pusher *p = arg;
    const dd_package pk[] = {openssl_u1, libssl_u3, py, hyper};

    for (int i = 0; i < 5; i++) {
        char digest[80];
        dd_fleet_ingest_result r;
        size_t len;
        const char *tags[] = {"x"};
        dd_fleet_image_ref ref = {.repository = "registry.example/many", .tags = tags, .n_tags = 1};
        char *sbom;

        snprintf(digest, sizeof(digest), "sha256:%064d", p->thread * 100 + i + 1);
        sbom = sbom_of(pk, 4, digest, &len);
        if (dd_fleet_ingest(F, &ref, "t.json", sbom, len, &r) != DD_OK || !r.created)
            p->failed++;
        dd_free(sbom);
    }
    return NULL;
}

static void concurrent_pushes(void **state)
{
    pthread_t t[4];
    pusher p[4];
    json_t *doc;

    (void)state;
    for (int i = 0; i < 4; i++) {
        p[i].thread = i;
        p[i].failed = 0;
        assert_int_equal(pthread_create(&t[i], NULL, push_some, &p[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(p[i].failed, 0);
    }
    assert_int_equal(dd_fleet_summary(F, &doc), DD_OK);
    assert_int_equal(json_integer_value(json_object_get(doc, "images")), 23);
    assert_int_equal(json_integer_value(json_object_get(doc, "identities")), 4);
    json_decref(doc);
    assert_int_equal(dd_fleet_affected(F, "RUSTSEC-2016-0002", &(dd_fleet_page){NULL, 1000}, &doc),
                     DD_OK);
    assert_int_equal(json_array_size(json_object_get(doc, "images")), 21);
    json_decref(doc);
}

/* Two stores on one database (two servers) re-matching at once: each new finding is recorded
 * once, by one of them, and none is lost. */
typedef struct {
    dd_fleet *f;
    const char *db;
    dd_fleet_rematch_stats st;
    int rc;
} rematcher;

static void *rematch_thread(void *arg)
{
    rematcher *r = arg;

    r->rc = dd_fleet_rematch(r->f, r->db, &r->st);
    return NULL;
}

static void two_stores_rematch_at_once(void **state)
{
    dd_fleet_opts o = DD_FLEET_OPTS_INIT;
    rematcher r[2] = {{.db = db_new}, {.db = db_new}};
    pthread_t t[2];
    dd_fleet *g;
    json_t *doc;
    int64_t n;
    dd_fleet_conn *c;

    (void)state;
    o.url = store_url;
    assert_int_equal(dd_fleet_open(&g, &o), DD_OK);
    r[0].f = F;
    r[1].f = g;
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, rematch_thread, &r[i]), 0);
    for (int i = 0; i < 2; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(r[i].rc, DD_OK);
    }
    /* the two identities holding openssl, five CVEs each, reopened once between them */
    assert_int_equal(r[0].st.new_findings + r[1].st.new_findings, 10);
    assert_int_equal(r[0].st.names_changed + r[1].st.names_changed, 1);
    assert_int_equal(dd_fleet__acquire(F, &c), DD_OK);
    assert_int_equal(dd_fleet__int(c, "SELECT COUNT(*) FROM findings WHERE state = 'open'", NULL,
                                   0, &n, NULL),
                     DD_OK);
    dd_fleet__release(F, c);
    assert_int_equal(n, 4 + 1 + 1 + 10); /* openssl u1: 4, py, hyper, and the ten */
    assert_int_equal(dd_fleet_affected(F, "DSA-5343-1", &(dd_fleet_page){NULL, 1000}, &doc),
                     DD_OK);
    assert_int_equal(json_array_size(json_object_get(doc, "images")), 23);
    json_decref(doc);
    dd_fleet_close(g);
}

/* A store whose vulnerability database does not exist yet takes pushes unmatched; the first
 * re-match with a database matches them, although their fingerprints were never taken. */
static void ingest_before_vulndb_exists(void **state)
{
    dd_fleet_opts o = DD_FLEET_OPTS_INIT;
    const dd_package a[] = {openssl_u1, py};
    const char *tags[] = {"1"};
    dd_fleet_image_ref ref = {.repository = "r", .tags = tags, .n_tags = 1};
    dd_fleet_ingest_result res;
    dd_fleet_rematch_stats st;
    char path[4096], missing[4200], *sbom;
    size_t len;
    dd_fleet *g;

    (void)state;
    snprintf(path, sizeof(path), "%s/fleet-novuln.db", getenv("DD_TEST_TMP"));
    snprintf(missing, sizeof(missing), "%s.missing", path);
    unlink(path);
    o.url = path;
    o.vulndb_path = missing;
    assert_int_equal(dd_fleet_open(&g, &o), DD_OK);
    sbom = sbom_of(a, 2, DIGEST_A, &len);
    assert_int_equal(dd_fleet_ingest(g, &ref, "a.json", sbom, len, &res), DD_OK);
    dd_free(sbom);
    assert_int_equal(res.new_findings, 0);
    assert_int_equal(dd_fleet_rematch(g, NULL, &st), DD_ENOTFOUND);
    assert_int_equal(dd_fleet_rematch(g, db_old, &st), DD_OK);
    assert_int_equal(st.new_findings, 5);
    assert_int_equal(dd_fleet_rematch(g, db_old, &st), DD_OK);
    assert_int_equal(st.new_findings, 0);
    assert_int_equal(st.names_changed, 0);
    {
        json_t *doc;
        assert_int_equal(dd_fleet_affected(g, "DSA-5103-1", NULL, &doc), DD_OK);
        assert_int_equal(json_array_size(json_object_get(doc, "images")), 1);
        json_decref(doc);
    }
    dd_fleet_close(g);
}

/* More packages than one batched statement takes, in two ecosystems, one purl twice. */
static void large_push_batches(void **state)
{
    enum { N = 150 }; /* 128 + 16 + 6 occurrence rows: every batch size */
    dd_package pk[N];
    char names[N][32], paths[N][64];
    dd_fleet_ingest_result r;
    const char *digest = "sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd";
    json_t *doc;
    char *sbom;
    size_t len;
    const char *tags[] = {"big"};
    dd_fleet_image_ref ref = {.repository = "registry.example/big", .tags = tags, .n_tags = 1};

    (void)state;
    for (int i = 0; i < N - 2; i++) {
        snprintf(names[i], sizeof(names[i]), "left-pad-%d", i);
        snprintf(paths[i], sizeof(paths[i]), "app/node_modules/left-pad-%d", i);
        pk[i] = (dd_package){.type = DD_PKG_NPM, .name = names[i], .version = "1.0.0",
                             .path = paths[i]};
    }
    pk[N - 2] = openssl_u1;
    pk[N - 1] = pk[0];
    pk[N - 1].path = "app/vendor/node_modules/left-pad-0";
    sbom = sbom_of(pk, N, digest, &len);
    assert_int_equal(dd_fleet_ingest(F, &ref, "big.json", sbom, len, &r), DD_OK);
    assert_int_equal(r.packages, N);
    assert_int_equal(r.new_identities, N - 2); /* openssl is known, left-pad-0 is there twice */
    assert_int_equal(dd_fleet_ingest(F, &ref, "big.json", sbom, len, &r), DD_OK);
    assert_false(r.created);
    assert_int_equal(r.packages, N);
    assert_int_equal(r.new_identities, 0);
    dd_free(sbom);
    assert_int_equal(dd_fleet_image(F, digest, &doc), DD_OK);
    assert_int_equal(json_array_size(json_object_get(doc, "packages")), N);
    json_decref(doc);
    assert_string_equal(packages("pkg:npm/left-pad-0", NULL), "d");
    assert_int_equal(dd_fleet_packages(F, "pkg:npm/left-pad-0", NULL, NULL, &doc), DD_OK);
    assert_int_equal(json_array_size(json_object_get(
                         json_array_get(json_object_get(doc, "images"), 0), "packages")),
                     2);
    json_decref(doc);
    assert_string_equal(packages("pkg:npm/left-pad-147", "=1.0.0"), "d");
}

/* The images of every page of `id` at `limit` a page, each dumped, in order. */
static char *affected_walk(const char *id, unsigned limit)
{
    dd_buf out = DD_BUF_INIT;
    char cursor[64] = "";
    dd_fleet_page pg = {NULL, limit};

    for (int pages = 0; pages < 100; pages++) {
        json_t *doc, *im, *next;
        size_t i;

        pg.cursor = cursor[0] ? cursor : NULL;
        assert_int_equal(dd_fleet_affected(F, id, &pg, &doc), DD_OK);
        assert_true(json_array_size(json_object_get(doc, "images")) <= limit);
        json_array_foreach(json_object_get(doc, "images"), i, im)
        {
            char *s = json_dumps(im, JSON_COMPACT);
            assert_int_equal(dd_buf_printf(&out, "%s\n", s), DD_OK);
            free(s);
        }
        next = json_object_get(doc, "next");
        if (!json_is_string(next)) {
            json_decref(doc);
            break;
        }
        snprintf(cursor, sizeof(cursor), "%s", json_string_value(next));
        json_decref(doc);
    }
    return dd_buf_detach(&out, NULL);
}

/* Pages of one, two and three images walk the same images, with the same packages, as one
 * page of all: each identity's images are read only up to the page's end. */
static void affected_pages_walk(void **state)
{
    static const char *const ids[] = {"DSA-5103-1", "CVE-2022-0778", "cve-2022-0778", "DSA-5343-1",
                                      "NO-SUCH-ID"};

    (void)state;
    for (size_t k = 0; k < DD_ARRAY_SIZE(ids); k++) {
        char *all = affected_walk(ids[k], 1000);

        for (unsigned limit = 1; limit <= 3; limit++) {
            char *paged = affected_walk(ids[k], limit);
            assert_string_equal(paged, all);
            dd_free(paged);
        }
        dd_free(all);
    }
}

static bool ends_with_e(const char *s)
{
    size_t n = strlen(s);

    return n && s[n - 1] == 'e';
}

/* A digest pushed again with other packages: the images an advisory or a package names follow
 * the new packages, the old ones are gone from every answer. */
static void repush_replaces_what_an_image_holds(void **state)
{
    const char *digest = "sha256:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";
    const dd_package only_a = {.type = DD_PKG_NPM, .name = "repush-a", .version = "1.0.0"};
    const dd_package only_b = {.type = DD_PKG_NPM, .name = "repush-b", .version = "2.0.0"};
    const dd_package first[] = {hyper, only_a}, second[] = {py, only_b};
    dd_fleet_ingest_result r;
    json_t *doc;

    (void)state;
    /* each state is checked before and after the index folds the push in (PostgreSQL: queued,
     * then merged; SQLite: the same answers twice) */
    for (int round = 0; round < 3; round++) {
        bool is_first = round != 1;

        assert_int_equal(
            ingest_pkgs(is_first ? first : second, 2, digest, "registry.example/e", "1", NULL, &r),
            DD_OK);
        assert_int_equal(r.created, round == 0);
        for (int merged = 0; merged < 2; merged++) {
            if (merged)
                assert_int_equal(dd_fleet_maintain(F), DD_OK);
            assert_int_equal(ends_with_e(affected("RUSTSEC-2016-0002")), is_first);
            assert_int_equal(ends_with_e(affected("PYSEC-2022-42969")), !is_first);
            assert_string_equal(packages("pkg:npm/repush-a", NULL), is_first ? "e" : "");
            assert_string_equal(packages("pkg:npm/repush-b", NULL), is_first ? "" : "e");
        }
        assert_int_equal(dd_fleet_image(F, digest, &doc), DD_OK);
        assert_int_equal(json_array_size(json_object_get(doc, "packages")), 2);
        json_decref(doc);
    }
    /* pushed twice before a merge: the queue keeps what the index held first */
    assert_int_equal(ingest_pkgs(second, 2, digest, "registry.example/e", "1", NULL, &r), DD_OK);
    assert_int_equal(ingest_pkgs(first, 2, digest, "registry.example/e", "1", NULL, &r), DD_OK);
    assert_int_equal(ingest_pkgs(second, 2, digest, "registry.example/e", "1", NULL, &r), DD_OK);
    assert_int_equal(dd_fleet_maintain(F), DD_OK);
    assert_false(ends_with_e(affected("RUSTSEC-2016-0002")));
    assert_string_equal(packages("pkg:npm/repush-a", NULL), "");
    assert_string_equal(packages("pkg:npm/repush-b", NULL), "e");
}

/* Migration 5: a store of schema 4 (a row per id and finding in finding_ids) gets the same
 * answers from its id sets. The store is taken back to schema 4 by hand, its rows rebuilt from
 * the sets, and migrated again. */
static void id_rows_become_sets(void **state)
{
    static const char *const ids[] = {"DSA-5103-1",        "cve-2022-0778",    "CVE-2022-1292",
                                      "RUSTSEC-2016-0002", "PYSEC-2022-42969", "DSA-5343-1",
                                      "BENCH-0000"};
    enum { N = sizeof(ids) / sizeof(ids[0]) };
    json_t *before[N], *after;
    dd_fleet_conn *c;
    int64_t sets, findings, null_sets;

    (void)state;
    for (size_t i = 0; i < N; i++)
        assert_int_equal(dd_fleet_affected(F, ids[i], NULL, &before[i]), DD_OK);
    assert_int_equal(dd_fleet__acquire(F, &c), DD_OK);
    assert_int_equal(
        c->ops->exec_script(c->db, "CREATE TABLE finding_ids (vid TEXT NOT NULL, finding_id BIGINT "
                                   "NOT NULL, PRIMARY KEY (vid, finding_id));"
                                   "INSERT INTO finding_ids SELECT m.vid, f.id FROM findings f "
                                   "JOIN vid_set_members m ON m.set_id = f.vid_set;"
                                   "DROP INDEX findings_vid_set;"
                                   "ALTER TABLE findings DROP COLUMN vid_set;"
                                   "DROP TABLE vid_set_members; DROP TABLE vid_sets;"
                                   "DELETE FROM schema_migrations WHERE version >= 5"),
        DD_OK);
    assert_int_equal(dd_fleet__migrate(F, c), DD_OK);
    assert_int_equal(dd_fleet__int(c, "SELECT COUNT(*) FROM vid_sets", NULL, 0, &sets, NULL),
                     DD_OK);
    assert_int_equal(dd_fleet__int(c, "SELECT COUNT(*) FROM findings", NULL, 0, &findings, NULL),
                     DD_OK);
    assert_int_equal(dd_fleet__int(c, "SELECT COUNT(*) FROM findings WHERE vid_set IS NULL", NULL,
                                   0, &null_sets, NULL),
                     DD_OK);
    dd_fleet__release(F, c);
    /* the findings of one advisory on several identities share their set */
    assert_true(sets > 0 && sets < findings);
    assert_int_equal(null_sets, 0);
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(dd_fleet_affected(F, ids[i], NULL, &after), DD_OK);
        if (!json_equal(before[i], after)) {
            char *b = json_dumps(before[i], JSON_SORT_KEYS), *a = json_dumps(after, 0);
            print_error("%s before: %s\nafter: %s\n", ids[i], b, a);
            free(b);
            free(a);
            fail();
        }
        json_decref(before[i]);
        json_decref(after);
    }
}

#define FLEET_TESTS                                                                                \
    cmocka_unit_test(ingest_is_idempotent_by_digest),                                              \
        cmocka_unit_test(ingest_compressed_and_malformed),                                         \
        cmocka_unit_test(affected_names_exactly_the_images), cmocka_unit_test(pages_and_cursors),  \
        cmocka_unit_test(package_ranges), cmocka_unit_test(image_filters),                         \
        cmocka_unit_test(one_image), cmocka_unit_test(deployments_snapshot_and_upsert),            \
        cmocka_unit_test(rematch_finds_exactly_the_new_advisory),                                  \
        cmocka_unit_test(webhook_delivery_is_signed), cmocka_unit_test(keys_and_scopes),           \
        cmocka_unit_test(tokens_webhooks_summary), cmocka_unit_test(urls_and_reopen),              \
        cmocka_unit_test(concurrent_pushes), cmocka_unit_test(two_stores_rematch_at_once),         \
        cmocka_unit_test(ingest_before_vulndb_exists), cmocka_unit_test(large_push_batches),       \
        cmocka_unit_test(affected_pages_walk),                                                     \
        cmocka_unit_test(repush_replaces_what_an_image_holds),                                     \
        cmocka_unit_test(id_rows_become_sets)

int main(void)
{
    const struct CMUnitTest tests[] = {FLEET_TESTS};
    int failed = cmocka_run_group_tests_name("fleet/sqlite", tests, setup_sqlite, teardown);

    if (pg_url())
        failed += cmocka_run_group_tests_name("fleet/postgresql", tests, setup_pg, teardown);
    return failed;
}
