#!/bin/bash
# .dockerignore semantics against the real builder: for each case, the files drydock says the
# image receives (lint_helper list-context) must equal those `podman build` copies with
# `COPY . /ctx` (listed through `podman create` + `podman export`).
# Usage: test_dockerignore_podman.sh LINT_HELPER. Exit 0 pass, 1 mismatch, 77 no podman.
set -u
helper=${1:?usage: $0 LINT_HELPER}
command -v podman >/dev/null 2>&1 || { echo "SKIP: podman not found"; exit 77; }

tmp=${DD_TEST_TMP:-/tmp}/dockerignore_podman.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

# The tree every case starts from: secrets, VCS data, nested dirs, dotfiles, odd names.
make_tree() {
    local d=$1
    mkdir -p "$d"/{.git/objects/ab,src/app/sub,src/lib,docs/img,node_modules/pkg/lib,build/out,config/certs,.aws,logs}
    local f
    for f in .env .env.example .env.production README.md main.go go.mod id_rsa id_rsa.pub \
        server.pem notes.txt .git/HEAD .git/config .git/objects/ab/cdef src/main.c src/util.c \
        src/app/app.py src/app/sub/deep.py src/app/sub/.env src/lib/lib.c src/lib/README.md \
        docs/index.md docs/img/logo.png node_modules/pkg/index.js node_modules/pkg/lib/x.js \
        build/out/bin build/keep.txt config/app.yaml config/certs/tls.key config/certs/tls.crt \
        .aws/credentials logs/a.log logs/b.log 'file with space.txt' '[bracket].txt' 'q?.txt'; do
        printf '%s\n' "$f" >"$d/$f"
    done
    printf 'FROM scratch\nCOPY . /ctx\n' >"$d/Dockerfile"
}

# name | ignore file contents (printf format)
cases=(
    'none|'
    'simple|.git\n.env\nnode_modules\n'
    'globs|*.md\n**/*.py\n*.pem\nlogs/*.log\n'
    'doublestar|**/.env\n**/node_modules\nsrc/**/README.md\n'
    'exceptions|*.md\n!README.md\n.env*\n!.env.example\n'
    'dir-reinclude|build\n!build/keep.txt\nsrc\n!src/lib\n'
    'leading-slash|/README.md\n/src/app\n/.git/\n'
    'trailing-slash|logs/\nconfig/certs/\ndocs/img/\n'
    'last-match-wins|*.txt\n!notes.txt\nnotes.txt\n!build/keep.txt\n'
    'question-bracket|q?.txt\n\\[bracket\\].txt\nsrc/[mu]*.c\nfile?with?space.txt\n'
    'comments-blank|# a comment\n\n   \n  logs  \n#.env\n'
    'clean-dots|./src/../docs\nsrc/./lib/\n.aws//credentials\n'
    'everything-but|*\n!src\n!Dockerfile\n'
    'deep-exception|**\n!**/*.py\n!Dockerfile\n'
)

fail=0
n=0
for c in "${cases[@]}"; do
    name=${c%%|*}
    ign=${c#*|}
    ctx="$tmp/$name"
    make_tree "$ctx"
    [ "$name" = none ] || printf "$ign" >"$ctx/.dockerignore"
    n=$((n + 1))
    tag="localhost/drydock-ignore-test-$$-$n"
    if ! podman build -q -t "$tag" "$ctx" >"$tmp/build.log" 2>&1; then
        echo "FAIL $name: podman build"; sed 's/^/    /' "$tmp/build.log"; fail=1; continue
    fi
    cid=$(podman create "$tag" /none 2>"$tmp/create.log") || {
        echo "FAIL $name: podman create"; cat "$tmp/create.log"; fail=1
        podman rmi -f "$tag" >/dev/null 2>&1; continue
    }
    podman export "$cid" | tar -tf - | sed -n 's#^\(\./\)\{0,1\}ctx/##p' | grep -v '/$' |
        grep -v '^$' | LC_ALL=C sort >"$tmp/podman.txt"
    podman rm -f "$cid" >/dev/null 2>&1
    podman rmi -f "$tag" >/dev/null 2>&1
    "$helper" list-context "$ctx" | LC_ALL=C sort >"$tmp/drydock.txt"
    if diff -u "$tmp/podman.txt" "$tmp/drydock.txt" >"$tmp/diff.txt"; then
        echo "ok   $name ($(wc -l <"$tmp/podman.txt") files)"
    else
        echo "FAIL $name: --- podman +++ drydock"; sed 's/^/    /' "$tmp/diff.txt"; fail=1
    fi
done
exit $fail
