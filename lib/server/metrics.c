/* The server's own Prometheus metrics: requests answered by route and status, and a latency
 * histogram by route. Counters are atomics, so request threads never wait on each other. */
#include "server/server_int.h"

#include <stdatomic.h>
#include <string.h>

static const int statuses[] = {200, 201, 204, 400, 401, 403, 404, 405, 413, 415, 500, 503};
#define N_STATUS (DD_ARRAY_SIZE(statuses) + 1) /* the last counts every other status */

static const double buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                 0.25,  0.5,    1,     2.5,  5,     10};
#define N_BUCKET (DD_ARRAY_SIZE(buckets) + 1) /* the last is +Inf */

struct dd_server_metrics {
    size_t n_routes;          /* the table's; one more slot counts requests that matched no route */
    _Atomic uint64_t *counts; /* [route][status] */
    _Atomic uint64_t *hist;   /* [route][bucket], not cumulative */
    _Atomic uint64_t *sum_usec; /* [route] */
};

int dd_server__metrics_new(dd_server_metrics **out, size_t n_routes)
{
    dd_server_metrics *m = dd_calloc(1, sizeof(*m));
    size_t slots = n_routes + 1;

    *out = NULL;
    if (!m)
        return dd_error_set(DD_ENOMEM, "out of memory");
    m->n_routes = n_routes;
    m->counts = dd_calloc(slots * N_STATUS, sizeof(*m->counts));
    m->hist = dd_calloc(slots * N_BUCKET, sizeof(*m->hist));
    m->sum_usec = dd_calloc(slots, sizeof(*m->sum_usec));
    if (!m->counts || !m->hist || !m->sum_usec) {
        dd_server__metrics_free(m);
        return dd_error_set(DD_ENOMEM, "out of memory");
    }
    *out = m;
    return DD_OK;
}

void dd_server__metrics_free(dd_server_metrics *m)
{
    if (!m)
        return;
    dd_free((void *)m->counts);
    dd_free((void *)m->hist);
    dd_free((void *)m->sum_usec);
    dd_free(m);
}

void dd_server__metrics_record(dd_server_metrics *m, size_t route, int status, double seconds)
{
    size_t s = N_STATUS - 1, b = N_BUCKET - 1;

    if (route > m->n_routes)
        route = m->n_routes;
    for (size_t i = 0; i < DD_ARRAY_SIZE(statuses); i++)
        if (statuses[i] == status)
            s = i;
    for (size_t i = 0; i < DD_ARRAY_SIZE(buckets); i++)
        if (seconds <= buckets[i]) {
            b = i;
            break;
        }
    atomic_fetch_add_explicit(&m->counts[route * N_STATUS + s], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->hist[route * N_BUCKET + b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_usec[route], (uint64_t)(seconds * 1e6), memory_order_relaxed);
}

static void route_labels(const dd_server_route *tab, size_t n_routes, size_t r, const char **m,
                         const char **p)
{
    *m = r < n_routes ? tab[r].method : "";
    *p = r < n_routes ? tab[r].pattern : "unmatched";
}

static int render_counts(dd_server_metrics *m, const dd_server_route *tab, dd_buf *out)
{
    int rc = dd_buf_puts(out, "# HELP dd_http_requests_total HTTP requests answered, by route "
                              "and status.\n# TYPE dd_http_requests_total counter\n");

    for (size_t r = 0; r <= m->n_routes && rc == DD_OK; r++) {
        const char *meth, *pat;

        route_labels(tab, m->n_routes, r, &meth, &pat);
        for (size_t s = 0; s < N_STATUS && rc == DD_OK; s++) {
            uint64_t v = atomic_load_explicit(&m->counts[r * N_STATUS + s], memory_order_relaxed);
            char status[8];

            if (!v)
                continue;
            if (s < DD_ARRAY_SIZE(statuses))
                snprintf(status, sizeof(status), "%d", statuses[s]);
            else
                snprintf(status, sizeof(status), "other");
            rc = dd_buf_printf(out,
                               "dd_http_requests_total{method=\"%s\",route=\"%s\",status=\"%s\"} "
                               "%llu\n",
                               meth, pat, status, (unsigned long long)v);
        }
    }
    return rc;
}

static int render_histogram(dd_server_metrics *m, const dd_server_route *tab, dd_buf *out)
{
    int rc = dd_buf_puts(out, "# HELP dd_http_request_duration_seconds Time from a request's "
                              "headers to its answer, by route.\n"
                              "# TYPE dd_http_request_duration_seconds histogram\n");

    for (size_t r = 0; r <= m->n_routes && rc == DD_OK; r++) {
        const char *meth, *pat;
        uint64_t cum = 0;

        route_labels(tab, m->n_routes, r, &meth, &pat);
        for (size_t b = 0; b < N_BUCKET; b++)
            cum += atomic_load_explicit(&m->hist[r * N_BUCKET + b], memory_order_relaxed);
        if (!cum)
            continue;
        cum = 0;
        for (size_t b = 0; b < N_BUCKET && rc == DD_OK; b++) {
            char le[16];

            cum += atomic_load_explicit(&m->hist[r * N_BUCKET + b], memory_order_relaxed);
            if (b < DD_ARRAY_SIZE(buckets))
                snprintf(le, sizeof(le), "%g", buckets[b]);
            else
                snprintf(le, sizeof(le), "+Inf");
            rc = dd_buf_printf(out,
                               "dd_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\","
                               "le=\"%s\"} %llu\n",
                               meth, pat, le, (unsigned long long)cum);
        }
        if (rc == DD_OK)
            rc = dd_buf_printf(
                out,
                "dd_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n"
                "dd_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %llu\n",
                meth, pat,
                (double)atomic_load_explicit(&m->sum_usec[r], memory_order_relaxed) / 1e6, meth,
                pat, (unsigned long long)cum);
    }
    return rc;
}

int dd_server__metrics_render(dd_server_metrics *m, const dd_server_route *tab, dd_buf *out)
{
    int rc = render_counts(m, tab, out);

    return rc == DD_OK ? render_histogram(m, tab, out) : rc;
}
