"""Lesson 08's reference computations, done again in PyTorch, for the agreement test.

Run from the repository root (torch on the CPU is enough):

    python3 Tests/FeatureVisualizationLessonTests/Fixtures/make_pytorch_fixture.py

writes Tests/FeatureVisualizationLessonTests/Fixtures/visualize-pytorch.json with, on the shipped
mnist-gap (loaded with Datasets/models/workbook_model.py):

  ascent_images, ascent_objectives   30 steps of the regularised ascent (AscentSettings defaults:
                                     lr 0.05, L2 0.02, TV 0.05, blur σ 0.5 every 4, jitter ±1)
                                     of the logits of classes 2 and 7 from grey 0.25, seed 5
  tv                                 total variation of test digits 0–2
  blur                               test digit 7 blurred with σ = 1 (reflect padding)
  dream                              DeepDream of test digit 0 at relu2: 2 octaves of 1.4x,
                                     3 steps of 0.02 · g / mean|g|, jitter ±1, seed 3
  channel_guided                     guided backprop from conv3 channel 27 of test digit 0

The jitter offsets come from the engine's generator (xoshiro256** seeded through SplitMix64,
Sources/TensorEngine/Core/SeededGenerator.swift), written out again below; torch.roll, F.conv2d
with reflect padding, F.interpolate(bilinear, align_corners=False) and autograd do the rest.
"""
import gzip
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
sys.path.insert(0, os.path.join(ROOT, "Datasets/models"))
from workbook_model import load  # noqa: E402

MASK = (1 << 64) - 1


class Seeded:
    """The engine's SeededGenerator: xoshiro256** seeded through SplitMix64."""

    def __init__(self, seed):
        x = seed

        def splitmix():
            nonlocal x
            x = (x + 0x9E3779B97F4A7C15) & MASK
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            return z ^ (z >> 31)

        self.s = [splitmix() for _ in range(4)]

    def next(self):
        s0, s1, s2, s3 = self.s
        t5 = (s1 * 5) & MASK
        result = ((((t5 << 7) | (t5 >> 57)) & MASK) * 9) & MASK
        t = (s1 << 17) & MASK
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = ((s3 << 45) | (s3 >> 19)) & MASK
        self.s = [s0, s1, s2, s3]
        return result


def offsets(steps, jitter, seed):
    g = Seeded(seed)
    span = 2 * jitter + 1
    return [(g.next() % span - jitter, g.next() % span - jitter) for _ in range(steps)]


def kernel(sigma):
    radius = max(1, math.ceil(3 * sigma))
    k = torch.tensor([math.exp(-(i * i) / (2 * sigma * sigma)) for i in range(-radius, radius + 1)], dtype=torch.float32)
    return k / k.sum(), radius


def blur(x, sigma):
    k, r = kernel(sigma)
    n, c, h, w = x.shape
    y = F.pad(x.reshape(n * c, 1, h, w), (r, r, 0, 0), mode="reflect")
    y = F.conv2d(y, k.view(1, 1, 1, -1))
    y = F.pad(y, (0, 0, r, r), mode="reflect")
    return F.conv2d(y, k.view(1, 1, -1, 1)).reshape(n, c, h, w)


def tv(x):
    return ((x[:, :, 1:] - x[:, :, :-1]) ** 2).sum() + ((x[:, :, :, 1:] - x[:, :, :, :-1]) ** 2).sum()


def ascend(model, targets, steps, lr, l2, tvw, blur_every, sigma, jitter, seed, grey):
    start = torch.full((len(targets), 1, 28, 28), grey)
    x = start.clone()
    index = torch.tensor(targets)
    objectives = []
    for t, (dy, dx) in enumerate(offsets(steps, jitter, seed)):
        xj = torch.roll(x, (dy, dx), (2, 3)).requires_grad_(True)
        anchor = torch.roll(start, (dy, dx), (2, 3))
        j = model(xj).gather(1, index[:, None]).sum() - l2 * ((xj - anchor) ** 2).sum() - tvw * tv(xj)
        (grad,) = torch.autograd.grad(j, xj)
        objectives.append(j.item())
        with torch.no_grad():
            x = torch.roll(xj + lr * grad, (-dy, -dx), (2, 3)).clamp(0, 1)
            if blur_every and (t + 1) % blur_every == 0:
                x = blur(x, sigma)
    return x, objectives


def activation_at(model, name, x):
    captured = {}
    handle = dict(model.named_modules())[name].register_forward_hook(lambda m, i, o: captured.setdefault("a", o))
    logits = model(x)
    handle.remove()
    return captured["a"], logits


def dream(model, image, layer, octaves, scale, steps, step_size, jitter, seed):
    h, w = image.shape[2:]
    sizes = [(max(1, round(h / scale ** (octaves - 1 - o))), max(1, round(w / scale ** (octaves - 1 - o)))) for o in range(octaves)]
    shifts = offsets(steps * octaves, jitter, seed)
    detail, x = None, image
    for o, size in enumerate(sizes):
        base = F.interpolate(image, size=size, mode="bilinear", align_corners=False)
        x = base if detail is None else (base + F.interpolate(detail, size=size, mode="bilinear", align_corners=False)).clamp(0, 1)
        for s in range(steps):
            dy, dx = shifts[o * steps + s]
            xj = torch.roll(x, (dy, dx), (2, 3)).requires_grad_(True)
            a, _ = activation_at(model, layer, xj)
            (grad,) = torch.autograd.grad(0.5 * (a * a).sum(), xj)
            with torch.no_grad():
                x = torch.roll(xj + step_size / max(grad.abs().mean().item(), 1e-8) * grad, (-dy, -dx), (2, 3)).clamp(0, 1)
        detail = x - base
    return x


def channel_guided(model, image, layer, channel):
    handles = [m.register_full_backward_hook(lambda m, gi, go: (F.relu(gi[0]),))
               for m in model.modules() if isinstance(m, torch.nn.ReLU)]
    x = image.clone().requires_grad_(True)
    a, _ = activation_at(model, layer, x)
    (grad,) = torch.autograd.grad(a[:, channel].sum(), x)
    for h in handles:
        h.remove()
    return grad


def mnist_test_images(indices):
    with gzip.open(os.path.join(ROOT, "Datasets/mnist/t10k-images-idx3-ubyte.gz")) as f:
        data = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
    return torch.tensor(data[indices].astype(np.float32) / 255.0)


def array(a):
    a = np.asarray(a.detach().numpy() if torch.is_tensor(a) else a, dtype=np.float32)
    return {"shape": list(a.shape), "data": [float(f"{v:.8g}") for v in a.reshape(-1)]}


def main():
    torch.set_num_threads(1)
    model = load(os.path.join(ROOT, "Datasets/models/mnist-gap.safetensors")).eval()
    images, objectives = ascend(model, [2, 7], steps=30, lr=0.05, l2=0.02, tvw=0.05, blur_every=4, sigma=0.5, jitter=1, seed=5, grey=0.25)
    digits = mnist_test_images([0, 1, 2])
    seven = mnist_test_images([7])
    zero = mnist_test_images([0])
    out = {
        "library": f"torch {torch.__version__}",
        "command": "python3 Tests/FeatureVisualizationLessonTests/Fixtures/make_pytorch_fixture.py",
        "model": "Datasets/models/mnist-gap.safetensors",
        "ascent_images": array(images),
        "ascent_objectives": array(objectives),
        "tv": array([tv(digits).item()]),
        "blur": array(blur(seven, 1.0)),
        "dream": array(dream(model, zero, "relu2", octaves=2, scale=1.4, steps=3, step_size=0.02, jitter=1, seed=3)),
        "channel_guided": array(channel_guided(model, zero, "conv3", 27)),
        "offsets": offsets(6, 1, 5),
    }
    path = os.path.join(os.path.dirname(__file__), "visualize-pytorch.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print("wrote", path, "objectives", objectives[0], objectives[-1])


if __name__ == "__main__":
    main()
