"""Check that PyTorch, loading a workbook model with workbook_model.py, predicts what the engine does.

    swift run -c release workbook evaluate --model shapes-simplenet --logits /tmp/ours.npy
    python3 Datasets/models/check_pytorch.py --model Datasets/models/shapes-simplenet.safetensors \
        --images Datasets/shapes/images.npy.gz --labels Datasets/shapes/labels.npy.gz --logits /tmp/ours.npy

--images is a gzip NPY uint8 [N, C, H, W] (the Shapes format) or a gzip IDX uint8 [N, H, W]
(MNIST, or the files `workbook dataset decoy-mnist --out DIR` writes); --labels likewise.
Prints the accuracy in PyTorch, the number of images whose predicted class differs from the
engine's, and the largest absolute logit difference; exits 1 if any prediction differs.
Needs numpy, torch and safetensors (pip install numpy torch safetensors).
"""
import argparse
import gzip
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workbook_model import load  # noqa: E402


def read_array(path):
    raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    if raw[:6] == b"\x93NUMPY":
        import io
        return np.load(io.BytesIO(raw))
    assert raw[0] == 0 and raw[1] == 0 and raw[2] == 8, f"{path}: not a uint8 IDX file"
    rank = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(raw[4 + 4 * rank:], dtype=np.uint8).reshape(shape)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--images", required=True)
    parser.add_argument("--labels", required=True)
    parser.add_argument("--logits", required=True, help="the engine's, from `workbook evaluate --logits FILE.npy`")
    args = parser.parse_args()
    torch.set_num_threads(1)
    model = load(args.model)
    images = read_array(args.images).astype(np.float32) / 255
    if images.ndim == 3:
        images = images[:, None]
    labels = read_array(args.labels).astype(np.int64)
    ours = np.load(args.logits)
    with torch.no_grad():
        theirs = torch.cat([model(torch.from_numpy(images[i:i + 500])) for i in range(0, len(images), 500)]).numpy()
    assert theirs.shape == ours.shape, f"PyTorch logits {theirs.shape}, engine's {ours.shape}"
    differ = int((theirs.argmax(1) != ours.argmax(1)).sum())
    print(f"{Path(args.model).stem}: {len(images)} images, PyTorch accuracy {100 * (theirs.argmax(1) == labels).mean():.2f}%, "
          f"engine accuracy {100 * (ours.argmax(1) == labels).mean():.2f}%, predictions that differ: {differ}, "
          f"largest logit difference {np.abs(theirs - ours).max():.2g}")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
