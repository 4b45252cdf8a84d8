"""ROAD (Rong et al. 2022) on the shipped mnist-gap, computed by pytorch-grad-cam 1.5.7.

Run from the repository root (pip install grad-cam==1.5.7 torch safetensors):

    python3 Tests/EvaluationLessonTests/Fixtures/make_road_fixture.py

writes Tests/EvaluationLessonTests/Fixtures/road-pytorch-grad-cam.json with, for MNIST test images
INDICES, classes TARGETS (score = softmax probability, ClassifierOutputSoftmaxTarget) and the
attribution maps `maps` [N, 28, 28] stored in the file (seeded; see `make_maps`):

  keep        [N, 28, 28]       RemoveMostRelevantFirst(50)'s binary mask (1 = kept, 0 = imputed)
  imputed     [N, 1, 28, 28]    NoisyLinearImputer(noise=0)(image, keep): the linear imputation alone
  morf, lerf  [P, N]            ROADMostRelevantFirst(p) / ROADLeastRelevantFirst(p) with noise 0,
                                return_diff=True (probability after − before), p in PERCENTILES
  combined    [N]               ROADCombined(PERCENTILES) with noise 0: (mean lerf − mean morf) / 2
  noise       [N, 1, 28, 28]    seeded standard normals E
  noisy_morf, noisy_lerf [Q, N] the same metrics at p in NOISY_PERCENTILES with the library's
                                imputation plus NOISE · E at the imputed pixels (the library draws
                                torch.randn_like there; a stored draw makes it reproducible)

The library's own noise (0.01 · torch.randn) is switched off by setting NoisyLinearImputer's
default `noise` to 0; everything else is pytorch-grad-cam's code.
"""
import gzip
import json
import os
import sys

import numpy as np
import torch
from pytorch_grad_cam.metrics import road
from pytorch_grad_cam.metrics.perturbation_confidence import (PerturbationConfidenceMetric,
                                                               RemoveLeastRelevantFirst,
                                                               RemoveMostRelevantFirst)
from pytorch_grad_cam.utils.model_targets import ClassifierOutputSoftmaxTarget

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
sys.path.insert(0, os.path.join(ROOT, "Datasets/models"))
from workbook_model import load  # noqa: E402

INDICES = [0, 2, 247]
TARGETS = [7, 1, 4]   # 0 is a 7; 2 is a 1; 247 is a 4 the model calls a 2
PERCENTILES = [10, 20, 30, 40, 50, 60, 70, 80, 90]
NOISY_PERCENTILES = [30, 70]
NOISE = 0.01


def mnist_test_images(indices):
    with gzip.open(os.path.join(ROOT, "Datasets/mnist/t10k-images-idx3-ubyte.gz")) as f:
        data = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
    return torch.tensor(data[indices].astype(np.float32) / 255.0)


def make_maps():
    """Image 0: uniform noise (no ties). Image 1: a 7×7 uniform map repeated in 4×4 blocks, as an
    upsampled CAM has plateaus: every threshold falls on a tie of 16 pixels. Image 2: the image's
    own intensity plus a small ramp (a map that follows the digit)."""
    rng = np.random.default_rng(2022)
    m0 = rng.random((28, 28), dtype=np.float32)
    m1 = np.kron(rng.random((7, 7), dtype=np.float32), np.ones((4, 4), dtype=np.float32))
    ramp = (np.arange(784, dtype=np.float32) / 784.0 * 0.1).reshape(28, 28)
    return np.stack([m0, m1, ramp]).astype(np.float32)


def array(a):
    a = np.asarray(a, dtype=np.float32)
    return {"shape": list(a.shape), "data": [float(f"{v:.9g}") for v in a.reshape(-1)]}


class StoredNoiseImputer(road.NoisyLinearImputer):
    """The library's imputation (noise 0) plus NOISE · E[i] at the imputed pixels of image i."""
    def __init__(self, noise_draws):
        super().__init__(noise=0.0)
        self.noise_draws, self.calls = noise_draws, 0

    def __call__(self, img, mask):
        out = super().__call__(img, mask)
        e = self.noise_draws[self.calls]
        self.calls += 1
        missing = (mask == 0)
        out[:, missing] += NOISE * e[:, missing]
        return out


def main():
    model = load(os.path.join(ROOT, "Datasets/models/mnist-gap.safetensors"))
    model.eval()
    x = mnist_test_images(INDICES)
    maps = make_maps()
    maps[2] += x[2, 0].numpy()
    targets = [ClassifierOutputSoftmaxTarget(c) for c in TARGETS]
    road.NoisyLinearImputer.__init__.__defaults__ = (0.0, road.neighbors_weights)

    out = {
        "library": f"pytorch-grad-cam (grad-cam) 1.5.7, torch {torch.__version__}",
        "command": "python3 Tests/EvaluationLessonTests/Fixtures/make_road_fixture.py",
        "model": "Datasets/models/mnist-gap.safetensors",
        "indices": INDICES, "targets": TARGETS, "percentiles": PERCENTILES,
        "noisy_percentiles": NOISY_PERCENTILES, "noise_scale": NOISE,
        "maps": array(maps),
    }
    keep, imputed = [], []
    for i in range(len(INDICES)):
        remover = RemoveMostRelevantFirst(50, road.NoisyLinearImputer())
        threshold = np.percentile(maps[i], 50)
        keep.append(np.float32(maps[i] < threshold))
        imputed.append(remover(x[i], torch.from_numpy(maps[i])).numpy())
    out["keep"] = array(np.stack(keep))
    out["imputed"] = array(np.stack(imputed))
    out["morf"] = array([road.ROADMostRelevantFirst(p)(x, maps, targets, model) for p in PERCENTILES])
    out["lerf"] = array([road.ROADLeastRelevantFirst(p)(x, maps, targets, model) for p in PERCENTILES])
    out["combined"] = array(road.ROADCombined(PERCENTILES)(x, maps, targets, model))

    draws = np.random.default_rng(7).standard_normal((len(INDICES), 1, 28, 28)).astype(np.float32)
    out["noise"] = array(draws)
    draws_t = torch.from_numpy(draws)
    for name, remover in [("noisy_morf", RemoveMostRelevantFirst), ("noisy_lerf", RemoveLeastRelevantFirst)]:
        rows = []
        for p in NOISY_PERCENTILES:
            metric = PerturbationConfidenceMetric(remover(p, StoredNoiseImputer(draws_t)))
            rows.append(metric(x, maps, targets, model))
        out[name] = array(rows)
    print("morf", np.round(np.asarray(out["morf"]["data"]).reshape(9, 3), 4).tolist())
    print("lerf", np.round(np.asarray(out["lerf"]["data"]).reshape(9, 3), 4).tolist())
    print("combined", out["combined"]["data"])
    path = os.path.join(os.path.dirname(__file__), "road-pytorch-grad-cam.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
