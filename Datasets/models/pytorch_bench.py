# Same-sitting PyTorch reference for `workbook bench` (mnist-gap, 2 threads, median of several runs).
# Usage, from the repository root: python Datasets/models/pytorch_bench.py (needs torch, safetensors,
# captum, grad-cam). Not needed to build or test; BENCHMARKS.md quotes its output.
import sys, time, statistics, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
sys.path.insert(0, "Datasets/models")
from workbook_model import load
from captum.attr import Saliency, IntegratedGradients, Occlusion, GuidedBackprop
from pytorch_grad_cam import GradCAM
torch.set_num_threads(2)
model = load("Datasets/models/mnist-gap.safetensors")
def med(f, runs):
    f(); ts = []
    for _ in range(runs):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return statistics.median(ts), min(ts)
x256 = torch.rand(256, 1, 28, 28); x1 = x256[:1].clone()
with torch.no_grad():
    m, f = med(lambda: model(x256), 9)
print(f"inference batch 256: median {m*1e3:.2f} ms ({256/m:.0f} images/s), fastest {f*1e3:.2f}")
train = load("Datasets/models/mnist-gap.safetensors"); train.train()
opt = torch.optim.Adam(train.parameters(), lr=1e-3); x64 = torch.rand(64, 1, 28, 28); y64 = torch.arange(64) % 10
def step():
    opt.zero_grad(); F.cross_entropy(train(x64), y64).backward(); opt.step()
m, f = med(step, 30)
print(f"training step batch 64: median {m*1e3:.2f} ms ({m*60000/64:.1f} s/epoch est.), fastest {f*1e3:.2f}")
sal, ig, occ, gbp = Saliency(model), IntegratedGradients(model), Occlusion(model), GuidedBackprop(model)
cam = GradCAM(model=model, target_layers=[model.relu3])
rows = [("vanilla saliency", lambda: sal.attribute(x1.clone().requires_grad_(), target=3)),
        ("Grad-CAM relu3 (pytorch-grad-cam)", lambda: cam(input_tensor=x1, targets=None)),
        ("guided backprop", lambda: gbp.attribute(x1.clone().requires_grad_(), target=3)),
        ("FGSM", lambda: (lambda xx: (xx + 0.1 * torch.autograd.grad(F.cross_entropy(model(xx), torch.tensor([3])), xx)[0].sign()).clamp(0, 1))(x1.clone().requires_grad_())),
        ("occlusion 4x4 stride 2, 169 windows in one pass", lambda: occ.attribute(x1, target=3, sliding_window_shapes=(1, 4, 4), strides=(1, 2, 2), perturbations_per_eval=169)),
        ("Integrated Gradients, 50 steps, one pass", lambda: ig.attribute(x1, target=3, n_steps=50, internal_batch_size=50))]
for name, f in rows:
    m, fa = med(f, 27)
    print(f"{name}: median {m*1e3:.2f} ms, fastest {fa*1e3:.2f} ms")
