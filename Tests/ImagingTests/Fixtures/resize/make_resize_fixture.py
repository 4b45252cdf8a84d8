#!/usr/bin/env python3
"""Pillow's bilinear resize of a float image (mode "F", computed in double precision), for
`Resampling.resized`: one 37x29 image of seeded random values, reduced to 11x8, 5x3 and 1x1,
enlarged to 50x41, and stretched to 74x9 (enlarged across, reduced down).

    cd Tests/ImagingTests/Fixtures/resize && python3 make_resize_fixture.py

Writes source.f32 (29 rows of 37 float32, little-endian) and WxH.f32 for each size; Pillow 13.0.0.
"""
import os
import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
source = np.random.default_rng(5).random((29, 37)).astype(np.float32)
source.astype("<f4").tofile(os.path.join(HERE, "source.f32"))
for width, height in [(11, 8), (5, 3), (1, 1), (50, 41), (74, 9)]:
    resized = Image.fromarray(source, "F").resize((width, height), Image.BILINEAR)
    np.asarray(resized, dtype="<f4").tofile(os.path.join(HERE, f"{width}x{height}.f32"))
print("wrote", HERE)
