# Recipe exploration for fashion-gap (the mnist-gap architecture on Fashion-MNIST) in PyTorch.
# Usage: python fashion_recipe.py EPOCHS PEAK_LR FLIP(0/1) WEIGHT_DECAY [THREADS]; reads the Debian
# package dataset-fashion-mnist. Run as `20 0.004 0 0 1` and `20 0.008 1 0 1` to choose the recipe
# (see README.md); not needed to build, test or train.
import gzip, sys, time, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(int(sys.argv[5]) if len(sys.argv) > 5 else 1)
def idx(p):
    d = gzip.open(p).read()
    if d[3] == 3: return np.frombuffer(d, np.uint8, offset=16).reshape(-1, 1, 28, 28).astype(np.float32) / 255
    return np.frombuffer(d, np.uint8, offset=8).astype(np.int64)
R = "/usr/share/datasets/fashion-mnist/"
xtr, ytr = torch.tensor(idx(R + "train-images-idx3-ubyte.gz")), torch.tensor(idx(R + "train-labels-idx1-ubyte.gz"))
xte, yte = torch.tensor(idx(R + "t10k-images-idx3-ubyte.gz")), torch.tensor(idx(R + "t10k-labels-idx1-ubyte.gz"))
epochs, lr, flip, wd = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
torch.manual_seed(2024)
class Norm(nn.Module):
    def forward(self, x): return (x - 0.2860) / 0.3530
m = nn.Sequential(Norm(), nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
                  nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))
opt = torch.optim.AdamW(m.parameters(), lr=lr, weight_decay=wd) if wd > 0 else torch.optim.Adam(m.parameters(), lr=lr)
steps = (60000 + 127) // 128
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps * epochs)
for e in range(epochs):
    t = time.time(); m.train(); perm = torch.randperm(60000); correct = 0
    for b in range(steps):
        i = perm[b * 128:(b + 1) * 128]; x = xtr[i]
        if flip:
            f = torch.rand(len(i)) < 0.5; x = torch.where(f[:, None, None, None], x.flip(3), x)
        out = m(x); loss = F.cross_entropy(out, ytr[i])
        opt.zero_grad(); loss.backward(); opt.step(); sched.step(); correct += (out.argmax(1) == ytr[i]).sum().item()
    m.eval()
    with torch.no_grad(): acc = (m(xte).argmax(1) == yte).float().mean().item()
    print(f"epochs={epochs} lr={lr} flip={flip} wd={wd} epoch {e+1} train {correct/600:.2f} test {100*acc:.2f} {time.time()-t:.1f}s", flush=True)
