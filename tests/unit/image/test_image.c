/* Image sources: docker-archive, OCI layout and archive, rootfs; selection, digests, limits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <drydock/image.h>
#include "image/image_int.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <isa-l/igzip_lib.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

/* ---- scratch space ---- */

static char tmp_root[512];
static unsigned tmp_seq;

static void mkdir_p(const char *path)
{
    char buf[1024];

    snprintf(buf, sizeof(buf), "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(buf, 0755);
            *p = '/';
        }
    mkdir(buf, 0755);
}

/* A fresh path under the scratch directory. */
static const char *scratch(const char *name)
{
    static char bufs[8][1024];
    char *b = bufs[tmp_seq % 8];

    snprintf(b, 1024, "%s/%u-%s", tmp_root, tmp_seq++, name);
    return b;
}

static void write_file(const char *path, const void *data, size_t len)
{
    char dir[1024];
    char *slash;
    int fd;

    snprintf(dir, sizeof(dir), "%s", path);
    if ((slash = strrchr(dir, '/'))) {
        *slash = '\0';
        mkdir_p(dir);
    }
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
}

/* ---- tar, gzip, zstd ---- */

static void octal(char *dst, size_t n, uint64_t v)
{
    snprintf(dst, n, "%0*llo", (int)n - 1, (unsigned long long)v);
}

static void tar_header(dd_buf *t, const char *name, uint64_t size, char type, const char *link)
{
    char h[512];
    unsigned sum = 0;

    if (strlen(name) >= 100) {
        size_t n = strlen(name) + 1;
        char pad[512] = {0};

        tar_header(t, "././@LongLink", n, 'L', NULL);
        dd_buf_put(t, name, n);
        dd_buf_put(t, pad, (512 - n % 512) % 512);
    }
    memset(h, 0, sizeof(h));
    snprintf(h, 100, "%.99s", name);
    octal(h + 100, 8, 0644);
    octal(h + 108, 8, 0);
    octal(h + 116, 8, 0);
    octal(h + 124, 12, size);
    octal(h + 136, 12, 0);
    h[156] = type;
    if (link)
        snprintf(h + 157, 100, "%.99s", link);
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    for (int i = 0; i < 512; i++)
        sum += (unsigned char)h[i];
    snprintf(h + 148, 8, "%06o", sum);
    dd_buf_put(t, h, 512);
}

static void tar_add(dd_buf *t, const char *name, const void *data, size_t n)
{
    char pad[512] = {0};

    tar_header(t, name, n, '0', NULL);
    dd_buf_put(t, data, n);
    dd_buf_put(t, pad, (512 - n % 512) % 512);
}

static void tar_end(dd_buf *t)
{
    char z[1024] = {0};
    dd_buf_put(t, z, sizeof(z));
}

static void gzip_buf(dd_buf *out, const void *data, size_t len)
{
    struct isal_zstream s;

    isal_deflate_init(&s);
    s.gzip_flag = IGZIP_GZIP;
    s.end_of_stream = 1;
    s.next_in = (uint8_t *)data;
    s.avail_in = (uint32_t)len;
    dd_buf_clear(out);
    do {
        assert_int_equal(dd_buf_grow(out, 1 << 16), DD_OK);
        s.next_out = (uint8_t *)out->data + out->len;
        s.avail_out = 1 << 16;
        assert_int_equal(isal_deflate(&s), COMP_OK);
        out->len = (size_t)((char *)s.next_out - out->data);
    } while (s.internal_state.state != ZSTATE_END);
}

static void zstd_buf(dd_buf *out, const void *data, size_t len)
{
    size_t bound = ZSTD_compressBound(len), n;

    dd_buf_clear(out);
    assert_int_equal(dd_buf_grow(out, bound), DD_OK);
    n = ZSTD_compress(out->data, bound, data, len, 3);
    assert_false(ZSTD_isError(n));
    out->len = n;
}

/* A small layer tarball with one file named `name`. */
static void layer_tar(dd_buf *out, const char *name, const char *content)
{
    dd_buf_clear(out);
    tar_add(out, name, content, strlen(content));
    tar_end(out);
}

/* ---- in-memory image layouts ---- */

typedef struct {
    char *name;
    dd_buf data;
    char *link; /* a symlink instead of a file */
} tfile;

typedef struct {
    tfile f[32];
    size_t n;
} layout;

static void lay_add(layout *l, const char *name, const void *data, size_t len)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->f[i].name, name) == 0) {
            dd_buf_clear(&l->f[i].data);
            dd_buf_put(&l->f[i].data, data, len);
            return;
        }
    assert_true(l->n < 32);
    l->f[l->n].name = strdup(name);
    l->f[l->n].data = (dd_buf)DD_BUF_INIT;
    l->f[l->n].link = NULL;
    dd_buf_put(&l->f[l->n].data, data, len);
    l->n++;
}

static void lay_adds(layout *l, const char *name, const char *s)
{
    lay_add(l, name, s, strlen(s));
}

static void lay_symlink(layout *l, const char *name, const char *target)
{
    lay_add(l, name, "", 0);
    l->f[l->n - 1].link = strdup(target);
}

/* Adds a blob under blobs/sha256/ and returns its digest. */
static void lay_blob(layout *l, const void *data, size_t len, char digest[72])
{
    char name[128];

    dd_sha256_digest(digest, data, len);
    snprintf(name, sizeof(name), "blobs/sha256/%s", digest + 7);
    lay_add(l, name, data, len);
}

static void lay_free(layout *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->f[i].name);
        free(l->f[i].link);
        dd_buf_dispose(&l->f[i].data);
    }
    l->n = 0;
}

static const char *lay_write_dir(layout *l, const char *tag)
{
    const char *dir = scratch(tag);
    char p[1024];

    mkdir_p(dir);
    for (size_t i = 0; i < l->n; i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, l->f[i].name);
        write_file(p, l->f[i].data.data, l->f[i].data.len);
    }
    return dir;
}

static const char *lay_write_tar(layout *l, const char *tag)
{
    const char *path = scratch(tag);
    dd_buf t = DD_BUF_INIT;

    for (size_t i = 0; i < l->n; i++) {
        if (l->f[i].link)
            tar_header(&t, l->f[i].name, 0, '2', l->f[i].link);
        else
            tar_add(&t, l->f[i].name, l->f[i].data.data, l->f[i].data.len);
    }
    tar_end(&t);
    write_file(path, t.data, t.len);
    dd_buf_dispose(&t);
    return path;
}

/* ---- documents ---- */

static void config_json(dd_buf *out, const char *arch, const char *variant,
                        char diff_ids[][72], size_t n)
{
    dd_buf_clear(out);
    dd_buf_printf(out, "{\"architecture\":\"%s\",\"os\":\"linux\",%s%s%s"
                  "\"created\":\"2024-01-02T03:04:05Z\","
                  "\"config\":{\"User\":\"app\",\"Env\":[\"PATH=/bin\",\"A=1\"],"
                  "\"Entrypoint\":[\"/bin/sh\",\"-c\"],\"Cmd\":null,"
                  "\"ExposedPorts\":{\"80/tcp\":{},\"53/udp\":{}},\"Volumes\":{\"/data\":{}},"
                  "\"Labels\":{\"k\":\"v\"},\"WorkingDir\":\"/srv\",\"StopSignal\":\"SIGTERM\","
                  "\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"true\"],\"Interval\":30000000000,"
                  "\"Retries\":3}},"
                  "\"history\":[{\"created_by\":\"ADD a\"},{\"created_by\":\"ENV\","
                  "\"empty_layer\":true}",
                  arch, variant ? "\"variant\":\"" : "", variant ? variant : "",
                  variant ? "\"," : "");
    for (size_t i = 1; i < n; i++)
        dd_buf_printf(out, ",{\"created_by\":\"RUN %zu\"}", i);
    dd_buf_puts(out, "],\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[");
    for (size_t i = 0; i < n; i++)
        dd_buf_printf(out, "%s\"%s\"", i ? "," : "", diff_ids[i]);
    dd_buf_puts(out, "]}}");
}

#define MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_INDEX    "application/vnd.oci.image.index.v1+json"
#define MT_CONFIG   "application/vnd.oci.image.config.v1+json"

static void manifest_json(dd_buf *out, const char *cfg_digest, size_t cfg_size,
                          char digests[][72], const size_t *sizes, const char *const *types,
                          size_t n)
{
    dd_buf_clear(out);
    dd_buf_printf(out, "{\"schemaVersion\":2,\"mediaType\":\"" MT_MANIFEST "\","
                  "\"config\":{\"mediaType\":\"" MT_CONFIG "\",\"digest\":\"%s\",\"size\":%zu},"
                  "\"layers\":[", cfg_digest, cfg_size);
    for (size_t i = 0; i < n; i++)
        dd_buf_printf(out, "%s{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu}",
                      i ? "," : "", types[i], digests[i], sizes[i]);
    dd_buf_puts(out, "]}");
}

/* One OCI image made of layers each holding one file; returns the manifest digest and size. */
typedef struct {
    const char *arch, *variant;
    size_t n_layers;
    dd_compression comp[4];
    bool wrong_diff_id;
} image_spec;

static void add_oci_image(layout *l, const image_spec *s, char mdigest[72], size_t *msize)
{
    char diff_ids[4][72], digests[4][72], cdigest[72];
    size_t sizes[4];
    const char *types[4];
    dd_buf tar = DD_BUF_INIT, blob = DD_BUF_INIT, doc = DD_BUF_INIT;
    char name[64], content[128];

    for (size_t i = 0; i < s->n_layers; i++) {
        snprintf(name, sizeof(name), "etc/file%zu", i);
        snprintf(content, sizeof(content), "layer %zu of %s\n", i, s->arch);
        layer_tar(&tar, name, content);
        dd_sha256_digest(diff_ids[i], tar.data, tar.len);
        if (s->comp[i] == DD_COMPRESSION_GZIP) {
            gzip_buf(&blob, tar.data, tar.len);
            types[i] = "application/vnd.oci.image.layer.v1.tar+gzip";
        } else if (s->comp[i] == DD_COMPRESSION_ZSTD) {
            zstd_buf(&blob, tar.data, tar.len);
            types[i] = "application/vnd.oci.image.layer.v1.tar+zstd";
        } else {
            dd_buf_clear(&blob);
            dd_buf_put(&blob, tar.data, tar.len);
            types[i] = "application/vnd.oci.image.layer.v1.tar";
        }
        lay_blob(l, blob.data, blob.len, digests[i]);
        sizes[i] = blob.len;
    }
    if (s->wrong_diff_id)
        dd_sha256_digest(diff_ids[0], "nope", 4);
    config_json(&doc, s->arch, s->variant, diff_ids, s->n_layers);
    lay_blob(l, doc.data, doc.len, cdigest);
    manifest_json(&doc, cdigest, doc.len, digests, sizes, types, s->n_layers);
    lay_blob(l, doc.data, doc.len, mdigest);
    *msize = doc.len;
    dd_buf_dispose(&tar);
    dd_buf_dispose(&blob);
    dd_buf_dispose(&doc);
}

static void oci_layout_files(layout *l, const char *index)
{
    lay_adds(l, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
    lay_adds(l, "index.json", index);
}

static void simple_oci(layout *l, const image_spec *s, const char *ref_name, char md[72])
{
    dd_buf idx = DD_BUF_INIT;
    size_t msize;

    add_oci_image(l, s, md, &msize);
    dd_buf_printf(&idx, "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" MT_MANIFEST
                  "\",\"digest\":\"%s\",\"size\":%zu%s%s%s}]}", md, msize,
                  ref_name ? ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" : "",
                  ref_name ? ref_name : "", ref_name ? "\"}" : "");
    oci_layout_files(l, idx.data);
    dd_buf_dispose(&idx);
}

/* Reads a whole layer; returns the reader's final code and the bytes in `out`. */
static int read_layer(dd_image *img, size_t i, dd_buf *out)
{
    dd_layer_reader *r;
    const void *buf;
    size_t len;
    int rc = dd_layer_reader_open(&r, img, i);

    if (rc != DD_OK)
        return rc;
    dd_buf_clear(out);
    for (;;) {
        if ((rc = dd_layer_reader_read(r, &buf, &len)) != DD_OK || len == 0)
            break;
        dd_buf_put(out, buf, len);
    }
    dd_layer_reader_free(r);
    if (rc != DD_OK && getenv("DD_TEST_VERBOSE"))
        print_message("read_layer %zu: %s\n", i, dd_error_message());
    return rc;
}

static int open_ref(dd_image **img, const char *ref, const char *tag, const char *platform)
{
    dd_image_open_opts o = DD_IMAGE_OPEN_OPTS_INIT;

    o.tag = tag;
    o.platform = platform;
    return dd_image_open(img, ref, &o);
}

#define assert_msg_contains(s)                                                                     \
    do {                                                                                           \
        if (!strstr(dd_error_message(), (s)))                                                      \
            fail_msg("message \"%s\" lacks \"%s\"", dd_error_message(), (s));                     \
    } while (0)

/* ---- tests ---- */

static void test_docker_legacy(void **state)
{
    layout l = {0};
    dd_buf tar = DD_BUF_INIT, gz = DD_BUF_INIT, doc = DD_BUF_INIT, got = DD_BUF_INIT;
    char diff[2][72], cdig[72], cname[96], mf[512];
    dd_image *img = NULL;
    const dd_image_config *cfg;
    const dd_image_identity *id;
    const char *path;

    (void)state;
    layer_tar(&tar, "bin/sh", "#!shell\n");
    dd_sha256_digest(diff[0], tar.data, tar.len);
    lay_add(&l, "1111/layer.tar", tar.data, tar.len);
    layer_tar(&tar, "etc/os-release", "ID=test\n");
    dd_sha256_digest(diff[1], tar.data, tar.len);
    gzip_buf(&gz, tar.data, tar.len);
    lay_add(&l, "3333/layer.tar", gz.data, gz.len);
    lay_symlink(&l, "2222/layer.tar", "../3333/layer.tar"); /* as legacy `docker save` does */
    config_json(&doc, "amd64", NULL, diff, 2);
    dd_sha256_digest(cdig, doc.data, doc.len);
    snprintf(cname, sizeof(cname), "%s.json", cdig + 7);
    lay_add(&l, cname, doc.data, doc.len);
    snprintf(mf, sizeof(mf), "[{\"Config\":\"%s\",\"RepoTags\":[\"app:1.0\"],"
             "\"Layers\":[\"1111/layer.tar\",\"2222/layer.tar\"]}]", cname);
    lay_adds(&l, "manifest.json", mf);
    lay_adds(&l, "repositories", "{}");
    path = lay_write_tar(&l, "legacy.tar");

    assert_int_equal(dd_image_open(&img, path, NULL), DD_OK);
    id = dd_image_identity_get(img);
    assert_int_equal(id->kind, DD_SOURCE_DOCKER_ARCHIVE);
    assert_null(id->manifest_digest);
    assert_string_equal(id->config_digest, cdig);
    assert_int_equal(id->n_tags, 1);
    assert_string_equal(id->tags[0], "app:1.0");
    assert_string_equal(id->platform, "linux/amd64");
    cfg = dd_image_config_get(img);
    assert_string_equal(cfg->user, "app");
    assert_int_equal(cfg->n_env, 2);
    assert_string_equal(cfg->env[1], "A=1");
    assert_true(cfg->entrypoint_set);
    assert_false(cfg->cmd_set);
    assert_int_equal(cfg->n_exposed_ports, 2);
    assert_string_equal(cfg->volumes[0], "/data");
    assert_string_equal(cfg->labels[0].value, "v");
    assert_non_null(cfg->healthcheck);
    assert_int_equal(cfg->healthcheck->retries, 3);
    assert_int_equal(cfg->healthcheck->interval_ns, 30000000000LL);
    assert_int_equal(cfg->n_history, 3);
    assert_int_equal(cfg->history[0].layer, 0);
    assert_int_equal(cfg->history[1].layer, -1);
    assert_int_equal(cfg->history[2].layer, 1);
    assert_int_equal(dd_image_layer_count(img), 2);
    assert_int_equal(dd_image_layer(img, 0)->compression, DD_COMPRESSION_NONE);
    assert_int_equal(dd_image_layer(img, 1)->compression, DD_COMPRESSION_GZIP);
    assert_string_equal(dd_image_layer(img, 0)->digest, diff[0]);
    assert_string_equal(dd_image_layer(img, 1)->diff_id, diff[1]);
    assert_null(dd_image_layer(img, 2));
    assert_null(dd_image_rootfs_dir(img));
    assert_int_equal(read_layer(img, 0, &got), DD_OK);
    assert_memory_equal(got.data, "bin/sh", 6);
    assert_int_equal(read_layer(img, 1, &got), DD_OK);
    assert_memory_equal(got.data, "etc/os-release", 14);
    assert_memory_equal(got.data + 512, "ID=test\n", 8);
    dd_image_free(img);

    /* forced prefix and tag suffix */
    snprintf(mf, sizeof(mf), "docker-archive:%s:app:1.0", path);
    assert_int_equal(dd_image_open(&img, mf, NULL), DD_OK);
    dd_image_free(img);
    snprintf(mf, sizeof(mf), "oci-archive:%s", path);
    assert_int_equal(dd_image_open(&img, mf, NULL), DD_EINVALID);

    lay_free(&l);
    dd_buf_dispose(&tar);
    dd_buf_dispose(&gz);
    dd_buf_dispose(&doc);
    dd_buf_dispose(&got);
}

static void test_oci_dir_and_archive(void **state)
{
    layout l = {0};
    image_spec s = {"arm64", "v8", 3, {DD_COMPRESSION_GZIP, DD_COMPRESSION_ZSTD,
                                       DD_COMPRESSION_NONE}, false};
    char md[72], ref[1200];
    dd_buf got = DD_BUF_INIT;
    dd_image *img = NULL;
    const char *dir, *tarpath;

    (void)state;
    simple_oci(&l, &s, "1.0", md);
    dir = lay_write_dir(&l, "ocidir");
    tarpath = lay_write_tar(&l, "oci.tar");

    for (int pass = 0; pass < 3; pass++) {
        const dd_image_identity *id;

        if (pass == 0)
            snprintf(ref, sizeof(ref), "%s", dir);
        else if (pass == 1)
            snprintf(ref, sizeof(ref), "oci-dir:%s:1.0", dir);
        else
            snprintf(ref, sizeof(ref), "%s", tarpath);
        assert_int_equal(dd_image_open(&img, ref, NULL), DD_OK);
        id = dd_image_identity_get(img);
        assert_int_equal(id->kind, pass < 2 ? DD_SOURCE_OCI_DIR : DD_SOURCE_OCI_ARCHIVE);
        assert_string_equal(id->manifest_digest, md);
        assert_string_equal(id->platform, "linux/arm64/v8");
        assert_int_equal(id->n_tags, 1);
        assert_string_equal(id->tags[0], "1.0");
        assert_int_equal(dd_image_layer_count(img), 3);
        assert_int_equal(dd_image_layer(img, 0)->compression, DD_COMPRESSION_GZIP);
        assert_int_equal(dd_image_layer(img, 1)->compression, DD_COMPRESSION_ZSTD);
        assert_int_equal(dd_image_layer(img, 2)->compression, DD_COMPRESSION_NONE);
        assert_string_equal(dd_image_layer(img, 1)->media_type,
                            "application/vnd.oci.image.layer.v1.tar+zstd");
        for (size_t i = 0; i < 3; i++) {
            char name[32];

            assert_int_equal(read_layer(img, i, &got), DD_OK);
            snprintf(name, sizeof(name), "etc/file%zu", i);
            assert_string_equal(got.data, name);
            assert_int_equal(got.len, 2048);
        }
        dd_image_free(img);
    }
    /* an unknown tag lists the choices */
    snprintf(ref, sizeof(ref), "%s", dir);
    assert_int_equal(open_ref(&img, ref, "2.0", NULL), DD_ENOTFOUND);
    assert_msg_contains("1.0 linux/arm64/v8");
    /* the platform is checked even for one image; v8 is implied for arm64 */
    assert_int_equal(open_ref(&img, ref, NULL, "linux/amd64"), DD_ENOTFOUND);
    assert_int_equal(open_ref(&img, ref, NULL, "linux/arm64"), DD_OK);
    dd_image_free(img);
    lay_free(&l);
    dd_buf_dispose(&got);
}

/* Docker >= 25 writes manifest.json and an OCI layout side by side. */
static void test_docker_25(void **state)
{
    layout l = {0};
    image_spec s = {"amd64", NULL, 2, {DD_COMPRESSION_NONE, DD_COMPRESSION_NONE}, false};
    char md[72], mf[1024];
    dd_image *img = NULL;
    dd_buf got = DD_BUF_INIT;
    const char *path, *cfgname = NULL, *lnames[2] = {NULL, NULL};
    size_t nl = 0;

    (void)state;
    simple_oci(&l, &s, "app:1.0", md);
    /* find the blobs back: config is the one whose content starts with {"architecture" */
    for (size_t i = 0; i < l.n; i++) {
        if (strncmp(l.f[i].name, "blobs/", 6) != 0)
            continue;
        if (strncmp(l.f[i].data.data, "{\"architecture\"", 15) == 0)
            cfgname = l.f[i].name;
        else if (strncmp(l.f[i].data.data, "etc/file", 8) == 0)
            lnames[strncmp(l.f[i].data.data, "etc/file0", 9) == 0 ? 0 : 1] = l.f[i].name;
    }
    (void)nl;
    assert_non_null(cfgname);
    snprintf(mf, sizeof(mf), "[{\"Config\":\"%s\",\"RepoTags\":[\"app:1.0\"],"
             "\"Layers\":[\"%s\",\"%s\"]}]", cfgname, lnames[0], lnames[1]);
    lay_adds(&l, "manifest.json", mf);
    path = lay_write_tar(&l, "docker25.tar");
    assert_int_equal(dd_image_open(&img, path, NULL), DD_OK);
    assert_int_equal(dd_image_identity_get(img)->kind, DD_SOURCE_DOCKER_ARCHIVE);
    assert_non_null(dd_image_identity_get(img)->manifest_digest);
    assert_string_equal(dd_image_identity_get(img)->manifest_digest, md);
    assert_string_equal(dd_image_layer(img, 0)->media_type,
                        "application/vnd.oci.image.layer.v1.tar");
    assert_int_equal(read_layer(img, 1, &got), DD_OK);
    dd_image_free(img);
    lay_free(&l);
    dd_buf_dispose(&got);
}

static void test_docker_multi_tag(void **state)
{
    layout l = {0};
    dd_buf tar = DD_BUF_INIT, doc = DD_BUF_INIT, mf = DD_BUF_INIT;
    char diff[1][72], cdig[72], ref[1200];
    char cname[2][96];
    dd_image *img = NULL;
    const char *path;

    (void)state;
    for (int i = 0; i < 2; i++) {
        char lname[96];

        layer_tar(&tar, i ? "two" : "one", i ? "2" : "1");
        dd_sha256_digest(diff[0], tar.data, tar.len);
        snprintf(lname, sizeof(lname), "%s.tar", diff[0] + 7); /* podman names layers so */
        lay_add(&l, lname, tar.data, tar.len);
        config_json(&doc, i ? "arm64" : "amd64", NULL, diff, 1);
        dd_sha256_digest(cdig, doc.data, doc.len);
        snprintf(cname[i], sizeof(cname[i]), "%s.json", cdig + 7);
        lay_add(&l, cname[i], doc.data, doc.len);
        dd_buf_printf(&mf, "%s{\"Config\":\"%s\",\"RepoTags\":[\"%s\"],\"Layers\":[\"%s\"]}",
                      i ? "," : "[", cname[i], i ? "localhost/other:2.0" : "app:1.0", lname);
    }
    dd_buf_puts(&mf, "]");
    lay_adds(&l, "manifest.json", mf.data);
    path = lay_write_tar(&l, "multi.tar");

    assert_int_equal(dd_image_open(&img, path, NULL), DD_ENOTFOUND);
    assert_msg_contains("app:1.0");
    assert_msg_contains("localhost/other:2.0");
    assert_int_equal(open_ref(&img, path, "other:2.0", NULL), DD_OK);
    assert_string_equal(dd_image_identity_get(img)->platform, "linux/arm64");
    dd_image_free(img);
    snprintf(ref, sizeof(ref), "%s:app:1.0", path);
    assert_int_equal(dd_image_open(&img, ref, NULL), DD_OK);
    assert_string_equal(dd_image_identity_get(img)->tags[0], "app:1.0");
    dd_image_free(img);
    /* opts->tag wins over the suffix; a bare tag selects too */
    assert_int_equal(open_ref(&img, ref, "2.0", NULL), DD_OK);
    assert_string_equal(dd_image_identity_get(img)->tags[0], "localhost/other:2.0");
    dd_image_free(img);
    assert_int_equal(open_ref(&img, path, "nope:3", NULL), DD_ENOTFOUND);
    assert_msg_contains("nope:3");
    lay_free(&l);
    dd_buf_dispose(&tar);
    dd_buf_dispose(&doc);
    dd_buf_dispose(&mf);
}

static void test_oci_platform_selection(void **state)
{
    layout l = {0};
    image_spec amd = {"amd64", NULL, 1, {DD_COMPRESSION_GZIP}, false};
    image_spec arm = {"arm64", "v8", 1, {DD_COMPRESSION_ZSTD}, false};
    char m1[72], m2[72], att[72], nested[72];
    size_t s1, s2;
    dd_buf idx = DD_BUF_INIT;
    dd_image *img = NULL;
    const char *dir;

    (void)state;
    add_oci_image(&l, &amd, m1, &s1);
    add_oci_image(&l, &arm, m2, &s2);
    /* an attestation manifest, which must never be a choice */
    lay_blob(&l, "{}", 2, att);
    dd_buf_printf(&idx, "{\"schemaVersion\":2,\"mediaType\":\"" MT_INDEX "\",\"manifests\":["
                  "{\"mediaType\":\"" MT_MANIFEST "\",\"digest\":\"%s\",\"size\":%zu,"
                  "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
                  "{\"mediaType\":\"" MT_MANIFEST "\",\"digest\":\"%s\",\"size\":%zu},"
                  "{\"mediaType\":\"" MT_MANIFEST "\",\"digest\":\"%s\",\"size\":2,"
                  "\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"},"
                  "\"annotations\":{\"vnd.docker.reference.type\":\"attestation-manifest\"}}]}",
                  m1, s1, m2, s2, att);
    lay_blob(&l, idx.data, idx.len, nested);
    dd_buf_clear(&idx);
    dd_buf_printf(&idx, "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" MT_INDEX "\","
                  "\"digest\":\"%s\",\"size\":%zu,\"annotations\":"
                  "{\"org.opencontainers.image.ref.name\":\"multi:1\"}}]}",
                  nested, l.f[l.n - 1].data.len);
    oci_layout_files(&l, idx.data);
    dir = lay_write_dir(&l, "multi-oci");

    assert_int_equal(dd_image_open(&img, dir, NULL), DD_ENOTFOUND);
    assert_msg_contains("multi:1 linux/amd64");
    assert_msg_contains("multi:1 linux/arm64/v8"); /* from the config: no descriptor platform */
    assert_null(strstr(dd_error_message(), "unknown"));
    assert_int_equal(open_ref(&img, dir, NULL, "linux/arm64"), DD_OK);
    assert_string_equal(dd_image_identity_get(img)->manifest_digest, m2);
    assert_string_equal(dd_image_identity_get(img)->tags[0], "multi:1");
    dd_image_free(img);
    assert_int_equal(open_ref(&img, dir, "multi:1", "linux/amd64"), DD_OK);
    assert_string_equal(dd_image_identity_get(img)->manifest_digest, m1);
    dd_image_free(img);
    assert_int_equal(open_ref(&img, dir, NULL, "linux/s390x"), DD_ENOTFOUND);
    assert_msg_contains("linux/s390x");
    lay_free(&l);
    dd_buf_dispose(&idx);
}

/* Replaces the content of the layout file holding blob `digest`. */
static void corrupt_blob(layout *l, const char *digest, const void *data, size_t len)
{
    char name[128];

    snprintf(name, sizeof(name), "blobs/sha256/%s", digest + 7);
    lay_add(l, name, data, len);
}

static const char *blob_with_prefix(layout *l, const char *prefix)
{
    for (size_t i = 0; i < l->n; i++)
        if (strncmp(l->f[i].name, "blobs/", 6) == 0 &&
            strncmp(l->f[i].data.data, prefix, strlen(prefix)) == 0)
            return l->f[i].name;
    return NULL;
}

static void test_digest_mismatches(void **state)
{
    image_spec s = {"amd64", NULL, 1, {DD_COMPRESSION_GZIP}, false};
    dd_buf got = DD_BUF_INIT, other = DD_BUF_INIT, tar = DD_BUF_INIT;
    dd_image *img = NULL;
    char md[72];
    const char *dir, *name;
    (void)state;

    /* config content does not match its digest */
    {
        layout l = {0};

        simple_oci(&l, &s, NULL, md);
        name = blob_with_prefix(&l, "{\"architecture\"");
        assert_non_null(name);
        for (size_t i = 0; i < l.n; i++)
            if (l.f[i].name == name)
                l.f[i].data.data[2] = 'A'; /* same size, other bytes */
        dir = lay_write_dir(&l, "badcfg");
        assert_int_equal(dd_image_open(&img, dir, NULL), DD_EINVALID);
        assert_msg_contains("config");
        assert_msg_contains("digest mismatch");
        assert_true(strncmp(dd_error_message(), dir, strlen(dir)) == 0);
        lay_free(&l);
    }
    /* layer blob does not match its digest: found at the end of the stream */
    {
        layout l = {0};

        simple_oci(&l, &s, NULL, md);
        name = blob_with_prefix(&l, "\x1f\x8b");
        for (size_t i = 0; i < l.n; i++)
            if (l.f[i].name == name)
                l.f[i].data.data[4] = 1; /* gzip header mtime: same content, other blob */
        dir = lay_write_dir(&l, "badlayer");
        assert_int_equal(dd_image_open(&img, dir, NULL), DD_OK);
        assert_int_equal(read_layer(img, 0, &got), DD_EINVALID);
        assert_msg_contains("layer 0 (sha256:");
        assert_msg_contains("digest mismatch");
        dd_image_free(img);
        lay_free(&l);
    }
    /* diff_id does not match the uncompressed content */
    {
        layout l = {0};
        image_spec w = s;

        w.wrong_diff_id = true;
        simple_oci(&l, &w, NULL, md);
        dir = lay_write_dir(&l, "baddiff");
        assert_int_equal(dd_image_open(&img, dir, NULL), DD_OK);
        assert_int_equal(read_layer(img, 0, &got), DD_EINVALID);
        assert_msg_contains("diff_id mismatch: config says sha256:");
        dd_image_free(img);
        lay_free(&l);
    }
    /* manifest digest mismatch */
    {
        layout l = {0};

        simple_oci(&l, &s, NULL, md);
        corrupt_blob(&l, md, "{\"schemaVersion\":2}", 19);
        dir = lay_write_dir(&l, "badmanifest");
        assert_int_equal(dd_image_open(&img, dir, NULL), DD_EINVALID);
        lay_free(&l);
    }
    dd_buf_dispose(&got);
    dd_buf_dispose(&other);
    dd_buf_dispose(&tar);
}

static void test_missing_blob(void **state)
{
    layout l = {0};
    image_spec s = {"amd64", NULL, 2, {DD_COMPRESSION_GZIP, DD_COMPRESSION_NONE}, false};
    dd_image *img = NULL;
    char md[72];
    const char *name, *path;
    (void)state;

    simple_oci(&l, &s, NULL, md);
    name = blob_with_prefix(&l, "\x1f\x8b");
    for (size_t i = 0; i < l.n; i++)
        if (l.f[i].name == name) {
            free(l.f[i].name);
            l.f[i].name = strdup("blobs/sha256/gone");
        }
    path = lay_write_tar(&l, "missing.tar");
    assert_int_equal(dd_image_open(&img, path, NULL), DD_ENOTFOUND);
    assert_msg_contains("blobs/sha256/");
    assert_true(strncmp(dd_error_message(), path, strlen(path)) == 0);
    path = lay_write_dir(&l, "missing");
    assert_int_equal(dd_image_open(&img, path, NULL), DD_ENOTFOUND);
    assert_msg_contains("blobs/sha256/");
    lay_free(&l);
}

static void test_self_referencing_index(void **state)
{
    layout l = {0};
    dd_buf idx = DD_BUF_INIT;
    dd_image *img = NULL;
    const char *dir;
    const char *fake = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    (void)state;

    dd_buf_printf(&idx, "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" MT_INDEX "\","
                  "\"digest\":\"%s\",\"size\":10}]}", fake);
    lay_add(&l, "blobs/sha256/1111111111111111111111111111111111111111111111111111111111111111",
            idx.data, idx.len);
    oci_layout_files(&l, idx.data);
    dir = lay_write_dir(&l, "selfref");
    assert_int_equal(dd_image_open(&img, dir, NULL), DD_EINVALID);
    lay_free(&l);
    dd_buf_dispose(&idx);
}

static void test_nesting_limit(void **state)
{
    layout l = {0};
    dd_buf idx = DD_BUF_INIT;
    dd_image_open_opts o = DD_IMAGE_OPEN_OPTS_INIT;
    dd_image *img = NULL;
    char d[72] = "";
    size_t sz = 0;
    const char *dir;
    (void)state;

    /* a chain of 12 indexes, each naming the next */
    for (int i = 0; i < 12; i++) {
        dd_buf_clear(&idx);
        if (i == 0)
            dd_buf_puts(&idx, "{\"schemaVersion\":2,\"manifests\":[]}");
        else
            dd_buf_printf(&idx, "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" MT_INDEX
                          "\",\"digest\":\"%s\",\"size\":%zu}]}", d, sz);
        sz = idx.len;
        lay_blob(&l, idx.data, idx.len, d);
    }
    oci_layout_files(&l, l.f[l.n - 1].data.data);
    dir = lay_write_dir(&l, "deep");
    o.limits.max_manifest_depth = 4;
    assert_int_equal(dd_image_open(&img, dir, &o), DD_ELIMIT);
    o.limits.max_manifest_depth = 20;
    assert_int_equal(dd_image_open(&img, dir, &o), DD_ENOTFOUND); /* no manifests at all */
    lay_free(&l);
    dd_buf_dispose(&idx);
}

static void gzip_oci_from_tar(layout *l, const dd_buf *tar, const dd_buf *blob, char md[72])
{
    char diff[1][72], digests[1][72], cdig[72];
    size_t sizes[1] = {blob->len};
    const char *types[1] = {"application/vnd.oci.image.layer.v1.tar+gzip"};
    dd_buf doc = DD_BUF_INIT, idx = DD_BUF_INIT;

    dd_sha256_digest(diff[0], tar->data, tar->len);
    lay_blob(l, blob->data, blob->len, digests[0]);
    config_json(&doc, "amd64", NULL, diff, 1);
    lay_blob(l, doc.data, doc.len, cdig);
    manifest_json(&doc, cdig, doc.len, digests, sizes, types, 1);
    lay_blob(l, doc.data, doc.len, md);
    dd_buf_printf(&idx, "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" MT_MANIFEST
                  "\",\"digest\":\"%s\",\"size\":%zu}]}", md, doc.len);
    oci_layout_files(l, idx.data);
    dd_buf_dispose(&doc);
    dd_buf_dispose(&idx);
}

static void test_gzip_bomb(void **state)
{
    layout l = {0};
    dd_buf tar = DD_BUF_INIT, gz = DD_BUF_INIT, got = DD_BUF_INIT;
    dd_image_open_opts o = DD_IMAGE_OPEN_OPTS_INIT;
    dd_image *img = NULL;
    dd_layer_reader *r;
    char md[72];
    const char *dir;
    size_t n = 64u << 20;
    (void)state;

    assert_int_equal(dd_buf_grow(&tar, n), DD_OK);
    memset(tar.data, 0, n);
    tar.len = n;
    gzip_buf(&gz, tar.data, tar.len);
    gzip_oci_from_tar(&l, &tar, &gz, md);
    dir = lay_write_dir(&l, "bomb");
    o.limits.ratio_grace = 1u << 20;
    o.limits.max_ratio = 100;
    assert_int_equal(dd_image_open(&img, dir, &o), DD_OK);
    assert_int_equal(dd_layer_reader_open(&r, img, 0), DD_OK);
    assert_int_equal(dd_layer_reader_drain(r), DD_ELIMIT);
    assert_msg_contains("decompression bomb?");
    assert_true(dd_layer_reader_uncompressed_bytes(r) < (8u << 20));
    /* the error is sticky */
    assert_int_equal(dd_layer_reader_drain(r), DD_ELIMIT);
    dd_layer_reader_free(r);
    dd_image_free(img);
    /* the layer size limit */
    o = (dd_image_open_opts)DD_IMAGE_OPEN_OPTS_INIT;
    o.limits.max_layer_bytes = 1u << 20;
    assert_int_equal(dd_image_open(&img, dir, &o), DD_OK);
    assert_int_equal(read_layer(img, 0, &got), DD_ELIMIT);
    dd_image_free(img);
    /* with default limits the 64 MiB layer reads fine and its diff_id checks */
    assert_int_equal(dd_image_open(&img, dir, NULL), DD_OK);
    assert_int_equal(dd_layer_reader_open(&r, img, 0), DD_OK);
    assert_int_equal(dd_layer_reader_drain(r), DD_OK);
    assert_int_equal(dd_layer_reader_uncompressed_bytes(r), n);
    assert_int_equal(dd_layer_reader_compressed_bytes(r), gz.len);
    dd_layer_reader_free(r);
    dd_image_free(img);
    lay_free(&l);
    dd_buf_dispose(&tar);
    dd_buf_dispose(&gz);
    dd_buf_dispose(&got);
}

static void test_truncated_and_concatenated_gzip(void **state)
{
    layout l = {0};
    dd_buf tar = DD_BUF_INIT, gz = DD_BUF_INIT, gz2 = DD_BUF_INIT, got = DD_BUF_INIT;
    dd_image *img = NULL;
    char md[72];
    const char *dir;
    (void)state;

    layer_tar(&tar, "etc/a", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    gzip_buf(&gz, tar.data, tar.len);
    gz.len -= 12; /* cut into the deflate stream */
    gzip_oci_from_tar(&l, &tar, &gz, md);
    dir = lay_write_dir(&l, "truncgz");
    assert_int_equal(dd_image_open(&img, dir, NULL), DD_OK);
    assert_int_equal(read_layer(img, 0, &got), DD_EINVALID);
    assert_msg_contains("layer 0");
    assert_msg_contains("gzip");
    dd_image_free(img);
    lay_free(&l);

    /* two gzip members make one stream */
    gzip_buf(&gz, tar.data, 1024);
    gzip_buf(&gz2, tar.data + 1024, tar.len - 1024);
    dd_buf_put(&gz, gz2.data, gz2.len);
    gzip_oci_from_tar(&l, &tar, &gz, md);
    dir = lay_write_dir(&l, "multigz");
    assert_int_equal(dd_image_open(&img, dir, NULL), DD_OK);
    assert_int_equal(read_layer(img, 0, &got), DD_OK);
    assert_int_equal(got.len, tar.len);
    assert_memory_equal(got.data, tar.data, tar.len);
    dd_image_free(img);
    lay_free(&l);

    /* truncated zstd */
    zstd_buf(&gz, tar.data, tar.len);
    gz.len -= 5;
    gzip_oci_from_tar(&l, &tar, &gz, md);
    dir = lay_write_dir(&l, "trunczstd");
    assert_int_equal(dd_image_open(&img, dir, NULL), DD_OK);
    assert_int_equal(dd_image_layer(img, 0)->compression, DD_COMPRESSION_ZSTD);
    assert_int_equal(read_layer(img, 0, &got), DD_EINVALID);
    assert_msg_contains("zstd");
    dd_image_free(img);
    lay_free(&l);
    dd_buf_dispose(&tar);
    dd_buf_dispose(&gz);
    dd_buf_dispose(&gz2);
    dd_buf_dispose(&got);
}

static void test_invalid_documents(void **state)
{
    layout l = {0};
    image_spec s = {"amd64", NULL, 1, {DD_COMPRESSION_NONE}, false};
    dd_image *img = NULL;
    char md[72], cdig[72];
    const char *dir;
    dd_buf doc = DD_BUF_INIT;
    (void)state;

    lay_adds(&l, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
    lay_adds(&l, "index.json", "{\"manifests\": [");
    dir = lay_write_dir(&l, "badjson");
    assert_int_equal(dd_image_open(&img, dir, NULL), DD_EINVALID);
    assert_msg_contains("index.json: invalid JSON");
    lay_adds(&l, "index.json", "{\"manifests\": [{\"digest\": 5}]}");
    dir = lay_write_dir(&l, "badtype");
    assert_int_equal(dd_image_open(&img, dir, NULL), DD_EINVALID);
    assert_msg_contains("manifests[0]");
    lay_adds(&l, "index.json", "{\"manifests\": [{\"mediaType\":\"" MT_MANIFEST "\","
             "\"digest\": \"sha256:../../etc/passwd\"}]}");
    dir = lay_write_dir(&l, "baddigest");
    assert_int_equal(dd_image_open(&img, dir, NULL), DD_EINVALID);
    assert_msg_contains("malformed digest");
    lay_free(&l);

    /* no oci-layout */
    lay_adds(&l, "index.json", "{\"manifests\": []}");
    dir = lay_write_dir(&l, "nolayout");
    assert_int_equal(dd_image_open(&img, dir, NULL), DD_ENOTFOUND);
    assert_msg_contains("oci-layout");
    lay_free(&l);

    /* config type error names the field */
    simple_oci(&l, &s, NULL, md);
    {
        char diff[1][72] = {""};
        char digests[1][72] = {""};
        size_t sizes[1] = {0};
        const char *types[1] = {"application/vnd.oci.image.layer.v1.tar"};
        const char *lname = blob_with_prefix(&l, "etc/file0");
        dd_buf idx = DD_BUF_INIT;

        for (size_t i = 0; i < l.n; i++)
            if (l.f[i].name == lname) {
                dd_sha256_digest(diff[0], l.f[i].data.data, l.f[i].data.len);
                snprintf(digests[0], 72, "sha256:%s", lname + 13);
                sizes[0] = l.f[i].data.len;
            }
        dd_buf_printf(&doc, "{\"os\":\"linux\",\"architecture\":\"amd64\",\"config\":"
                      "{\"Env\":\"PATH=/bin\"},\"rootfs\":{\"diff_ids\":[\"%s\"]}}", diff[0]);
        lay_blob(&l, doc.data, doc.len, cdig);
        manifest_json(&doc, cdig, doc.len, digests, sizes, types, 1);
        lay_blob(&l, doc.data, doc.len, md);
        dd_buf_printf(&idx, "{\"manifests\":[{\"mediaType\":\"" MT_MANIFEST "\",\"digest\":"
                      "\"%s\",\"size\":%zu}]}", md, doc.len);
        lay_adds(&l, "index.json", idx.data);
        dir = lay_write_dir(&l, "badenv");
        assert_int_equal(dd_image_open(&img, dir, NULL), DD_EINVALID);
        assert_msg_contains("config.Env is not an array of strings");
        assert_true(strncmp(dd_error_message(), dir, strlen(dir)) == 0);

        /* diff_ids and layers disagree */
        dd_buf_clear(&doc);
        dd_buf_printf(&doc, "{\"os\":\"linux\",\"architecture\":\"amd64\","
                      "\"rootfs\":{\"diff_ids\":[\"%s\",\"%s\"]}}", diff[0], diff[0]);
        lay_blob(&l, doc.data, doc.len, cdig);
        manifest_json(&doc, cdig, doc.len, digests, sizes, types, 1);
        lay_blob(&l, doc.data, doc.len, md);
        dd_buf_clear(&idx);
        dd_buf_printf(&idx, "{\"manifests\":[{\"mediaType\":\"" MT_MANIFEST "\",\"digest\":"
                      "\"%s\",\"size\":%zu}]}", md, doc.len);
        lay_adds(&l, "index.json", idx.data);
        dir = lay_write_dir(&l, "baddiffcount");
        assert_int_equal(dd_image_open(&img, dir, NULL), DD_EINVALID);
        assert_msg_contains("diff_ids");
        dd_buf_dispose(&idx);
    }
    lay_free(&l);
    dd_buf_dispose(&doc);
}

static void test_not_an_image(void **state)
{
    dd_image *img = NULL;
    const char *p = scratch("random.bin");
    char junk[3000];
    layout l = {0};
    (void)state;

    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (char)(i * 7 + 3);
    write_file(p, junk, sizeof(junk));
    assert_int_equal(dd_image_open(&img, p, NULL), DD_EINVALID);
    assert_msg_contains("not a container image (no manifest.json or index.json)");
    /* a tar without either */
    lay_adds(&l, "hello.txt", "hi");
    p = lay_write_tar(&l, "plain.tar");
    assert_int_equal(dd_image_open(&img, p, NULL), DD_EINVALID);
    assert_msg_contains("not a container image (no manifest.json or index.json)");
    lay_free(&l);
    assert_int_equal(dd_image_open(&img, "/nonexistent/image.tar", NULL), DD_ENOTFOUND);
    assert_int_equal(dd_image_open(&img, "/nonexistent/image.tar:tag", NULL), DD_ENOTFOUND);
}

static void test_rootfs(void **state)
{
    dd_image *img = NULL;
    dd_layer_reader *r;
    const char *dir = scratch("rootfs");
    char p[1100], ref[1100];
    (void)state;

    snprintf(p, sizeof(p), "%s/etc/os-release", dir);
    write_file(p, "ID=x\n", 5);
    assert_int_equal(dd_image_open(&img, dir, NULL), DD_OK);
    assert_int_equal(dd_image_identity_get(img)->kind, DD_SOURCE_ROOTFS);
    assert_string_equal(dd_image_rootfs_dir(img), dir);
    assert_null(dd_image_identity_get(img)->config_digest);
    assert_null(dd_image_config_get(img)->os);
    assert_int_equal(dd_image_layer_count(img), 1);
    assert_null(dd_image_layer(img, 0)->digest);
    assert_int_equal(dd_layer_reader_open(&r, img, 0), DD_EUNSUPPORTED);
    dd_image_free(img);
    snprintf(ref, sizeof(ref), "dir:%s", dir);
    assert_int_equal(dd_image_open(&img, ref, NULL), DD_OK);
    dd_image_free(img);
    snprintf(ref, sizeof(ref), "oci-archive:%s", dir);
    assert_int_equal(dd_image_open(&img, ref, NULL), DD_EINVALID);
}

/* ---- the outer tar index ---- */

static int index_file(const char *path, dd_tarindex **t, const dd_limits *lim)
{
    int fd = open(path, O_RDONLY), rc;
    bool not_tar;

    assert_true(fd >= 0);
    rc = dd_image__tarindex_open(t, fd, path, lim, &not_tar);
    close(fd);
    if (rc != DD_OK && getenv("DD_TEST_VERBOSE"))
        print_message("index_file: %s\n", dd_error_message());
    return rc;
}

static void test_tarindex(void **state)
{
    dd_buf t = DD_BUF_INIT, pax = DD_BUF_INIT;
    dd_limits lim = DD_LIMITS_INIT;
    dd_tarindex *ti = NULL;
    const dd_tar_member *m;
    const char *p = scratch("idx.tar");
    char longname[300], pad[512] = {0};
    (void)state;

    memset(longname, 'n', sizeof(longname));
    memcpy(longname + 250, "/final.txt", 11);
    tar_add(&t, longname, "long", 4);
    /* pax path and size override the header's */
    dd_buf_printf(&pax, "%d path=pax/name.txt\n", 21);
    dd_buf_printf(&pax, "%d size=5\n", 10);
    tar_header(&t, "PaxHeaders/x", pax.len, 'x', NULL);
    dd_buf_put(&t, pax.data, pax.len);
    dd_buf_put(&t, pad, 512 - pax.len);
    tar_header(&t, "short", 99, '0', NULL);
    dd_buf_put(&t, "hello", 5);
    dd_buf_put(&t, pad, 507);
    tar_header(&t, "link1", 0, '2', "pax/name.txt");
    tar_header(&t, "dir/link2", 0, '2', "../link1");
    tar_header(&t, "hard", 0, '1', "./dir/link2");
    tar_header(&t, "loop1", 0, '2', "loop2");
    tar_header(&t, "loop2", 0, '2', "loop1");
    tar_header(&t, "escape", 0, '2', "../../etc/passwd");
    tar_end(&t);
    write_file(p, t.data, t.len);

    assert_int_equal(index_file(p, &ti, &lim), DD_OK);
    assert_int_equal(dd_image__tarindex_count(ti), 8);
    assert_non_null(m = dd_image__tarindex_find(ti, longname));
    assert_int_equal(m->size, 4);
    assert_int_equal(dd_image__tarindex_resolve(ti, "./pax/name.txt", &m), DD_OK);
    assert_int_equal(m->size, 5);
    assert_memory_equal(t.data + m->offset, "hello", 5);
    assert_int_equal(dd_image__tarindex_resolve(ti, "hard", &m), DD_OK);
    assert_int_equal(m->size, 5);
    assert_int_equal(dd_image__tarindex_resolve(ti, "loop1", &m), DD_EINVALID);
    assert_msg_contains("loop");
    assert_int_equal(dd_image__tarindex_resolve(ti, "escape", &m), DD_ENOTFOUND);
    assert_int_equal(dd_image__tarindex_resolve(ti, "absent", &m), DD_ENOTFOUND);
    assert_msg_contains("absent");
    dd_image__tarindex_free(ti);

    /* too many members */
    lim.max_entries = 3;
    assert_int_equal(index_file(p, &ti, &lim), DD_ELIMIT);
    lim.max_entries = 100;

    /* truncated: cut inside the last data block */
    write_file(p, t.data, 512 * 3 + 100);
    assert_int_equal(index_file(p, &ti, &lim), DD_EINVALID);
    assert_msg_contains(p);
    /* a size beyond the file */
    dd_buf_clear(&t);
    tar_header(&t, "huge", 077777777777ull, '0', NULL);
    tar_end(&t);
    write_file(p, t.data, t.len);
    assert_int_equal(index_file(p, &ti, &lim), DD_EINVALID);
    assert_msg_contains("member huge");
    /* a bad checksum after the first header */
    dd_buf_clear(&t);
    tar_add(&t, "a", "x", 1);
    tar_add(&t, "b", "y", 1);
    t.data[1024 + 10] = 'Z';
    tar_end(&t);
    write_file(p, t.data, t.len);
    assert_int_equal(index_file(p, &ti, &lim), DD_EINVALID);
    assert_msg_contains("checksum");
    dd_buf_dispose(&t);
    dd_buf_dispose(&pax);
}

/* ---- readers on threads ---- */

typedef struct {
    dd_image *img;
    size_t index;
    int rc;
    uint64_t bytes;
} thread_job;

static void *read_job(void *arg)
{
    thread_job *j = arg;
    dd_layer_reader *r;

    for (int k = 0; k < 20; k++) {
        if ((j->rc = dd_layer_reader_open(&r, j->img, j->index)) != DD_OK)
            return NULL;
        j->rc = dd_layer_reader_drain(r);
        j->bytes = dd_layer_reader_uncompressed_bytes(r);
        dd_layer_reader_free(r);
        if (j->rc != DD_OK)
            break;
    }
    return NULL;
}

static void test_concurrent_readers(void **state)
{
    layout l = {0};
    image_spec s = {"amd64", NULL, 3,
                    {DD_COMPRESSION_GZIP, DD_COMPRESSION_ZSTD, DD_COMPRESSION_NONE}, false};
    dd_image *img = NULL;
    pthread_t th[3];
    thread_job jobs[3];
    char md[72];
    const char *p;
    (void)state;

    simple_oci(&l, &s, NULL, md);
    p = lay_write_tar(&l, "threads.tar");
    assert_int_equal(dd_image_open(&img, p, NULL), DD_OK);
    for (size_t i = 0; i < 3; i++) {
        jobs[i] = (thread_job){img, i, -99, 0};
        assert_int_equal(pthread_create(&th[i], NULL, read_job, &jobs[i]), 0);
    }
    for (size_t i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(jobs[i].rc, DD_OK);
        assert_int_equal(jobs[i].bytes, 2048);
    }
    dd_image_free(img);
    lay_free(&l);
}

static void test_matching(void **state)
{
    (void)state;
    assert_true(dd_image__tag_matches("app:1.0", "app:1.0"));
    assert_true(dd_image__tag_matches("localhost/app:1.0", "app:1.0"));
    assert_true(dd_image__tag_matches("docker.io/library/app:latest", "app"));
    assert_true(dd_image__tag_matches("app:1.0", "1.0"));
    assert_false(dd_image__tag_matches("app:1.0", "app:2.0"));
    assert_false(dd_image__tag_matches("registry:5000/app", "5000/app"));
    assert_true(dd_image__platform_matches("linux/arm64", "linux/arm64/v8"));
    assert_true(dd_image__platform_matches("linux/arm64/v8", "linux/arm64"));
    assert_true(dd_image__platform_matches("linux/arm/v7", "linux/arm"));
    assert_false(dd_image__platform_matches("linux/arm/v6", "linux/arm/v7"));
    assert_false(dd_image__platform_matches("linux/amd64", "windows/amd64"));
    assert_false(dd_image__platform_matches(NULL, "linux/amd64"));
}

static int setup(void **state)
{
    const char *base = getenv("DD_TEST_TMP");

    (void)state;
    snprintf(tmp_root, sizeof(tmp_root), "%s/image-%d", base ? base : "/tmp", (int)getpid());
    mkdir_p(tmp_root);
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    /* the scratch space stays for inspection when DD_TEST_KEEP is set */
    if (!getenv("DD_TEST_KEEP"))
        nftw(tmp_root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_docker_legacy),
        cmocka_unit_test(test_oci_dir_and_archive),
        cmocka_unit_test(test_docker_25),
        cmocka_unit_test(test_docker_multi_tag),
        cmocka_unit_test(test_oci_platform_selection),
        cmocka_unit_test(test_digest_mismatches),
        cmocka_unit_test(test_missing_blob),
        cmocka_unit_test(test_self_referencing_index),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_gzip_bomb),
        cmocka_unit_test(test_truncated_and_concatenated_gzip),
        cmocka_unit_test(test_invalid_documents),
        cmocka_unit_test(test_not_an_image),
        cmocka_unit_test(test_rootfs),
        cmocka_unit_test(test_tarindex),
        cmocka_unit_test(test_concurrent_readers),
        cmocka_unit_test(test_matching),
    };

    return cmocka_run_group_tests_name("image", tests, setup, teardown);
}
