# Generates the DataFormats test fixtures. Needs numpy, torch and safetensors; run from this folder:
#   python3 make_fixtures.py
import gzip, struct
import numpy as np
import torch
from safetensors.torch import save_file

# --- safetensors: one tensor of each common dtype, and one metadata entry -------------------
tensors = {
    "weight": torch.tensor([[1.5, -2.0, 3.25], [0.0, 1e-3, -7.5]], dtype=torch.float32),
    "bias": torch.tensor([0.5, -0.5], dtype=torch.float32),
    "labels": torch.tensor([7, 2, -1], dtype=torch.int64),
    "image": torch.tensor([[0, 128], [255, 7]], dtype=torch.uint8),
    "half": torch.tensor([1.0, -0.33325195, 65504.0, 6e-08], dtype=torch.float16),
    "brain": torch.tensor([1.0, -3.140625, 1e30], dtype=torch.bfloat16),
    "double": torch.tensor([2.718281828459045], dtype=torch.float64),
    "small": torch.tensor([-128, 127], dtype=torch.int8),
    "int32": torch.tensor([[-70000], [70000]], dtype=torch.int32),
    "flags": torch.tensor([True, False, True], dtype=torch.bool),
    "scalar": torch.tensor(42.0, dtype=torch.float32),
    "empty": torch.zeros((0, 3), dtype=torch.float32),
}
save_file(tensors, "sample.safetensors", metadata={"format": "pt"})

# --- NPY -----------------------------------------------------------------------------------
np.save("float32-2x3.npy", np.array([[1.5, -2.0, 3.25], [0.0, 1e-3, -7.5]], dtype=np.float32))
np.save("float64-4.npy", np.array([0.1, 0.2, -1e300, 5.0], dtype=np.float64))
np.save("uint8-2x2x2.npy", np.arange(8, dtype=np.uint8).reshape(2, 2, 2))
np.save("int64-3.npy", np.array([-1, 0, 2**40], dtype=np.int64))
np.save("float32-scalar.npy", np.array(3.5, dtype=np.float32))
np.save("float32-fortran.npy", np.asfortranarray(np.ones((2, 3), dtype=np.float32)))
# Format 2.0 (numpy writes it only for huge headers; force it through the format module).
with open("float32-v2.npy", "wb") as f:
    np.lib.format.write_array(f, np.array([1.0, 2.0], dtype=np.float32), version=(2, 0))

# --- IDX: a tiny MNIST-style image file, plain and gzipped; an int16 file ------------------
images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
idx = struct.pack(">BBBB", 0, 0, 0x08, 3) + struct.pack(">III", 2, 3, 4) + images.tobytes()
open("tiny-images-idx3-ubyte", "wb").write(idx)
open("tiny-images-idx3-ubyte.gz", "wb").write(gzip.compress(idx, mtime=0))
shorts = np.array([-2, 300, 7], dtype=">i2")
open("shorts-idx1-int16", "wb").write(struct.pack(">BBBBI", 0, 0, 0x0B, 1, 3) + shorts.tobytes())

# --- CIFAR-10: two records ------------------------------------------------------------------
records = b""
for label in [3, 9]:
    image = (np.arange(3072) * (label + 1) % 256).astype(np.uint8)   # CHW
    records += bytes([label]) + image.tobytes()
open("two-records.bin", "wb").write(records)
