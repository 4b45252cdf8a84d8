"""The colour demo: a seeded, untrained 3-channel model and two hand-made colour images.

Run from the repository root:

    python3 Datasets/colour/make_colour_demo.py

writes, in Datasets/colour/:

  colour-gap-seeded.safetensors  the mnist-gap architecture for [3, 32, 32] inputs (per-channel
                                 Normalize with CIFAR-10's mean/std, conv 3->16->32->64, global
                                 average pooling, linear 64->10), PyTorch's default initialisation
                                 after torch.manual_seed(SEED), the last layer times FC_SCALE. Untrained: its maps are not
                                 meaningful pictures, only exact numbers to test colour code against.
  colour-demo.bin                two 32x32 RGB images in CIFAR-10's binary format (per record: one
                                 label byte, then 1024 red, 1024 green, 1024 blue bytes), labels
                                 TARGETS = the classes the tests and figures explain (the model is
                                 untrained: there is no true class). Drawn from formulas (no randomness): a green disc
                                 and a yellow bar on a red-to-blue ramp; a white square and a magenta
                                 ring on an orange-teal ramp. A fixed texture of up to +-6 levels
                                 keeps neighbouring pixels apart, so max-pooling has no exact ties
                                 (ties would make PyTorch and the engine route gradients differently).
  colour-demo.png                the two images side by side, to look at.
  SHA256SUMS                     the digests of the files.

Needs torch, numpy and Pillow (pip install torch numpy pillow). The safetensors file is written here
by hand with sorted header keys: safetensors' own save_file orders its header by a hash map, so
its bytes change from run to run.
"""
import hashlib
import json
import os

import numpy as np
import torch
from PIL import Image
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 13
TARGETS = [3, 7]
# PyTorch's default initialisation shrinks activations layer by layer: this model's logits would
# be ~0.1 and its Grad-CAM maps ~1e-3, where pytorch-grad-cam's epsilon (1e-7) is no longer
# negligible. The last layer is scaled so that the logits span a few units, like a trained model's.
FC_SCALE = 100.0
MEAN = [0.4914, 0.4822, 0.4465]
STD = [0.2470, 0.2435, 0.2616]


def architecture():
    conv = lambda name, i, o: {"in_channels": i, "kernel_size": 3, "name": name, "out_channels": o, "padding": 1,
                               "stride": 1, "type": "Conv2d"}
    pool = lambda name: {"kernel_size": 2, "name": name, "stride": 2, "type": "MaxPool2d"}
    return {
        "class_names": [f"class {i}" for i in range(10)], "format": "cnn-workbook/1", "input_shape": [3, 32, 32],
        "layers": [
            {"mean": MEAN, "name": "norm", "std": STD, "type": "Normalize"},
            conv("conv1", 3, 16), {"name": "relu1", "type": "ReLU"}, pool("pool1"),
            conv("conv2", 16, 32), {"name": "relu2", "type": "ReLU"}, pool("pool2"),
            conv("conv3", 32, 64), {"name": "relu3", "type": "ReLU"},
            {"name": "gap", "type": "GlobalAvgPool2d"},
            {"in_features": 64, "name": "fc", "out_features": 10, "type": "Linear"},
        ],
        "name": "colour-gap-seeded",
    }


def weights():
    torch.manual_seed(SEED)
    layers = {"conv1": nn.Conv2d(3, 16, 3, padding=1), "conv2": nn.Conv2d(16, 32, 3, padding=1),
              "conv3": nn.Conv2d(32, 64, 3, padding=1), "fc": nn.Linear(64, 10)}
    with torch.no_grad():
        layers["fc"].weight.mul_(FC_SCALE)
        layers["fc"].bias.mul_(FC_SCALE)
    return {f"{name}.{key}": value.detach().contiguous() for name, layer in layers.items()
            for key, value in layer.state_dict().items()}


def save_safetensors(tensors, path, metadata):
    """The safetensors layout (8-byte little-endian header length, JSON header, raw data) with the
    tensors in name order and the header's keys sorted: the same input always gives the same bytes."""
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name in sorted(tensors):
        data = tensors[name].numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little") + text + b"".join(blobs))


def images():
    y, x = np.mgrid[0:32, 0:32].astype(np.float64)
    texture = ((x * 7 + y * 13) % 11 - 5) + ((x * 3 + y * 5) % 3 - 1)          # -6 ... +6 levels
    a = np.stack([230 - 6 * x, 40 + 2 * y, 30 + 6 * x], axis=-1)               # red -> blue ramp
    disc = (x - 18) ** 2 + (y - 12) ** 2 <= 7 ** 2
    a[disc] = [40, 200, 60]
    bar = (y >= 22) & (y <= 26) & (x >= 4) & (x <= 20)
    a[bar] = [240, 220, 30]
    b = np.stack([250 - 5 * y, 140 + 2 * x - 2 * y, 40 + 5 * y], axis=-1)     # orange -> teal ramp
    square = (x >= 6) & (x <= 15) & (y >= 6) & (y <= 15)
    b[square] = [245, 245, 245]
    r2 = (x - 22) ** 2 + (y - 21) ** 2
    b[(r2 >= 4 ** 2) & (r2 <= 7 ** 2)] = [200, 30, 190]
    return [np.clip(image + texture[..., None], 0, 255).astype(np.uint8) for image in (a, b)]


def main():
    files = {}
    path = os.path.join(HERE, "colour-gap-seeded.safetensors")
    save_safetensors(weights(), path, metadata={"architecture": json.dumps(architecture(), separators=(",", ":"), sort_keys=True),
                                          "format": "pt", "dataset": "colour-demo",
                                          "training": json.dumps({"trained_by": "nobody: seeded PyTorch initialisation",
                                                                  "seed": str(SEED)})})
    files["colour-gap-seeded.safetensors"] = path
    pictures = images()
    path = os.path.join(HERE, "colour-demo.bin")
    with open(path, "wb") as f:
        for label, image in zip(TARGETS, pictures):
            f.write(bytes([label]) + image.transpose(2, 0, 1).tobytes())
    files["colour-demo.bin"] = path
    path = os.path.join(HERE, "colour-demo.png")
    Image.fromarray(np.concatenate(pictures, axis=1), "RGB").save(path)
    files["colour-demo.png"] = path
    with open(os.path.join(HERE, "SHA256SUMS"), "w") as f:
        for name, path in sorted(files.items()):
            with open(path, "rb") as g:
                f.write(f"{hashlib.sha256(g.read()).hexdigest()}  {name}\n")
    print("wrote", sorted(files))


if __name__ == "__main__":
    main()
