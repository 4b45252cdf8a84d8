"""Saliency, InputXGradient and IntegratedGradients of the shipped mnist-gap, computed by captum.

Run from the repository root:

    /opt/pyref/bin/python Tests/SaliencyLessonTests/Fixtures/make_saliency_fixture.py

writes Tests/SaliencyLessonTests/Fixtures/saliency-captum.json with, for MNIST test images INDICES
and their labels as targets (the raw logit of the target class is the score):

  saliency            [N, 1, 28, 28]  Saliency(model).attribute(x, target, abs=False)   dy_c/dx
  saliency_abs        [N, 1, 28, 28]  Saliency(model).attribute(x, target) (abs=True)    |dy_c/dx|
  input_x_gradient    [N, 1, 28, 28]  InputXGradient(model).attribute(x, target)        x * dy_c/dx
  ig_<method>         [N, 1, 28, 28]  IntegratedGradients(model).attribute(x, baselines=0, target,
                                      n_steps=20, method=<method>, return_convergence_delta=True)
  ig_<method>_delta   [N]             its convergence delta: sum(attributions) - (F(x) - F(0))
  points_<method>     {alphas, weights} captum's approximation_parameters(<method>) for n = 20
  leggauss5           numpy.polynomial.legendre.leggauss(5) (nodes, weights on [-1, 1])
  logits, logits_baseline  [N, 10]    F(x) and F(0)

for method in riemann_left, riemann_right, riemann_middle, riemann_trapezoid, gausslegendre.
"""
import gzip
import json
import os
import sys

import numpy as np
import torch
import captum
from captum.attr import InputXGradient, IntegratedGradients, Saliency
from captum.attr._utils.approximation_methods import approximation_parameters

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
sys.path.insert(0, os.path.join(ROOT, "Datasets/models"))
from workbook_model import load  # noqa: E402

INDICES = [0, 1]
STEPS = 20
METHODS = ["riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid", "gausslegendre"]


def mnist_test(indices):
    with gzip.open(os.path.join(ROOT, "Datasets/mnist/t10k-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(os.path.join(ROOT, "Datasets/mnist/t10k-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    return torch.tensor(images[indices].astype(np.float32) / 255.0), [int(labels[i]) for i in indices]


def array(a):
    a = np.asarray(a, dtype=np.float32)
    return {"shape": list(a.shape), "data": [float(f"{v:.7g}") for v in a.reshape(-1)]}


def main():
    torch.manual_seed(0)
    model = load(os.path.join(ROOT, "Datasets/models/mnist-gap.safetensors"))
    x, labels = mnist_test(INDICES)
    baseline = torch.zeros_like(x)
    out = {
        "library": f"captum {captum.__version__}, torch {torch.__version__}, numpy {np.__version__}",
        "command": "/opt/pyref/bin/python Tests/SaliencyLessonTests/Fixtures/make_saliency_fixture.py",
        "model": "Datasets/models/mnist-gap.safetensors",
        "indices": INDICES,
        "targets": labels,
        "steps": STEPS,
    }
    with torch.no_grad():
        out["logits"] = array(model(x))
        out["logits_baseline"] = array(model(baseline))
    out["saliency"] = array(Saliency(model).attribute(x, target=labels, abs=False).detach())
    out["saliency_abs"] = array(Saliency(model).attribute(x, target=labels).detach())
    out["input_x_gradient"] = array(InputXGradient(model).attribute(x, target=labels).detach())
    ig = IntegratedGradients(model)
    for method in METHODS:
        attributions, delta = ig.attribute(x, baselines=baseline, target=labels, n_steps=STEPS, method=method,
                                           return_convergence_delta=True)
        out[f"ig_{method}"] = array(attributions.detach())
        out[f"ig_{method}_delta"] = array(delta.detach())
        step_sizes, alphas = approximation_parameters(method)
        out[f"points_{method}"] = {"alphas": list(alphas(STEPS)), "weights": list(step_sizes(STEPS))}
        print(f"{method:18s} delta {delta.detach().numpy()}  sum(weights) {sum(step_sizes(STEPS)):.6f}")
    nodes, weights = np.polynomial.legendre.leggauss(5)
    out["leggauss5"] = {"nodes": nodes.tolist(), "weights": weights.tolist()}
    print("leggauss(5)", repr(nodes), repr(weights))
    path = os.path.join(os.path.dirname(__file__), "saliency-captum.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print("wrote", path)


if __name__ == "__main__":
    main()
