#!/usr/bin/env python3
"""Writes the photographs `workbook explain --image` and the README use, from scikit-image's sample
data (the wheel of scikit-image 0.26.0 from PyPI; no network beyond PyPI):

    pip download scikit-image==0.26.0 --no-deps -d /tmp/ski && cd /tmp/ski && unzip -o -q scikit_image-*.whl 'skimage/data/*'
    cd Datasets/photos && python3 make_photos.py /tmp/ski/skimage/data

- chelsea.jpg: "Chelsea the cat", a tabby, by Stefan van der Walt, CC0 ("No copyright
  restrictions. CC0 by the photographer", skimage.data.chelsea), 451×300, re-encoded as a
  progressive 4:2:0 JPEG at quality 90 by Pillow 13.0.0 (libjpeg-turbo 3.2.0).
- coffee.jpg: a cup of coffee, by Rachel Michetti, CC0 (skimage.data.coffee), 600×400, baseline
  4:2:0 at quality 90.

Deterministic: the same PNGs and Pillow give the same bytes.
"""
import os, sys
from PIL import Image

source = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
Image.open(os.path.join(source, "chelsea.png")).convert("RGB").save(os.path.join(here, "chelsea.jpg"), quality=90, progressive=True)
Image.open(os.path.join(source, "coffee.png")).convert("RGB").save(os.path.join(here, "coffee.jpg"), quality=90)
print("wrote chelsea.jpg and coffee.jpg")
