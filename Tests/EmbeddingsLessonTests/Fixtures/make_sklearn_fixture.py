"""Lesson 09's reference computations, done again in scikit-learn, for the agreement tests.

Run from the repository root (numpy, scipy and scikit-learn; nothing else):

    python3 Tests/EmbeddingsLessonTests/Fixtures/make_sklearn_fixture.py

writes Tests/EmbeddingsLessonTests/Fixtures/embeddings-sklearn.json with

  pca_*            PCA(n_components=5, svd_solver="full") of the first 300 MNIST test images,
                   the central 14 x 14 crop of their pixels (rows and columns 7..20): components_,
                   explained_variance_ratio_, fit_transform
  conditional,     sklearn.manifold._utils._binary_search_perplexity and
  joint            sklearn.manifold._t_sne._joint_probabilities (squareform'ed to N x N) of the first
                   40 test images' crops, perplexity 10, on squared Euclidean distances
  y, kl, gradient  sklearn.manifold._t_sne._kl_divergence(y, P, degrees_of_freedom=1) of that P at
                   a fixed embedding y = N(0, 1) (numpy seed 0), 40 x 2
  trust_*          sklearn.manifold.trustworthiness of 60 points N(0,1)^10 against 60 points
                   N(0,1)^2 (numpy seed 1), k = 5 and 7
  tsne_*           TSNE(perplexity=30, method="exact", init="pca", random_state=0, max_iter=1000)
                   of the first 500 test images' pixels (784): trustworthiness (k=5) of its
                   embedding, its kl_divergence_ and n_iter_

The pixels are uint8 / 255 in float32, as the Swift loader reads them.
"""
import gzip
import json
import os
import time

import numpy as np
import scipy
import sklearn
from scipy.spatial.distance import squareform
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE, trustworthiness
from sklearn.manifold import _t_sne, _utils
from sklearn.metrics import pairwise_distances

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "embeddings-sklearn.json")


def mnist_test(count):
    with gzip.open(os.path.join(ROOT, "Datasets/mnist/t10k-images-idx3-ubyte.gz")) as f:
        raw = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 28, 28)
    return raw[:count].astype(np.float32) / np.float32(255)


def crop(images):
    return images[:, 7:21, 7:21].reshape(len(images), -1)


def floats(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


images = mnist_test(500)
out = {"library": f"scikit-learn {sklearn.__version__}, numpy {np.__version__}, scipy {scipy.__version__}"}

# PCA
x = crop(images[:300]).astype(np.float64)
pca = PCA(n_components=5, svd_solver="full")
projection = pca.fit_transform(x)
out["pca_components"] = floats(pca.components_)
out["pca_ratio"] = floats(pca.explained_variance_ratio_)
out["pca_projection"] = floats(projection)

# Affinities
x = crop(images[:40]).astype(np.float64)
distances = pairwise_distances(x, metric="euclidean", squared=True)
conditional = _utils._binary_search_perplexity(distances.astype(np.float32), 10.0, 0)
joint = _t_sne._joint_probabilities(distances, 10.0, 0)
out["conditional"] = floats(conditional)
out["joint"] = floats(squareform(joint))

# KL and gradient
rng = np.random.RandomState(0)
y = rng.standard_normal((40, 2))
kl, gradient = _t_sne._kl_divergence(y.ravel(), joint, 1, 40, 2)
out["y"] = floats(y)
out["kl"] = float(kl)
out["gradient"] = floats(gradient)

# Trustworthiness
rng = np.random.RandomState(1)
high, low = rng.standard_normal((60, 10)), rng.standard_normal((60, 2))
out["trust_high"], out["trust_low"] = floats(high), floats(low)
out["trust_5"] = float(trustworthiness(high, low, n_neighbors=5))
out["trust_7"] = float(trustworthiness(high, low, n_neighbors=7))

# Exact t-SNE of 500 test images
x = images.reshape(500, -1).astype(np.float64)
start = time.time()
tsne = TSNE(n_components=2, perplexity=30, method="exact", init="pca", random_state=0, max_iter=1000)
embedding = tsne.fit_transform(x)
out["tsne_seconds"] = time.time() - start
out["tsne_trust_5"] = float(trustworthiness(x, embedding, n_neighbors=5))
out["tsne_kl"] = float(tsne.kl_divergence_)
out["tsne_iterations"] = int(tsne.n_iter_)
print({k: v for k, v in out.items() if not isinstance(v, list)})

with open(OUT, "w") as f:
    json.dump(out, f)
    f.write("\n")
