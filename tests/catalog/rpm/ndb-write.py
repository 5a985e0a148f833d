#!/usr/bin/env python3
"""Writes rpm's ndb Packages.db from header blobs ("hnum|HEX" lines, as sqlite3 prints them).

Debian's rpm is built without the ndb backend, so this follows rpm's lib/backend/ndb/rpmpkg.c
layout: a 32-byte header ("RpmP", version 0, generation, slot pages, next package index), 4096-byte
slot pages of 16-byte slots ("Slot", package index, block offset, block count), then each blob in
16-byte blocks: "BlbS", package index, timestamp, length, the header blob, zero padding, and a
trailer of adler32 (over everything before it), length, "BlbE".
"""
import struct
import sys
import zlib

PAGE, SLOT, BLK = 4096, 16, 16


def main(src, dst):
    rows = [l.strip().split('|') for l in open(src) if l.strip()]
    blobs = [(int(h), bytes.fromhex(b)) for h, b in rows]
    slots_needed = len(blobs) + 2  # the header takes the first two slots of page 0
    npages = max(1, -(-slots_needed * SLOT // PAGE))
    body = bytearray()
    slots = []
    blkoff = npages * PAGE // BLK
    for pkgidx, blob in blobs:
        head = struct.pack('<4sIII', b'BlbS', pkgidx, 1700000000, len(blob))
        blkcnt = -(-(16 + len(blob) + 12) // BLK)
        pad = blkcnt * BLK - (16 + len(blob) + 12)
        data = head + blob + bytes(pad)
        tail = struct.pack('<II4s', zlib.adler32(data, 1), len(blob), b'BlbE')
        body += data + tail
        slots.append((pkgidx, blkoff, blkcnt))
        blkoff += blkcnt
    nxt = max([p for p, _ in blobs] + [0]) + 1
    out = bytearray(struct.pack('<4sIIII', b'RpmP', 0, len(blobs) + 1, npages, nxt))
    out += bytes(32 - len(out))
    for i in range(2, npages * PAGE // SLOT):
        k = i - 2
        if k < len(slots):
            out += struct.pack('<4sIII', b'Slot', *slots[k])
        else:
            out += struct.pack('<4sIII', b'Slot', 0, 0, 0)
    out += body
    with open(dst, 'wb') as f:
        f.write(out)


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
