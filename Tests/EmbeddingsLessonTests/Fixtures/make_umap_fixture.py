"""The engine's UMAP done again in umap-learn, for the agreement tests.

Run from the repository root (numpy, scikit-learn, umap-learn):

    python3 Tests/EmbeddingsLessonTests/Fixtures/make_umap_fixture.py

writes Tests/EmbeddingsLessonTests/Fixtures/umap-learn.json with

  a, b            umap.umap_.find_ab_params(spread=1, min_dist=0.1)
  graph           umap.umap_.fuzzy_simplicial_set of the first 100 MNIST test images' central 14 x 14
                  crops, n_neighbors=15, euclidean (exact neighbours below 4,096 points), dense 100 x 100
  umap_2000_*     UMAP(n_neighbors=15, min_dist=0.1, init="pca", random_state=0) of the first 2,000
                  test images' pixels: trustworthiness (k = 5) of its embedding, and its time
"""
import gzip
import json
import os
import time

import numpy as np
import umap
from sklearn.manifold import trustworthiness
from umap.umap_ import find_ab_params, fuzzy_simplicial_set

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "umap-learn.json")


def mnist_test(count):
    with gzip.open(os.path.join(ROOT, "Datasets/mnist/t10k-images-idx3-ubyte.gz")) as f:
        raw = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 28, 28)
    return raw[:count].astype(np.float32) / np.float32(255)


images = mnist_test(2000)
out = {"library": f"umap-learn {umap.__version__}, numpy {np.__version__}"}
a, b = find_ab_params(1.0, 0.1)
out["a"], out["b"] = float(a), float(b)
x = images[:100, 7:21, 7:21].reshape(100, -1).astype(np.float64)
graph, _, _ = fuzzy_simplicial_set(x, 15, np.random.RandomState(0), "euclidean")
out["graph"] = [float(v) for v in graph.toarray().ravel()]
pixels = images.reshape(2000, -1)
start = time.time()
embedding = umap.UMAP(n_neighbors=15, min_dist=0.1, init="pca", random_state=0).fit_transform(pixels)
out["umap_2000_seconds"] = time.time() - start
out["umap_2000_trust_5"] = float(trustworthiness(pixels, embedding, n_neighbors=5))
print({k: v for k, v in out.items() if not isinstance(v, list)})
with open(OUT, "w") as f:
    json.dump(out, f)
    f.write("\n")
