"""The same work as `workbook bench`'s lesson-09 rows, in scikit-learn and openTSNE, for same-sitting
comparisons (BENCHMARKS.md, "Lesson 09").

    python3 Datasets/models/sklearn_embedding_bench.py     # numpy, scikit-learn, openTSNE, umap-learn, torch, safetensors

On the 10,000 MNIST test images (uint8 / 255, float32 as the engine reads them) and on the gap
features of the shipped mnist-gap (PyTorch forward hook, Datasets/models/workbook_model.py):
  - PCA(n_components=2) (svd_solver "auto": randomized here) of the pixels;
  - TSNE(perplexity=30, init="pca", method="barnes_hut", angle=0.5, max_iter=1000, random_state=0,
    n_jobs=2), scikit-learn's defaults, as the engine's barnesHutTSNE;
  - openTSNE.TSNE(perplexity=30, n_jobs=2, random_state=0) with its defaults (FFT-accelerated
    interpolation, approximate neighbours by Annoy) and with negative_gradient_method="bh";
  - umap.UMAP(n_neighbors=15, min_dist=0.1, init="pca", random_state=0) (umap-learn; numba's
    compilation is done on a short warm-up fit of 5,000 points first and not timed);
each timed end to end (neighbours, affinities, optimisation) and scored by
sklearn.manifold.trustworthiness(k=5) (not timed). Unset OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE first.
ONLY=umap times UMAP alone (as `workbook bench --only UMAP`), ONLY=tsne PCA and t-SNE alone.
"""
import gzip
import os
import sys
import time

import numpy as np
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE, trustworthiness

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "../.."))
sys.path.insert(0, HERE)
runs = int(os.environ.get("RUNS", "1"))
only = os.environ.get("ONLY", "")


def mnist_test():
    with gzip.open(os.path.join(ROOT, "Datasets/mnist/t10k-images-idx3-ubyte.gz")) as f:
        raw = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
    return raw.astype(np.float32) / np.float32(255)


def gap_features(images):
    import torch
    from workbook_model import load
    torch.set_num_threads(2)
    model = load(os.path.join(HERE, "mnist-gap.safetensors"))
    captured = []
    model.gap.register_forward_hook(lambda module, inputs, output: captured.append(output.detach().reshape(len(output), -1)))
    with torch.no_grad():
        for start in range(0, len(images), 256):
            model(torch.from_numpy(images[start:start + 256]))
    return torch.cat(captured).numpy()


def timed(name, work, data=None):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    line = f"{name:52s} median {np.median(times):8.3f} s  fastest {min(times):8.3f} s"
    if data is not None:
        line += f"  T(5) {trustworthiness(data, result, n_neighbors=5):.4f}"
    print(line, flush=True)


images = mnist_test()
pixels = images.reshape(len(images), -1)
try:
    sets = [("gap features", gap_features(images)), ("pixels", pixels)]
except ImportError:
    print("torch is not installed: the gap-feature rows are skipped (pip install torch safetensors)")
    sets = [("pixels", pixels)]
if only != "umap":
    timed("PCA 10000x784 pixels, 2 components (sklearn)", lambda: PCA(n_components=2).fit_transform(pixels))
for name, data in sets:
    if only != "umap":
        timed(f"t-SNE Barnes-Hut 10000 {name} (sklearn)",
              lambda: TSNE(perplexity=30, init="pca", method="barnes_hut", angle=0.5, max_iter=1000,
                           random_state=0, n_jobs=2).fit_transform(data), data)
        try:
            import openTSNE
            for method in ["fft", "bh"]:
                timed(f"t-SNE 10000 {name} (openTSNE {openTSNE.__version__}, {method})",
                      lambda: np.asarray(openTSNE.TSNE(perplexity=30, n_jobs=2, random_state=0,
                                                       negative_gradient_method=method).fit(data)), data)
        except ImportError:
            print("openTSNE is not installed: pip install openTSNE")
    if only != "tsne":
        try:
            import umap
            # numba compiles on first use (and NN-descent only above 4,096 points): a short fit of 5,000
            # points first, not timed.
            umap.UMAP(random_state=0, n_epochs=5).fit_transform(data[:5000])
            timed(f"UMAP 10000 {name} (umap-learn {umap.__version__})",
                  lambda: umap.UMAP(n_neighbors=15, min_dist=0.1, init="pca", random_state=0).fit_transform(data), data)
        except ImportError:
            print("umap-learn is not installed: pip install umap-learn")
