#!/usr/bin/env python3
"""The workbook's `mnist-autoencoder` (Catalog.swift) built in PyTorch, for `AutoencoderModelTests`.

    python3 Tests/ModelZooTests/Fixtures/make_autoencoder_fixture.py

Made with torch 2.15.0 (CPU, float32). The model is `nn.Sequential(OrderedDict(encoder=…, decoder=…))`
exactly as the docstring of `Catalog.mnistAutoencoder` lists it. No weight file is stored: every
tensor is computed from its state_dict name with the integer-hash formula of
make_torchvision_fixture.py (`uniform`), which the Swift test repeats:

    weight  u · sqrt(3 / fan_in), fan_in = numel / shape[0]   (ConvTranspose2d: out · k · k, PyTorch's own fan-in)
    bias    0.1 u
    pixels  (u("digits", i) + 1) / 2, shape [2, 1, 28, 28]

Records the state_dict keys and shapes (in PyTorch's order), the codes (encoder output) [2, 2], the
reconstructions [2, 1, 28, 28], the loss F.mse_loss(reconstruction, x) with x detached as the
target, and the loss's gradients with respect to the input and to `encoder.0.weight`,
`decoder.5.weight` and `decoder.7.bias`.
"""
import json, math, os, sys
from collections import OrderedDict
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_torchvision_fixture import uniform  # noqa: E402


def r9(v):
    return float(f"{v:.9g}")


def flat(t):
    return [r9(v) for v in t.detach().reshape(-1).tolist()]


def main():
    torch.set_num_threads(1)
    model = nn.Sequential(OrderedDict(
        encoder=nn.Sequential(
            nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.Flatten(), nn.Linear(32 * 7 * 7, 64), nn.ReLU(), nn.Linear(64, 2)),
        decoder=nn.Sequential(
            nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 32 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (32, 7, 7)),
            nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid()),
    ))
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            u = torch.from_numpy(uniform(name, tensor.numel()))
            if tensor.dim() >= 2:
                v = u * math.sqrt(3 / (tensor.numel() // tensor.shape[0]))
            else:
                v = 0.1 * u
            tensor.copy_(v.to(torch.float32).reshape(tensor.shape))
    model.eval()
    x = ((torch.from_numpy(uniform("digits", 2 * 784)) + 1) / 2).to(torch.float32).reshape(2, 1, 28, 28).requires_grad_(True)
    code = model.encoder(x)
    reconstruction = model.decoder(code)
    loss = F.mse_loss(reconstruction, x.detach())
    loss.backward()
    params = dict(model.named_parameters())
    result = {
        "torch": torch.__version__,
        "command": "python3 Tests/ModelZooTests/Fixtures/make_autoencoder_fixture.py",
        "keys": [[k, list(t.shape)] for k, t in model.state_dict().items()],
        "code": flat(code), "reconstruction": flat(reconstruction), "loss": r9(loss.item()),
        "grad_input": flat(x.grad),
        "grad_encoder_0_weight": flat(params["encoder.0.weight"].grad),
        "grad_decoder_5_weight": flat(params["decoder.5.weight"].grad),
        "grad_decoder_7_bias": flat(params["decoder.7.bias"].grad),
    }
    out = os.path.join(HERE, "autoencoder.json")
    with open(out, "w") as f:
        json.dump(result, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {out} ({os.path.getsize(out)} bytes, loss {loss.item():.6f}, codes {code.tolist()})")


if __name__ == "__main__":
    main()
