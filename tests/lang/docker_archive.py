#!/usr/bin/env python3
"""Writes a docker-archive (the `docker save` layout: manifest.json, the config, one plain tar
per layer) whose layers are the given directories, in order. A file named .wh.NAME in a layer
directory is written as that whiteout. Deterministic: sorted names, fixed times and owners.

usage: docker_archive.py OUT.tar TAG LAYERDIR [LAYERDIR...]
"""
import hashlib
import io
import json
import os
import sys
import tarfile

MTIME = 1700000000


def layer_tar(root):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(dirnames) + sorted(filenames):
                full = os.path.join(dirpath, name)
                arc = os.path.relpath(full, root)
                info = t.gettarinfo(full, arcname=arc)
                info.mtime = MTIME
                info.uid = info.gid = 0
                info.uname = info.gname = "root"
                if info.isreg():
                    with open(full, "rb") as f:
                        t.addfile(info, f)
                else:
                    t.addfile(info)
    return buf.getvalue()


def main():
    out, tag, dirs = sys.argv[1], sys.argv[2], sys.argv[3:]
    layers = [layer_tar(d) for d in dirs]
    diff_ids = ["sha256:" + hashlib.sha256(l).hexdigest() for l in layers]
    config = json.dumps({
        "architecture": "amd64", "os": "linux", "created": "2023-11-14T22:13:20Z",
        "config": {}, "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": "2023-11-14T22:13:20Z", "created_by": "COPY %s /" % d}
                    for d in dirs]}, separators=(",", ":")).encode()
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    layer_names = [d[7:] + "/layer.tar" for d in diff_ids]
    manifest = json.dumps([{"Config": config_name, "RepoTags": [tag],
                            "Layers": layer_names}]).encode()
    with tarfile.open(out, mode="w", format=tarfile.PAX_FORMAT) as t:
        def add(name, data):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = MTIME
            t.addfile(info, io.BytesIO(data))
        add(config_name, config)
        for name, data in zip(layer_names, layers):
            add(name, data)
        add("manifest.json", manifest)


if __name__ == "__main__":
    main()
