"""FGSM, targeted FGSM and PGD on the shipped mnist-gap, computed with PyTorch.

Run from the repository root:

    /opt/pyref/bin/python Tests/AdversarialLessonTests/Fixtures/make_fgsm_fixture.py

writes Tests/AdversarialLessonTests/Fixtures/fgsm-pytorch.json. For MNIST test images INDICES
(pixels in [0, 1]) with labels y, and the cross-entropy of the raw logits:

  fgsm            x + EPS * sign(grad_x CE(f(x), y)), clamped to [0, 1]          [N, 1, 28, 28]
  fgsm_sign       sign(grad_x CE(f(x), y)) as -1 / 0 / 1 (torch.sign(0) = 0)       [N, 1, 28, 28]
  fgsm_tiny       flat indices where |grad| <= 1e-6 * max|grad| of its image (the sign of such a
                  pixel depends on rounding; 0 exactly gives sign 0 in both)
  targeted        x - EPS * sign(grad_x CE(f(x), TARGETS)), clamped to [0, 1]
  targeted_sign, targeted_tiny   as above, for the targeted gradient
  pgd             PGD_STEPS steps x <- clip(x + PGD_STEP * sign(grad), [x0 - EPS, x0 + EPS] and [0, 1])
                  from x0 (no random start), untargeted
"""
import gzip
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
sys.path.insert(0, os.path.join(ROOT, "Datasets/models"))
from workbook_model import load  # noqa: E402

INDICES = [0, 1, 247]
TARGETS = [3, 8, 9]
EPS = 0.1
PGD_STEP, PGD_STEPS = 0.02, 10


def mnist_test(indices):
    with gzip.open(os.path.join(ROOT, "Datasets/mnist/t10k-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(os.path.join(ROOT, "Datasets/mnist/t10k-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    return torch.tensor(images[indices].astype(np.float32) / 255.0), [int(labels[i]) for i in indices]


def loss_gradient(model, x, classes):
    x = x.clone().requires_grad_(True)
    F.cross_entropy(model(x), torch.tensor(classes)).backward()   # mean over the batch: same signs
    return x.grad.detach()


def tiny(g):
    flat = g.reshape(g.shape[0], -1).abs()
    return [int(i) for n in range(flat.shape[0]) for i in torch.nonzero(flat[n] <= 1e-6 * flat[n].max()).flatten() + n * flat.shape[1]]


def values(t, digits=7):
    return [float(f"{v:.{digits}g}") for v in t.reshape(-1).tolist()]


def main():
    model = load(os.path.join(ROOT, "Datasets/models/mnist-gap.safetensors"))
    x, labels = mnist_test(INDICES)
    g = loss_gradient(model, x, labels)
    fgsm = (x + EPS * g.sign()).clamp(0, 1)
    gt = loss_gradient(model, x, TARGETS)
    targeted = (x - EPS * gt.sign()).clamp(0, 1)
    adv = x.clone()
    for _ in range(PGD_STEPS):
        adv = adv + PGD_STEP * loss_gradient(model, adv, labels).sign()
        adv = torch.max(torch.min(adv, x + EPS), x - EPS).clamp(0, 1)
    with torch.no_grad():
        predictions = {k: model(v).argmax(1).tolist() for k, v in [("clean", x), ("fgsm", fgsm), ("targeted", targeted), ("pgd", adv)]}
    out = {
        "library": f"torch {torch.__version__}",
        "command": "/opt/pyref/bin/python Tests/AdversarialLessonTests/Fixtures/make_fgsm_fixture.py",
        "model": "Datasets/models/mnist-gap.safetensors",
        "indices": INDICES, "labels": labels, "targets": TARGETS, "epsilon": EPS,
        "pgd_step": PGD_STEP, "pgd_steps": PGD_STEPS, "predictions": predictions,
        "shape": list(x.shape),
        "fgsm": values(fgsm), "fgsm_sign": [int(v) for v in g.sign().reshape(-1).tolist()], "fgsm_tiny": tiny(g),
        "targeted": values(targeted), "targeted_sign": [int(v) for v in gt.sign().reshape(-1).tolist()], "targeted_tiny": tiny(gt),
        "pgd": values(adv),
    }
    path = os.path.join(os.path.dirname(__file__), "fgsm-pytorch.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print("wrote", path, predictions, "exact zeros:", int((g == 0).sum()), int((gt == 0).sum()), "tiny:", len(out["fgsm_tiny"]), len(out["targeted_tiny"]))


if __name__ == "__main__":
    main()
