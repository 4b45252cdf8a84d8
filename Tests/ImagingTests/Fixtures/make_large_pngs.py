# Writes the two large-but-small PNGs of issue 16 (item 4) for timing the decoder; standard
# library only. Not used by the tests (too big to commit); run it, then time the decoder with the
# release build, e.g.
#   python3 make_large_pngs.py /tmp/large-png
#   time .build/release/workbook predict --model mnist-gap --png /tmp/large-png/rgba16-8192x8192.png
#
# rgba16-8192x8192.png  8192 x 8192, 16-bit RGBA (512 MiB of scanlines, ~0.5 MB of file):
#                       row 0 is a gradient, every later row repeats it with the Up filter.
# gray1-16384x4096.png  16384 x 4096, 1-bit gray (8 MiB of scanlines, ~14 KB of file):
#                       a stripe pattern in row 0, repeated with the Up filter.
import os, struct, sys, zlib


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(width, height, bit_depth, colour_type, first_row):
    row_bytes = len(first_row)
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(b"\x00" + first_row)]
    up = b"\x02" + bytes(row_bytes)                 # Up filter, zero differences: same as the row above
    for _ in range(height - 1):
        parts.append(compressor.compress(up))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b"")


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "/tmp/large-png"
    os.makedirs(folder, exist_ok=True)
    w = 8192
    row = b"".join(struct.pack(">HHHH", (x * 8) & 0xFFFF, (65535 - x * 8) & 0xFFFF, (x * 97) & 0xFFFF, 65535)
                   for x in range(w))
    with open(os.path.join(folder, "rgba16-8192x8192.png"), "wb") as f:
        f.write(png(w, 8192, 16, 6, row))
    w = 16384
    row = bytes((0xF0 if (i // 4) % 2 == 0 else 0x0F) for i in range(w // 8))
    with open(os.path.join(folder, "gray1-16384x4096.png"), "wb") as f:
        f.write(png(w, 4096, 1, 0, row))
    for name in sorted(os.listdir(folder)):
        print(name, os.path.getsize(os.path.join(folder, name)), "bytes")


if __name__ == "__main__":
    main()
