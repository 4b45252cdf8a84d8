#!/usr/bin/env python3
"""torchvision's ResNet-18 and ResNet-50 with deterministic weights, for `ResidualNetworkTests`.

    python3 Tests/ModelZooTests/Fixtures/make_torchvision_fixture.py

Made with torch 2.15.0 and torchvision 0.29.2 (CPU, float32). No weight file is stored: every
parameter and batch-norm buffer is computed from its state_dict name by a formula the Swift test
repeats exactly (integer hashing, no floating-point library calls), so the fixture holds only the
names, the input formula's output and the results:

    u(name, i) = top 24 bits of splitmix64(fnv1a64(name) + i · 0x9E3779B97F4A7C15), as (u + 0.5)/2^24 · 2 − 1
    conv weight  u · sqrt(6 / fan_in)      (uniform, variance 2 / fan_in)
    fc weight    u · sqrt(3 / fan_in);  fc bias 0.01 u
    bn weight    1 + 0.1 u;  bn bias 0.1 u;  running_mean 0.1 u;  running_var 1 + 0.25 (u + 1)
    pixels       (u("input", i) + 1) / 2 (shape [1, 3, 48, 48]), given to the network after
                 torchvision's ImageNet Normalize (as the workbook's models normalise as their first layer)

Records, in eval mode: for ResNet-18 and -50 the logits, and for ResNet-18 the gradient of the
logit of class 7 with respect to the pixels (saliency before |·|) and layer4's output; for VGG-16
with batch norm and AlexNet (weights only for `features`, input 64x64) the output of `avgpool`;
the state_dict keys (floating-point tensors, in order) of every model the workbook builds; and the
ResNet-18's logits for Datasets/photos/chelsea.jpg through torchvision's ImageNet transform (Resize(256),
CenterCrop(224), ToTensor, Normalize), for the command line's end-to-end test.
"""
import json, math, os
import torch
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
MASK = (1 << 64) - 1


def fnv1a(name):
    h = 0xCBF29CE484222325
    for byte in name.encode():
        h = ((h ^ byte) * 0x100000001B3) & MASK
    return h


def splitmix(z):
    z = (z + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def uniform(name, count):
    """The formula, vectorised: numpy's uint64 arithmetic wraps modulo 2^64 as the Swift side's &+ and &*."""
    import numpy as np
    z = np.uint64(fnv1a(name)) + np.arange(count, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    z = z + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return ((z >> np.uint64(40)).astype(np.float64) + 0.5) / float(1 << 24) * 2 - 1


def value(name, tensor):
    u = torch.from_numpy(uniform(name, tensor.numel()))
    if name.endswith("running_mean"):
        v = 0.1 * u
    elif name.endswith("running_var"):
        v = 1 + 0.25 * (u + 1)
    elif tensor.dim() == 4:
        v = u * math.sqrt(6 / (tensor.shape[1] * tensor.shape[2] * tensor.shape[3]))
    elif name == "fc.weight":
        v = u * math.sqrt(3 / tensor.shape[1])
    elif name == "fc.bias":
        v = 0.01 * u
    elif name.endswith("weight"):
        v = 1 + 0.1 * u
    else:
        v = 0.1 * u
    return v.to(torch.float32).reshape(tensor.shape)


def r9(v):
    return float(f"{v:.9g}")


def main():
    NAMES = ["alexnet", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn", "resnet18", "resnet34", "resnet50"]
    normalize = torchvision.transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    result = {"torch": torch.__version__, "torchvision": torchvision.__version__, "keys": {}}
    for name in NAMES:
        state = getattr(torchvision.models, name)(weights=None).state_dict()
        result["keys"][name] = [k for k, t in state.items() if t.dtype.is_floating_point]


    def pixels(size):
        return ((torch.from_numpy(uniform("input", 3 * size * size)) + 1) / 2).to(torch.float32).reshape(1, 3, size, size)


    def with_formula(model, prefix=""):
        with torch.no_grad():
            for name, tensor in model.state_dict().items():
                if tensor.dtype.is_floating_point and name.startswith(prefix):
                    tensor.copy_(value(name, tensor))
        return model.eval()


    for name in ["vgg16_bn", "alexnet"]:
        model = with_formula(getattr(torchvision.models, name)(weights=None), "features")
        with torch.no_grad():
            pooled = model.avgpool(model.features(normalize(pixels(64))))
        result[name] = {"avgpool_shape": list(pooled.shape), "avgpool": [r9(v) for v in pooled.reshape(-1).tolist()]}

    x0 = pixels(48)
    for depth in ["resnet18", "resnet50"]:
        model = with_formula(getattr(torchvision.models, depth)(weights=None))
        captured = {}
        model.layer4.register_forward_hook(lambda m, i, o: captured.__setitem__("layer4", o))
        x = x0.clone().requires_grad_(True)
        logits = model(normalize(x))
        entry = {"logits": [r9(v) for v in logits.reshape(-1).tolist()]}
        if depth == "resnet18":
            logits[0, 7].backward()
            entry["grad_input"] = [r9(v) for v in x.grad.reshape(-1).tolist()]
            entry["layer4_shape"] = list(captured["layer4"].shape)
            entry["layer4"] = [r9(v) for v in captured["layer4"].reshape(-1).tolist()]
        result[depth] = entry
    # End to end: Datasets/photos/chelsea.jpg through torchvision's ImageNet evaluation transform
    # (Pillow decodes and resizes in 8 bits) and the ResNet-18 above.
    from PIL import Image
    transform = torchvision.transforms.Compose([torchvision.transforms.Resize(256), torchvision.transforms.CenterCrop(224),
                                                torchvision.transforms.ToTensor(), normalize])
    photo = transform(Image.open(os.path.join(HERE, "../../../Datasets/photos/chelsea.jpg")).convert("RGB")).unsqueeze(0)
    model = with_formula(torchvision.models.resnet18(weights=None))
    with torch.no_grad():
        result["chelsea_resnet18_logits"] = [r9(v) for v in model(photo).reshape(-1).tolist()]

    with open(os.path.join(HERE, "torchvision.json"), "w") as file:
        json.dump(result, file, separators=(",", ":"))
        file.write("\n")
    print("wrote torchvision.json:", ", ".join(k for k in result if k not in ("torch", "torchvision", "keys")))


if __name__ == "__main__":
    main()
