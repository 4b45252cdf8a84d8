#!/usr/bin/env python3
"""Reference values from PyTorch for PyTorchAgreementTests.swift.

Generate (from the repository root) with:

    /opt/pyref/bin/python Tests/TensorEngineTests/Fixtures/make_pytorch_fixtures.py

Made with torch 2.15.0+cu132 (CPU, float32), numpy 2.4.6, Python 3. The script is deterministic:
every case seeds torch.manual_seed(case seed), draws its inputs with torch.randn, rounds them to
float32 values that survive a trip through 9 significant digits (they all do: 9 digits identify
every float32 uniquely), runs the op forward, then calls `y.backward(seed)` with a fixed random
projection `seed` of y's shape, and records the output and every input/parameter gradient.

Output: pytorch-ops.json next to this script, one case per line:

    {"torch": "...", "command": "...", "cases": [
      {"name": ..., "op": ..., "ints": {name: [int]}, "floats": {name: float}, "strings": {name: [str]},
       "tensors": {name: {"shape": [...], "data": [flat row-major floats]}}}, ...]}

Tensor names: inputs ("x", "weight", "bias", "a", "b", ...), "seed" (the backward seed), "out"
(the forward output) and "grad_<input>" for each gradient. Extra names per op are documented in
the case builders below.
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

COMMAND = "/opt/pyref/bin/python Tests/TensorEngineTests/Fixtures/make_pytorch_fixtures.py"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "pytorch-ops.json")

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


def r9(v):
    """A float rounded to 9 significant digits (exact for float32 values)."""
    return float(f"{v:.9g}")


def enc(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [r9(v) for v in t.reshape(-1).tolist()]}


def randn(*shape, scale=1.0):
    t = torch.randn(tuple(shape), dtype=torch.float32) * scale
    # Round-trip through the JSON text so Swift reads exactly the values torch used.
    return torch.tensor([r9(v) for v in t.reshape(-1).tolist()], dtype=torch.float32).reshape(shape)


cases = []


def run(name, op, seed, inputs, forward, ints=None, floats=None, extra=None):
    """inputs: dict name -> tensor (all get gradients). forward(**leaves) -> y.
    Records inputs, seed, out and grad_<name>."""
    leaves = {k: v.clone().requires_grad_(True) for k, v in inputs.items()}
    y = forward(**leaves)
    g = randn(*y.shape)
    y.backward(g)
    tensors = {k: enc(v) for k, v in inputs.items()}
    tensors["seed"] = enc(g)
    tensors["out"] = enc(y)
    for k, v in leaves.items():
        tensors["grad_" + k] = enc(v.grad)
    if extra:
        tensors.update({k: enc(v) for k, v in extra.items()})
    cases.append({"name": name, "op": op, "ints": ints or {}, "floats": floats or {}, "strings": {}, "tensors": tensors})


def seeded(seed):
    torch.manual_seed(seed)
    return seed


# --- conv2d: x [N, C, H, W], weight [O, C, kh, kw], optional bias [O] -------------------------
conv_cases = [
    # name, x shape, weight shape, bias, stride, padding
    ("conv2d 3x2 kernel, stride 1, no padding", (2, 2, 6, 5), (4, 2, 3, 2), True, (1, 1), (0, 0)),
    ("conv2d 3x2 kernel, stride (2,1), padding (1,0)", (1, 3, 7, 6), (4, 3, 3, 2), True, (2, 1), (1, 0)),
    ("conv2d 3x3 kernel, stride 2, padding 1, no bias", (1, 3, 8, 7), (5, 3, 3, 3), False, (2, 2), (1, 1)),
    ("conv2d 1x3 kernel, stride (1,2), padding (2,1)", (1, 2, 5, 6), (3, 2, 1, 3), True, (1, 2), (2, 1)),
    ("conv2d 2x4 kernel, stride (3,2), padding (1,2)", (2, 2, 9, 8), (3, 2, 2, 4), True, (3, 2), (1, 2)),
]
for i, (name, xs, ws, has_bias, stride, padding) in enumerate(conv_cases):
    s = seeded(100 + i)
    inputs = {"x": randn(*xs), "weight": randn(*ws, scale=0.5)}
    if has_bias:
        inputs["bias"] = randn(ws[0])
    run(name, "conv2d", s, inputs,
        lambda x, weight, bias=None, stride=stride, padding=padding: F.conv2d(x, weight, bias, stride=stride, padding=padding),
        ints={"stride": list(stride), "padding": list(padding)})

# --- conv_transpose2d: x [N, Cin, H, W], weight [Cin, Cout, kh, kw], optional bias [Cout] --------
transposed_cases = [
    # name, x shape, weight shape, bias, stride, padding, output_padding
    ("conv_transpose2d 3x3 kernel, stride 1", (2, 3, 4, 5), (3, 2, 3, 3), True, (1, 1), (0, 0), (0, 0)),
    ("conv_transpose2d 3x3 kernel, stride 2, padding 1, output padding 1", (2, 4, 7, 7), (4, 3, 3, 3), True, (2, 2), (1, 1), (1, 1)),
    ("conv_transpose2d 4x2 kernel, stride (2,3), padding (1,0), output padding (0,2), no bias", (1, 2, 3, 5), (2, 3, 4, 2), False, (2, 3), (1, 0), (0, 2)),
    ("conv_transpose2d 7x7 kernel from a 1x1 code", (3, 8, 1, 1), (8, 4, 7, 7), True, (1, 1), (0, 0), (0, 0)),
]
for i, (name, xs, ws, has_bias, stride, padding, output_padding) in enumerate(transposed_cases):
    s = seeded(150 + i)
    inputs = {"x": randn(*xs), "weight": randn(*ws, scale=0.5)}
    if has_bias:
        inputs["bias"] = randn(ws[1])
    run(name, "conv_transpose2d", s, inputs,
        lambda x, weight, bias=None, stride=stride, padding=padding, output_padding=output_padding:
            F.conv_transpose2d(x, weight, bias, stride=stride, padding=padding, output_padding=output_padding),
        ints={"stride": list(stride), "padding": list(padding), "output_padding": list(output_padding)})

# --- mse_loss: x and a target of the same shape (the target gets no gradient) ------------------------
for i, shape in enumerate([(3, 4, 5), (2, 1, 7, 9)]):
    s = seeded(170 + i)
    target = randn(*shape)
    run(f"mse_loss {list(shape)}", "mse_loss", s, {"x": randn(*shape)},
        lambda x, target=target: F.mse_loss(x, target), extra={"target": target})

# --- max_pool2d ---------------------------------------------------------------------------------
pool_cases = [
    ("max_pool2d kernel 2 stride 2", (2, 2, 6, 8), (2, 2), (2, 2), (0, 0)),
    ("max_pool2d kernel 2 stride 2, odd size", (1, 2, 5, 7), (2, 2), (2, 2), (0, 0)),
    ("max_pool2d kernel 3 stride 2 padding 1", (2, 2, 7, 7), (3, 3), (2, 2), (1, 1)),
    ("max_pool2d kernel 3x2 stride (1,2) padding (1,0)", (1, 2, 5, 6), (3, 2), (1, 2), (1, 0)),
]
for i, (name, xs, k, st, p) in enumerate(pool_cases):
    s = seeded(200 + i)
    run(name, "max_pool2d", s, {"x": randn(*xs)},
        lambda x, k=k, st=st, p=p: F.max_pool2d(x, k, st, p),
        ints={"kernel": list(k), "stride": list(st), "padding": list(p)})

# Ties (small integers): PyTorch's CPU kernel keeps the first maximum in row-major window order
# and sends the whole gradient there; overlapping windows (stride < kernel) add up.
tie_cases = [
    ("max_pool2d kernel 2 stride 2, ties", (1, 2, 4, 6), (2, 2), (2, 2), (0, 0)),
    ("max_pool2d kernel 3 stride 2 padding 1, ties", (1, 2, 7, 7), (3, 3), (2, 2), (1, 1)),
    ("max_pool2d kernel 3 stride 1 padding 1, ties", (1, 1, 5, 5), (3, 3), (1, 1), (1, 1)),
]
for i, (name, xs, k, st, p) in enumerate(tie_cases):
    s = seeded(250 + i)
    x = torch.randint(-2, 3, xs).to(torch.float32)
    run(name, "max_pool2d", s, {"x": x},
        lambda x, k=k, st=st, p=p: F.max_pool2d(x, k, st, p),
        ints={"kernel": list(k), "stride": list(st), "padding": list(p)})

# --- avg_pool2d (count_include_pad=True, PyTorch's default) -------------------------------------
avg_cases = [
    ("avg_pool2d kernel 2 stride 2", (1, 3, 6, 8), (2, 2), (2, 2), (0, 0)),
    ("avg_pool2d kernel 3 stride 2 padding 1", (2, 2, 7, 6), (3, 3), (2, 2), (1, 1)),
    ("avg_pool2d kernel 3 stride 1 padding 1", (1, 2, 5, 5), (3, 3), (1, 1), (1, 1)),
    ("avg_pool2d kernel 2x3 stride (2,1) padding (1,1)", (1, 2, 5, 6), (2, 3), (2, 1), (1, 1)),
]
for i, (name, xs, k, st, p) in enumerate(avg_cases):
    s = seeded(300 + i)
    run(name, "avg_pool2d", s, {"x": randn(*xs)},
        lambda x, k=k, st=st, p=p: F.avg_pool2d(x, k, st, p, count_include_pad=True),
        ints={"kernel": list(k), "stride": list(st), "padding": list(p)})

# --- adaptive_avg_pool2d(1) + flatten -----------------------------------------------------------
s = seeded(400)
run("adaptive_avg_pool2d(1) + flatten", "global_avg_pool", s, {"x": randn(2, 4, 5, 3)},
    lambda x: torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))

# --- adaptive_avg_pool2d to any size (VGG's 7x7, AlexNet's 6x6) ----------------------------------
adaptive_cases = [
    ("adaptive_avg_pool2d 7x5 to 3x2 (overlapping windows)", (1, 2, 7, 5), (3, 2)),
    ("adaptive_avg_pool2d 8x8 to 4x4 (tiling)", (2, 2, 8, 8), (4, 4)),
    ("adaptive_avg_pool2d 3x2 to 5x4 (larger than the input)", (1, 3, 3, 2), (5, 4)),
    ("adaptive_avg_pool2d 13x13 to 6x6 (AlexNet's)", (1, 2, 13, 13), (6, 6)),
]
for i, (name, xs, size) in enumerate(adaptive_cases):
    s = seeded(410 + i)
    run(name, "adaptive_avg_pool2d", s, {"x": randn(*xs)},
        lambda x, size=size: F.adaptive_avg_pool2d(x, size), ints={"size": list(size)})

# --- linear, matmul -----------------------------------------------------------------------------
s = seeded(500)
run("linear with bias", "linear", s, {"x": randn(4, 6), "weight": randn(5, 6, scale=0.5), "bias": randn(5)},
    lambda x, weight, bias: F.linear(x, weight, bias))
s = seeded(501)
run("linear without bias", "linear", s, {"x": randn(3, 9), "weight": randn(2, 9, scale=0.5)},
    lambda x, weight: F.linear(x, weight))
s = seeded(502)
run("matmul [3,7]x[7,4]", "matmul", s, {"a": randn(3, 7), "b": randn(7, 4)}, lambda a, b: a @ b)
s = seeded(503)
run("matmul [1,13]x[13,6]", "matmul", s, {"a": randn(1, 13), "b": randn(13, 6)}, lambda a, b: a @ b)

# --- element-wise activations -------------------------------------------------------------------
for i, (op, f) in enumerate([("relu", torch.relu), ("sigmoid", torch.sigmoid), ("tanh", torch.tanh)]):
    s = seeded(600 + i)
    run(op, op, s, {"x": randn(3, 10, scale=3.0)}, lambda x, f=f: f(x))

# ReLU at exactly 0: PyTorch's derivative there is 0.
s = seeded(610)
run("relu with exact zeros", "relu", s, {"x": torch.randint(-2, 3, (2, 8)).to(torch.float32) * 0.5},
    lambda x: torch.relu(x))

# --- softmax / log_softmax over the last dim ----------------------------------------------------
for i, (op, f) in enumerate([("softmax", F.softmax), ("log_softmax", F.log_softmax)]):
    s = seeded(700 + i)
    run(op + " [4,7]", op, s, {"x": randn(4, 7, scale=3.0)}, lambda x, f=f: f(x, dim=-1))
    s = seeded(710 + i)
    run(op + " [2,3,5], large logits", op, s, {"x": randn(2, 3, 5, scale=30.0)}, lambda x, f=f: f(x, dim=-1))

# --- cross_entropy (mean) with integer labels ----------------------------------------------------
for i, (n, c) in enumerate([(5, 4), (8, 10)]):
    s = seeded(800 + i)
    x = randn(n, c, scale=2.0)
    labels = torch.randint(0, c, (n,))
    run(f"cross_entropy mean [{n},{c}]", "cross_entropy", s, {"x": x},
        lambda x, labels=labels: F.cross_entropy(x, labels, reduction="mean"),
        ints={"labels": labels.tolist()})

# --- batch_norm2d ---------------------------------------------------------------------------------
# training: running stats start at mean 0 / var 1 and are updated with momentum 0.1 (unbiased
# variance); "running_mean_after" / "running_var_after" are the updated statistics.
s = seeded(900)
x = randn(2, 3, 4, 5, scale=2.0) + 0.5
rm, rv = torch.zeros(3), torch.ones(3)
run("batch_norm2d training", "batch_norm2d_train", s,
    {"x": x, "weight": randn(3), "bias": randn(3)},
    lambda x, weight, bias: F.batch_norm(x, rm, rv, weight, bias, training=True, momentum=0.1, eps=1e-5),
    floats={"momentum": 0.1, "eps": 1e-5},
    extra={"running_mean_after": rm, "running_var_after": rv})
# evaluation with given running statistics ("running_mean", "running_var"), which stay unchanged.
s = seeded(901)
x = randn(2, 3, 4, 4)
rm, rv = randn(3, scale=0.5), randn(3).abs() + 0.5
rm_in, rv_in = rm.clone(), rv.clone()
run("batch_norm2d eval", "batch_norm2d_eval", s,
    {"x": x, "weight": randn(3), "bias": randn(3)},
    lambda x, weight, bias: F.batch_norm(x, rm, rv, weight, bias, training=False, momentum=0.1, eps=1e-5),
    floats={"momentum": 0.1, "eps": 1e-5},
    extra={"running_mean": rm_in, "running_var": rv_in})
assert torch.equal(rm, rm_in) and torch.equal(rv, rv_in)

# --- interpolate --------------------------------------------------------------------------------
interp_cases = [
    ("interpolate bilinear up 3x4 -> 7x5", "bilinear", (2, 2, 3, 4), (7, 5)),
    ("interpolate bilinear down 7x7 -> 3x4", "bilinear", (1, 2, 7, 7), (3, 4)),
    ("interpolate nearest 3x4 -> 6x9", "nearest", (2, 2, 3, 4), (6, 9)),
    ("interpolate nearest down 7x7 -> 3x4", "nearest", (1, 2, 7, 7), (3, 4)),
]
for i, (name, mode, xs, size) in enumerate(interp_cases):
    s = seeded(1000 + i)
    kw = {"align_corners": False} if mode == "bilinear" else {}
    run(name, "interpolate_" + mode, s, {"x": randn(*xs)},
        lambda x, mode=mode, size=size, kw=kw: F.interpolate(x, size=size, mode=mode, **kw),
        ints={"size": list(size)})

# --- F.pad constant: ints "pad" = [left, right, top, bottom] as in F.pad ------------------------
s = seeded(1100)
run("pad constant (1,2,0,3) value 0.5", "pad", s, {"x": randn(2, 2, 3, 4)},
    lambda x: F.pad(x, (1, 2, 0, 3), mode="constant", value=0.5),
    ints={"pad": [1, 2, 0, 3]}, floats={"value": 0.5})
s = seeded(1101)
run("pad constant (2,0,1,1) value 0", "pad", s, {"x": randn(1, 3, 2, 2)},
    lambda x: F.pad(x, (2, 0, 1, 1), mode="constant", value=0.0),
    ints={"pad": [2, 0, 1, 1]}, floats={"value": 0.0})

# --- modules ------------------------------------------------------------------------------------
# nn.Conv2d(3, 4, 3, stride=2, padding=1): its state_dict ("state.weight", "state.bias") is loaded
# into the engine's Conv2d; gradients of the input and both parameters are compared.
s = seeded(1200)
conv = nn.Conv2d(3, 4, 3, stride=2, padding=1)
x = randn(2, 3, 6, 5).requires_grad_(True)
with torch.no_grad():  # make the parameters exactly representable in the JSON
    for p in conv.parameters():
        p.copy_(torch.tensor([r9(v) for v in p.reshape(-1).tolist()]).reshape(p.shape))
y = conv(x)
g = randn(*y.shape)
y.backward(g)
cases.append({"name": "Conv2d module (3, 4, 3, stride 2, padding 1)", "op": "conv2d_module",
              "ints": {"in": [3], "out": [4], "kernel": [3], "stride": [2], "padding": [1]}, "floats": {},
              "strings": {"state_dict_keys": list(conv.state_dict().keys())},
              "tensors": {"x": enc(x), "seed": enc(g), "out": enc(y), "grad_x": enc(x.grad),
                          **{"state." + k: enc(v) for k, v in conv.state_dict().items()},
                          "grad_weight": enc(conv.weight.grad), "grad_bias": enc(conv.bias.grad)}})

# nn.BatchNorm2d(4) in training mode (fresh: weight 1, bias 0, mean 0, var 1, momentum 0.1):
# two batches x1, x2 (output, gradients and state after each), then .eval() on x3.
s = seeded(1300)
bn = nn.BatchNorm2d(4)
tensors = {}
for step, shape in enumerate([(2, 4, 3, 3), (3, 4, 2, 2)], start=1):
    x = (randn(*shape, scale=1.5) + step).requires_grad_(True)
    y = bn(x)
    g = randn(*y.shape)
    bn.zero_grad()
    y.backward(g)
    tensors.update({f"x{step}": enc(x), f"seed{step}": enc(g), f"out{step}": enc(y), f"grad_x{step}": enc(x.grad),
                    f"grad_weight{step}": enc(bn.weight.grad), f"grad_bias{step}": enc(bn.bias.grad),
                    f"running_mean{step}": enc(bn.running_mean), f"running_var{step}": enc(bn.running_var)})
assert int(bn.num_batches_tracked) == 2
bn.eval()
x = randn(2, 4, 3, 3).requires_grad_(True)
y = bn(x)
g = randn(*y.shape)
bn.zero_grad()
y.backward(g)
tensors.update({"x3": enc(x), "seed3": enc(g), "out3": enc(y), "grad_x3": enc(x.grad),
                "grad_weight3": enc(bn.weight.grad), "grad_bias3": enc(bn.bias.grad)})
cases.append({"name": "BatchNorm2d module train x2 then eval", "op": "batch_norm2d_module",
              "ints": {"channels": [4], "num_batches_tracked": [2]}, "floats": {"momentum": 0.1, "eps": 1e-5},
              "strings": {"state_dict_keys": list(bn.state_dict().keys())},
              "tensors": tensors})

# --- write ---------------------------------------------------------------------------------------
names = [c["name"] for c in cases]
assert len(names) == len(set(names)), "case names must be unique"
header = {"torch": torch.__version__, "command": COMMAND}
with open(OUT, "w") as f:
    f.write("{" + json.dumps(header)[1:-1] + ', "cases": [\n')
    f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in cases))
    f.write("\n]}\n")
print(f"wrote {len(cases)} cases, {os.path.getsize(OUT)} bytes to {OUT} (torch {torch.__version__})", file=sys.stderr)
