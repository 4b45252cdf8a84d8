# Generates the Codecs test fixtures with CPython's zlib and gzip modules.
# Run from this folder:  python3 make_fixtures.py
import gzip, struct, zlib

text = b"The quick brown fox jumps over the lazy dog. " * 20 + bytes(range(256))
open("sample.txt", "wb").write(text)

def raw_deflate(data, level, strategy=zlib.Z_DEFAULT_STRATEGY):
    c = zlib.compressobj(level, zlib.DEFLATED, -15, 9, strategy)
    return c.compress(data) + c.flush()

open("sample-stored.deflate", "wb").write(raw_deflate(text, 0))             # stored blocks
open("sample-fixed.deflate", "wb").write(raw_deflate(text, 9, zlib.Z_FIXED))  # fixed Huffman
# Skewed random letters make zlib choose a dynamic Huffman block.
import random
rng = random.Random(1)
skewed = bytes(rng.choices(b"etaoin shrdlu", weights=range(13, 0, -1), k=3000))
open("skewed.txt", "wb").write(skewed)
open("skewed-dynamic.deflate", "wb").write(raw_deflate(skewed, 9))           # dynamic Huffman
open("sample.zlib", "wb").write(zlib.compress(text, 6))
open("sample.gz", "wb").write(gzip.compress(text, mtime=0))

# Two members: gunzip concatenates them.
open("two-members.gz", "wb").write(gzip.compress(b"first member, ", mtime=0) + gzip.compress(b"second member", mtime=0))

# A member with every optional header field: FEXTRA, FNAME, FCOMMENT and FHCRC.
flags = 0x04 | 0x08 | 0x10 | 0x02
header = b"\x1f\x8b\x08" + bytes([flags]) + struct.pack("<I", 1700000000) + b"\x00\xff"
header += struct.pack("<H", 6) + b"AB\x02\x00hi"          # FEXTRA: subfield 'AB', 2 bytes
header += b"sample.txt\x00" + b"a comment\x00"
header += struct.pack("<H", zlib.crc32(header) & 0xFFFF)
open("all-header-fields.gz", "wb").write(header + raw_deflate(text, 6) + struct.pack("<II", zlib.crc32(text), len(text)))
