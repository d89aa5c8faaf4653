#!/usr/bin/env python3
"""The PyTorch peer of `fer bench peer`: the same network, data, batch, augmentation, loss and optimizer written the
way a PyTorch user would write them, timed over the same optimizer steps as FerMlNet.

Usage: python3 pytorch_peer.py SPEC.json [--untuned]   (SPEC written by `fer bench peer`; prints one JSON line with
img/s; --untuned leaves glibc malloc at its defaults)

The spec carries the network as FerMlNet's layer list (ModelZoo), so both sides build the same layers in the same
order; Keras semantics are kept where FerMlNet keeps them (BatchNorm momentum 0.01 / eps 1e-3, glorot-uniform
kernels, Adam eps 1e-7, L2 added to the loss for kernels only). The timed loop holds what FerMlNet's epoch loop
holds: batch gather from one uint8 tensor, scaling, augmentation, forward, loss, backward, optimizer step and the
loss/accuracy read-back.
"""
import ctypes
import json
import math
import sys
import time


def tune_malloc():
    """The same glibc tuning FerMlNet applies (GlibcMalloc.Tune): keep activation buffers in the heap."""
    libc = ctypes.CDLL("libc.so.6")
    trim = libc.mallopt(-1, 1 << 30) == 1
    mmap = libc.mallopt(-3, 1 << 30) == 1 or libc.mallopt(-3, 32 << 20) == 1
    return trim and mmap


def main():
    spec = json.load(open(sys.argv[1]))
    tuned = tune_malloc() if "--untuned" not in sys.argv[2:] else False  # before the first tensor
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.set_num_threads(spec["threads"])
    torch.manual_seed(spec["seed"])

    class Net(nn.Module):
        def __init__(self, layers, in_channels):
            super().__init__()
            self.seq = nn.Sequential()
            channels, side, features = in_channels, 48, 0
            for layer in layers:
                kind, units = layer["kind"], layer["units"]
                if kind == "Conv":
                    module = nn.Conv2d(channels, units, 3, padding=1)
                    channels = units
                elif kind == "BatchNorm":
                    module = nn.BatchNorm1d(features, 1e-3, 0.01) if features else nn.BatchNorm2d(channels, 1e-3, 0.01)
                elif kind == "Relu":
                    module = nn.ReLU()
                elif kind == "MaxPool":
                    module = nn.MaxPool2d(2, 2)
                    side //= 2
                elif kind == "Dropout":
                    module = nn.Dropout(layer["rate"])
                elif kind == "Flatten":
                    module = nn.Flatten()
                    features = channels * side * side
                elif kind == "GlobalAveragePool":
                    module = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
                    features = channels
                elif kind == "Dense":
                    module = nn.Linear(features, units)
                    features = units
                else:
                    raise ValueError(f"unknown layer kind {kind}")
                if isinstance(module, (nn.Conv2d, nn.Linear)):
                    nn.init.xavier_uniform_(module.weight)
                    nn.init.zeros_(module.bias)
                self.seq.add_module(layer["name"], module)
            self.l2 = [(self.seq.get_submodule(l["name"]).weight, l["l2"]) for l in layers if l["l2"] > 0]

        def forward(self, x):
            return self.seq(x)

        def l2_penalty(self):
            return sum(w.square().sum() * lam for w, lam in self.l2) if self.l2 else torch.zeros(())

    def augment(x, aug, gen):
        """Keras RandomFlip/RandomRotation/RandomZoom/RandomContrast on a whole batch, as FerMlNet applies them."""
        n = x.shape[0]
        if aug["flip"]:
            flip = (torch.rand(n, generator=gen) < 0.5).view(n, 1, 1, 1)
            x = torch.where(flip, x.flip(3), x)
        if aug["rotation"] > 0 or aug["zoom"] > 0:
            angle = (torch.rand(n, generator=gen) * 2 - 1) * (aug["rotation"] * 2 * math.pi)
            scale = 1 / ((torch.rand(n, generator=gen) * 2 - 1) * aug["zoom"] + 1)
            cos, sin = angle.cos() * scale, angle.sin() * scale
            zero = torch.zeros_like(cos)
            theta = torch.stack([cos, -sin, zero, sin, cos, zero], 1).view(n, 2, 3)
            grid = F.affine_grid(theta, list(x.shape), align_corners=False)
            x = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
        if aug["contrast"] > 0:
            factor = ((torch.rand(n, generator=gen) * 2 - 1) * aug["contrast"] + 1).view(n, 1, 1, 1)
            mean = x.mean((2, 3), keepdim=True)
            x = (x - mean) * factor + mean
        return x

    def loss_fn(logits, y, loss, weights):
        targets = F.one_hot(y, 4).float()
        if loss["labelSmoothing"] > 0:
            targets = targets * (1 - loss["labelSmoothing"]) + loss["labelSmoothing"] / 4
        if loss["type"] == "focal":
            p = logits.softmax(1).clamp(1e-7, 1 - 1e-7)
            per_sample = ((1 - p).pow(loss["gamma"]) * loss["alpha"] * -(targets * p.log())).sum(1)
        else:
            per_sample = -(targets * logits.log_softmax(1)).sum(1)
        if weights is not None:
            per_sample = per_sample * weights[y]
        return per_sample.mean()

    raw = open(spec["data"], "rb").read()
    count = spec["count"]
    images = torch.frombuffer(bytearray(raw[: count * 2304]), dtype=torch.uint8).view(count, 1, 48, 48)
    labels = torch.frombuffer(bytearray(raw[count * 2304: count * 2305]), dtype=torch.uint8).long()
    weights = torch.tensor(spec["classWeights"]) if spec["classWeights"] else None
    channels = spec["inputChannels"]

    net = Net(spec["layers"], channels)
    net.train()
    opt = torch.optim.Adam(net.parameters(), lr=spec["learningRate"], eps=1e-7)
    gen = torch.Generator().manual_seed(spec["seed"])
    batch = spec["batchSize"]
    order = torch.randperm(count, generator=gen)

    def step(b):
        idx = order[b * batch: (b + 1) * batch]
        x = images.index_select(0, idx).float().div_(255)
        if channels != 1:
            x = x.expand(-1, channels, -1, -1).contiguous()
        y = labels.index_select(0, idx)
        if spec["augmentation"]:
            x = augment(x, spec["augmentation"], gen)
        logits = net(x)
        loss = loss_fn(logits, y, spec["loss"], weights) + net.l2_penalty()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item(), (logits.argmax(1) == y).sum().item()

    for b in range(spec["warmup"]):  # allocator, kernels, thread pool
        step(b % (count // batch))
    steps = spec["steps"]
    start = time.perf_counter()
    for b in range(steps):
        step(b % (count // batch))
    seconds = time.perf_counter() - start
    print(json.dumps({"imagesPerSecond": steps * batch / seconds, "seconds": seconds, "torch": torch.__version__,
                      "threads": torch.get_num_threads(), "mallocTuned": tuned,
                      "blas": loaded_blas(),
                      "mkldnn": torch.backends.mkldnn.is_available()}))


def loaded_blas():
    """The BLAS library this process actually mapped (after the steps ran), e.g. "libopenblas.so.0": torch's build
    string names what it was compiled against, which on Debian says nothing of the OpenBLAS it loads."""
    try:
        with open("/proc/self/maps") as maps:
            names = {line.split()[-1].rsplit("/", 1)[-1] for line in maps if "/" in line}
    except OSError:
        return "unknown (no /proc/self/maps)"
    found = sorted(n for n in names if any(k in n.lower() for k in ("blas", "mkl_", "libmkl", "blis", "atlas")))
    return ", ".join(found) if found else "none mapped"


if __name__ == "__main__":
    main()
