#!/usr/bin/env bash
# Hostile Dockerfiles: a 10 MB single line, a 10 MB continued instruction, deep subshell
# nesting, an unterminated heredoc, a binary file. Each must end in well under a second per
# file with exit 2 and "FILE:LINE: message" (or lint normally), never a crash.
set -euo pipefail
drydock=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # name expected-exit expected-stderr
    local status=0 start end
    start=$(date +%s%N)
    timeout 20 "$drydock" lint --no-config "$tmp/$1" >/dev/null 2>"$tmp/err" || status=$?
    end=$(date +%s%N)
    if [ "$status" != "$2" ] || { [ -n "$3" ] && ! grep -qF -- "$3" "$tmp/err"; }; then
        echo "FAIL $1: exit $status, stderr: $(head -c 300 "$tmp/err")"
        fail=1
    else
        echo "ok   $1 ($(( (end - start) / 1000000 )) ms)"
    fi
}
{ printf 'FROM alpine\nRUN echo '; head -c 10485760 /dev/zero | tr '\0' x; printf '\n'; } >"$tmp/longline"
check longline 2 "longline:2: line longer than 1 MiB"
{ printf 'FROM alpine\nRUN echo \\\n'; for _ in $(seq 1 200000); do printf 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx \\\n'; done; printf 'end\n'; } >"$tmp/continued"
check continued 1 ""
{ printf 'FROM alpine\nRUN '; head -c 200000 /dev/zero | tr '\0' '('; printf 'true'; head -c 200000 /dev/zero | tr '\0' ')'; printf '\n'; } >"$tmp/nested"
check nested 1 ""
{ printf 'FROM alpine\nRUN x=$('; for _ in $(seq 1 50000); do printf '$(echo '; done; printf '\n'; } >"$tmp/subst"
check subst 1 ""
printf 'FROM alpine\nRUN <<EOF\necho\n' >"$tmp/heredoc"
check heredoc 2 "heredoc:2: unterminated heredoc <<EOF"
head -c 4096 /dev/urandom >"$tmp/random"
printf '\0' >>"$tmp/random"
check random 2 "random:"
{ printf 'FROM alpine\n'; for _ in $(seq 1 100001); do printf 'ENV A=1\n'; done; } >"$tmp/many"
check many 2 "more than 100000 instructions"
exit $fail
