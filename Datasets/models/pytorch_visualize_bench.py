"""The same loops as `workbook bench`'s lesson-08 rows, in PyTorch, for same-sitting comparisons.

    python3 Datasets/models/pytorch_visualize_bench.py          # needs torch (CPU is enough)

One step of the regularised ascent (Sources/LessonSupport/AscentSettings.swift): roll by the
jitter, J = sum of target logits − l2·‖x̃ − x̃₀‖² − tv·TV(x̃), x̃ += lr·∇J, roll back, clamp, blur
every 4 steps with a separable Gaussian (σ 0.5, radius 2, reflected borders). The model is the
mnist-gap architecture with random weights, as in `workbook bench` (timing does not depend on them).
"""
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)


def mnist_gap():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10)).eval()


def blur(x, sigma=0.5):
    radius = max(1, int(torch.ceil(torch.tensor(3 * sigma)).item()))
    k = torch.exp(-torch.arange(-radius, radius + 1, dtype=torch.float32) ** 2 / (2 * sigma * sigma))
    k = k / k.sum()
    n, c, h, w = x.shape
    y = F.pad(x, (radius, radius, 0, 0), mode="reflect")
    y = F.conv2d(y.reshape(n * c, 1, h, w + 2 * radius), k.view(1, 1, 1, -1))
    y = F.pad(y, (0, 0, radius, radius), mode="reflect")
    return F.conv2d(y, k.view(1, 1, -1, 1)).reshape(n, c, h, w)


def tv(x):
    return ((x[:, :, 1:] - x[:, :, :-1]) ** 2).sum() + ((x[:, :, :, 1:] - x[:, :, :, :-1]) ** 2).sum()


def class_images(model, targets, steps=200, lr=0.05, l2=0.02, tvw=0.05, blur_every=4, jitter=1, seed=0):
    g = torch.Generator().manual_seed(seed)
    start = torch.full((len(targets), 1, 28, 28), 0.25)
    x = start.clone()
    index = torch.tensor(targets)
    for t in range(steps):
        dy, dx = (torch.randint(-jitter, jitter + 1, (2,), generator=g)).tolist()
        xj = torch.roll(x, (dy, dx), (2, 3)).requires_grad_(True)
        anchor = torch.roll(start, (dy, dx), (2, 3))
        j = model(xj).gather(1, index[:, None]).sum() - l2 * ((xj - anchor) ** 2).sum() - tvw * tv(xj)
        (grad,) = torch.autograd.grad(j, xj)
        with torch.no_grad():
            x = torch.roll(xj + lr * grad, (-dy, -dx), (2, 3)).clamp(0, 1)
            if blur_every and (t + 1) % blur_every == 0:
                x = blur(x)
    return x


def timed(body, runs=9):
    body()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3, min(times) * 1e3


if __name__ == "__main__":
    model = mnist_gap()
    for name, targets in [("class image, 200 regularised steps", [3]), ("ten class images together, 200 regularised steps", list(range(10)))]:
        median, fastest = timed(lambda: class_images(model, targets))
        print(f"{name:52s} {median:8.2f} ms (fastest {fastest:.2f})")
