/* Compose rules DD-CMP-001..030 and the secret rules that apply to compose files. */
#include "lint/compose_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Findings go to the file a node came from: an `extends` base file keeps its own lines. */
#define REPORT(id, line, ...) report_at(r, cfg, c, id, (line), __VA_ARGS__)

static int report_at(dd_lint_result *r, const dd_lint_config *cfg, const dd_compose *c,
                     const char *id, uint32_t line, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static int report_at(dd_lint_result *r, const dd_lint_config *cfg, const dd_compose *c,
                     const char *id, uint32_t line, const char *fmt, ...)
{
    dd_buf msg = DD_BUF_INIT;
    uint32_t plain;
    const char *file = dd_compose__where(c, line, &plain);
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = dd_buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    if (rc == DD_OK)
        rc = dd_lint__report(r, cfg, id, file, plain, 0, "%s", msg.data);
    dd_buf_dispose(&msg);
    return rc;
}

typedef struct {
    dd_lint_result *r;
    const dd_lint_config *cfg;
    const dd_compose *c;
} ctx;

static bool ieq(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

/* Line of the deepest existing node along `keys` from the service (KICS reports a missing
 * setting there: the service, its `deploy:`, `resources:` or `limits:`). */
static uint32_t deepest_line(const dd_compose_service *s, const char *const *keys, size_t n)
{
    const dd_ynode *cur = s->def;
    uint32_t line = s->key->line;

    for (size_t i = 0; i < n; i++) {
        const dd_ypair *p = dd_ynode_pair(cur, keys[i]);

        if (!p)
            break;
        line = p->key->line;
        cur = p->value;
    }
    return line;
}

static const dd_ynode *path_get(const dd_ynode *n, const char *const *keys, size_t k)
{
    for (size_t i = 0; i < k && n; i++)
        n = dd_ynode_get(n, keys[i]);
    return n;
}

static bool seq_has_ci(const dd_ynode *seq, const char *v)
{
    if (!seq || seq->type != DD_YSEQ)
        return false;
    for (size_t i = 0; i < seq->n; i++) {
        const dd_ynode *it = seq->items[i];

        if (it->type == DD_YSCALAR &&
            (ieq(it->str, v) || (strncasecmp(it->str, "CAP_", 4) == 0 && ieq(it->str + 4, v))))
            return true;
    }
    return false;
}

/* ---- capabilities, privileges, security_opt ---- */

static const char *const dangerous_caps[] = {
    "ALL",      "SYS_ADMIN",  "NET_ADMIN",    "SYS_PTRACE", "SYS_MODULE",    "SYS_RAWIO",
    "SYS_BOOT", "SYS_TIME",   "MAC_ADMIN",    "MAC_OVERRIDE", "DAC_READ_SEARCH", "BPF",
    "PERFMON",  "SYSLOG",     "SYS_RESOURCE", "LINUX_IMMUTABLE",
};

static int rule_caps(ctx *x, const dd_compose_service *s)
{
    dd_lint_result *r = x->r;
    const dd_lint_config *cfg = x->cfg;
    const dd_compose *c = x->c;
    const dd_ypair *drop = dd_ynode_pair(s->def, "cap_drop"), *add = dd_ynode_pair(s->def, "cap_add");
    int rc = DD_OK;

    if (!drop)
        rc = REPORT("DD-CMP-002", s->key->line,
                    "service \"%s\" keeps the default capabilities (no cap_drop: [ALL])", s->name);
    else if (!seq_has_ci(drop->value, "ALL"))
        rc = REPORT("DD-CMP-002", drop->key->line,
                    "service \"%s\": cap_drop does not drop ALL capabilities", s->name);
    if (rc || !add || add->value->type != DD_YSEQ)
        return rc;
    for (size_t i = 0; i < add->value->n; i++) {
        const dd_ynode *it = add->value->items[i];
        const char *cap = it->type == DD_YSCALAR ? it->str : "";

        if (strncasecmp(cap, "CAP_", 4) == 0)
            cap += 4;
        for (size_t k = 0; k < DD_ARRAY_SIZE(dangerous_caps); k++)
            if (ieq(cap, dangerous_caps[k]))
                return REPORT("DD-CMP-003", add->key->line,
                              "service \"%s\" adds the capability %s", s->name, it->str);
    }
    return DD_OK;
}

static int rule_privileged(ctx *x, const dd_compose_service *s)
{
    dd_lint_result *r = x->r;
    const dd_lint_config *cfg = x->cfg;
    const dd_compose *c = x->c;
    const dd_ypair *p = dd_ynode_pair(s->def, "privileged");
    const dd_ypair *ro = dd_ynode_pair(s->def, "read_only");
    const dd_ypair *cg = dd_ynode_pair(s->def, "cgroup_parent");
    int rc = DD_OK;

    if (p && dd_ynode_is_true(p->value))
        rc = REPORT("DD-CMP-001", p->key->line, "service \"%s\" runs privileged", s->name);
    if (!rc && !(ro && dd_ynode_is_true(ro->value)))
        rc = REPORT("DD-CMP-004", ro ? ro->key->line : s->key->line,
                    "service \"%s\" has a writable root filesystem (no read_only: true)", s->name);
    if (!rc && ro && dd_ynode_is_true(ro->value)) {
        bool tmpfs = dd_ynode_pair(s->def, "tmpfs") != NULL;
        const dd_ynode *vols = dd_ynode_get(s->def, "volumes");

        for (size_t i = 0; vols && vols->type == DD_YSEQ && i < vols->n && !tmpfs; i++) {
            dd_compose_volume v;

            tmpfs = dd_compose__volume_parse(c, vols->items[i], &v) && strcmp(v.type, "tmpfs") == 0;
        }
        if (!tmpfs)
            rc = REPORT("DD-CMP-005", ro->key->line,
                        "service \"%s\" is read_only without a tmpfs for /tmp or run dirs",
                        s->name);
    }
    if (!rc && cg && !dd_ynode_is_null(cg->value))
        rc = REPORT("DD-CMP-028", cg->key->line, "service \"%s\" sets cgroup_parent \"%s\"",
                    s->name, cg->value->str);
    return rc;
}

/* "no-new-privileges", "no-new-privileges:true", "no-new-privileges=true" */
static bool is_nnp(const char *opt)
{
    size_t n = strlen("no-new-privileges");

    if (strncasecmp(opt, "no-new-privileges", n) != 0)
        return false;
    opt += n;
    if (!*opt)
        return true;
    if (*opt != ':' && *opt != '=')
        return false;
    return ieq(opt + 1, "true");
}

static bool is_unconfined(const char *opt)
{
    char buf[128];
    char *parts[8];
    size_t np = 0, len = strlen(opt);

    if (len >= sizeof(buf))
        return false;
    memcpy(buf, opt, len + 1);
    for (char *p = buf, *start = buf; np < DD_ARRAY_SIZE(parts); p++) {
        if (*p == ':' || *p == '=' || *p == '\0') {
            bool end = *p == '\0';

            *p = '\0';
            parts[np++] = start;
            start = p + 1;
            if (end)
                break;
        }
    }
    if (np >= 2 && ieq(parts[0], "label") && ieq(parts[np - 1], "disable"))
        return true;
    if (np < 2 || !ieq(parts[np - 1], "unconfined"))
        return false;
    for (size_t i = 0; i + 1 < np; i++)
        if (ieq(parts[i], "seccomp") || ieq(parts[i], "apparmor") || ieq(parts[i], "systempaths"))
            return true;
    return false;
}

static int rule_security_opt(ctx *x, const dd_compose_service *s)
{
    dd_lint_result *r = x->r;
    const dd_lint_config *cfg = x->cfg;
    const dd_compose *c = x->c;
    const dd_ypair *so = dd_ynode_pair(s->def, "security_opt");
    bool nnp = false;
    int rc = DD_OK;

    if (!so) {
        rc = REPORT("DD-CMP-008", s->key->line, "service \"%s\" sets no security_opt", s->name);
        return rc ? rc
                  : REPORT("DD-CMP-006", s->key->line,
                           "service \"%s\" does not set security_opt no-new-privileges:true",
                           s->name);
    }
    for (size_t i = 0; so->value->type == DD_YSEQ && i < so->value->n && !rc; i++) {
        const dd_ynode *it = so->value->items[i];

        if (it->type != DD_YSCALAR)
            continue;
        if (is_nnp(it->str))
            nnp = true;
        if (is_unconfined(it->str))
            rc = REPORT("DD-CMP-007", it->line, "service \"%s\" disables confinement (%s)",
                        s->name, it->str);
    }
    if (!rc && !nnp)
        rc = REPORT("DD-CMP-006", so->key->line,
                    "service \"%s\" does not set security_opt no-new-privileges:true", s->name);
    return rc;
}

/* ---- resources ---- */

static int rule_resources(ctx *x, const dd_compose_service *s)
{
    dd_lint_result *r = x->r;
    const dd_lint_config *cfg = x->cfg;
    const dd_compose *c = x->c;
    static const char *const mem_path[] = {"deploy", "resources", "limits", "memory"};
    static const char *const cpu_path[] = {"deploy", "resources", "limits", "cpus"};
    static const char *const pid_path[] = {"deploy", "resources", "limits", "pids"};
    static const char *const res_path[] = {"deploy", "resources", "reservations"};
    const dd_ypair *pl = dd_ynode_pair(s->def, "pids_limit");
    const dd_ynode *dl = path_get(s->def, pid_path, 4);
    int rc = DD_OK;

    if (!dd_ynode_get(s->def, "mem_limit") && dd_ynode_is_null(path_get(s->def, mem_path, 4)))
        rc = REPORT("DD-CMP-009", deepest_line(s, mem_path, 3),
                    "service \"%s\" has no memory limit", s->name);
    if (!rc && !dd_ynode_get(s->def, "cpus") && !dd_ynode_get(s->def, "cpu_quota") &&
        dd_ynode_is_null(path_get(s->def, cpu_path, 4)))
        rc = REPORT("DD-CMP-010", deepest_line(s, cpu_path, 3),
                    "service \"%s\" has no CPU limit", s->name);
    if (!rc) {
        const dd_ynode *v = pl ? pl->value : dl;

        if (dd_ynode_is_null(v))
            rc = REPORT("DD-CMP-011", s->key->line, "service \"%s\" has no pids_limit", s->name);
        else if (v->type == DD_YSCALAR && strtol(v->str, NULL, 10) <= 0)
            rc = REPORT("DD-CMP-011", pl ? pl->key->line : v->line,
                        "service \"%s\" sets an unlimited pids_limit (%s)", s->name, v->str);
    }
    if (!rc && dd_ynode_is_null(path_get(s->def, res_path, 3)) &&
        !dd_ynode_get(s->def, "mem_reservation"))
        rc = REPORT("DD-CMP-012", deepest_line(s, res_path, 2),
                    "service \"%s\" reserves no resources (deploy.resources.reservations)",
                    s->name);
    return rc;
}

/* ---- namespaces ---- */

static int rule_namespaces(ctx *x, const dd_compose_service *s)
{
    dd_lint_result *r = x->r;
    const dd_lint_config *cfg = x->cfg;
    const dd_compose *c = x->c;
    static const char *const ns[] = {"pid", "ipc", "uts", "userns_mode"};
    const dd_ypair *nm = dd_ynode_pair(s->def, "network_mode");
    int rc = DD_OK;

    if (nm && dd_ynode_str_ieq(nm->value, "host"))
        rc = REPORT("DD-CMP-013", nm->key->line, "service \"%s\" shares the host network namespace",
                    s->name);
    for (size_t i = 0; i < DD_ARRAY_SIZE(ns) && !rc; i++) {
        const dd_ypair *p = dd_ynode_pair(s->def, ns[i]);

        if (p && dd_ynode_str_ieq(p->value, "host"))
            rc = REPORT("DD-CMP-014", p->key->line, "service \"%s\" shares the host %s namespace",
                        s->name, ns[i]);
    }
    return rc;
}

/* ---- volumes ---- */

static bool is_socket(const char *src)
{
    static const char *const socks[] = {"docker.sock", "podman.sock", "containerd.sock",
                                        "crio.sock"};
    const char *base = strrchr(src, '/');

    base = base ? base + 1 : src;
    for (size_t i = 0; i < DD_ARRAY_SIZE(socks); i++)
        if (strcmp(base, socks[i]) == 0)
            return true;
    return strcmp(src, "/var/run/docker") == 0;
}

/* Host directories whose mount hands the container the host's system state. */
static bool is_sensitive_host_path(const char *src)
{
    static const char *const dirs[] = {"/bin", "/boot", "/dev",  "/etc",  "/lib", "/lib32",
                                       "/lib64", "/libx32", "/proc", "/root", "/run", "/sbin",
                                       "/sys", "/usr", "/var"};
    static const char *const fine[] = {"/var/www", "/var/tmp", "/dev/shm"};
    char buf[4096];
    size_t n = strlen(src);

    if (src[0] != '/' || n >= sizeof(buf))
        return false;
    memcpy(buf, src, n + 1);
    while (n > 1 && buf[n - 1] == '/')
        buf[--n] = '\0';
    if (strcmp(buf, "/") == 0)
        return true;
    for (size_t i = 0; i < DD_ARRAY_SIZE(fine); i++) {
        size_t l = strlen(fine[i]);

        if (strncmp(buf, fine[i], l) == 0 && (buf[l] == '\0' || buf[l] == '/'))
            return false;
    }
    for (size_t i = 0; i < DD_ARRAY_SIZE(dirs); i++) {
        size_t l = strlen(dirs[i]);

        if (strncmp(buf, dirs[i], l) == 0 && (buf[l] == '\0' || buf[l] == '/'))
            return true;
    }
    return false;
}

static bool mode_has(const char *mode, const char *opt)
{
    size_t l = strlen(opt);

    for (const char *p = mode; *p;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);

        if (n == l && strncmp(p, opt, l) == 0)
            return true;
        p += n + (comma ? 1 : 0);
    }
    return false;
}

static int rule_volumes(ctx *x, const dd_compose_service *s)
{
    dd_lint_result *r = x->r;
    const dd_lint_config *cfg = x->cfg;
    const dd_compose *c = x->c;
    const dd_ynode *vols = dd_ynode_get(s->def, "volumes");
    const dd_ypair *dev = dd_ynode_pair(s->def, "devices");
    int rc = DD_OK;

    for (size_t i = 0; vols && vols->type == DD_YSEQ && i < vols->n && !rc; i++) {
        dd_compose_volume v;
        static const char *const props[] = {"shared", "rshared", "slave", "rslave"};

        if (!dd_compose__volume_parse(c, vols->items[i], &v))
            continue;
        if (strcmp(v.type, "bind") == 0 && is_socket(v.source))
            rc = REPORT("DD-CMP-015", v.source_line, "service \"%s\" mounts the engine socket %s",
                        s->name, v.source);
        else if (strcmp(v.type, "bind") == 0 && is_sensitive_host_path(v.source))
            rc = REPORT("DD-CMP-016", v.source_line,
                        "service \"%s\" mounts the sensitive host directory %s", s->name, v.source);
        for (size_t k = 0; k < DD_ARRAY_SIZE(props) && !rc; k++) {
            if (strcmp(v.propagation, props[k]) == 0)
                rc = REPORT("DD-CMP-017", v.propagation_line,
                            "service \"%s\": bind propagation %s shares mounts with the host",
                            s->name, props[k]);
            else if (mode_has(v.mode, props[k]))
                rc = REPORT("DD-CMP-017", v.line,
                            "service \"%s\": bind propagation %s shares mounts with the host",
                            s->name, props[k]);
        }
    }
    if (!rc && dev && dev->value->type == DD_YSEQ && dev->value->n)
        rc = REPORT("DD-CMP-018", dev->key->line, "service \"%s\" passes host devices (%s%s)",
                    s->name, dev->value->items[0]->str, dev->value->n > 1 ? ", ..." : "");
    return rc;
}

/* Top-level volumes whose driver options bind a host directory. */
static int rule_top_volumes(ctx *x)
{
    dd_lint_result *r = x->r;
    const dd_lint_config *cfg = x->cfg;
    const dd_compose *c = x->c;
    int rc = DD_OK;

    for (size_t i = 0; c->volumes && c->volumes->type == DD_YMAP && i < c->volumes->n && !rc;
         i++) {
        const dd_ynode *opts = dd_ynode_get(c->volumes->pairs[i].value, "driver_opts");
        static const char *const keys[] = {"device", "mountpoint"};

        for (size_t k = 0; k < DD_ARRAY_SIZE(keys) && !rc; k++) {
            const dd_ypair *p = dd_ynode_pair(opts, keys[k]);

            if (p && p->value->type == DD_YSCALAR && is_sensitive_host_path(p->value->str))
                rc = REPORT("DD-CMP-016", p->key->line,
                            "volume \"%s\" binds the sensitive host directory %s",
                            c->volumes->pairs[i].key->str, p->value->str);
        }
    }
    return rc;
}

/* Named volumes and bind sources used by more than one service. */
static int rule_shared_volumes(ctx *x)
{
    dd_lint_result *r = x->r;
    const dd_lint_config *cfg = x->cfg;
    const dd_compose *c = x->c;
    int rc = DD_OK;

    for (size_t a = 0; a < c->n_services && !rc; a++) {
        const dd_ynode *va = dd_ynode_get(c->services[a].def, "volumes");

        for (size_t i = 0; va && va->type == DD_YSEQ && i < va->n && !rc; i++) {
            dd_compose_volume v, w;
            const char *other = NULL;

            if (!dd_compose__volume_parse(c, va->items[i], &v) || !v.source[0] ||
                strcmp(v.type, "tmpfs") == 0 || is_socket(v.source))
                continue;
            for (size_t b = 0; b < c->n_services && !other; b++) {
                const dd_ynode *vb = dd_ynode_get(c->services[b].def, "volumes");

                if (b == a)
                    continue;
                for (size_t j = 0; vb && vb->type == DD_YSEQ && j < vb->n && !other; j++)
                    if (dd_compose__volume_parse(c, vb->items[j], &w) &&
                        strcmp(w.source, v.source) == 0)
                        other = c->services[b].name;
            }
            if (other)
                rc = REPORT("DD-CMP-029", v.line,
                            "service \"%s\" shares the volume %s with service \"%s\"",
                            c->services[a].name, v.source, other);
        }
    }
    return rc;
}

/* ---- ports ---- */

static const uint32_t db_ports[] = {5432, 3306, 1433,  1521, 27017, 27018, 6379,
                                    9200, 9300, 5984,  11211, 9042, 7000, 8086,
                                    7474, 7687, 26257, 8123, 9000, 5672, 2379};

static bool is_db_port(uint32_t lo, uint32_t hi)
{
    for (size_t i = 0; i < DD_ARRAY_SIZE(db_ports); i++)
        if (db_ports[i] >= lo && db_ports[i] <= hi && lo)
            return true;
    return false;
}

static bool is_loopback(const char *ip)
{
    return strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0 || ieq(ip, "localhost");
}

static bool is_any_addr(const char *ip)
{
    return !ip[0] || strcmp(ip, "0.0.0.0") == 0 || strcmp(ip, "::") == 0;
}

static int rule_ports(ctx *x, const dd_compose_service *s)
{
    dd_lint_result *r = x->r;
    const dd_lint_config *cfg = x->cfg;
    const dd_compose *c = x->c;
    const dd_ypair *pp = dd_ynode_pair(s->def, "ports");
    const dd_ynode *nm = dd_ynode_get(s->def, "network_mode");
    const char *unbound = NULL, *priv = NULL;
    int rc = DD_OK;

    if (!pp || pp->value->type != DD_YSEQ)
        return DD_OK;
    for (size_t i = 0; i < pp->value->n && !rc; i++) {
        const dd_ynode *e = pp->value->items[i];
        dd_compose_port p;
        const char *txt = e->type == DD_YSCALAR ? e->str : "a long-syntax entry";

        if (!dd_compose__port_parse(e, &p) || !p.published)
            continue;
        if (is_any_addr(p.host_ip) && !unbound)
            unbound = txt;
        if (!priv && ((p.host_lo && p.host_lo < 1024) || (p.cont_lo && p.cont_lo < 1024)))
            priv = txt;
        if (!is_loopback(p.host_ip) && (is_db_port(p.cont_lo, p.cont_hi) ||
                                        is_db_port(p.host_lo, p.host_hi)))
            rc = REPORT("DD-CMP-021", e->line,
                        "service \"%s\" publishes a database port to the host (%s)", s->name, txt);
    }
    if (!rc && unbound && !dd_ynode_str_ieq(nm, "host"))
        rc = REPORT("DD-CMP-019", pp->key->line,
                    "service \"%s\" publishes %s on every host interface (no host IP)", s->name,
                    unbound);
    if (!rc && priv)
        rc = REPORT("DD-CMP-020", pp->key->line, "service \"%s\" maps a privileged port (%s)",
                    s->name, priv);
    return rc;
}

/* ---- networks and segmentation ---- */

static const char *const db_images[] = {
    "postgres", "postgis",   "mysql",     "mariadb",   "mongo",     "redis",    "valkey",
    "keydb",    "elasticsearch", "opensearch", "memcached", "cassandra", "couchdb", "couchbase",
    "influxdb", "neo4j",     "mssql",     "oracle",    "clickhouse", "cockroach", "timescale",
    "scylla",   "rethinkdb", "arangodb",  "etcd",      "percona",   "db2",      "sqlserver",
};

/* The repository name of an image reference without registry, namespace, tag or digest. */
static bool image_is_db(const char *image)
{
    const char *slash = strrchr(image, '/'), *base = slash ? slash + 1 : image;
    char name[128];
    size_t n = strcspn(base, ":@");

    if (n >= sizeof(name))
        return false;
    for (size_t i = 0; i < n; i++)
        name[i] = (char)tolower((unsigned char)base[i]);
    name[n] = '\0';
    if (slash && strstr(image, "mssql/server"))
        return true;
    for (size_t i = 0; i < DD_ARRAY_SIZE(db_images); i++) {
        size_t l = strlen(db_images[i]);

        if (strncmp(name, db_images[i], l) == 0 && (name[l] == '\0' || name[l] == '-' ||
                                                    name[l] == '_' || isdigit((unsigned char)name[l])))
            return true;
    }
    return false;
}

static bool service_is_db(const dd_compose_service *s)
{
    const dd_ynode *img = dd_ynode_get(s->def, "image");

    return img && img->type == DD_YSCALAR && image_is_db(img->str);
}

static bool service_is_public(const dd_compose_service *s)
{
    const dd_ynode *p = dd_ynode_get(s->def, "ports");

    if (p && p->type == DD_YSEQ) {
        for (size_t i = 0; i < p->n; i++) {
            dd_compose_port port;

            if (dd_compose__port_parse(p->items[i], &port) && port.published &&
                !is_loopback(port.host_ip))
                return true;
        }
    }
    return dd_ynode_str_ieq(dd_ynode_get(s->def, "network_mode"), "host");
}

/* Calls back with each network name of a service ("default" when it names none). */
static size_t service_networks(const dd_compose_service *s, const char **out, size_t cap)
{
    const dd_ynode *n = dd_ynode_get(s->def, "networks");
    size_t k = 0;

    if (n && n->type == DD_YSEQ) {
        for (size_t i = 0; i < n->n && k < cap; i++)
            if (n->items[i]->type == DD_YSCALAR)
                out[k++] = n->items[i]->str;
    } else if (n && n->type == DD_YMAP) {
        for (size_t i = 0; i < n->n && k < cap; i++)
            out[k++] = n->pairs[i].key->str;
    }
    if (k == 0 && !dd_ynode_get(s->def, "network_mode") && cap)
        out[k++] = "default";
    return k;
}

static bool network_internal(const dd_compose *c, const char *name)
{
    return dd_ynode_is_true(dd_ynode_get(dd_ynode_get(c->networks, name), "internal"));
}

static int rule_networks(ctx *x)
{
    dd_lint_result *r = x->r;
    const dd_lint_config *cfg = x->cfg;
    const dd_compose *c = x->c;
    int rc = DD_OK;

    for (size_t a = 0; a < c->n_services && !rc; a++) {
        const dd_compose_service *s = &c->services[a];
        const char *nets[64];
        size_t nn;
        bool internal = false;
        const char *shared_net = NULL, *public_svc = NULL;

        if (!dd_ynode_get(s->def, "networks") && !dd_ynode_get(s->def, "network_mode"))
            rc = REPORT("DD-CMP-022", s->key->line,
                        "service \"%s\" names no networks: (it joins the default network)",
                        s->name);
        if (rc || !service_is_db(s) || c->n_services < 2)
            continue;
        nn = service_networks(s, nets, DD_ARRAY_SIZE(nets));
        for (size_t i = 0; i < nn; i++)
            internal = internal || network_internal(c, nets[i]);
        for (size_t b = 0; b < c->n_services && !public_svc; b++) {
            const char *other[64];
            size_t on;

            if (b == a || !service_is_public(&c->services[b]))
                continue;
            on = service_networks(&c->services[b], other, DD_ARRAY_SIZE(other));
            for (size_t i = 0; i < nn && !public_svc; i++)
                for (size_t j = 0; j < on && !public_svc; j++)
                    if (strcmp(nets[i], other[j]) == 0) {
                        shared_net = nets[i];
                        public_svc = c->services[b].name;
                    }
        }
        if (public_svc)
            rc = REPORT("DD-CMP-023", s->key->line,
                        "database service \"%s\" shares network \"%s\" with the publicly "
                        "published service \"%s\"",
                        s->name, shared_net, public_svc);
        else if (!internal)
            rc = REPORT("DD-CMP-023", s->key->line,
                        "database service \"%s\" is on no internal: true backend network",
                        s->name);
    }
    return rc;
}

/* ---- environment and secrets ---- */

static bool secret_name(const char *k, size_t len)
{
    static const char *const words[] = {"PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY",
                                        "APIKEY", "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL",
                                        "AUTH_KEY", "_PASS", "PWD"};
    char up[256];

    if (len >= sizeof(up))
        return false;
    for (size_t i = 0; i < len; i++)
        up[i] = (char)toupper((unsigned char)k[i]);
    up[len] = '\0';
    if (len > 5 && strcmp(up + len - 5, "_FILE") == 0)
        return false;
    if (strcmp(up, "PWD") == 0 || strcmp(up, "OLDPWD") == 0)
        return false;
    for (size_t i = 0; i < DD_ARRAY_SIZE(words); i++) {
        const char *hit = strstr(up, words[i]);

        if (!hit)
            continue;
        if (strcmp(words[i], "_PASS") == 0 && hit[5] != '\0' && hit[5] != '_')
            continue;
        return true;
    }
    return false;
}

/* A literal credential: not empty, no ${VAR} reference, not a flag, not a secret file path. */
static bool literal_value(const char *raw, size_t len)
{
    static const char *const flags[] = {"true", "false", "yes", "no", "on", "off", "0", "1"};

    if (len == 0 || memchr(raw, '$', len))
        return false;
    for (size_t i = 0; i < DD_ARRAY_SIZE(flags); i++)
        if (strlen(flags[i]) == len && strncasecmp(raw, flags[i], len) == 0)
            return false;
    return !(len > 13 && strncmp(raw, "/run/secrets/", 13) == 0);
}

static int rule_environment(ctx *x, const dd_compose_service *s)
{
    dd_lint_result *r = x->r;
    const dd_lint_config *cfg = x->cfg;
    const dd_compose *c = x->c;
    const dd_ynode *env = dd_ynode_get(s->def, "environment");
    int rc = DD_OK;

    if (env && env->type == DD_YMAP) {
        for (size_t i = 0; i < env->n && !rc; i++) {
            const dd_ynode *k = env->pairs[i].key, *v = env->pairs[i].value;

            if (v->type == DD_YSCALAR && secret_name(k->str, strlen(k->str)) &&
                literal_value(v->raw, strlen(v->raw)))
                rc = REPORT("DD-CMP-024", k->line,
                            "service \"%s\" sets the credential %s in environment:", s->name,
                            k->str);
        }
    } else if (env && env->type == DD_YSEQ) {
        for (size_t i = 0; i < env->n && !rc; i++) {
            const dd_ynode *it = env->items[i];
            const char *eq = it->type == DD_YSCALAR ? strchr(it->raw, '=') : NULL;

            if (eq && secret_name(it->raw, (size_t)(eq - it->raw)) &&
                literal_value(eq + 1, strlen(eq + 1)))
                rc = REPORT("DD-CMP-024", it->line,
                            "service \"%s\" sets the credential %.*s in environment:", s->name,
                            (int)(eq - it->raw), it->raw);
        }
    }
    return rc;
}

/* Well-known credential formats in any scalar of the file (DD-SEC-002). */
static const char *secret_value_kind(const char *s)
{
    const char *p;

    if (strstr(s, "-----BEGIN") && strstr(s, "PRIVATE KEY-----"))
        return "a private key block";
    for (p = strstr(s, "AKIA"); p; p = strstr(p + 1, "AKIA")) {
        size_t n = 4;

        while (n < 20 && (isupper((unsigned char)p[n]) || isdigit((unsigned char)p[n])))
            n++;
        if (n == 20 && !isalnum((unsigned char)p[20]))
            return "an AWS access key id";
    }
    for (p = strstr(s, "ghp_"); p; p = strstr(p + 1, "ghp_")) {
        size_t n = 0;

        while (isalnum((unsigned char)p[4 + n]))
            n++;
        if (n == 36)
            return "a GitHub token";
    }
    if ((p = strstr(s, "glpat-")) && strlen(p) >= 26)
        return "a GitLab token";
    if ((p = strstr(s, "xox")) && (p[3] == 'b' || p[3] == 'p' || p[3] == 'a') && p[4] == '-')
        return "a Slack token";
    if (strstr(s, "sk_live_"))
        return "a Stripe live key";
    return NULL;
}

static int scan_values(ctx *x, const dd_ynode *n, int depth, uint64_t *budget)
{
    dd_lint_result *r = x->r;
    const dd_lint_config *cfg = x->cfg;
    const dd_compose *c = x->c;
    int rc = DD_OK;

    /* a shared (aliased) subtree is visited once per parent: bounded by the node budget */
    if (!n || depth > DD_COMPOSE_MAX_DEPTH || *budget == 0)
        return DD_OK;
    (*budget)--;
    if (n->type == DD_YSCALAR) {
        const char *kind = n->len >= 16 ? secret_value_kind(n->raw) : NULL;

        return kind ? REPORT("DD-SEC-002", n->line, "the value holds %s", kind) : DD_OK;
    }
    for (size_t i = 0; i < n->n && !rc; i++)
        rc = scan_values(x, n->type == DD_YMAP ? n->pairs[i].value : n->items[i], depth + 1,
                         budget);
    return rc;
}

/* ---- the rest ---- */

static int rule_misc(ctx *x, const dd_compose_service *s)
{
    dd_lint_result *r = x->r;
    const dd_lint_config *cfg = x->cfg;
    const dd_compose *c = x->c;
    const dd_ypair *user = dd_ynode_pair(s->def, "user");
    const dd_ypair *hc = dd_ynode_pair(s->def, "healthcheck");
    const dd_ypair *restart = dd_ynode_pair(s->def, "restart");
    const dd_ypair *image = dd_ynode_pair(s->def, "image");
    static const char *const rp_path[] = {"deploy", "restart_policy"};
    const dd_ynode *rp = path_get(s->def, rp_path, 2);
    int rc = DD_OK;

    if (!user)
        rc = REPORT("DD-CMP-025", s->key->line,
                    "service \"%s\" sets no user: and runs as the image's default (often root)",
                    s->name);
    else if (dd_ynode_str_eq(user->value, "root") || dd_ynode_str_eq(user->value, "0") ||
             strncmp(user->value->str, "root:", 5) == 0 || strncmp(user->value->str, "0:", 2) == 0)
        rc = REPORT("DD-CMP-025", user->key->line, "service \"%s\" runs as root (user: %s)",
                    s->name, user->value->str);
    if (rc)
        return rc;

    if (!hc) {
        rc = REPORT("DD-CMP-026", s->key->line, "service \"%s\" has no healthcheck", s->name);
    } else {
        const dd_ypair *dis = dd_ynode_pair(hc->value, "disable");
        const dd_ypair *test = dd_ynode_pair(hc->value, "test");

        if (dis && dd_ynode_is_true(dis->value))
            rc = REPORT("DD-CMP-026", dis->key->line, "service \"%s\" disables its healthcheck",
                        s->name);
        else if (test && ((test->value->type == DD_YSEQ && test->value->n &&
                           dd_ynode_str_eq(test->value->items[0], "NONE")) ||
                          dd_ynode_str_eq(test->value, "NONE")))
            rc = REPORT("DD-CMP-026", test->key->line,
                        "service \"%s\" disables its healthcheck (test: NONE)", s->name);
    }
    if (rc)
        return rc;

    if (restart && restart->value->type == DD_YSCALAR) {
        const char *v = restart->value->str;

        if (strcmp(v, "always") == 0 || strcmp(v, "unless-stopped") == 0 ||
            strcmp(v, "on-failure") == 0 ||
            (strncmp(v, "on-failure:", 11) == 0 && strcmp(v + 11, "5") != 0))
            rc = REPORT("DD-CMP-027", restart->value->line,
                        "service \"%s\" restarts without the bound on-failure:5 (restart: %s)",
                        s->name, v);
    }
    if (!rc && rp && rp->type == DD_YMAP) {
        const dd_ynode *cond = dd_ynode_get(rp, "condition");
        const dd_ypair *ma = dd_ynode_pair(rp, "max_attempts");

        if (!dd_ynode_str_eq(cond, "none") && !ma)
            rc = REPORT("DD-CMP-027", deepest_line(s, rp_path, 2),
                        "service \"%s\": deploy.restart_policy sets no max_attempts", s->name);
        else if (ma && !dd_ynode_str_eq(ma->value, "5"))
            rc = REPORT("DD-CMP-027", ma->value->line,
                        "service \"%s\": deploy.restart_policy max_attempts is %s, not 5",
                        s->name, ma->value->str);
    }
    if (rc)
        return rc;

    if (image && image->value->type == DD_YSCALAR && image->value->len) {
        const char *ref = image->value->str, *slash = strrchr(ref, '/');
        const char *tag = strchr(slash ? slash : ref, ':');

        if (strstr(ref, "@sha256:"))
            return DD_OK;
        if (!tag)
            rc = REPORT("DD-CMP-030", image->key->line,
                        "service \"%s\": image %s has no tag (implicit latest) and no digest",
                        s->name, ref);
        else if (strcmp(tag, ":latest") == 0)
            rc = REPORT("DD-CMP-030", image->key->line,
                        "service \"%s\": image %s uses :latest", s->name, ref);
        else
            rc = REPORT("DD-CMP-030", image->key->line,
                        "service \"%s\": image %s is not pinned by digest", s->name, ref);
    }
    return rc;
}

int dd_compose__rules(dd_lint_result *r, const dd_compose *c, const dd_lint_config *cfg)
{
    ctx x = {r, cfg, c};
    uint64_t budget = DD_COMPOSE_MAX_NODES;
    int rc = DD_OK;

    for (size_t i = 0; i < c->n_services && !rc; i++) {
        const dd_compose_service *s = &c->services[i];

        if ((rc = rule_privileged(&x, s)) || (rc = rule_caps(&x, s)) ||
            (rc = rule_security_opt(&x, s)) || (rc = rule_resources(&x, s)) ||
            (rc = rule_namespaces(&x, s)) || (rc = rule_volumes(&x, s)) ||
            (rc = rule_ports(&x, s)) || (rc = rule_environment(&x, s)) ||
            (rc = rule_misc(&x, s)))
            break;
    }
    if (!rc)
        rc = rule_top_volumes(&x);
    if (!rc)
        rc = rule_shared_volumes(&x);
    if (!rc)
        rc = rule_networks(&x);
    if (!rc)
        rc = scan_values(&x, c->root, 0, &budget);
    return rc;
}
