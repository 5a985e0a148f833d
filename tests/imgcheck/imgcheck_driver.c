/* Test driver for the image checks: opens an image, walks it once and prints what the checks
 * find, until the command-line integration exists.
 *
 *   imgcheck_driver findings IMAGE   every finding (config and hygiene) as one JSON object a line
 *   imgcheck_driver hygiene IMAGE    the hygiene report as one JSON object
 *   imgcheck_driver table IMAGE      the hygiene report as a table
 * Exit 0, or 2 with one line on stderr naming the image. */
#include <drydock/image.h>
#include <drydock/imgcheck.h>
#include <drydock/issue.h>
#include <drydock/json.h>
#include <drydock/walk.h>

#include <stdio.h>
#include <string.h>

static void put_str(const char *key, const char *v)
{
    printf(",\"%s\":", key);
    if (v)
        dd_json_put_string(stdout, v);
    else
        fputs("null", stdout);
}

static int print_issue(const dd_issue *is, void *payload)
{
    (void)payload;
    printf("{\"class\":\"%s\"", dd_issue_class_name(is->cls));
    put_str("rule_id", is->rule_id);
    put_str("severity", dd_severity_name(is->severity));
    put_str("title", is->title);
    put_str("message", is->message);
    put_str("fix", is->fix);
    put_str("path", is->path);
    put_str("location", is->location);
    printf(",\"layer\":%d,\"removed_in\":%d,\"line\":%u,\"bytes\":%llu}\n", (int)is->layer,
           (int)is->removed_in, is->line, (unsigned long long)is->bytes);
    return DD_OK;
}

int main(int argc, char **argv)
{
    dd_image_open_opts opts = DD_IMAGE_OPEN_OPTS_INIT;
    dd_walk_opts wopts = DD_WALK_OPTS_INIT;
    dd_image *img = NULL;
    dd_walk *w = NULL;
    dd_hygiene *h = NULL;
    const char *mode;
    int rc;

    if (argc != 3 ||
        (strcmp(argv[1], "findings") && strcmp(argv[1], "hygiene") && strcmp(argv[1], "table"))) {
        fprintf(stderr, "usage: imgcheck_driver findings|hygiene|table IMAGE\n");
        return 2;
    }
    mode = argv[1];
    wopts.threads = 2;
    if ((rc = dd_image_open(&img, argv[2], &opts)) != DD_OK ||
        (rc = dd_walk_new(&w, &wopts)) != DD_OK || (rc = dd_imgcheck_prepare(w)) != DD_OK ||
        (rc = dd_walk_run(w, img)) != DD_OK ||
        (rc = dd_hygiene_compute(&h, dd_image_config_get(img), w)) != DD_OK)
        goto done;
    if (strcmp(mode, "findings") == 0) {
        if ((rc = dd_imgcheck_run(dd_image_config_get(img), w, print_issue, NULL)) == DD_OK)
            rc = dd_hygiene_issues(h, print_issue, NULL);
    } else if (strcmp(mode, "hygiene") == 0) {
        rc = dd_hygiene_write_json(stdout, h);
    } else {
        rc = dd_hygiene_write_text(stdout, h);
    }
done:
    if (rc != DD_OK)
        fprintf(stderr, "imgcheck_driver: %s\n", dd_error_message());
    dd_hygiene_free(h);
    dd_walk_free(w);
    dd_image_free(img);
    return rc == DD_OK ? 0 : 2;
}
