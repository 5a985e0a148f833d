/* Deployments: which image digest runs where, as full snapshots of an environment or one
 * container at a time. */
#include "fleet/fleet_int.h"

#include <stdio.h>
#include <string.h>

static bool empty(const char *s)
{
    return !s || !*s;
}

/* The digest `image` names: "sha256:..", "REPO@sha256:..", or "REPO:TAG" looked up now. */
static int resolve_image(dd_fleet_conn *c, const char *image, size_t index, char out[80])
{
    const char *at = strrchr(image, '@'), *colon = strrchr(image, ':'), *slash;
    dd_q q = {0};
    char *repo;
    int rc;

    if (strncmp(image, "sha256:", 7) == 0 || at) {
        const char *d = at ? at + 1 : image;
        if (!dd_digest_valid(d))
            return dd_error_set(DD_EINVALID, "deployment %zu: image \"%.200s\": not a sha256 digest",
                                index, image);
        snprintf(out, 80, "%s", d);
        return DD_OK;
    }
    slash = strrchr(image, '/');
    /* "registry:5000/app" has a port, not a tag: a tag's colon comes after the last slash */
    if (!colon || (slash && colon < slash) || colon == image || !colon[1])
        return dd_error_set(DD_EINVALID,
                            "deployment %zu: image \"%.200s\" is neither a digest nor REPO:TAG",
                            index, image);
    if (!(repo = dd_strndup(image, (size_t)(colon - image))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    rc = dd_q_run(&q, c,
                  "SELECT i.digest FROM tags t JOIN images i ON i.id = t.image_id "
                  "WHERE t.repository = $1 AND t.tag = $2",
                  (dd_dbv[]){DBT(repo), DBT(colon + 1)}, 2);
    if (rc > 0)
        snprintf(out, 80, "%s", dd_q_text(&q, 0));
    dd_q_done(&q);
    dd_free(repo);
    if (rc == 0)
        return dd_error_set(DD_EINVALID, "deployment %zu: tag \"%.200s\" is not in the store",
                            index, image);
    return rc < 0 ? rc : DD_OK;
}

static int check_entry(const dd_fleet_deployment *d, size_t index)
{
    if (empty(d->cluster))
        return dd_error_set(DD_EINVALID, "deployment %zu: no cluster", index);
    if (empty(d->container))
        return dd_error_set(DD_EINVALID, "deployment %zu: no container", index);
    if (empty(d->image))
        return dd_error_set(DD_EINVALID, "deployment %zu: no image", index);
    if (strlen(d->cluster) > 256 || strlen(d->container) > 256 ||
        (d->namespace_ && strlen(d->namespace_) > 256) || strlen(d->image) > 1024)
        return dd_error_set(DD_EINVALID, "deployment %zu: a field is longer than 256 bytes",
                            index);
    return DD_OK;
}

static int put_one(dd_fleet_conn *c, const char *env, const dd_fleet_deployment *d, size_t index)
{
    char digest[80];
    int rc;

    if ((rc = check_entry(d, index)) != DD_OK ||
        (rc = resolve_image(c, d->image, index, digest)) != DD_OK)
        return rc;
    return dd_fleet__exec(c,
                          "INSERT INTO deployments (environment, cluster, namespace, container, "
                          "digest, last_seen) VALUES ($1, $2, $3, $4, $5, $6) "
                          "ON CONFLICT (environment, cluster, namespace, container) DO UPDATE "
                          "SET digest = excluded.digest, last_seen = excluded.last_seen",
                          (dd_dbv[]){DBT(env), DBT(d->cluster),
                                     DBT(d->namespace_ ? d->namespace_ : ""), DBT(d->container),
                                     DBT(digest),
                                     DBI(d->last_seen ? d->last_seen : dd_fleet__now())},
                          6);
}

int dd_fleet_deploy(dd_fleet *f, const char *environment, bool snapshot,
                    const dd_fleet_deployment *d, size_t n)
{
    dd_fleet_conn *c;
    int rc;

    if (empty(environment) || strlen(environment) > 256)
        return dd_error_set(DD_EINVALID, "deployments: environment is empty or too long");
    for (size_t i = 0; i < n; i++)
        if (d[i].environment && *d[i].environment && strcmp(d[i].environment, environment) != 0)
            return dd_error_set(DD_EINVALID, "deployment %zu: environment \"%.100s\" is not \"%.100s\"",
                                i, d[i].environment, environment);
    if ((rc = dd_fleet__acquire(f, &c)) != DD_OK)
        return rc;
    if ((rc = dd_fleet__begin(c)) != DD_OK)
        goto done;
    if (snapshot)
        rc = dd_fleet__exec(c, "DELETE FROM deployments WHERE environment = $1",
                            (dd_dbv[]){DBT(environment)}, 1);
    for (size_t i = 0; i < n && rc == DD_OK; i++)
        rc = put_one(c, environment, &d[i], i);
    if (rc == DD_OK)
        rc = dd_fleet__commit(c);
    else
        dd_fleet__rollback(c);
done:
    dd_fleet__release(f, c);
    return rc;
}
