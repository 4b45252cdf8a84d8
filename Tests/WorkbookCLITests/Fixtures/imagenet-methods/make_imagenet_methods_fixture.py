#!/usr/bin/env python3
"""Every explanation method `workbook explain` offers, computed by captum, pytorch-grad-cam and
PyTorch on torchvision's ResNet-18 and VGG-16, for `ImageNetMethodTests`.

    python3 Tests/WorkbookCLITests/Fixtures/imagenet-methods/make_imagenet_methods_fixture.py

Made with torch 2.15.0, torchvision 0.29.2, captum 0.9.0 and pytorch-grad-cam 1.5.7 (CPU,
float32). The weights and the 48x48 input are the deterministic ones of
Tests/ModelZooTests/Fixtures/make_torchvision_fixture.py (computed from each tensor's name; no
weight file). The network is wrapped as the workbook's model files are: ImageNet's Normalize
first, so every attribution is with respect to pixels in [0, 1] and "black" is 0. Class 7 is
explained. Each map is computed by the libraries in double precision (the network and input cast
to float64) and written as NAME-METHOD.npy (float32); float32-errors.json holds how far the same
libraries land from it in single precision (the largest difference over the largest value), the
accuracy a float32 engine can be held to. Maps (FGSM keeps the float32 result: it is a sign):

- saliency: captum Saliency (|gradient|), then the maximum over the channels  [1, 1, 48, 48]
- gradient-x-input: captum InputXGradient  [1, 3, 48, 48]
- integrated-gradients: captum IntegratedGradients, baseline 0, 50 Gauss-Legendre steps  [1, 3, 48, 48]
- occlusion: captum Occlusion, window 3x4x4, strides 3x2x2, baseline 0  [1, 3, 48, 48]
- gradcam, gradcam++: pytorch-grad-cam's GradCAM / GradCAMPlusPlus weights at layer4 (ResNet-18)
  and features.28 (VGG-16, its last convolution), times the activations, summed, ReLU: the map
  before upsampling  [1, 1, h, w]
- guided-backprop: captum GuidedBackprop  [1, 3, 48, 48]
- fgsm: clamp(x + 0.1 sign(d CE(model(x), 7) / dx), 0, 1) - x  [1, 3, 48, 48]
"""
import json, os, sys
import numpy as np
import torch
import torchvision
from captum.attr import GuidedBackprop, InputXGradient, IntegratedGradients, Occlusion, Saliency
from pytorch_grad_cam import GradCAM, GradCAMPlusPlus
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "../../../ModelZooTests/Fixtures"))
from make_torchvision_fixture import uniform, value  # noqa: E402

torch.set_num_threads(1)
TARGET = 7


def with_formula(model):
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if tensor.dtype.is_floating_point:
                tensor.copy_(value(name, tensor))
    return model.eval()


x0 = ((torch.from_numpy(uniform("input", 3 * 48 * 48)) + 1) / 2).to(torch.float32).reshape(1, 3, 48, 48)
normalize = torchvision.transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])


def maps(net, layer_name, dtype):
    """Every method's map for `net` (the formula weights) computed in `dtype`."""
    net = net.to(dtype)
    model = torch.nn.Sequential(normalize, net).to(dtype).eval()
    x = x0.clone().to(dtype)
    result = {}
    result["saliency"] = Saliency(model).attribute(x.clone().requires_grad_(), target=TARGET, abs=True).amax(dim=1, keepdim=True)
    result["gradient-x-input"] = InputXGradient(model).attribute(x.clone().requires_grad_(), target=TARGET)
    result["integrated-gradients"] = IntegratedGradients(model).attribute(
        x.clone(), baselines=torch.zeros_like(x), target=TARGET, n_steps=50, method="gausslegendre")
    result["occlusion"] = Occlusion(model).attribute(
        x.clone(), sliding_window_shapes=(3, 4, 4), strides=(3, 2, 2), baselines=0, target=TARGET, perturbations_per_eval=64)
    layer = net.get_submodule(layer_name)
    for method, kind in [("gradcam", GradCAM), ("gradcam++", GradCAMPlusPlus)]:
        cam = kind(model=model, target_layers=[layer])
        targets = [ClassifierOutputTarget(TARGET)]
        cam(input_tensor=x.clone(), targets=targets)
        activations = cam.activations_and_grads.activations[0].cpu().data.numpy()
        gradients = cam.activations_and_grads.gradients[0].cpu().data.numpy()
        raw = np.maximum(cam.get_cam_image(x, layer, targets, activations, gradients), 0)
        result[method] = torch.from_numpy(np.asarray(raw)).unsqueeze(1)
    result["guided-backprop"] = GuidedBackprop(model).attribute(x.clone().requires_grad_(), target=TARGET)
    xx = x.clone().requires_grad_()
    loss = torch.nn.functional.cross_entropy(model(xx), torch.tensor([TARGET]))
    gradient, = torch.autograd.grad(loss, xx)
    result["fgsm"] = (xx + 0.1 * gradient.sign()).clamp(0, 1) - xx
    return {k: v.detach() for k, v in result.items()}


errors = {}
for name, layer_name in [("resnet18", "layer4"), ("vgg16", "features.28")]:
    net = with_formula(getattr(torchvision.models, name)(weights=None))
    for module in net.modules():          # captum's guided backprop hooks each ReLU; in-place ones
        if isinstance(module, torch.nn.ReLU):  # would overwrite what the hooks saw
            module.inplace = False
    single, double = maps(net, layer_name, torch.float32), maps(net, layer_name, torch.float64)
    errors[name] = {}
    for method in single:
        # FGSM keeps its float32 result (a sign); the rest are references in double precision,
        # with the libraries' own float32 error beside them.
        reference = single[method] if method == "fgsm" else double[method]
        np.save(os.path.join(HERE, f"{name}-{method}.npy"), reference.to(torch.float32).numpy())
        scale = float(double[method].abs().max())
        errors[name][method] = float((single[method].double() - double[method]).abs().max()) / max(scale, 1e-30)
    print("wrote", name, {k: f"{v:.1e}" for k, v in errors[name].items()})
with open(os.path.join(HERE, "float32-errors.json"), "w") as file:
    json.dump(errors, file, indent=1, sort_keys=True)
    file.write("\n")
