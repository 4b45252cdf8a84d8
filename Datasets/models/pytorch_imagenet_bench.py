# Same-sitting PyTorch reference for `workbook bench --only 224`: torchvision's ResNet-50 and VGG-16
# (random weights, evaluation mode, ImageNet's Normalize as the first layer as in the workbook's
# model files) on one 224x224 image, 2 threads: forward, captum's Saliency, pytorch-grad-cam's
# GradCAM (at layer4 / features.29, upsampled to 224x224), captum's IntegratedGradients with 32
# steps in one batch, and captum's Occlusion with 16x16 windows, stride 8, 27 windows a batch.
# Usage, from the repository root: python Datasets/models/pytorch_imagenet_bench.py
# (needs torch, torchvision, captum, grad-cam). Not needed to build or test; BENCHMARKS.md quotes it.
import resource, statistics, time
import torch, torchvision
from captum.attr import IntegratedGradients, Occlusion, Saliency
from pytorch_grad_cam import GradCAM
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

torch.set_num_threads(2)
torch.manual_seed(1)


def med(f, runs, warm=True):
    if warm:
        f()
    ts = []
    for _ in range(runs):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return statistics.median(ts), min(ts)


normalize = torchvision.transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
x = torch.rand(1, 3, 224, 224)
for name, layer in [("resnet50", "layer4"), ("vgg16", "features.29")]:
    net = getattr(torchvision.models, name)(weights=None).eval()
    model = torch.nn.Sequential(normalize, net).eval()
    rows = []
    with torch.no_grad():
        rows.append(("forward", med(lambda: model(x), 9)))
    saliency, ig, occlusion = Saliency(model), IntegratedGradients(model), Occlusion(model)
    cam = GradCAM(model=model, target_layers=[net.get_submodule(layer)])
    rows.append(("saliency", med(lambda: saliency.attribute(x.clone().requires_grad_(), target=3), 9)))
    rows.append((f"Grad-CAM {layer}", med(lambda: cam(input_tensor=x, targets=[ClassifierOutputTarget(3)]), 9)))
    rows.append(("Integrated Gradients 32 steps", med(lambda: ig.attribute(x, target=3, n_steps=32, internal_batch_size=32), 3)))
    rows.append(("occlusion 16x16 stride 8", med(lambda: occlusion.attribute(
        x, target=3, sliding_window_shapes=(3, 16, 16), strides=(3, 8, 8), baselines=0, perturbations_per_eval=27), 1, warm=False)))
    for row, (m, f) in rows:
        print(f"224 {name} {row}: median {m * 1e3:.1f} ms, fastest {f * 1e3:.1f} ms")
print(f"peak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1048576:.2f} GB")
