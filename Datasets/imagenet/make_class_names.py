#!/usr/bin/env python3
"""Writes classes.txt: the 1000 ImageNet-1k class names in torchvision's logit order (one per line,
index = line number − 1), from torchvision's own list (`torchvision.models._meta._IMAGENET_CATEGORIES`,
the `categories` of every IMAGENET1K weights enum). Made with torchvision 0.29.2:

    cd Datasets/imagenet && python3 make_class_names.py
"""
import os
from torchvision.models._meta import _IMAGENET_CATEGORIES

assert len(_IMAGENET_CATEGORIES) == 1000
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "classes.txt"), "w") as file:
    file.write("\n".join(_IMAGENET_CATEGORIES) + "\n")
print("wrote classes.txt:", _IMAGENET_CATEGORIES[0], "…", _IMAGENET_CATEGORIES[-1])
