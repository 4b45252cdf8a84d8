"""Guided backpropagation and deconvnet maps of the shipped mnist-gap, computed by captum 0.9.

Run from the repository root:

    /opt/pyref/bin/python Tests/GuidedBackpropLessonTests/Fixtures/make_guided_fixture.py

writes Tests/GuidedBackpropLessonTests/Fixtures/guided-captum.json with, for MNIST test images
INDICES and classes TARGETS (one per image; the score is the raw logit):

  guided_backprop  [N, 1, 28, 28]  captum.attr.GuidedBackprop(model).attribute(x, target=TARGETS)
  deconvolution    [N, 1, 28, 28]  captum.attr.Deconvolution(model).attribute(x, target=TARGETS)
  gradient         [N, 1, 28, 28]  captum.attr.Saliency(model).attribute(x, target=TARGETS, abs=False)

captum hooks every nn.ReLU module with a backward hook returning F.relu(grad_input) (guided
backprop) or F.relu(grad_output) (deconvolution): the lesson's rules 1[x>0]*1[R>0]*R and ReLU(R).
"""
import gzip
import json
import os
import sys
import warnings

import numpy as np
import torch
import captum
from captum.attr import Deconvolution, GuidedBackprop, Saliency

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
sys.path.insert(0, os.path.join(ROOT, "Datasets/models"))
from workbook_model import load  # noqa: E402

INDICES = [0, 2, 247]
TARGETS = [7, 5, 4]   # 0 is a 7; 2 is a 1 (class 5: not predicted); 247 is a 4 the model calls a 2


def mnist_test_images(indices):
    with gzip.open(os.path.join(ROOT, "Datasets/mnist/t10k-images-idx3-ubyte.gz")) as f:
        data = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
    return torch.tensor(data[indices].astype(np.float32) / 255.0)


def array(a):
    a = np.asarray(a.detach().numpy() if torch.is_tensor(a) else a, dtype=np.float32)
    return {"shape": list(a.shape), "data": [float(f"{v:.7g}") for v in a.reshape(-1)]}


def main():
    warnings.simplefilter("ignore")
    model = load(os.path.join(ROOT, "Datasets/models/mnist-gap.safetensors"))
    x = mnist_test_images(INDICES)
    out = {
        "library": f"captum {captum.__version__}, torch {torch.__version__}",
        "command": "/opt/pyref/bin/python Tests/GuidedBackpropLessonTests/Fixtures/make_guided_fixture.py",
        "model": "Datasets/models/mnist-gap.safetensors",
        "indices": INDICES,
        "targets": TARGETS,
        "guided_backprop": array(GuidedBackprop(model).attribute(x.clone(), target=TARGETS)),
        "deconvolution": array(Deconvolution(model).attribute(x.clone(), target=TARGETS)),
        "gradient": array(Saliency(model).attribute(x.clone(), target=TARGETS, abs=False)),
    }
    path = os.path.join(os.path.dirname(__file__), "guided-captum.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print("wrote", path, {k: float(np.abs(np.array(out[k]["data"])).max()) for k in ["guided_backprop", "deconvolution", "gradient"]})


if __name__ == "__main__":
    main()
