"""PyTorch CPU reference for bench/run.ts: builds the same blocks with the same shapes, and times
forward (inference mode) and forward+backward (loss = mean(y^2), gradients of every weight) with
the same thread count, on request from bench/run.ts (so the two sides can take turns)."""
import json
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn


class ConvBlock(nn.Module):
    def __init__(self, c, groups, **_):
        super().__init__()
        self.norm1, self.norm2 = nn.GroupNorm(groups, c), nn.GroupNorm(groups, c)
        self.conv1, self.conv2 = nn.Conv2d(c, c, 3, padding=1), nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        return x + self.conv2(F.silu(self.norm2(h)))


class AttentionBlock(nn.Module):
    def __init__(self, d, heads, **_):
        super().__init__()
        self.heads = heads
        self.norm = nn.LayerNorm(d)
        self.to_q, self.to_k, self.to_v, self.to_out = (nn.Linear(d, d) for _ in range(4))

    def forward(self, x):
        b, t, d = x.shape
        h = self.norm(x)
        q, k, v = (p(h).reshape(b, t, self.heads, d // self.heads).transpose(1, 2) for p in (self.to_q, self.to_k, self.to_v))
        probs = torch.softmax(q @ k.transpose(-1, -2) / (d // self.heads) ** 0.5, dim=-1)
        return x + self.to_out((probs @ v).transpose(1, 2).reshape(b, t, d))


class Mlp4(nn.Module):
    def __init__(self, d, layers, **_):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(d, d) for _ in range(layers))

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = F.gelu(x, approximate="tanh")
        return x


MODULES = {"conv_block": (ConvBlock, lambda c: (c["n"], c["c"], c["h"], c["w"])),
           "attention_block": (AttentionBlock, lambda c: (c["b"], c["t"], c["d"])),
           "mlp4": (Mlp4, lambda c: (c["n"], c["d"]))}


def times_ms(fn, iters):
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def build(case):
    cls, shape = MODULES[case["module"]]
    model = cls(**case["config"]).float()
    x = torch.randn(*shape(case["config"]))

    def forward():
        with torch.inference_mode():
            model(x)

    def fwd_bwd():
        model.zero_grad(set_to_none=True)
        y = model(x)
        (y * y).mean().backward()

    return {"forward": forward, "fwd_bwd": fwd_bwd}


def main():
    """Line protocol: first line {threads, cases: [{name, module, config}]}; then one request per
    line {case, mode, iters, warmup}, answered with one line {times_ms: [...]}."""
    setup = json.loads(sys.stdin.readline())
    torch.set_num_threads(setup["threads"])
    torch.set_num_interop_threads(1)
    runners = {c["name"]: build(c) for c in setup["cases"]}
    print(json.dumps({"version": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        fn = runners[request["case"]][request["mode"]]
        times_ms(fn, request["warmup"])
        print(json.dumps({"times_ms": times_ms(fn, request["iters"])}), flush=True)


if __name__ == "__main__":
    main()
