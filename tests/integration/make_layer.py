#!/usr/bin/env python3
"""make_layer.py OUT SPEC...: writes a layer tar (PAX format) to OUT, one
member per SPEC, for the hostile-layer tests of image_unpack.bats:

  f:NAME[:DATA]   regular file        d:NAME          directory
  l:NAME:TARGET   symlink             h:NAME:TARGET   hard link
  c:NAME:MAJ:MIN  char device         p:NAME          fifo
  x:NAME:KEY=VAL  file with a pax xattr (SCHILY.xattr.KEY)
  o:NAME:UID:GID:MODE:MTIME   file with owner, mode (octal) and mtime
  z:NAME:BYTES    file of BYTES zeros (compresses to almost nothing)

Names are taken as they are: "../x", "/abs", ".wh..." are the point."""
import io
import sys
import tarfile


class Zeros(io.RawIOBase):
    def __init__(self, n):
        self.left = n

    def readable(self):
        return True

    def readinto(self, b):
        k = min(len(b), self.left)
        b[:k] = bytes(k)
        self.left -= k
        return k


def main():
    out, specs = sys.argv[1], sys.argv[2:]
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
        for spec in specs:
            kind, rest = spec[0], spec[2:]
            parts = rest.split(":")
            ti = tarfile.TarInfo(parts[0])
            ti.mtime = 1600000000
            ti.mode = 0o644
            data = None
            if kind == "f":
                data = (":".join(parts[1:]) if len(parts) > 1 else "layer").encode()
            elif kind == "d":
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
            elif kind == "l":
                ti.type, ti.linkname = tarfile.SYMTYPE, ":".join(parts[1:])
            elif kind == "h":
                ti.type, ti.linkname = tarfile.LNKTYPE, ":".join(parts[1:])
            elif kind == "c":
                ti.type, ti.devmajor, ti.devminor = tarfile.CHRTYPE, int(parts[1]), int(parts[2])
            elif kind == "p":
                ti.type = tarfile.FIFOTYPE
            elif kind == "x":
                key, _, val = ":".join(parts[1:]).partition("=")
                ti.pax_headers = {"SCHILY.xattr." + key: val}
                data = b"x"
            elif kind == "o":
                ti.uid, ti.gid = int(parts[1]), int(parts[2])
                ti.mode, ti.mtime = int(parts[3], 8), int(parts[4])
                data = b"owned"
            elif kind == "z":
                ti.size = int(parts[1])
                t.addfile(ti, io.BufferedReader(Zeros(ti.size)))
                continue
            if data is not None:
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
            else:
                t.addfile(ti)


main()
