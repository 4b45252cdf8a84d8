"""Ablation-CAM and Score-CAM of the shipped mnist-gap, computed by pytorch-grad-cam 1.5.7.

Run from the repository root (pip install grad-cam==1.5.7 torch safetensors):

    python3 Tests/EvaluationLessonTests/Fixtures/make_cam_fixture.py

writes Tests/EvaluationLessonTests/Fixtures/cams-pytorch-grad-cam.json with, for MNIST test images
INDICES and class TARGETS (raw-logit score via ClassifierOutputTarget), at target_layers=[model.relu3]:

  <method>_weights  [N, 64]         the channel weights BaseCAM.get_cam_weights returns
  <method>_raw      [N, 1, 7, 7]    ReLU(sum_k w_k A_k) at relu3, before any resizing or scaling

for method in ablationcam, scorecam. Deterministic: no randomness is involved (no dropout, eval mode).
"""
import gzip
import json
import os
import sys

import numpy as np
import torch
from pytorch_grad_cam import AblationCAM, ScoreCAM
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

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
    a = np.asarray(a, dtype=np.float32)
    return {"shape": list(a.shape), "data": [float(f"{v:.9g}") for v in a.reshape(-1)]}


def main():
    torch.manual_seed(0)
    model = load(os.path.join(ROOT, "Datasets/models/mnist-gap.safetensors"))
    model.eval()
    x = mnist_test_images(INDICES)
    targets = [ClassifierOutputTarget(c) for c in TARGETS]
    out = {
        "library": f"pytorch-grad-cam (grad-cam) 1.5.7, torch {torch.__version__}",
        "command": "python3 Tests/EvaluationLessonTests/Fixtures/make_cam_fixture.py",
        "model": "Datasets/models/mnist-gap.safetensors",
        "layer": "relu3",
        "indices": INDICES,
        "targets": TARGETS,
    }
    for name, method in [("ablationcam", AblationCAM), ("scorecam", ScoreCAM)]:
        cam = method(model=model, target_layers=[model.relu3])
        cam(input_tensor=x, targets=targets)                       # runs the hooks once
        acts = cam.activations_and_grads.activations[0].cpu().numpy()
        weights = cam.get_cam_weights(x, model.relu3, targets, acts, None)
        raw = np.maximum((weights[:, :, None, None] * acts).sum(axis=1), 0)  # [N, 7, 7]
        out[f"{name}_weights"] = array(weights)
        out[f"{name}_raw"] = array(raw[:, None])
        cam.activations_and_grads.release()
        print(name, "raw max", raw.reshape(len(INDICES), -1).max(1))
    path = os.path.join(os.path.dirname(__file__), "cams-pytorch-grad-cam.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print("wrote", path)


if __name__ == "__main__":
    main()
