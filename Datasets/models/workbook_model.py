"""Load a workbook model file (.safetensors with the architecture in its metadata) into PyTorch.

    from workbook_model import load
    model = load("Datasets/models/mnist-gap.safetensors")   # an nn.Sequential in eval mode
    logits = model(images)                                    # images: [N, 1, 28, 28] in [0, 1]
                                                              # ([N, 3, 32, 32] for shapes-simplenet)
    autoencoder = load("Datasets/models/mnist-autoencoder.safetensors")
    codes = autoencoder.encoder(images)                       # [N, 2]; autoencoder(images) reconstructs them

Needs torch and safetensors (pip install torch safetensors). The layer names of the
nn.Sequential are the workbook's (norm, conv1, relu1, ...), so forward hooks and captum /
pytorch-grad-cam layer arguments use the same names as the lessons (e.g. model.conv3).
"""
import json
from collections import OrderedDict

import torch
from safetensors import safe_open
from safetensors.torch import load_file
from torch import nn


class Normalize(nn.Module):
    """(x - mean) / std per channel: the input normalisation, as the model's first layer."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean).view(1, -1, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(std).view(1, -1, 1, 1), persistent=False)

    def forward(self, x):
        return (x - self.mean) / self.std


def _layer(spec):
    t = spec["type"]
    if t == "Normalize":
        return Normalize(spec["mean"], spec["std"])
    if t == "Conv2d":
        return nn.Conv2d(spec["in_channels"], spec["out_channels"], spec["kernel_size"],
                         stride=spec.get("stride", 1), padding=spec.get("padding", 0), bias=spec.get("bias", True))
    if t == "ConvTranspose2d":
        return nn.ConvTranspose2d(spec["in_channels"], spec["out_channels"], spec["kernel_size"], stride=spec.get("stride", 1),
                                  padding=spec.get("padding", 0), output_padding=spec.get("output_padding", 0),
                                  bias=spec.get("bias", True))
    if t == "Unflatten":
        return nn.Unflatten(1, tuple(spec["unflattened_size"]))
    if t == "AdaptiveAvgPool2d":
        return nn.AdaptiveAvgPool2d(tuple(spec["output_size"]))
    if t == "Sequential":
        return nn.Sequential(OrderedDict((child["name"], _layer(child)) for child in spec["layers"]))
    if t == "BatchNorm2d":
        return nn.BatchNorm2d(spec["num_features"])
    if t == "ReLU":
        return nn.ReLU()
    if t == "MaxPool2d":
        return nn.MaxPool2d(spec["kernel_size"], stride=spec.get("stride"), padding=spec.get("padding", 0))
    if t == "AvgPool2d":
        return nn.AvgPool2d(spec["kernel_size"], stride=spec.get("stride"), padding=spec.get("padding", 0))
    if t == "GlobalAvgPool2d":
        return nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
    if t == "Flatten":
        return nn.Flatten()
    if t == "Dropout":
        return nn.Dropout(spec.get("p", 0.5))
    if t == "Linear":
        return nn.Linear(spec["in_features"], spec["out_features"])
    if t == "Sigmoid":
        return nn.Sigmoid()
    if t == "Tanh":
        return nn.Tanh()
    raise ValueError(f"unknown layer type {t!r} in layer {spec['name']!r}")


def load(path):
    """The model in a workbook .safetensors file, as an nn.Sequential in eval mode."""
    with safe_open(path, "pt") as f:
        architecture = json.loads(f.metadata()["architecture"])
    model = nn.Sequential(OrderedDict((spec["name"], _layer(spec)) for spec in architecture["layers"]))
    model.load_state_dict(load_file(path), strict=True)
    model.class_names = architecture["class_names"]
    return model.eval()
