# Generates the PNG test fixtures. Needs numpy and Pillow (PIL); run from this folder:
#   python3 make_png_fixtures.py
# For every NAME.png it also writes NAME.rgba: the expected pixels as raw RGBA8 bytes, row-major.
# PIL writes the common formats; formats PIL cannot write (16-bit colour, 2/4-bit gray, Adam7
# interlacing) come from the small writer below, which also uses all five row filters. Every file
# is re-read with PIL to check it is valid and that PIL sees the expected pixels.
import struct, zlib
import numpy as np
from PIL import Image

rng = np.random.default_rng(2024)
W, H = 7, 5

def save_expected(name, rgba):
    assert rgba.dtype == np.uint8 and rgba.shape[2] == 4
    open(name + ".rgba", "wb").write(rgba.tobytes())

def pil_rgba(name):
    return np.asarray(Image.open(name + ".png").convert("RGBA"))

def opaque(rgb):
    return np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])

# --- written by PIL -----------------------------------------------------------------------
gray = rng.integers(0, 256, (H, W), dtype=np.uint8)
Image.fromarray(gray, "L").save("gray8.png")
save_expected("gray8", pil_rgba("gray8"))

alpha = rng.integers(0, 256, (H, W), dtype=np.uint8)
Image.fromarray(np.dstack([gray, alpha]), "LA").save("gray-alpha8.png")
save_expected("gray-alpha8", pil_rgba("gray-alpha8"))

rgb = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
Image.fromarray(rgb, "RGB").save("rgb8.png")
save_expected("rgb8", pil_rgba("rgb8"))

rgba = rng.integers(0, 256, (H, W, 4), dtype=np.uint8)
Image.fromarray(rgba, "RGBA").save("rgba8.png")
save_expected("rgba8", pil_rgba("rgba8"))

palette = rng.integers(0, 256, (256, 3), dtype=np.uint8)
indices = rng.integers(0, 256, (H, W), dtype=np.uint8)
indices[0, :3] = [0, 1, 2]
p = Image.fromarray(indices, "P")
p.putpalette(palette.flatten().tolist())
p.save("palette8-trns.png", transparency=bytes([0, 128, 255]))   # alpha for entries 0, 1, 2
p4 = Image.fromarray(indices % 16, "P")
p4.putpalette(palette[:16].flatten().tolist())
p4.save("palette4.png", bits=4)
for name in ["palette8-trns", "palette4"]:
    save_expected(name, pil_rgba(name))

bits = rng.integers(0, 2, (H, W), dtype=np.uint8).astype(bool)
Image.fromarray(bits).save("gray1.png")
save_expected("gray1", pil_rgba("gray1"))

gray16 = rng.integers(0, 65536, (H, W), dtype=np.uint16)
Image.fromarray(gray16).save("gray16.png")   # uint16 array -> mode I;16
high = (gray16 >> 8).astype(np.uint8)          # our decoder keeps the high byte
save_expected("gray16", opaque(np.dstack([high] * 3)))
assert (np.asarray(Image.open("gray16.png")) == gray16).all()

# --- written by hand ----------------------------------------------------------------------
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)

def filter_rows(rows, bpp):
    """rows: list of bytes objects (packed scanlines). Uses filter (row index % 5)."""
    out, prev = b"", bytes(len(rows[0]) if rows else 0)
    for y, row in enumerate(rows):
        kind = y % 5
        filtered = bytearray()
        for i, x in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
            filtered.append((x - pred) & 255)
        out += bytes([kind]) + bytes(filtered)
        prev = row
    return out

def pack(samples, depth):
    """One scanline of integer samples -> bytes (big-endian 16-bit, MSB-first packing < 8)."""
    if depth == 16:
        return b"".join(struct.pack(">H", int(s)) for s in samples)
    if depth == 8:
        return bytes(int(s) for s in samples)
    bits = "".join(format(int(s), "0%db" % depth) for s in samples)
    bits += "0" * (-len(bits) % 8)
    return bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8))

ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]

def write_png(name, samples, color_type, depth, interlace=False, extra=b""):
    """samples: array (H, W, channels) of ints."""
    h, w, channels = samples.shape
    bpp = max(1, channels * depth // 8)
    data = b""
    passes = ADAM7 if interlace else [(0, 0, 1, 1)]
    for x0, y0, dx, dy in passes:
        sub = samples[y0::dy, x0::dx]
        if sub.size == 0:
            continue
        data += filter_rows([pack(r.flatten(), depth) for r in sub], bpp)
    ihdr = struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, 1 if interlace else 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", zlib.compress(data, 9)) + chunk(b"IEND", b"")
    open(name + ".png", "wb").write(png)

rgba16 = rng.integers(0, 65536, (H, W, 4), dtype=np.uint16)
write_png("rgba16", rgba16, 6, 16)
save_expected("rgba16", (rgba16 >> 8).astype(np.uint8))

rgb16 = rng.integers(0, 65536, (H, W, 3), dtype=np.uint16)
rgb16[0, 0] = [1000, 2000, 3000]                    # tRNS key: this exact colour is transparent
write_png("rgb16-trns", rgb16, 2, 16, extra=chunk(b"tRNS", struct.pack(">HHH", 1000, 2000, 3000)))
expected = opaque((rgb16 >> 8).astype(np.uint8)); expected[0, 0, 3] = 0
save_expected("rgb16-trns", expected)

for depth in [2, 4]:
    g = rng.integers(0, 1 << depth, (H, W, 1))
    write_png("gray%d" % depth, g, 0, depth)
    v = (g[:, :, 0] * 255 // ((1 << depth) - 1)).astype(np.uint8)
    save_expected("gray%d" % depth, opaque(np.dstack([v] * 3)))
    assert (pil_rgba("gray%d" % depth) == opaque(np.dstack([v] * 3))).all()

big_rgb = rng.integers(0, 256, (10, 13, 3), dtype=np.uint8)
write_png("rgb8-interlaced", big_rgb, 2, 8, interlace=True)
save_expected("rgb8-interlaced", opaque(big_rgb))

ga16 = rng.integers(0, 65536, (9, 11, 2), dtype=np.uint16)
write_png("gray-alpha16-interlaced", ga16, 4, 16, interlace=True)
v = (ga16 >> 8).astype(np.uint8)
save_expected("gray-alpha16-interlaced", np.dstack([v[:, :, 0]] * 3 + [v[:, :, 1]]))

g1 = rng.integers(0, 2, (6, 3, 1))
write_png("gray1-interlaced", g1, 0, 1, interlace=True)
v = (g1[:, :, 0] * 255).astype(np.uint8)
save_expected("gray1-interlaced", opaque(np.dstack([v] * 3)))
write_png("one-pixel-interlaced", np.array([[[200, 100, 50, 25]]]), 6, 8, interlace=True)
save_expected("one-pixel-interlaced", np.array([[[200, 100, 50, 25]]], dtype=np.uint8))

# PIL agrees with every expectation at 8 bits per channel (PIL maps 16-bit colour to 8 bits by
# its high byte too; 16-bit gray it opens as a 32-bit integer image, checked above instead).
for name in ["rgba16", "rgb16-trns", "rgb8-interlaced", "gray-alpha16-interlaced", "gray1-interlaced",
             "one-pixel-interlaced"]:
    ours = np.frombuffer(open(name + ".rgba", "rb").read(), np.uint8).reshape(pil_rgba(name).shape)
    if name == "rgb16-trns":
        # PIL reports the 16-bit tRNS key but does not apply it in convert("RGBA"); the PNG
        # specification says pixels equal to the key are fully transparent, as our decoder does.
        assert Image.open(name + ".png").info["transparency"] == (1000, 2000, 3000)
        assert (pil_rgba(name)[..., :3] == ours[..., :3]).all(), name
    else:
        assert (pil_rgba(name) == ours).all(), name
print("ok")
