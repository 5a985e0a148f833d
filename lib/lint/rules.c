/* The rule catalogue of docs/lint-rules.md (from LINT-RULES.md): id, default severity, kind,
 * title, fix hint and the hadolint codes each rule covers. Sorted by id for bsearch. */
#include "lint/lint_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const dd_lint_rule rules[] = {
    {"DD-BI-001", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "FROM has no tag and no digest (implicit latest)",
     "add an explicit version tag and a digest: FROM image:1.2.3@sha256:...", "DL3006"},
    {"DD-BI-002", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "FROM x:latest",
     "replace :latest with a specific version tag (and pin its digest)", "DL3007"},
    {"DD-BI-003", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "Base not pinned by @sha256: digest",
     "pin the base by digest: FROM image:tag@sha256:<digest>", ""},
    {"DD-BI-004", DD_SEV_ERROR, DD_LINT_DOCKERFILE,
     "Registry not on an allow-list",
     "pull the base from a trusted registry (trusted_registries in .drydock.yaml)", "DL3026"},
    {"DD-BI-005", DD_SEV_INFO, DD_LINT_DOCKERFILE,
     "Non-minimal base (full distro where slim/distroless/scratch fits)",
     "use a slim, alpine, distroless or scratch base where it fits", ""},
    {"DD-BI-006", DD_SEV_INFO, DD_LINT_DOCKERFILE,
     "Build stage produces the final image but the file has only one stage while compilers/toolchains are installed",
     "build in one stage and COPY --from it into a minimal final stage", ""},
    {"DD-BI-007", DD_SEV_INFO, DD_LINT_DOCKERFILE,
     "FROM --platform=… used",
     "drop --platform from FROM unless the build really needs a fixed platform", "DL3029"},
    {"DD-BI-008", DD_SEV_STYLE, DD_LINT_DOCKERFILE,
     "--platform=$TARGETPLATFORM (redundant)",
     "drop the redundant --platform=$TARGETPLATFORM", "DL3065"},
    {"DD-BI-009", DD_SEV_INFO, DD_LINT_IMAGE,
     "Content trust / signature not enforced (image side)",
     "enable content trust and verify image signatures (cosign, notation)", ""},
    {"DD-BLD-001", DD_SEV_ERROR, DD_LINT_DOCKERFILE,
     "Instruction before first FROM other than ARG/comment/directive",
     "move the instruction after the first FROM (only ARG may precede it)", "DL3061"},
    {"DD-BLD-002", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "COPY --from= names an alias not defined earlier",
     "name the stage with FROM ... AS <name> before COPY --from=<name>", "DL3022"},
    {"DD-BLD-003", DD_SEV_ERROR, DD_LINT_DOCKERFILE,
     "COPY --from= its own stage",
     "COPY --from must name an earlier stage, not the current one", "DL3023"},
    {"DD-BLD-004", DD_SEV_ERROR, DD_LINT_DOCKERFILE,
     "Duplicate stage alias",
     "give every stage a unique AS name", "DL3024"},
    {"DD-BLD-005", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "Stage named with a reserved word",
     "rename the stage: scratch, context and similar names are reserved", "DL3063"},
    {"DD-BLD-006", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "COPY --from=stage / … copies a whole filesystem",
     "copy only the paths you need from the stage, not /", "DL3067"},
    {"DD-BLD-007", DD_SEV_ERROR, DD_LINT_DOCKERFILE,
     "COPY with >2 args and dest not ending /",
     "end the destination with / when COPY has several sources", "DL3021"},
    {"DD-BLD-008", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "ADD used for local files (use COPY)",
     "use COPY for local files; keep ADD for archives that must be extracted", "DL3020"},
    {"DD-BLD-009", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "ADD <url> remote fetch without checksum",
     "download with ADD --checksum=sha256:... or RUN curl plus a checksum check", ""},
    {"DD-BLD-010", DD_SEV_INFO, DD_LINT_DOCKERFILE,
     "Archive fetched then extracted by RUN where ADD would do",
     "use ADD to fetch and extract the archive, or extract it in the same RUN", "DL3010"},
    {"DD-BLD-011", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "Remote script piped to shell (curl …|sh, wget -O- |bash)",
     "download the script, verify its checksum or signature, then run it", "DL4006"},
    {"DD-BLD-012", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "RUN with a pipe and no -o pipefail in SHELL",
     "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"] before a RUN with a pipe", "DL4006"},
    {"DD-BLD-013", DD_SEV_ERROR, DD_LINT_DOCKERFILE,
     "TLS verification disabled on a download (curl -k/--insecure, wget --no-check-certificate)",
     "keep TLS verification on; add the CA certificate instead", ""},
    {"DD-BLD-014", DD_SEV_ERROR, DD_LINT_DOCKERFILE,
     "Package signature checks disabled (apk --allow-untrusted, apt-get --allow-unauthenticated/--force-yes, --nogpgcheck, rpm --nosignature)",
     "keep package signature checks on; import the repository key instead", ""},
    {"DD-BLD-015", DD_SEV_ERROR, DD_LINT_DOCKERFILE,
     "TLS disabled through env or config (PYTHONHTTPSVERIFY=0, NODE_TLS_REJECT_UNAUTHORIZED=0, NPM_CONFIG_STRICT_SSL=false, npm config set strict-ssl false, GIT_SSL_NO_VERIFY, pip --trusted-host/PIP_TRUSTED_HOST, yum sslverify=false, GOINSECURE)",
     "remove the setting that disables TLS verification", ""},
    {"DD-BLD-016", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "RUN cd … instead of WORKDIR",
     "use WORKDIR instead of RUN cd", "DL3003"},
    {"DD-BLD-017", DD_SEV_ERROR, DD_LINT_DOCKERFILE,
     "Relative WORKDIR",
     "use an absolute WORKDIR path", "DL3000"},
    {"DD-BLD-018", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "COPY to a relative destination before any WORKDIR",
     "set WORKDIR before copying to a relative destination", "DL3045"},
    {"DD-BLD-019", DD_SEV_ERROR, DD_LINT_DOCKERFILE,
     "WORKDIR on a system dir (/proc, /boot, /dev, /initrd, /lost+found)",
     "use an application directory such as /app for WORKDIR", ""},
    {"DD-BLD-020", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "Shell-form CMD/ENTRYPOINT (breaks signal handling)",
     "use the JSON (exec) form: CMD [\"executable\", \"arg\"]", "DL3025"},
    {"DD-BLD-021", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "More than one CMD/ENTRYPOINT/HEALTHCHECK in a stage",
     "keep one CMD, ENTRYPOINT and HEALTHCHECK per stage (only the last one counts)", "DL4003 DL4004 DL3012"},
    {"DD-BLD-022", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "Shell changed via RUN ln -sf …/sh instead of SHELL",
     "use the SHELL instruction to change the default shell", "DL4005"},
    {"DD-BLD-023", DD_SEV_ERROR, DD_LINT_DOCKERFILE,
     "ONBUILD triggering ONBUILD/FROM/MAINTAINER",
     "ONBUILD must not trigger ONBUILD, FROM or MAINTAINER", "DL3043"},
    {"DD-BLD-024", DD_SEV_ERROR, DD_LINT_DOCKERFILE,
     "ENV refers to a variable defined in the same statement",
     "split the ENV so the variable is defined before it is used", "DL3044"},
    {"DD-BLD-025", DD_SEV_STYLE, DD_LINT_DOCKERFILE,
     "MAINTAINER (deprecated)",
     "use LABEL org.opencontainers.image.authors=\"...\" instead of MAINTAINER", "DL4000"},
    {"DD-BLD-026", DD_SEV_ERROR, DD_LINT_DOCKERFILE,
     "EXPOSE port outside 0–65535",
     "EXPOSE a port between 0 and 65535", "DL3011"},
    {"DD-BLD-027", DD_SEV_INFO, DD_LINT_DOCKERFILE,
     "Tools pointless in a container (ssh, vim, shutdown, service, ps, free, top, kill, mount, ifconfig)",
     "do not run interactive or system tools (ssh, vim, shutdown, ps...) in a build", "DL3001"},
    {"DD-BLD-028", DD_SEV_STYLE, DD_LINT_DOCKERFILE,
     "Both wget and curl used",
     "use either wget or curl, not both", "DL4001"},
    {"DD-BLD-029", DD_SEV_STYLE, DD_LINT_DOCKERFILE,
     "wget without --progress (noisy logs)",
     "add --progress=dot:giga (or -q) to wget", "DL3047"},
    {"DD-BLD-030", DD_SEV_INFO, DD_LINT_DOCKERFILE,
     "COPY/ADD --chown where only exec permission is needed",
     "use --chmod for permissions, or drop --chown if the owner does not matter", ""},
    {"DD-BLD-031", DD_SEV_INFO, DD_LINT_DOCKERFILE,
     "Label schema: invalid key, missing/superfluous/empty label, bad URL/RFC3339/SPDX/git hash/semver/email",
     "fix the label to match the label schema", "DL3048 DL3049 DL3050 DL3051 DL3052 DL3053 DL3054 DL3055 DL3056 DL3058"},
    {"DD-BLD-032", DD_SEV_ERROR, DD_LINT_DOCKERFILE,
     "Dockerfile does not parse",
     "fix the syntax error", ""},
    {"DD-BLD-033", DD_SEV_OFF, DD_LINT_DOCKERFILE,
     "An inline ignore pragma is used (audit mode)",
     "remove the inline ignore pragma, or keep it on purpose", "DL1001"},
    {"DD-CMP-001", DD_SEV_ERROR, DD_LINT_COMPOSE,
     "privileged: true",
     "remove privileged: true; grant only the capabilities needed", ""},
    {"DD-CMP-002", DD_SEV_WARNING, DD_LINT_COMPOSE,
     "No cap_drop: [ALL]",
     "add cap_drop: [ALL] and cap_add only what is needed", ""},
    {"DD-CMP-003", DD_SEV_ERROR, DD_LINT_COMPOSE,
     "cap_add contains ALL/SYS_ADMIN/NET_ADMIN/SYS_PTRACE/…",
     "remove dangerous capabilities from cap_add", ""},
    {"DD-CMP-004", DD_SEV_WARNING, DD_LINT_COMPOSE,
     "read_only: true not set",
     "set read_only: true (with tmpfs for writable paths)", ""},
    {"DD-CMP-005", DD_SEV_INFO, DD_LINT_COMPOSE,
     "read_only: true with no tmpfs for /tmp or run dirs (will break)",
     "add tmpfs: [/tmp] (and run dirs) next to read_only: true", ""},
    {"DD-CMP-006", DD_SEV_WARNING, DD_LINT_COMPOSE,
     "no-new-privileges missing from security_opt",
     "add security_opt: [no-new-privileges:true]", ""},
    {"DD-CMP-007", DD_SEV_ERROR, DD_LINT_COMPOSE,
     "seccomp:unconfined / apparmor:unconfined",
     "keep the default seccomp and AppArmor profiles", ""},
    {"DD-CMP-008", DD_SEV_INFO, DD_LINT_COMPOSE,
     "No security_opt at all",
     "set security_opt (no-new-privileges, a seccomp profile)", ""},
    {"DD-CMP-009", DD_SEV_WARNING, DD_LINT_COMPOSE,
     "No memory limit (deploy.resources.limits.memory or mem_limit)",
     "set deploy.resources.limits.memory (or mem_limit)", ""},
    {"DD-CMP-010", DD_SEV_WARNING, DD_LINT_COMPOSE,
     "No CPU limit",
     "set deploy.resources.limits.cpus (or cpus)", ""},
    {"DD-CMP-011", DD_SEV_WARNING, DD_LINT_COMPOSE,
     "No pids_limit (or -1)",
     "set pids_limit to a positive number", ""},
    {"DD-CMP-012", DD_SEV_INFO, DD_LINT_COMPOSE,
     "No deploy.resources.reservations",
     "set deploy.resources.reservations", ""},
    {"DD-CMP-013", DD_SEV_ERROR, DD_LINT_COMPOSE,
     "network_mode: host",
     "use a user-defined network instead of network_mode: host", ""},
    {"DD-CMP-014", DD_SEV_ERROR, DD_LINT_COMPOSE,
     "pid: host, ipc: host, uts: host, userns_mode: host",
     "do not share the host pid/ipc/uts/user namespace", ""},
    {"DD-CMP-015", DD_SEV_ERROR, DD_LINT_COMPOSE,
     "docker.sock bind-mounted",
     "do not mount /var/run/docker.sock into the container", ""},
    {"DD-CMP-016", DD_SEV_ERROR, DD_LINT_COMPOSE,
     "Sensitive host path mounted (/, /etc, /proc, /sys, /boot, /dev, /var/lib/docker)",
     "do not mount sensitive host paths; mount only application data", ""},
    {"DD-CMP-017", DD_SEV_WARNING, DD_LINT_COMPOSE,
     "Bind propagation shared/rshared/slave",
     "use private bind propagation", ""},
    {"DD-CMP-018", DD_SEV_WARNING, DD_LINT_COMPOSE,
     "devices: passes host devices",
     "do not pass host devices unless required", ""},
    {"DD-CMP-019", DD_SEV_WARNING, DD_LINT_COMPOSE,
     "ports: without a host IP (binds 0.0.0.0)",
     "bind the port to a host IP: \"127.0.0.1:8080:8080\"", ""},
    {"DD-CMP-020", DD_SEV_INFO, DD_LINT_COMPOSE,
     "Privileged host port (<1024) mapped",
     "map to a host port >= 1024", ""},
    {"DD-CMP-021", DD_SEV_ERROR, DD_LINT_COMPOSE,
     "Database/cache port published to the host (5432, 3306, 1433, 27017, 6379, 9200, 5984, 11211…)",
     "do not publish database ports; use expose on an internal network", ""},
    {"DD-CMP-022", DD_SEV_WARNING, DD_LINT_COMPOSE,
     "Service has no networks: (default bridge)",
     "attach the service to named networks", ""},
    {"DD-CMP-023", DD_SEV_WARNING, DD_LINT_COMPOSE,
     "No segmentation: DB shares a network with public-facing services / no internal: true backend",
     "put databases on an internal: true backend network apart from public services", ""},
    {"DD-CMP-024", DD_SEV_ERROR, DD_LINT_COMPOSE,
     "Credentials in environment: instead of secrets: / *_FILE",
     "use secrets: (or *_FILE variables) instead of credentials in environment:", ""},
    {"DD-CMP-025", DD_SEV_WARNING, DD_LINT_COMPOSE,
     "user: absent/root when the image's default is root",
     "set user: to a non-root UID", ""},
    {"DD-CMP-026", DD_SEV_INFO, DD_LINT_COMPOSE,
     "healthcheck missing or disable: true",
     "add a healthcheck (and do not disable it)", ""},
    {"DD-CMP-027", DD_SEV_INFO, DD_LINT_COMPOSE,
     "restart: always instead of on-failure:5",
     "use restart: on-failure:5", ""},
    {"DD-CMP-028", DD_SEV_INFO, DD_LINT_COMPOSE,
     "cgroup_parent set",
     "remove cgroup_parent", ""},
    {"DD-CMP-029", DD_SEV_INFO, DD_LINT_COMPOSE,
     "Named volume shared by several services",
     "give each service its own volume, or mount shared ones read-only", ""},
    {"DD-CMP-030", DD_SEV_WARNING, DD_LINT_COMPOSE,
     "image: untagged / :latest / no digest",
     "pin image: to a version tag and a digest", ""},
    {"DD-IGN-001", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "COPY . …/ADD . … with no .dockerignore in the context",
     "add a .dockerignore next to the Dockerfile (at least .git, .env, keys)", ""},
    {"DD-IGN-002", DD_SEV_WARNING, DD_LINT_DOCKERIGNORE,
     ".dockerignore does not exclude .git",
     "add .git to .dockerignore", ""},
    {"DD-IGN-003", DD_SEV_ERROR, DD_LINT_DOCKERIGNORE,
     "Does not exclude .env, *.pem, *.key, id_rsa*, credentials*, .aws/",
     "add .env, *.pem, *.key, id_rsa*, credentials* and .aws/ to .dockerignore", ""},
    {"DD-IGN-004", DD_SEV_INFO, DD_LINT_DOCKERIGNORE,
     "Does not exclude node_modules, .cache, .npm, .idea, .vscode",
     "add node_modules, .cache, .npm, .idea and .vscode to .dockerignore", ""},
    {"DD-IGN-005", DD_SEV_WARNING, DD_LINT_DOCKERIGNORE,
     "A later !pattern re-includes an excluded secret path",
     "remove the ! exception that re-includes the secret path", ""},
    {"DD-IMG-001", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "EXPOSE 22 (sshd)",
     "do not expose port 22; use docker exec for shell access", ""},
    {"DD-IMG-002", DD_SEV_INFO, DD_LINT_DOCKERFILE,
     "No HEALTHCHECK",
     "add a HEALTHCHECK to the final stage", "DL3057"},
    {"DD-IMG-003", DD_SEV_WARNING, DD_LINT_IMAGE,
     "Config.User empty/\"root\"/\"0\" in the image JSON",
     "set a non-root user in the image config", ""},
    {"DD-IMG-004", DD_SEV_INFO, DD_LINT_IMAGE,
     "setuid/setgid files in the image",
     "remove the setuid/setgid bits that are not needed", ""},
    {"DD-IMG-005", DD_SEV_ERROR, DD_LINT_IMAGE,
     "Config.Volumes includes /dev, /proc, /sys",
     "do not declare /dev, /proc or /sys as volumes", ""},
    {"DD-IMG-006", DD_SEV_INFO, DD_LINT_IMAGE,
     "Unneeded dirs in the layers (.git/, .cache/, .aws/, .azure/, .gcp/, .vscode/, .idea/, .npm/)",
     "exclude development and cache directories from the image", ""},
    {"DD-IMG-007", DD_SEV_ERROR, DD_LINT_IMAGE,
     "Secret-like keys in Config.Env or in history CreatedBy",
     "remove secrets from ENV and build commands; rebuild and rotate them", ""},
    {"DD-IMG-008", DD_SEV_WARNING, DD_LINT_IMAGE,
     "History shows ADD / update-alone / dist-upgrade / no apt/apk cleanup",
     "rebuild with COPY, update+install in one RUN and cache cleanup", ""},
    {"DD-LYR-001", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "apt-get install without rm -rf /var/lib/apt/lists/* in the **same** RUN",
     "end the RUN with rm -rf /var/lib/apt/lists/* (or use a cache mount)", "DL3009"},
    {"DD-LYR-002", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "apt-get install without --no-install-recommends",
     "add --no-install-recommends to apt-get install", "DL3015"},
    {"DD-LYR-003", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "apk add without --no-cache",
     "use apk add --no-cache", "DL3019"},
    {"DD-LYR-004", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "pip install without --no-cache-dir",
     "add --no-cache-dir to pip install (or use a cache mount)", "DL3042"},
    {"DD-LYR-005", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "yum/dnf/microdnf/zypper install without clean in the same RUN",
     "clean the cache in the same RUN: yum/dnf clean all, zypper clean", "DL3032 DL3040 DL3036"},
    {"DD-LYR-006", DD_SEV_INFO, DD_LINT_DOCKERFILE,
     "yarn install without yarn cache clean",
     "run yarn cache clean in the same RUN", "DL3060"},
    {"DD-LYR-007", DD_SEV_INFO, DD_LINT_DOCKERFILE,
     "Consecutive RUNs that could be merged",
     "merge consecutive RUN instructions with &&", "DL3059"},
    {"DD-LYR-008", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "useradd with a high UID and no -l (huge lastlog)",
     "add -l (--no-log-init) to useradd with a high UID", "DL3046"},
    {"DD-PKG-001", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "apt-get install without pkg=version",
     "pin versions: apt-get install pkg=1.2.3-1", "DL3008"},
    {"DD-PKG-002", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "apk add without pkg=version",
     "pin versions: apk add pkg=1.2.3-r0", "DL3018"},
    {"DD-PKG-003", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "Unpinned pip install / npm install / gem install / go install",
     "pin versions: pip install pkg==1.2.3, npm install pkg@1.2.3, gem install pkg -v 1.2.3, go install mod@v1.2.3", "DL3013 DL3016 DL3028 DL3062"},
    {"DD-PKG-004", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "Unpinned yum/dnf/zypper install",
     "pin versions: yum install pkg-1.2.3, zypper install pkg=1.2.3", "DL3033 DL3041 DL3037"},
    {"DD-PKG-005", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "Non-interactive flag missing (apt-get -y, yum -y, dnf -y, zypper -n/-y)",
     "add -y (zypper: -n) so the install never waits for input", "DL3014 DL3030 DL3038 DL3034"},
    {"DD-PKG-006", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "apt used instead of apt-get",
     "use apt-get (or apt-cache) in scripts; apt has no stable CLI", "DL3027"},
    {"DD-PKG-007", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "upgrade/dist-upgrade inside the image (apt-get, apk, yum/dnf update, zypper update/dist-upgrade)",
     "use an up-to-date base image instead of upgrading packages in the build", "DL3035"},
    {"DD-PKG-008", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "… update in a RUN without the install in the same RUN",
     "run the update and the install in the same RUN", ""},
    {"DD-PKG-009", DD_SEV_ERROR, DD_LINT_DOCKERFILE,
     "sudo in RUN",
     "drop sudo; switch with USER when another user is needed", "DL3004"},
    {"DD-SEC-001", DD_SEV_ERROR, DD_LINT_DOCKERFILE,
     "Secret-like *name* in ENV/ARG (PASSWORD, SECRET, TOKEN, KEY, ACCESS…)",
     "do not pass secrets in ENV/ARG; use RUN --mount=type=secret", "DL3064"},
    {"DD-SEC-002", DD_SEV_ERROR, DD_LINT_DOCKERFILE,
     "Secret-like *value* (AKIA…, ghp_…, JWT, private-key block) anywhere in the Dockerfile",
     "remove the secret from the Dockerfile and rotate it", ""},
    {"DD-SEC-003", DD_SEV_ERROR, DD_LINT_DOCKERFILE,
     "COPY/ADD of a secret file (.env, id_rsa, *.pem, credentials) or an env var naming one",
     "do not copy secret files into the image; use RUN --mount=type=secret", ""},
    {"DD-SEC-004", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "Build-time secret passed by ARG/ENV/COPY instead of RUN --mount=type=secret",
     "pass build secrets with RUN --mount=type=secret,id=...", ""},
    {"DD-SEC-005", DD_SEV_ERROR, DD_LINT_IMAGE,
     "Credential files present in built image layers",
     "remove credential files from the image and rotate them", ""},
    {"DD-USR-001", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "Final stage never sets USER, so it runs as root by default",
     "add USER <non-root uid> to the final stage", ""},
    {"DD-USR-002", DD_SEV_WARNING, DD_LINT_DOCKERFILE,
     "Last USER is root / 0",
     "switch the final stage to a non-root USER", "DL3002"},
    {"DD-USR-003", DD_SEV_INFO, DD_LINT_DOCKERFILE,
     "Non-numeric USER (the host cannot resolve it; K8s runAsNonRoot)",
     "use a numeric UID (USER 10001:10001)", "DL3066"},
    {"DD-USR-004", DD_SEV_ERROR, DD_LINT_DOCKERFILE,
     "Passwords set at build time (chpasswd, echo … | passwd)",
     "do not set passwords at build time; inject credentials at run time", ""},
    {"DD-USR-005", DD_SEV_ERROR, DD_LINT_IMAGE,
     "Account with an empty password in /etc/shadow (image)",
     "lock the account or set a password hash", ""},
    {"DD-USR-006", DD_SEV_WARNING, DD_LINT_IMAGE,
     "Duplicate UID/GID in /etc/passwd, /etc/group (image)",
     "give every user and group a unique id", ""},
};

const dd_lint_rule *dd_lint_rules(size_t *count)
{
    *count = DD_ARRAY_SIZE(rules);
    return rules;
}

static int cmp_id(const void *key, const void *elem)
{
    return strcmp(key, ((const dd_lint_rule *)elem)->id);
}

const dd_lint_rule *dd_lint_rule_find(const char *id)
{
    if (!id)
        return NULL;
    return bsearch(id, rules, DD_ARRAY_SIZE(rules), sizeof(rules[0]), cmp_id);
}

static bool word_in(const char *list, const char *w, size_t n)
{
    const char *p = list;

    while (*p) {
        const char *e = strchr(p, ' ');
        size_t len = e ? (size_t)(e - p) : strlen(p);

        if (len == n && strncasecmp(p, w, n) == 0)
            return true;
        if (!e)
            break;
        p = e + 1;
    }
    return false;
}

const dd_lint_rule *dd_lint__rule_lookup(const char *s, size_t n)
{
    char id[32];

    if (n == 0 || n >= sizeof(id))
        return NULL;
    memcpy(id, s, n);
    id[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (id[i] >= 'a' && id[i] <= 'z')
            id[i] = (char)(id[i] - 'a' + 'A');
    if (strncmp(id, "DD-", 3) == 0)
        return dd_lint_rule_find(id);
    if (strncmp(id, "DL", 2) == 0)
        for (size_t i = 0; i < DD_ARRAY_SIZE(rules); i++)
            if (word_in(rules[i].hadolint, id, n))
                return &rules[i];
    return NULL;
}

const dd_lint_rule *dd_lint_rule_find_hadolint(const char *code)
{
    return code ? dd_lint__rule_lookup(code, strlen(code)) : NULL;
}

const char *dd_lint_severity_name(dd_lint_severity s)
{
    switch (s) {
    case DD_SEV_STYLE:
        return "style";
    case DD_SEV_INFO:
        return "info";
    case DD_SEV_WARNING:
        return "warning";
    case DD_SEV_ERROR:
        return "error";
    case DD_SEV_OFF:
        break;
    }
    return "off";
}

int dd_lint_severity_parse(const char *s, dd_lint_severity *out)
{
    static const struct {
        const char *name;
        dd_lint_severity sev;
    } names[] = {
        {"style", DD_SEV_STYLE}, {"s", DD_SEV_STYLE},     {"info", DD_SEV_INFO},
        {"i", DD_SEV_INFO},      {"warning", DD_SEV_WARNING}, {"w", DD_SEV_WARNING},
        {"error", DD_SEV_ERROR}, {"e", DD_SEV_ERROR},     {"off", DD_SEV_OFF},
        {"none", DD_SEV_OFF},    {"ignore", DD_SEV_OFF},
    };

    for (size_t i = 0; s && i < DD_ARRAY_SIZE(names); i++)
        if (strcasecmp(s, names[i].name) == 0) {
            *out = names[i].sev;
            return DD_OK;
        }
    return dd_error_set(DD_EINVALID, "unknown severity \"%s\" (error, warning, info, style, off)",
                        s ? s : "");
}
