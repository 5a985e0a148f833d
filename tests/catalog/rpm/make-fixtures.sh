#!/usr/bin/env bash
# Builds real rpm databases for drydock's rpm tests in OUTDIR:
#   sqlite/rpmdb.sqlite  written by Debian's rpm 4.18 (rpmbuild packages, rpm -i --justdb, one
#                        gpg-pubkey from rpm --import)
#   bdb/Packages         a Berkeley DB hash database written by db5.3_load (the real libdb 5.3)
#                        whose records are the header blobs of the sqlite database, keyed as rpm
#                        keys them (4-byte native-endian header number, record 0 = next number);
#                        small pages so that headers span overflow-page chains
#   bdb-many/Packages    the same blobs under 300 header numbers, 1024-byte pages: split buckets and
#                        chained bucket pages; bdb-many-qa.txt is rpm's own (bdb_ro) reading of it
#   ndb/Packages.db      rpm's ndb layout written by ndb-write.py from the same header blobs
#                        (Debian's rpm is built without ndb, so rpm cannot write one here)
#   expected-qa.txt      rpm -qa over the sqlite database (and over bdb/ with the bdb_ro backend)
#   expected-files.txt   every package's files as rpm lists them
# Needs rpm, rpmbuild, sqlite3, db5.3_load, gpg and python3. Exit 77 (skip) when one is missing.
set -euo pipefail

out=${1:?usage: make-fixtures.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
for tool in rpm rpmbuild sqlite3 db5.3_load gpg python3; do
    if ! command -v "$tool" >/dev/null; then
        echo "make-fixtures: $tool is missing (scripts/install-deps.sh test)" >&2
        exit 77
    fi
done

rm -rf "$out"
mkdir -p "$out"/{top,sqlite,bdb,bdb-many,ndb,gnupg}
out=$(cd "$out" && pwd)
top=$out/top
mkdir -p "$top"/{SPECS,SOURCES,BUILD,RPMS,SRPMS}
export SOURCE_DATE_EPOCH=1700000000

cat >"$top/SPECS/alpha.spec" <<'SPEC'
Name: alpha
Epoch: 2
Version: 1.2.3
Release: 4.dd12
Summary: A package with an epoch and a vendor
License: MIT
Vendor: Drydock Test Vendor
BuildArch: noarch
%description
Alpha.
%install
mkdir -p %{buildroot}/usr/bin %{buildroot}/etc
printf '#!/bin/sh\necho alpha\n' > %{buildroot}/usr/bin/alpha
echo 'key=value' > %{buildroot}/etc/alpha.conf
%files
%attr(0755,root,root) /usr/bin/alpha
%config /etc/alpha.conf
SPEC

cat >"$top/SPECS/beta.spec" <<'SPEC'
Name: beta
Version: 0.9
Release: 1
Summary: A package with a subpackage and no vendor
License: GPL-2.0-or-later AND BSD-3-Clause
BuildArch: noarch
%description
Beta.
%package doc
Summary: Documentation for beta
%description doc
Beta docs.
%install
mkdir -p %{buildroot}/usr/share/beta/sub %{buildroot}/usr/lib/beta %{buildroot}/usr/share/doc/beta
echo a > %{buildroot}/usr/share/beta/a.txt
echo b > %{buildroot}/usr/share/beta/sub/b.txt
echo lib > %{buildroot}/usr/lib/beta/libbeta.txt
echo doc > %{buildroot}/usr/share/doc/beta/README
%files
/usr/share/beta
/usr/lib/beta/libbeta.txt
%files doc
/usr/share/doc/beta/README
SPEC

# Hundreds of long file names make a header of tens of kilobytes: several overflow pages in the
# Berkeley DB and many blocks in ndb.
cat >"$top/SPECS/gamma.spec" <<'SPEC'
Name: gamma
Version: 10.0~rc1
Release: 0.1.el9
Summary: A package with a large header
License: ASL 2.0
Vendor: Example, Inc.
BuildArch: noarch
%description
Gamma.
%install
for d in $(seq 1 12); do
  mkdir -p %{buildroot}/usr/share/gamma/directory-with-a-rather-long-name-$d
  for f in $(seq 1 40); do
    echo $d$f > %{buildroot}/usr/share/gamma/directory-with-a-rather-long-name-$d/file-number-$f.dat
  done
done
%files
/usr/share/gamma
SPEC

cat >"$top/SPECS/empty.spec" <<'SPEC'
Name: empty-meta
Version: 1
Release: 1
Summary: A package that owns no files
License: Public Domain
BuildArch: noarch
%description
Empty.
%files
SPEC

for spec in "$top"/SPECS/*.spec; do
    rpmbuild --quiet --define "_topdir $top" --define '_build_id_links none' \
        --define 'debug_package %{nil}' --nodeps -bb "$spec" >/dev/null 2>&1 ||
        { rpmbuild --define "_topdir $top" --nodeps -bb "$spec"; exit 1; }
done

db=$out/sqlite
rpm --dbpath "$db" --initdb
rpm --dbpath "$db" -i --justdb --nodeps --ignorearch --noscripts "$top"/RPMS/*/*.rpm 2>/dev/null

# a trusted key: rpm -qa lists it as the pseudo-package gpg-pubkey
export GNUPGHOME=$out/gnupg
chmod 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'Drydock Test <test@drydock.invalid>' \
    ed25519 sign never 2>/dev/null
gpg --batch --quiet --armor --export test@drydock.invalid >"$out/key.asc"
rpm --dbpath "$db" --import "$out/key.asc"
rm -f "$db"/rpmdb.sqlite-shm "$db"/rpmdb.sqlite-wal "$db"/.rpm.lock

qf='%{NAME}|%{EPOCHNUM}|%{VERSION}|%{RELEASE}|%{ARCH}|%{SOURCERPM}|%{LICENSE}|%{VENDOR}|%{SIZE}\n'
rpm --dbpath "$db" -qa --qf "$qf" | LC_ALL=C sort >"$out/expected-qa.txt"
rpm --dbpath "$db" -qa --qf '[%{=NAME}|%{FILENAMES}\n]' | LC_ALL=C sort >"$out/expected-files.txt"

# The header blobs, as rpm stored them, feed the other two formats.
sqlite3 "$db/rpmdb.sqlite" 'SELECT hnum, hex(blob) FROM Packages ORDER BY hnum' >"$out/blobs.txt"

python3 "$here/bdb-dump.py" "$out/blobs.txt" "$out/bdb.dump" 512 1
db5.3_load -f "$out/bdb.dump" "$out/bdb/Packages"
python3 "$here/bdb-dump.py" "$out/blobs.txt" "$out/bdb-many.dump" 1024 50
db5.3_load -f "$out/bdb-many.dump" "$out/bdb-many/Packages"
rpm --define '_db_backend bdb_ro' --dbpath "$out/bdb-many" -qa --qf "$qf" 2>/dev/null |
    LC_ALL=C sort >"$out/bdb-many-qa.txt"
python3 "$here/ndb-write.py" "$out/blobs.txt" "$out/ndb/Packages.db"

# The real rpm must read the Berkeley DB the same way (its read-only bdb_ro backend).
rpm --define '_db_backend bdb_ro' --dbpath "$out/bdb" -qa --qf "$qf" 2>/dev/null | LC_ALL=C sort \
    >"$out/bdb-qa.txt"
if ! cmp -s "$out/expected-qa.txt" "$out/bdb-qa.txt"; then
    echo "make-fixtures: rpm's bdb_ro reads bdb/Packages differently:" >&2
    diff "$out/expected-qa.txt" "$out/bdb-qa.txt" >&2 || true
    exit 1
fi
rm -rf "$top" "$GNUPGHOME" "$out"/*.dump "$out"/bdb*/.rpm.lock
echo "make-fixtures: $(wc -l <"$out/expected-qa.txt") packages in $out" >&2
