#!/usr/bin/env python3
"""Writes db_load's dump format for rpm's Berkeley DB Packages from header blobs.

Input: "hnum|HEX" lines as sqlite3 prints rpmdb.sqlite's Packages table. Keys are rpm's: the
4-byte native-endian (little-endian here) header number; record 0 holds the next header number.
Usage: bdb-dump.py BLOBS OUT PAGESIZE COPIES (COPIES > 1 repeats the blobs under new numbers).
"""
import struct
import sys


def main(src, dst, pagesize, copies):
    rows = [l.strip().split('|') for l in open(src) if l.strip()]
    n = len(rows)
    rows = [(int(h) + n * c, b) for c in range(copies) for h, b in rows]
    with open(dst, 'w') as f:
        f.write('VERSION=3\nformat=bytevalue\ntype=hash\ndb_pagesize=%d\nHEADER=END\n' % pagesize)
        nxt = max(h for h, _ in rows) + 1
        f.write(' %s\n %s\n' % (struct.pack('<I', 0).hex(), struct.pack('<I', nxt).hex()))
        for h, blob in rows:
            f.write(' %s\n %s\n' % (struct.pack('<I', h).hex(), blob.lower()))
        f.write('DATA=END\n')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
