/* OSV records (https://ossf.github.io/osv-schema/) reduced to database rows, and rows decoded
 * back into the advisory model the matcher reads.
 *
 * An affected row's "data" is compact JSON:
 *   {"r":[["ECOSYSTEM",[["i","0"],["f","1.2-3"]]],...],   ranges: type, events (kind, version)
 *    "v":["1.0","1.1"],                                    explicit versions
 *    "s":{...}}                                            severity inputs of this entry
 * and the record's "severity" (and an entry's "s") is an object with any of
 *   "rating", "rating_source"    a word the distro or record gives ("HIGH", "low", "important")
 *   "v3", "v4"                    CVSS vectors
 *   "score", "score_v2"           bare numeric scores (CVSS v3/v4, and v2 as a last resort) */
#include "vulndb/vulndb_int.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define bad(...) dd_error_set(DD_EINVALID, __VA_ARGS__)

static const char *opt_string(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    return json_is_string(v) ? json_string_value(v) : NULL;
}

char *dd_vulndb__name_key(const char *ecosystem, const char *name)
{
    size_t n = strlen(name);
    char *k = dd_malloc(n + 1), *o = k;

    if (!k) {
        dd_error_set(DD_ENOMEM, "out of memory");
        return NULL;
    }
    if (strcmp(ecosystem, "PyPI") == 0) {
        /* PEP 503: lower case, runs of '-', '_' and '.' become one '-' */
        for (size_t i = 0; i < n; i++) {
            char c = name[i];
            if (c == '-' || c == '_' || c == '.') {
                while (i + 1 < n && (name[i + 1] == '-' || name[i + 1] == '_' || name[i + 1] == '.'))
                    i++;
                *o++ = '-';
            } else {
                *o++ = (char)tolower((unsigned char)c);
            }
        }
        *o = '\0';
    } else if (strcmp(ecosystem, "NuGet") == 0 || strcmp(ecosystem, "Packagist") == 0 ||
               strcmp(ecosystem, "Maven") == 0) {
        for (size_t i = 0; i <= n; i++)
            k[i] = (char)tolower((unsigned char)name[i]);
    } else {
        memcpy(k, name, n + 1);
    }
    return k;
}

/* Adds to `sev` the severity inputs found in a severity[] array. */
static void severity_array(json_t *sev, json_t *arr)
{
    size_t i;
    json_t *e;

    json_array_foreach(arr, i, e) {
        const char *type = opt_string(e, "type"), *score = opt_string(e, "score");
        if (!type || !score)
            continue;
        if (strcmp(type, "CVSS_V3") == 0 && !json_object_get(sev, "v3"))
            json_object_set_new(sev, "v3", json_string(score));
        else if (strcmp(type, "CVSS_V4") == 0 && !json_object_get(sev, "v4"))
            json_object_set_new(sev, "v4", json_string(score));
        else if (strcasecmp(type, "Ubuntu") == 0 && !json_object_get(sev, "rating")) {
            json_object_set_new(sev, "rating", json_string(score));
            json_object_set_new(sev, "rating_source", json_string("ubuntu"));
        }
    }
}

static void set_rating(json_t *sev, const char *word, const char *source)
{
    if (!word || !*word || json_object_get(sev, "rating"))
        return;
    if (strcasecmp(word, "not yet assigned") == 0 || strcasecmp(word, "unknown") == 0)
        return;
    json_object_set_new(sev, "rating", json_string(word));
    json_object_set_new(sev, "rating_source", json_string(source));
}

static void set_number(json_t *sev, const char *key, json_t *v)
{
    if (json_is_number(v) && !json_object_get(sev, key))
        json_object_set_new(sev, key, json_real(json_number_value(v)));
}

/* The record-level severity inputs. */
static json_t *record_severity(json_t *rec, const char *id)
{
    json_t *sev = json_object(), *db = json_object_get(rec, "database_specific");
    const char *cvss;

    if (!sev)
        return NULL;
    if (json_is_object(db))
        set_rating(sev, opt_string(db, "severity"), strncmp(id, "GHSA-", 5) == 0 ? "ghsa" : "record");
    severity_array(sev, json_object_get(rec, "severity"));
    if (json_is_object(db)) {
        if ((cvss = opt_string(db, "cvss")) && strncmp(cvss, "CVSS:3", 6) == 0 &&
            !json_object_get(sev, "v3"))
            json_object_set_new(sev, "v3", json_string(cvss));
        set_number(sev, "score", json_object_get(db, "cvss_v3"));
        set_number(sev, "score", json_object_get(db, "cvss_v4"));
        set_number(sev, "score", json_object_get(db, "cvss_score"));
        set_number(sev, "score_v2", json_object_get(db, "cvss_v2"));
    }
    return sev;
}

/* An entry's own severity inputs: affected[].severity[] and the distro's urgency. */
static json_t *entry_severity(json_t *aff, const char *ecosystem)
{
    json_t *sev = json_object(), *es = json_object_get(aff, "ecosystem_specific");
    const char *family = strncmp(ecosystem, "Debian", 6) == 0 ? "debian" : "record";

    if (!sev)
        return NULL;
    if (json_is_object(es)) {
        set_rating(sev, opt_string(es, "urgency"), family);
        set_rating(sev, opt_string(es, "severity"), family);
    }
    severity_array(sev, json_object_get(aff, "severity"));
    return sev;
}

static const struct {
    const char *osv, *code;
} event_kinds[] = {
    {"introduced", "i"}, {"fixed", "f"}, {"last_affected", "l"}, {"limit", "x"},
};

static int reduce_ranges(json_t *out, json_t *ranges)
{
    size_t i, j;
    json_t *r, *e;

    if (!ranges)
        return DD_OK;
    if (!json_is_array(ranges))
        return bad("affected[].ranges is not an array");
    json_array_foreach(ranges, i, r) {
        const char *type = opt_string(r, "type");
        json_t *events = json_object_get(r, "events"), *evs, *row;

        if (!type)
            return bad("a range has no type");
        if (!json_is_array(events))
            return bad("a %s range has no events array", type);
        if (strcmp(type, "ECOSYSTEM") != 0 && strcmp(type, "SEMVER") != 0 &&
            strcmp(type, "GIT") != 0)
            continue; /* a type this schema version does not know: nothing to match */
        evs = json_array();
        json_array_foreach(events, j, e) {
            const char *kind = NULL, *version = NULL;
            for (size_t k = 0; k < sizeof(event_kinds) / sizeof(event_kinds[0]); k++)
                if ((version = opt_string(e, event_kinds[k].osv))) {
                    kind = event_kinds[k].code;
                    break;
                }
            if (!kind || !*version) {
                json_decref(evs);
                return bad("a %s range has an event without introduced, fixed, last_affected or "
                           "limit",
                           type);
            }
            json_array_append_new(evs, json_pack("[ss]", kind, version));
        }
        row = json_pack("[so]", type, evs);
        if (!row || json_array_append_new(out, row) != 0)
            return dd_error_set(DD_ENOMEM, "out of memory");
    }
    return DD_OK;
}

static char *dump(json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT);
    char *c = s ? dd_strdup(s) : NULL;

    free(s);
    if (!c)
        dd_error_set(DD_ENOMEM, "out of memory");
    return c;
}

static int reduce_affected(dd_osv_affected_row *row, json_t *aff)
{
    json_t *pkg = json_object_get(aff, "package"), *data = NULL, *ranges, *versions, *sev;
    int rc;

    memset(row, 0, sizeof(*row));
    if (!json_is_object(pkg))
        return bad("affected[] entry without a package");
    row->ecosystem = opt_string(pkg, "ecosystem");
    row->name = opt_string(pkg, "name");
    if (!row->ecosystem || !*row->ecosystem || !row->name || !*row->name)
        return bad("affected[].package without ecosystem or name");
    versions = json_object_get(aff, "versions");
    if (versions && !json_is_array(versions))
        return bad("affected[].versions is not an array");
    if (!(data = json_object()) || !(ranges = json_array()))
        return dd_error_set(DD_ENOMEM, "out of memory");
    json_object_set_new(data, "r", ranges);
    if ((rc = reduce_ranges(ranges, json_object_get(aff, "ranges"))) != DD_OK)
        goto out;
    if (versions) {
        json_t *vs = json_array(), *v;
        size_t i;
        json_array_foreach(versions, i, v) {
            if (!json_is_string(v)) {
                json_decref(vs);
                rc = bad("affected[].versions holds a non-string");
                goto out;
            }
            json_array_append(vs, v);
        }
        json_object_set_new(data, "v", vs);
    }
    if ((sev = entry_severity(aff, row->ecosystem)) && json_object_size(sev) > 0)
        json_object_set_new(data, "s", sev);
    else
        json_decref(sev);
    rc = DD_ENOMEM;
    if (!(row->key = dd_vulndb__name_key(row->ecosystem, row->name)) || !(row->data = dump(data)))
        goto out;
    rc = DD_OK;
out:
    json_decref(data);
    return rc;
}

void dd_osv__row_dispose(dd_osv_row *row)
{
    for (size_t i = 0; i < row->n_affected; i++) {
        dd_free(row->affected[i].key);
        dd_free(row->affected[i].data);
    }
    dd_free(row->affected);
    dd_free(row->aliases);
    dd_free(row->refs);
    dd_free(row->severity);
    memset(row, 0, sizeof(*row));
}

static int add_unique(json_t *arr, json_t *v)
{
    size_t i;
    json_t *e;

    if (!json_is_string(v))
        return DD_OK;
    json_array_foreach(arr, i, e) {
        if (json_equal(e, v))
            return DD_OK;
    }
    return json_array_append(arr, v) == 0 ? DD_OK : DD_ENOMEM;
}

int dd_osv__row(dd_osv_row *row, json_t *rec)
{
    json_t *affected, *aliases = NULL, *refs = NULL, *sev = NULL, *e;
    size_t i;
    int rc = DD_ENOMEM;

    memset(row, 0, sizeof(*row));
    if (!json_is_object(rec))
        return bad("record is not a JSON object");
    if (!(row->id = opt_string(rec, "id")) || !*row->id)
        return bad("record has no id");
    if (strlen(row->id) > 256)
        return bad("record id is longer than 256 bytes");
    row->modified = opt_string(rec, "modified");
    row->published = opt_string(rec, "published");
    row->summary = opt_string(rec, "summary");
    row->details = opt_string(rec, "details");
    e = json_object_get(rec, "withdrawn");
    row->withdrawn = json_is_string(e) && *json_string_value(e);
    affected = json_object_get(rec, "affected");
    if (affected && !json_is_array(affected))
        return dd_error_set(DD_EINVALID, "%s: affected is not an array", row->id);
    if (!(aliases = json_array()) || !(refs = json_array()))
        goto out;
    json_array_foreach(json_object_get(rec, "aliases"), i, e) {
        if (add_unique(aliases, e) != DD_OK)
            goto out;
    }
    json_array_foreach(json_object_get(rec, "upstream"), i, e) {
        if (add_unique(aliases, e) != DD_OK)
            goto out;
    }
    json_array_foreach(json_object_get(rec, "references"), i, e) {
        if (add_unique(refs, json_object_get(e, "url")) != DD_OK)
            goto out;
    }
    if (!(sev = record_severity(rec, row->id)))
        goto out;
    if (!(row->aliases = dump(aliases)) || !(row->refs = dump(refs)) ||
        !(row->severity = dump(sev)))
        goto out;
    if (affected && json_array_size(affected) > 0) {
        row->affected = dd_calloc(json_array_size(affected), sizeof(*row->affected));
        if (!row->affected)
            goto out;
        json_array_foreach(affected, i, e) {
            if ((rc = reduce_affected(&row->affected[i], e)) != DD_OK) {
                dd_free(row->affected[i].key);
                dd_error_prefix("%s", row->id);
                goto out;
            }
            row->n_affected++;
        }
    }
    rc = DD_OK;
out:
    if (rc == DD_ENOMEM && !*dd_error_message())
        dd_error_set(DD_ENOMEM, "out of memory");
    json_decref(aliases);
    json_decref(refs);
    json_decref(sev);
    if (rc != DD_OK)
        dd_osv__row_dispose(row);
    return rc;
}

/* --- decoding rows for the matcher --- */

static const char *arena_str(dd_arena *a, json_t *v, int *rc)
{
    char *c;

    if (!json_is_string(v))
        return NULL;
    if (!(c = dd_arena_strdup(a, json_string_value(v))))
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
    return c;
}

static const char *const *arena_strv(dd_arena *a, json_t *arr, size_t *n, int *rc)
{
    const char **v;
    size_t i, k = 0;
    json_t *e;

    *n = 0;
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return NULL;
    if (!(v = dd_arena_alloc(a, json_array_size(arr) * sizeof(*v)))) {
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
        return NULL;
    }
    json_array_foreach(arr, i, e) {
        if (json_is_string(e))
            v[k++] = arena_str(a, e, rc);
    }
    *n = k;
    return v;
}

/* Applies one severity object to `out`, fields already set kept. */
static void apply_severity(dd_osv_affected *out, dd_arena *a, json_t *sev, int *rc)
{
    json_t *v;

    if (!json_is_object(sev))
        return;
    if (!out->rating && (out->rating = arena_str(a, json_object_get(sev, "rating"), rc)))
        out->rating_source = arena_str(a, json_object_get(sev, "rating_source"), rc);
    if (!out->cvss_v3)
        out->cvss_v3 = arena_str(a, json_object_get(sev, "v3"), rc);
    if (!out->cvss_v4)
        out->cvss_v4 = arena_str(a, json_object_get(sev, "v4"), rc);
    if (out->score < 0 && json_is_number(v = json_object_get(sev, "score")))
        out->score = json_number_value(v);
    if (out->score_v2 < 0 && json_is_number(v = json_object_get(sev, "score_v2")))
        out->score_v2 = json_number_value(v);
}

static int decode_ranges(dd_osv_affected *out, dd_arena *a, json_t *ranges, int *rc)
{
    dd_osv_range *rv;
    size_t i, j;
    json_t *r, *e;

    if (!json_is_array(ranges) || json_array_size(ranges) == 0)
        return DD_OK;
    if (!(rv = dd_arena_alloc(a, json_array_size(ranges) * sizeof(*rv))))
        return *rc = dd_error_set(DD_ENOMEM, "out of memory");
    json_array_foreach(ranges, i, r) {
        const char *type = json_string_value(json_array_get(r, 0));
        json_t *evs = json_array_get(r, 1);
        dd_osv_event *ev;

        rv[i].type = !type                        ? DD_OSV_RANGE_GIT
                     : strcmp(type, "ECOSYSTEM") == 0 ? DD_OSV_RANGE_ECOSYSTEM
                     : strcmp(type, "SEMVER") == 0    ? DD_OSV_RANGE_SEMVER
                                                      : DD_OSV_RANGE_GIT;
        rv[i].events = NULL;
        rv[i].n_events = 0;
        if (!json_is_array(evs) || json_array_size(evs) == 0)
            continue;
        if (!(ev = dd_arena_alloc(a, json_array_size(evs) * sizeof(*ev))))
            return *rc = dd_error_set(DD_ENOMEM, "out of memory");
        json_array_foreach(evs, j, e) {
            const char *k = json_string_value(json_array_get(e, 0));
            ev[j].kind = !k           ? DD_OSV_LIMIT
                         : *k == 'i' ? DD_OSV_INTRODUCED
                         : *k == 'f' ? DD_OSV_FIXED
                         : *k == 'l' ? DD_OSV_LAST_AFFECTED
                                     : DD_OSV_LIMIT;
            ev[j].version = arena_str(a, json_array_get(e, 1), rc);
            if (!ev[j].version)
                ev[j].version = "";
        }
        rv[i].events = ev;
        rv[i].n_events = json_array_size(evs);
    }
    out->ranges = rv;
    out->n_ranges = json_array_size(ranges);
    return *rc;
}

int dd_osv__decode(dd_osv_affected *out, dd_arena *a, const char *data, const char *severity,
                   const char *aliases, const char *refs)
{
    json_t *d = json_loads(data, 0, NULL), *s = severity ? json_loads(severity, 0, NULL) : NULL;
    json_t *al = aliases ? json_loads(aliases, 0, NULL) : NULL;
    json_t *rf = refs ? json_loads(refs, 0, NULL) : NULL;
    int rc = DD_OK;

    out->ranges = NULL;
    out->n_ranges = 0;
    out->versions = NULL;
    out->n_versions = 0;
    out->rating = out->rating_source = out->cvss_v3 = out->cvss_v4 = NULL;
    out->score = out->score_v2 = -1;
    if (!d) {
        rc = dd_error_set(DD_EINVALID, "damaged database row for %s", out->id ? out->id : "?");
        goto out;
    }
    decode_ranges(out, a, json_object_get(d, "r"), &rc);
    out->versions = arena_strv(a, json_object_get(d, "v"), &out->n_versions, &rc);
    apply_severity(out, a, json_object_get(d, "s"), &rc);
    apply_severity(out, a, s, &rc);
    out->aliases = arena_strv(a, al, &out->n_aliases, &rc);
    out->references = arena_strv(a, rf, &out->n_references, &rc);
out:
    json_decref(d);
    json_decref(s);
    json_decref(al);
    json_decref(rf);
    return rc;
}
