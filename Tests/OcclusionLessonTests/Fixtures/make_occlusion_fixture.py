"""Occlusion maps of the shipped mnist-gap, computed by captum 0.9's Occlusion.

Run from the repository root:

    /opt/pyref/bin/python Tests/OcclusionLessonTests/Fixtures/make_occlusion_fixture.py

writes Tests/OcclusionLessonTests/Fixtures/occlusion-captum.json with, for MNIST test images
INDICES and their labels as targets (raw logits: captum's target=c on the model's output),

  w<window>_s<stride>   [N, 1, 28, 28]   Occlusion(model).attribute(x, target=labels,
                                          sliding_window_shapes=(1, window, window),
                                          strides=(1, stride, stride), baselines=0)

for (window, stride) in SETTINGS, plus the windows' count per image.
"""
import gzip
import json
import os
import sys

import numpy as np
import torch
import captum
from captum.attr import Occlusion

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
sys.path.insert(0, os.path.join(ROOT, "Datasets/models"))
from workbook_model import load  # noqa: E402

INDICES = [0, 1]
SETTINGS = [(4, 2), (7, 3)]


def mnist_test(indices):
    with gzip.open(os.path.join(ROOT, "Datasets/mnist/t10k-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(os.path.join(ROOT, "Datasets/mnist/t10k-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    return torch.tensor(images[indices].astype(np.float32) / 255.0), [int(labels[i]) for i in indices]


def array(a):
    a = np.asarray(a, dtype=np.float32)
    return {"shape": list(a.shape), "data": [float(f"{v:.8g}") for v in a.reshape(-1)]}


def main():
    model = load(os.path.join(ROOT, "Datasets/models/mnist-gap.safetensors"))
    x, labels = mnist_test(INDICES)
    out = {
        "library": f"captum {captum.__version__}, torch {torch.__version__}",
        "command": "/opt/pyref/bin/python Tests/OcclusionLessonTests/Fixtures/make_occlusion_fixture.py",
        "model": "Datasets/models/mnist-gap.safetensors",
        "indices": INDICES,
        "targets": labels,
        "settings": [{"window": w, "stride": s, "windows": (int(np.ceil((28 - w) / s)) + 1) ** 2} for w, s in SETTINGS],
    }
    occlusion = Occlusion(model)
    with torch.no_grad():
        for w, s in SETTINGS:
            attribution = occlusion.attribute(x, target=labels, sliding_window_shapes=(1, w, w),
                                              strides=(1, s, s), baselines=0)
            out[f"w{w}_s{s}"] = array(attribution)
            print(f"window {w} stride {s}: max |A| per image",
                  attribution.abs().reshape(len(INDICES), -1).max(1).values.tolist())
    path = os.path.join(os.path.dirname(__file__), "occlusion-captum.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print("wrote", path)


if __name__ == "__main__":
    main()
