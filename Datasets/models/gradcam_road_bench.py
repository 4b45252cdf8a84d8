"""The work of `workbook bench --only ROAD` in pytorch-grad-cam 1.5.7: ROADCombined (percentiles 10…90,
most and least relevant first, NoisyLinearImputer with its default noise 0.01) on the first 100 MNIST
test digits with seeded uniform maps, explaining the true class by its softmax probability, on the
shipped mnist-gap. Prints the fastest and median of 3 runs after one warm-up.

    python3 Datasets/models/gradcam_road_bench.py        (pip install grad-cam==1.5.7 torch safetensors)
"""
import gzip
import os
import sys
import time

import numpy as np
import torch
from pytorch_grad_cam.metrics.road import ROADCombined
from pytorch_grad_cam.utils.model_targets import ClassifierOutputSoftmaxTarget

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "../.."))
sys.path.insert(0, HERE)
from workbook_model import load  # noqa: E402


def main():
    torch.set_num_threads(os.cpu_count())
    with gzip.open(os.path.join(ROOT, "Datasets/mnist/t10k-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)[:100]
    with gzip.open(os.path.join(ROOT, "Datasets/mnist/t10k-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)[:100]
    x = torch.tensor(images.astype(np.float32) / 255.0)
    maps = np.random.default_rng(0).random((100, 28, 28), dtype=np.float32)
    model = load(os.path.join(ROOT, "Datasets/models/mnist-gap.safetensors"))
    model.eval()
    targets = [ClassifierOutputSoftmaxTarget(int(c)) for c in labels]
    metric = ROADCombined()
    metric(x, maps, targets, model)  # warm-up
    times = []
    for _ in range(3):
        start = time.perf_counter()
        scores = metric(x, maps, targets, model)
        times.append(time.perf_counter() - start)
    times.sort()
    print(f"pytorch-grad-cam {__import__('pytorch_grad_cam').__version__ if hasattr(__import__('pytorch_grad_cam'), '__version__') else '1.5.7'}, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"ROAD combined, 100 digits, 9 percentiles x MoRF/LeRF: fastest {times[0]:.2f} s, median {times[1]:.2f} s "
          f"(mean score {float(np.mean(scores)):+.4f})")


if __name__ == "__main__":
    main()
