"""Every explanation method of lessons 02-07 on colour images, computed by captum 0.9,
pytorch-grad-cam 1.5.7 and PyTorch: the numbers the lessons' colour tests compare against.

Run from the repository root (after Datasets/colour/make_colour_demo.py):

    python3 Tests/ColourFixtures/make_colour_fixture.py

writes Tests/ColourFixtures/colour-reference.json for the seeded, untrained
Datasets/colour/colour-gap-seeded.safetensors on Datasets/colour/colour-demo.bin (pixels /
255, [2, 3, 32, 32]) with targets TARGETS (the raw logit of the target is the score):

  logits                [2, 10]
  saliency              [2, 3, 32, 32] Saliency(model).attribute(x, target, abs=False)
  saliency_max_abs      [2, 1, 32, 32] Saliency(abs=True) reduced by the max over the channel axis
                                       (Simonyan et al. 2014, section 3.1: M = max_c |w_c|)
  input_x_gradient      [2, 3, 32, 32] InputXGradient(model).attribute(x, target)
  input_x_gradient_sum  [2, 1, 32, 32] its sum over the channel axis: what captum's
                                       visualization.visualize_image_attr does first (np.sum(attr,
                                       axis=2) on HWC) before any sign= transform
  ig                    [2, 3, 32, 32] IntegratedGradients, baseline IG_BASELINE * x, n_steps=20, gausslegendre
  ig_delta              [2]
  ig_sum                [2, 1, 32, 32] ig summed over the channel axis (as input_x_gradient_sum)
  occlusion             [2, 3, 32, 32] Occlusion.attribute(x, target, sliding_window_shapes=(3, 4, 4),
                                       strides=(3, 2, 2), baselines=0): one patch over all channels
  cam                   [2, 1, 8, 8]   sum_k fc.weight[target, k] * relu3_k
  cam_upsampled         [2, 1, 32, 32] F.interpolate(cam, (32, 32), mode="bilinear", align_corners=False)
  gradcam_raw, gradcampp_raw [2, 1, 8, 8]  pytorch-grad-cam get_cam_image at relu3 (before scaling)
  gradcam, gradcampp    [2, 1, 32, 32] what GradCAM / GradCAMPlusPlus(...)(x, targets) return
  guided_backprop       [2, 3, 32, 32] GuidedBackprop(model).attribute(x, target)
  deconvolution         [2, 3, 32, 32] Deconvolution(model).attribute(x, target)
  guided_gradcam        [2, 3, 32, 32] guided_backprop * m, m = min-max (eps 1e-7) of
                                       F.interpolate(gradcam_raw, 32x32, bilinear, align_corners=False),
                                       the same m for all three channels (the lesson 06 definition)
  fgsm                  [2, 3, 32, 32] clamp(x + EPS * sign(grad_x CE(f(x), targets)), 0, 1)
  fgsm_tiny             flat indices whose |grad| <= 1e-6 * max|grad| of their image
  pgd                   [2, 3, 32, 32] PGD_STEPS steps of PGD_STEP, L-inf ball EPS, no random start
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
import captum
from captum.attr import Deconvolution, GuidedBackprop, InputXGradient, IntegratedGradients, Occlusion, Saliency
import pytorch_grad_cam
from pytorch_grad_cam import GradCAM, GradCAMPlusPlus
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
sys.path.insert(0, os.path.join(ROOT, "Datasets/models"))
from workbook_model import load  # noqa: E402

TARGETS = [3, 7]
EPS, PGD_STEP, PGD_STEPS = 0.03, 0.01, 5
# IG's baseline is the image dimmed to a quarter, not black: near a flat black baseline every
# pooling window of the untrained model ties, and PyTorch and the engine break Float32 ties by
# rounding, so single attributions would differ by a few percent. The dimmed path never goes flat.
IG_BASELINE = 0.25


def array(a):
    a = np.asarray(a, dtype=np.float32)
    return {"shape": list(a.shape), "data": [float(f"{v:.8g}") for v in a.reshape(-1)]}


def images():
    records = np.fromfile(os.path.join(ROOT, "Datasets/colour/colour-demo.bin"), dtype=np.uint8).reshape(-1, 3073)
    assert records[:, 0].tolist() == TARGETS, records[:, 0]
    return torch.tensor(records[:, 1:].reshape(-1, 3, 32, 32).astype(np.float32) / 255.0)


def loss_gradient(model, x, classes):
    x = x.clone().requires_grad_(True)
    F.cross_entropy(model(x), torch.tensor(classes)).backward()
    return x.grad.detach()


def main():
    model = load(os.path.join(ROOT, "Datasets/colour/colour-gap-seeded.safetensors"))
    x = images()
    out = {
        "library": f"captum {captum.__version__}, pytorch-grad-cam 1.5.7, torch {torch.__version__}, numpy {np.__version__}",
        "command": "python3 Tests/ColourFixtures/make_colour_fixture.py",
        "model": "Datasets/colour/colour-gap-seeded.safetensors",
        "images": "Datasets/colour/colour-demo.bin",
        "targets": TARGETS, "epsilon": EPS, "pgd_step": PGD_STEP, "pgd_steps": PGD_STEPS,
    }
    with torch.no_grad():
        out["logits"] = array(model(x))
        out["pixels"] = array(x)
    g = Saliency(model).attribute(x.clone(), target=TARGETS, abs=False).detach()
    out["saliency"] = array(g)
    out["saliency_max_abs"] = array(Saliency(model).attribute(x.clone(), target=TARGETS).detach().amax(1, keepdim=True))
    ixg = InputXGradient(model).attribute(x.clone(), target=TARGETS).detach()
    out["input_x_gradient"] = array(ixg)
    out["input_x_gradient_sum"] = array(ixg.sum(1, keepdim=True))
    ig, delta = IntegratedGradients(model).attribute(x.clone(), baselines=IG_BASELINE * x, target=TARGETS, n_steps=20,
                                                     method="gausslegendre", return_convergence_delta=True)
    out["ig"] = array(ig.detach()); out["ig_delta"] = array(delta.detach()); out["ig_sum"] = array(ig.detach().sum(1, keepdim=True))
    with torch.no_grad():
        out["occlusion"] = array(Occlusion(model).attribute(x.clone(), target=TARGETS, sliding_window_shapes=(3, 4, 4),
                                                            strides=(3, 2, 2), baselines=0))
    captured = {}
    handle = model.relu3.register_forward_hook(lambda m, i, o: captured.update(A=o.detach()))
    with torch.no_grad():
        model(x)
    handle.remove()
    W = model.fc.weight.detach()
    cam = torch.einsum("nk,nkij->nij", W[TARGETS], captured["A"])[:, None]
    out["cam"] = array(cam)
    out["cam_upsampled"] = array(F.interpolate(cam, size=(32, 32), mode="bilinear", align_corners=False))
    targets = [ClassifierOutputTarget(t) for t in TARGETS]
    raws = {}
    for name, method in [("gradcam", GradCAM), ("gradcampp", GradCAMPlusPlus)]:
        with method(model=model, target_layers=[model.relu3]) as cam:
            final = cam(input_tensor=x.clone(), targets=targets)
            activations = cam.activations_and_grads.activations[0].cpu().numpy()
            gradients = cam.activations_and_grads.gradients[0].cpu().numpy()
            raw = cam.get_cam_image(x, model.relu3, targets, activations, gradients, eigen_smooth=False)
            raw = np.maximum(raw, 0)
        raws[name] = raw
        out[f"{name}_raw"] = array(raw[:, None]); out[name] = array(final[:, None])
    guided = GuidedBackprop(model).attribute(x.clone(), target=TARGETS).detach()
    out["guided_backprop"] = array(guided)
    out["deconvolution"] = array(Deconvolution(model).attribute(x.clone(), target=TARGETS).detach())
    up = F.interpolate(torch.tensor(raws["gradcam"][:, None]), size=(32, 32), mode="bilinear", align_corners=False)
    low = up.amin((2, 3), keepdim=True); high = up.amax((2, 3), keepdim=True)
    out["guided_gradcam"] = array(guided * ((up - low) / (high - low + 1e-7)))
    gl = loss_gradient(model, x, TARGETS)
    out["fgsm"] = array((x + EPS * gl.sign()).clamp(0, 1))
    flat = gl.reshape(2, -1).abs()
    out["fgsm_tiny"] = [int(i) + n * flat.shape[1] for n in range(2) for i in torch.nonzero(flat[n] <= 1e-6 * flat[n].max()).flatten()]
    adv = x.clone()
    for _ in range(PGD_STEPS):
        adv = adv + PGD_STEP * loss_gradient(model, adv, TARGETS).sign()
        adv = torch.max(torch.min(adv, x + EPS), x - EPS).clamp(0, 1)
    out["pgd"] = array(adv)
    path = os.path.join(os.path.dirname(__file__), "colour-reference.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print("wrote", path, "logits argmax", np.asarray(out["logits"]["data"]).reshape(2, 10).argmax(1).tolist(),
          "ig delta", delta.tolist(), "fgsm tiny", len(out["fgsm_tiny"]),
          "saliency max-abs vs sum-abs differ by", float((g.abs().sum(1) - g.abs().amax(1)).abs().max()))


if __name__ == "__main__":
    main()
