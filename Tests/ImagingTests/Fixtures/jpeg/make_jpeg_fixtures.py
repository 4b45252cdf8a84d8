#!/usr/bin/env python3
"""Writes the JPEG decoder's fixtures: small JPEGs of every layout the decoder reads or refuses,
each with the pixels libjpeg-turbo (through Pillow) decodes from it.

    cd Tests/ImagingTests/Fixtures/jpeg && python3 make_jpeg_fixtures.py

Needs numpy and Pillow (made with Pillow 13.0.0, which bundles libjpeg-turbo 3.2.0) and, for the
layouts Pillow cannot write (4:4:0, 4:1:1, RGB without a transform, arithmetic coding), cjpeg
from libjpeg-turbo (Debian's libjpeg-turbo-progs 2.1.5). Deterministic: the test image is drawn
from a fixed seed and every encoder is deterministic, so a rerun rewrites the same bytes.

For each NAME.jpg that the decoder must read, NAME.rgb holds Pillow's pixels as raw RGB8
(row-major; grey files converted to RGB by repetition), after `ImageOps.exif_transpose` (the EXIF
orientation applied). manifest.json lists every file with its size, its layout, and for files the
decoder must refuse, the words its error must contain.
"""
import io, json, os, subprocess, tempfile
import numpy as np
from PIL import Image, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))


def photo(width, height, seed):
    """A small synthetic photograph: smooth colour gradients, a disc, hard edges and sensor noise,
    so every DCT frequency and both chroma channels carry signal."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    r = 128 + 100 * np.sin(x / width * 3.1 + 0.3) * np.cos(y / height * 2.3)
    g = 90 + 120 * (y / max(height - 1, 1))
    b = 200 - 150 * (x / max(width - 1, 1))
    disc = (x - 0.6 * width) ** 2 + (y - 0.4 * height) ** 2 < (0.25 * min(width, height)) ** 2
    r[disc], g[disc], b[disc] = 240, 200, 40
    bar = (x // 3) % 4 == 0
    g[bar & (y > 0.7 * height)] = 20
    image = np.stack([r, g, b], axis=-1) + rng.normal(0, 6, (height, width, 3))
    return Image.fromarray(np.clip(image, 0, 255).round().astype(np.uint8), "RGB")


def exif_with_orientation(value):
    exif = Image.Exif()
    exif[0x0112] = value
    return exif.tobytes()


def cjpeg(image, *arguments):
    with tempfile.TemporaryDirectory() as folder:
        source = os.path.join(folder, "in.ppm")
        image.save(source)
        return subprocess.run(["cjpeg", *arguments, source], check=True, capture_output=True).stdout


def pillow(image, **options):
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def main():
    big, small = photo(45, 37, 1), photo(131, 97, 2)
    grey = small.convert("L")
    readable = {
        # name: (bytes, what it is)
        "baseline-444": (pillow(big, quality=90, subsampling=0), "baseline, 4:4:4, quality 90"),
        "baseline-422": (pillow(big, quality=75, subsampling=1), "baseline, 4:2:2"),
        "baseline-420": (pillow(big, quality=75, subsampling=2), "baseline, 4:2:0"),
        "baseline-420-large": (pillow(small, quality=60, subsampling=2), "baseline, 4:2:0, 131x97"),
        "baseline-grey": (pillow(grey, quality=85), "baseline, grey"),
        "optimised-420": (pillow(small, quality=80, optimize=True), "optimised Huffman tables, 4:2:0"),
        "progressive-420": (pillow(small, quality=80, progressive=True), "progressive, 4:2:0"),
        "progressive-444": (pillow(big, quality=95, subsampling=0, progressive=True), "progressive, 4:4:4"),
        "progressive-grey": (pillow(grey, quality=70, progressive=True), "progressive, grey"),
        "restart-blocks": (pillow(small, quality=75, restart_marker_blocks=3), "restart every 3 MCUs"),
        "restart-progressive": (pillow(small, quality=75, progressive=True, restart_marker_blocks=2), "progressive, restart every 2 MCUs"),
        "sampled-440": (cjpeg(small, "-quality", "80", "-sample", "1x2,1x1,1x1"), "4:4:0 (cjpeg)"),
        "sampled-411": (cjpeg(small, "-quality", "80", "-sample", "4x1,1x1,1x1"), "4:1:1 (cjpeg)"),
        "sampled-odd": (cjpeg(big, "-quality", "80", "-sample", "2x1,1x2,1x1"), "chroma sampled 2x1 / 1x2 against luma, unusual (cjpeg)"),
        "rgb-adobe": (cjpeg(big, "-quality", "90", "-rgb"), "RGB with the Adobe marker's transform 0 (cjpeg)"),
        "tiny-1x1": (pillow(photo(1, 1, 3), quality=90), "one pixel, 4:2:0"),
        "tiny-2x2": (pillow(photo(2, 2, 4), quality=90), "2x2, 4:2:0 (plain upsampling: at most 2 chroma columns)"),
        "tiny-3x5": (pillow(photo(3, 5, 5), quality=90, progressive=True), "3x5 progressive, 4:2:0"),
    }
    for orientation in range(1, 9):
        readable[f"orientation-{orientation}"] = (
            pillow(big, quality=85, exif=exif_with_orientation(orientation)), f"EXIF orientation {orientation}")
    refused = {
        "arithmetic": (cjpeg(big, "-arithmetic"), "arithmetic coding (cjpeg)", "arithmetic"),
        "cmyk": (pillow(big.convert("CMYK"), quality=90), "CMYK, four components", "CMYK"),
        "truncated": (pillow(small, quality=80)[:1500], "baseline cut after 1,500 bytes", "truncated"),
    }
    manifest = []
    for name, (data, what) in readable.items():
        open(os.path.join(HERE, name + ".jpg"), "wb").write(data)
        decoded = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
        open(os.path.join(HERE, name + ".rgb"), "wb").write(decoded.tobytes())
        manifest.append({"name": name, "what": what, "width": decoded.width, "height": decoded.height})
    for name, (data, what, words) in refused.items():
        open(os.path.join(HERE, name + ".jpg"), "wb").write(data)
        manifest.append({"name": name, "what": what, "refused": words})
    with open(os.path.join(HERE, "manifest.json"), "w") as file:
        json.dump(manifest, file, indent=1)
        file.write("\n")
    print(f"wrote {len(readable)} readable and {len(refused)} refused JPEGs to {HERE}")


if __name__ == "__main__":
    main()
