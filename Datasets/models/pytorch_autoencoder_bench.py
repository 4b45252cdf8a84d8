# Same-sitting PyTorch reference for `workbook bench --only autoencoder`: one training step of
# lesson 11's mnist-autoencoder (the model of Sources/ModelZoo/Catalog.swift, built here as
# nn.Sequential(encoder, decoder)), batch 128, MSE against the input, Adam; 2 threads, median.
# Usage, from the repository root: python3 Datasets/models/pytorch_autoencoder_bench.py (needs torch).
# Not needed to build or test; BENCHMARKS.md quotes its output.
import statistics, time
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
