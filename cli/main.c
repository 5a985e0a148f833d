/* drydock: container security from Dockerfile to fleet. Dispatches to one command per file. */
#include "cli.h"

#include <drydock/common.h>

#include <stdlib.h>
#include <string.h>

static int cmd_help(const dd_command *cmd, int argc, char **argv);
static int cmd_version(const dd_command *cmd, int argc, char **argv);

static const dd_command commands[] = {
    {"inspect", dd_cmd_inspect, "[flags] IMAGE",
     "Show an image's identity, config, history, layers and squashed file tree.",
     "IMAGE is a docker-archive or oci-archive tarball, an OCI layout directory or a root\n"
     "filesystem directory, detected automatically or forced with a prefix: docker-archive:,\n"
     "oci-archive:, oci-dir:, dir:. Append :TAG (or use --tag) to pick one image of several.\n"
     "\nExit codes: 0 success, 2 usage or input error."},
    {"sbom", dd_cmd_sbom, "[flags] IMAGE",
     "Write an image's SBOM (OS packages) as CycloneDX 1.6 or SPDX 2.3 JSON.",
     "IMAGE is a docker-archive or oci-archive tarball, an OCI layout directory or a root\n"
     "filesystem directory, detected automatically or forced with a prefix: docker-archive:,\n"
     "oci-archive:, oci-dir:, dir:. The timestamp is SOURCE_DATE_EPOCH when set; the same\n"
     "image gives the same bytes.\n"
     "\nExit codes: 0 success, 2 usage or input error (a damaged package database too,\n"
     "unless --best-effort; the document then lists the packages read)."},
    {"image", dd_cmd_image, "[flags] IMAGE",
     "Scan an image for vulnerabilities, leaked secrets, configuration and layer hygiene.",
     "IMAGE is a docker-archive or oci-archive tarball, an OCI layout directory or a root\n"
     "filesystem directory, as for drydock sbom. One pass over the layers feeds every scanner\n"
     "of --scanners. vuln: OS packages are matched by their source package in the image's\n"
     "release (Debian:12, Alpine:v3.20, ...), language packages in their own ecosystem, against\n"
     "the database of drydock db update or drydock db import. secret: every file of every layer,\n"
     "deleted ones included, and the configuration's Env and history (docs/secrets.md). config:\n"
     "the DD-IMG rules and credential files (docs/imgcheck.md). hygiene: wasted bytes, caches\n"
     "and build tools left in the image.\n"
     "\nExit codes: 0 no shown finding (or no gate asked for), the --exit-code value (1 with\n"
     "--fail-on alone) when shown findings remain, 2 usage error or unusable input."},
    {"scan-sbom", dd_cmd_scan_sbom, "[flags] FILE",
     "Scan the packages of a CycloneDX or SPDX JSON SBOM for known vulnerabilities.",
     "FILE is an SBOM from any tool (drydock, Trivy, Syft, cdxgen). The distribution comes from\n"
     "its operating-system component or the purls' distro qualifier; when neither is there it\n"
     "is inferred from the purls, and what was inferred is said on stderr. Flags and exit codes\n"
     "are those of drydock image."},
    {"db", dd_cmd_db, "<import|update|status> [flags]",
     "Build, update and inspect the offline vulnerability database.", NULL},
    {"lint", dd_cmd_lint, "[flags] PATH...",
     "Lint Dockerfiles, compose files, .dockerignore files and build contexts.",
     "PATH is a file (its kind comes from its name; other names are read as Dockerfiles) or a\n"
     "directory, in which Dockerfile, *.Dockerfile, Dockerfile.*, Containerfile, compose.y*ml,\n"
     "docker-compose*.y*ml and .dockerignore are linted. Settings come from --config, else the\n"
     ".drydock.yaml of the current directory or its parents (see docs/lint.md).\n"
     "Rules: drydock lint --list-rules; pragmas: # drydock ignore=DD-LYR-002 (next instruction),\n"
     "# drydock global ignore=... (whole file); # hadolint ignore=DL3008 is understood too.\n"
     "\nExit codes: 0 no finding at or above the failure threshold (default warning), 1 some,\n"
     "2 usage error or an unusable input file (named with its line on stderr)."},
    {"serve", dd_cmd_serve, "[flags]",
     "Run the fleet server: SBOMs pushed by CI, matched and queried over HTTP.",
     "The store is a SQLite file (--db sqlite:PATH, the default) or a PostgreSQL database\n"
     "(--db postgresql://...) several servers may share. DRYDOCK_ADMIN_KEY in the environment\n"
     "creates the first administrator key. When the vulnerability database changes, only the\n"
     "images holding packages whose advisories changed are matched again.\n"
     "\nExit codes: 0 after SIGTERM or SIGINT, 2 usage error or a database that cannot be opened."},
    {"push", dd_cmd_push, "[flags] IMAGE|SBOM",
     "Send an image's inventory (or an SBOM file) to the fleet server.",
     "A file whose first non-blank byte is '{' is sent as it is (CycloneDX or SPDX JSON, from\n"
     "any tool); anything else is opened as an IMAGE, cataloged as drydock sbom does, and its\n"
     "CycloneDX sent with the image's digest. The server comes from --server or\n"
     "DRYDOCK_SERVER, the key from --api-key or DRYDOCK_API_KEY (docs/push-and-fleet.md).\n"
     "\nExit codes: 0 stored, 2 usage error, unusable input or a refusal of the server."},
    {"fleet", dd_cmd_fleet, "<affected|images|packages|image|summary|deploy> [flags]",
     "Ask the fleet server which images and containers hold an advisory or a package.",
     "affected ID: the images holding advisory ID (or any alias) and where they run;\n"
     "images [--repository R] [--base-image B] [--package PURL[@RANGE]]; packages PURL[@RANGE];\n"
     "image DIGEST; summary; deploy: record which images run where. Every list follows the\n"
     "server's pages to the end unless --limit says otherwise (docs/push-and-fleet.md).\n"
     "\nExit codes: 0 answered, 2 usage error or a refusal of the server."},
    {"help", cmd_help, "[COMMAND]", "Show help for drydock or one of its commands.", NULL},
    {"version", cmd_version, "", "Print drydock's version.", NULL},
};

static const dd_command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void print_usage(FILE *out)
{
    fputs("drydock - container security from Dockerfile to fleet, without a Docker engine\n\n"
          "Usage: drydock <command> [flags] [arguments]\n\nCommands:\n",
          out);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\nRun 'drydock <command> --help' for a command's flags.\n"
          "Exit codes: 0 clean, the --exit-code value when findings pass the filter,\n"
          "2 for usage or input errors.\n",
          out);
}

static int cmd_help(const dd_command *cmd, int argc, char **argv)
{
    const dd_command *target;
    char *args[] = {NULL, "--help", NULL};

    if (argc < 2) {
        print_usage(stdout);
        return DD_EXIT_OK;
    }
    target = find_command(argv[1]);
    if (!target) {
        dd_cli_error("help: no command \"%s\" (see drydock help)", argv[1]);
        return DD_EXIT_USAGE;
    }
    if (target == cmd || target->run == cmd_version) {
        printf("Usage: drydock %s %s\n\n%s\n", target->name, target->usage, target->summary);
        return DD_EXIT_OK;
    }
    args[0] = (char *)target->name;
    return target->run(target, 2, args);
}

static int cmd_version(const dd_command *cmd, int argc, char **argv)
{
    printf("drydock %s\n", dd_version());
    return DD_EXIT_OK;
}

int dd_cli_fail(void)
{
    const char *msg = dd_error_message();

    dd_cli_error("%s", *msg ? msg : dd_error_name(dd_error_code()));
    return DD_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    const dd_command *cmd;

    /* While TZ is unset, glibc stats /etc/localtime again on every mktime(3), and libarchive
     * calls mktime for every zip entry's time: 6,000 stats for the jars of one image. Naming
     * the file glibc would read anyway makes it read it once. */
    if (!getenv("TZ"))
        setenv("TZ", ":/etc/localtime", 0);
    if (argc < 2) {
        print_usage(stderr);
        return DD_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
        return cmd_version(NULL, 0, NULL);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_usage(stdout);
        return DD_EXIT_OK;
    }
    cmd = find_command(argv[1]);
    if (!cmd) {
        dd_cli_error("unknown command \"%s\" (see drydock help)", argv[1]);
        return DD_EXIT_USAGE;
    }
    return cmd->run(cmd, argc - 1, argv + 1);
}
