"""CAM of the shipped mnist-gap, bilinear upsampling and min-max scaling, computed with PyTorch
and pytorch-grad-cam.

Run from the repository root:

    /opt/pyref/bin/python Tests/CAMLessonTests/Fixtures/make_cam_fixture.py

writes Tests/CAMLessonTests/Fixtures/cam-pytorch.json with, for MNIST test images INDICES and
their labels as targets:

  logits      [N, 10]         model(x)
  cam         [N, 1, 7, 7]    sum_k fc.weight[c, k] * A[n, k] with A the output of model.relu3
                              (captured by a forward hook); no bias
  upsampled   [N, 1, 28, 28]  F.interpolate(cam, size=(28, 28), mode="bilinear", align_corners=False)
  scaled      [N, 1, 28, 28]  pytorch_grad_cam.utils.image.scale_cam_image(upsampled[:, 0]):
                              per map (v - min) / (max - min + 1e-7)
  small       [1, 2, 3, 5]    torch.rand with seed 0 (a non-square map)
  small_up    [1, 2, 8, 7]    F.interpolate(small, size=(8, 7), mode="bilinear", align_corners=False)
                              (non-integer ratios 8/3 and 7/5)
"""
import gzip
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from pytorch_grad_cam.utils.image import scale_cam_image

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
sys.path.insert(0, os.path.join(ROOT, "Datasets/models"))
from workbook_model import load  # noqa: E402

INDICES = [0, 1, 247]


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
    captured = {}
    handle = model.relu3.register_forward_hook(lambda module, inputs, output: captured.update(A=output.detach()))
    with torch.no_grad():
        logits = model(x)
    handle.remove()
    A = captured["A"]                                               # [N, 64, 7, 7]
    W = model.fc.weight.detach()                                    # [10, 64]
    cam = torch.einsum("nk,nkij->nij", W[labels], A)[:, None]       # [N, 1, 7, 7]
    upsampled = F.interpolate(cam, size=(28, 28), mode="bilinear", align_corners=False)
    scaled = scale_cam_image(upsampled[:, 0].numpy())[:, None]
    torch.manual_seed(0)
    small = torch.rand(1, 2, 3, 5)
    small_up = F.interpolate(small, size=(8, 7), mode="bilinear", align_corners=False)
    out = {
        "library": f"torch {torch.__version__}, pytorch-grad-cam scale_cam_image",
        "command": "/opt/pyref/bin/python Tests/CAMLessonTests/Fixtures/make_cam_fixture.py",
        "model": "Datasets/models/mnist-gap.safetensors",
        "indices": INDICES,
        "targets": labels,
        "logits": array(logits),
        "cam": array(cam),
        "upsampled": array(upsampled),
        "scaled": array(scaled),
        "small": array(small),
        "small_up": array(small_up),
    }
    print("mean(cam) + b - logit:", (cam.mean((1, 2, 3)) + model.fc.bias[labels] - logits[range(len(labels)), labels]).tolist())
    path = os.path.join(os.path.dirname(__file__), "cam-pytorch.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print("wrote", path)


if __name__ == "__main__":
    main()
