"""Grad-CAM and Grad-CAM++ of the shipped mnist-gap, computed by pytorch-grad-cam 1.5.7.

Run from the repository root:

    /opt/pyref/bin/python Tests/GradCAMLessonTests/Fixtures/make_gradcam_fixture.py

writes Tests/GradCAMLessonTests/Fixtures/gradcam-pytorch-grad-cam.json with, for MNIST test images
INDICES and class TARGETS (one per image, raw-logit score via ClassifierOutputTarget), at
target_layers=[model.relu3]:

  <method>_raw    [N, 1, 7, 7]   ReLU(sum_k w_k A_k) at relu3, before any resizing or scaling
                                 (BaseCAM.get_cam_image on the hooked activations and gradients)
  <method>        [N, 1, 28, 28] what cam(input_tensor, targets) returns: scale_cam_image (min-max,
                                 eps 1e-7) -> cv2.resize to 28x28 -> ReLU -> scale_cam_image again
  <method>_scaled_first [N, 1, 28, 28]  scale_cam_image(raw, (28, 28)) alone: normalised BEFORE the
                                 resize and never again (its maximum can be < 1)

for method in gradcam, gradcampp (<method>_scaled_first for gradcam only).
"""
import gzip
import json
import os
import sys

import numpy as np
import torch
import pytorch_grad_cam
from pytorch_grad_cam import GradCAM, GradCAMPlusPlus
from pytorch_grad_cam.utils.image import scale_cam_image
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
    return {"shape": list(a.shape), "data": [float(f"{v:.7g}") for v in a.reshape(-1)]}


def main():
    torch.manual_seed(0)
    model = load(os.path.join(ROOT, "Datasets/models/mnist-gap.safetensors"))
    x = mnist_test_images(INDICES)
    targets = [ClassifierOutputTarget(c) for c in TARGETS]
    out = {
        "library": f"pytorch-grad-cam (grad-cam) 1.5.7, torch {torch.__version__}",
        "command": "/opt/pyref/bin/python Tests/GradCAMLessonTests/Fixtures/make_gradcam_fixture.py",
        "model": "Datasets/models/mnist-gap.safetensors",
        "layer": "relu3",
        "indices": INDICES,
        "targets": TARGETS,
    }
    for name, method in [("gradcam", GradCAM), ("gradcampp", GradCAMPlusPlus)]:
        with method(model=model, target_layers=[model.relu3]) as cam:
            final = cam(input_tensor=x, targets=targets)                        # [N, 28, 28]
            acts = cam.activations_and_grads.activations[0].cpu().numpy()
            grads = cam.activations_and_grads.gradients[0].cpu().numpy()
            raw = np.maximum(cam.get_cam_image(x, model.relu3, targets, acts, grads), 0)  # [N, 7, 7]
        out[f"{name}_raw"] = array(raw[:, None])
        out[name] = array(final[:, None])
        if name == "gradcam":
            out[f"{name}_scaled_first"] = array(scale_cam_image(raw, (28, 28))[:, None])
        print(name, "raw max", raw.reshape(len(INDICES), -1).max(1),
              "scaled-first max", scale_cam_image(raw, (28, 28)).reshape(len(INDICES), -1).max(1))
    path = os.path.join(os.path.dirname(__file__), "gradcam-pytorch-grad-cam.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print("wrote", path)


if __name__ == "__main__":
    main()
