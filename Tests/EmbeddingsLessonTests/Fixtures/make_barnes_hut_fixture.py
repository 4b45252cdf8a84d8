"""The engine's large-scale t-SNE (Barnes-Hut) done again in scikit-learn, for the agreement tests.

Run from the repository root (numpy, scipy and scikit-learn; nothing else):

    python3 Tests/EmbeddingsLessonTests/Fixtures/make_barnes_hut_fixture.py

writes Tests/EmbeddingsLessonTests/Fixtures/barnes-hut-sklearn.json with

  bh_joint          sklearn.manifold._t_sne._joint_probabilities_nn of the first 100 MNIST test
                    images' central 14 x 14 crops, perplexity 10: the k = 31 nearest neighbours'
                    squared distances from NearestNeighbors, as TSNE(method="barnes_hut") does;
                    the sparse P written out dense (100 x 100)
  bh_y              a fixed embedding, N(0, 1) (numpy seed 0), 100 x 2
  bh_kl_*, bh_grad_* sklearn.manifold._t_sne._kl_divergence_bh of that P at bh_y, angle 0
                    (exact, in float32) and 0.5
  exact_2000_*      TSNE(perplexity=30, method="exact", init="pca", random_state=0, max_iter=1000)
                    of the first 2,000 test images' pixels: trustworthiness (k = 5), KL, time
  bh_2000_*         the same with method="barnes_hut" (angle 0.5)

The pixels are uint8 / 255 in float32, as the Swift loader reads them.
"""
import gzip
import json
import os
import time

import numpy as np
import scipy
import sklearn
from sklearn.manifold import TSNE, trustworthiness
from sklearn.manifold import _t_sne
from sklearn.neighbors import NearestNeighbors

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "barnes-hut-sklearn.json")


def mnist_test(count):
    with gzip.open(os.path.join(ROOT, "Datasets/mnist/t10k-images-idx3-ubyte.gz")) as f:
        raw = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 28, 28)
    return raw[:count].astype(np.float32) / np.float32(255)


def floats(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


images = mnist_test(2000)
out = {"library": f"scikit-learn {sklearn.__version__}, numpy {np.__version__}, scipy {scipy.__version__}"}

# Sparse affinities, as TSNE._fit does for barnes_hut.
x = images[:100, 7:21, 7:21].reshape(100, -1).astype(np.float64)
perplexity = 10.0
k = min(len(x) - 1, int(3.0 * perplexity + 1))
knn = NearestNeighbors(algorithm="auto", n_neighbors=k, metric="euclidean").fit(x)
distances = knn.kneighbors_graph(mode="distance")
distances.data **= 2
joint = _t_sne._joint_probabilities_nn(distances, perplexity, 0)
out["bh_joint"] = floats(joint.toarray())

rng = np.random.RandomState(0)
y = rng.standard_normal((100, 2))
out["bh_y"] = floats(y)
for angle, name in [(0.0, "0"), (0.5, "5")]:
    kl, grad = _t_sne._kl_divergence_bh(y.ravel().copy(), joint, 1, 100, 2, angle=angle, verbose=0)
    out[f"bh_kl_{name}"] = float(kl)
    out[f"bh_grad_{name}"] = floats(grad)

pixels = images.reshape(2000, -1).astype(np.float64)
for method, name in [("barnes_hut", "bh_2000"), ("exact", "exact_2000")]:
    start = time.time()
    tsne = TSNE(n_components=2, perplexity=30, method=method, init="pca", random_state=0, max_iter=1000)
    embedding = tsne.fit_transform(pixels)
    out[f"{name}_seconds"] = time.time() - start
    out[f"{name}_trust_5"] = float(trustworthiness(pixels, embedding, n_neighbors=5))
    out[f"{name}_kl"] = float(tsne.kl_divergence_)
    out[f"{name}_iterations"] = int(tsne.n_iter_)
    print(name, {k: v for k, v in out.items() if k.startswith(name)}, flush=True)

with open(OUT, "w") as f:
    json.dump(out, f)
    f.write("\n")
