#!/usr/bin/env bash
# Builds real rpm databases (make-fixtures.sh) and checks that drydock reads every package field
# and every file exactly as rpm -qa prints them, from the sqlite, Berkeley DB and ndb formats.
set -euo pipefail

dump=${1:?usage: test_differential.sh RPM_DUMP WORKDIR}
work=${2:?usage: test_differential.sh RPM_DUMP WORKDIR}
here=$(cd "$(dirname "$0")" && pwd)

rc=0
bash "$here/make-fixtures.sh" "$work" || rc=$?
if [ "$rc" -ne 0 ]; then
    exit "$rc"
fi
fail=0
for db in sqlite/rpmdb.sqlite bdb/Packages ndb/Packages.db; do
    "$dump" "$work/$db" | LC_ALL=C sort >"$work/got-qa.txt"
    "$dump" --files "$work/$db" | LC_ALL=C sort >"$work/got-files.txt"
    for what in qa files; do
        if diff -u "$work/expected-$what.txt" "$work/got-$what.txt"; then
            echo "ok: $db $what ($(wc -l <"$work/got-$what.txt") lines)"
        else
            echo "FAIL: $db $what differs from rpm" >&2
            fail=1
        fi
    done
done
# 300 records: rpm's bdb_ro reading of the database is the reference
"$dump" "$work/bdb-many/Packages" | LC_ALL=C sort >"$work/got-many.txt"
if [ "$(wc -l <"$work/bdb-many-qa.txt")" -eq 300 ] && diff -u "$work/bdb-many-qa.txt" "$work/got-many.txt"; then
    echo "ok: bdb-many/Packages qa (300 lines, as rpm's bdb_ro reads it)"
else
    echo "FAIL: bdb-many/Packages differs from rpm's bdb_ro" >&2
    fail=1
fi
exit "$fail"
