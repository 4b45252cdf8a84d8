# Same-sitting PyTorch reference for `workbook bench --only autoencoder`: one training step of
# lesson 11's mnist-autoencoder (the model of Sources/ModelZoo/Catalog.swift, built here as
# nn.Sequential(encoder, decoder)), batch 128, MSE against the input, Adam; 2 threads, median.
# Usage, from the repository root: python3 Datasets/models/pytorch_autoencoder_bench.py (needs torch).
# FULL=1 also trains it as `workbook train --model mnist-autoencoder` does (60,000 MNIST digits from
# Datasets/mnist, 20 epochs, batch 128, Adam with OneCycleLR(max_lr=0.004, pct_start=0.3, cos),
# shuffled each epoch), timing every epoch and printing the test MSE.
# Not needed to build or test; BENCHMARKS.md quotes its output.
import gzip, os, statistics, time
import numpy as np
from collections import OrderedDict
import torch, torch.nn as nn, torch.nn.functional as F

torch.set_num_threads(2)
torch.manual_seed(1)
model = nn.Sequential(OrderedDict(
    encoder=nn.Sequential(
        nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(), nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 64), nn.ReLU(), nn.Linear(64, 2)),
    decoder=nn.Sequential(
        nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 32 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (32, 7, 7)),
        nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid()),
))
model.train()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
x = torch.rand(128, 1, 28, 28)


def step():
    opt.zero_grad()
    F.mse_loss(model(x), x).backward()
    opt.step()


step()
times = []
for _ in range(30):
    t = time.perf_counter(); step(); times.append(time.perf_counter() - t)
m, f = statistics.median(times), min(times)
print(f"training step mnist-autoencoder batch 128: median {m*1e3:.2f} ms ({m*60000/128:.1f} s/epoch est.), fastest {f*1e3:.2f} ms (torch {torch.__version__})")

# Lesson 11's linear autoencoder (exercise 11.2): one full-batch Adam step on 2,000 × 784, k = 10,
# the loss of 11.1 (centred, x̃ Eᵀ Dᵀ, F.mse_loss): `workbook bench --only linear`.
data = torch.rand(2000, 784)
encoder = (torch.randn(10, 784) * 0.01).requires_grad_()
decoder = (torch.randn(784, 10) * 0.01).requires_grad_()
linear_opt = torch.optim.Adam([encoder, decoder], lr=0.01)


def linear_step():
    linear_opt.zero_grad()
    centred = data - data.mean(0, keepdim=True)
    F.mse_loss(F.linear(F.linear(centred, encoder), decoder), centred).backward()
    linear_opt.step()


linear_step()
times = []
for _ in range(30):
    t = time.perf_counter(); linear_step(); times.append(time.perf_counter() - t)
print(f"training step linear autoencoder 2000 x 784, k 10: median {statistics.median(times)*1e3:.2f} ms, fastest {min(times)*1e3:.2f} ms")

if os.environ.get("FULL"):
    def idx(path):
        with gzip.open(path) as f:
            data = f.read()
        return torch.from_numpy(np.frombuffer(data, dtype=np.uint8, offset=16).astype(np.float32) / 255).reshape(-1, 1, 28, 28)
    train, test = idx("Datasets/mnist/train-images-idx3-ubyte.gz"), idx("Datasets/mnist/t10k-images-idx3-ubyte.gz")
    torch.manual_seed(2024)
    for module in model.modules():
        if hasattr(module, "reset_parameters"):
            module.reset_parameters()
    epochs, batch = 20, 128
    steps = (len(train) + batch - 1) // batch
    opt = torch.optim.Adam(model.parameters(), lr=0.004)
    schedule = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.004, total_steps=epochs * steps, pct_start=0.3, anneal_strategy="cos")
    start_all = time.perf_counter()
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        model.train()
        order = torch.randperm(len(train))
        total = 0.0
        for b in range(steps):
            xb = train[order[b * batch:(b + 1) * batch]]
            opt.zero_grad()
            loss = F.mse_loss(model(xb), xb)
            loss.backward()
            opt.step()
            schedule.step()
            total += loss.item() * len(xb)
        model.eval()
        with torch.no_grad():
            test_mse = sum(F.mse_loss(model(test[i:i + 256]), test[i:i + 256], reduction="sum").item() for i in range(0, len(test), 256)) / test.numel()
        print(f"epoch {epoch:2d}  train MSE {total / len(train):.5f}  test MSE {test_mse:.5f}  {time.perf_counter() - start:.1f} s", flush=True)
    print(f"20 epochs: {time.perf_counter() - start_all:.0f} s")
