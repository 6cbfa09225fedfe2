"""PyTorch twins of the oracle cases in tests/oracle/ts/cases: the same function, written the way
PyTorch/diffusers write it, on the same named inputs. Weights of linear layers are [in, out] as in
the engine's GraphBuilder.linear; conv weights are laid out as in both ONNX and PyTorch."""
import math

import torch
import torch.nn.functional as F


def _heads(t, heads):
    n, s, d = t.shape
    return t.reshape(n, s, heads, d // heads).transpose(1, 2)


def attention_block(x):
    h = F.layer_norm(x["x"], (8,), x["ln_w"], x["ln_b"], eps=1e-5)
    q, k, v = (_heads(h @ x[w], 2) for w in ("wq", "wk", "wv"))
    probs = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(4), dim=-1)
    merged = (probs @ v).transpose(1, 2).reshape(2, 5, 8)
    return x["x"] + merged @ x["wo"] + x["bo"]


def resnet_block(x):
    h = F.conv2d(F.silu(F.group_norm(x["x"], 4, x["gn1_w"], x["gn1_b"], eps=1e-5)), x["w1"], x["b1"], padding=1)
    h = h + (F.silu(x["temb"]) @ x["wt"] + x["bt"])[:, :, None, None]
    h = F.conv2d(F.silu(F.group_norm(h, 4, x["gn2_w"], x["gn2_b"], eps=1e-5)), x["w2"], x["b2"], padding=1)
    return x["x"] + h


def geglu_feed_forward(x):
    h, gate = (x["x"] @ x["w1"] + x["b1"]).chunk(2, dim=-1)
    return (h * F.gelu(gate)) @ x["w2"] + x["b2"]


def mlp(x):
    h1 = torch.tanh(x["x"] @ x["w1"] + x["b1"])
    h2 = F.silu(h1 @ x["w2"] + x["b2"])
    return h2 @ x["w3"] + x["b3"]


def gelu_tanh_mlp(x):
    h = F.gelu(x["x"] @ x["w1"] + x["b1"], approximate="tanh")
    return h @ x["w2"] + x["x"] * torch.sigmoid(1.702 * x["x"])


def conv_transpose_upsample(x):
    transposed = F.conv_transpose2d(x["x"], x["wt"], x["bt"], stride=2, padding=1)
    nearest = F.conv2d(F.interpolate(x["x"], scale_factor=2.0, mode="nearest"), x["wc"], x["bc"], padding=1)
    return torch.tanh(transposed) * nearest


def layer_norm(x):
    return F.layer_norm(x["x"], (4, 6), x["w"], x["b"], eps=1e-5)


def softmax_cross_entropy(x):
    return F.cross_entropy(x["logits"], x["target"].argmax(dim=1))


def sinkhorn(x):
    samples, experts = 6, 4
    q = torch.exp(x["scores"] / 0.5).t()
    q = q / q.sum()
    for _ in range(3):
        q = q / q.sum(dim=1, keepdim=True) / experts
        q = q / q.sum(dim=0, keepdim=True) / samples
    return (q * samples).t()


def logsumexp(x):
    return torch.logsumexp(x["x"], dim=1, keepdim=True) + 0.5 * torch.logsumexp(x["x"], dim=0, keepdim=True)


def cumsum(x):
    cdf = torch.cumsum(torch.softmax(x["x"], dim=1), dim=1)
    rev_excl = torch.flip(torch.cumsum(torch.flip(x["x"], [1]), dim=1), [1]) - x["x"]
    return cdf * rev_excl


def contrastive_infonce(x):
    a = x["a"] / torch.sqrt((x["a"] ** 2).sum(1, keepdim=True) + 1e-12)
    p = x["p"] / torch.sqrt((x["p"] ** 2).sum(1, keepdim=True) + 1e-12)
    return F.cross_entropy(a @ p.t() / 0.1, torch.arange(4))


def embedding_gather(x):
    return torch.tanh(F.embedding(torch.tensor([[1, 3, 3], [0, 9, 1]]), x["table"]))


def gumbel_softmax(x):
    gumbel = -torch.log(-torch.log(x["u"]))
    return torch.softmax((x["logits"] + gumbel) / 0.7, dim=-1)


def timestep_embedding(x):
    arg = x["t"] * torch.exp(x["freq"])
    return torch.cat([torch.sin(arg), torch.cos(arg)], dim=1)


def data_movement(x):
    padded = F.pad(x["x"], (0, 2, 1, 1), value=0.25)
    sliced = padded[:, 0:4, 0:7:2]
    row = x["r"].squeeze(1).unsqueeze(0).repeat(2, 1).unsqueeze(2).expand(2, 3, 4)
    mixed = torch.cat([sliced.transpose(1, 2), row], dim=2)
    gated = torch.where(mixed > 0, mixed.clamp(-0.5, 0.8), mixed * mixed)
    return torch.maximum(gated, mixed * 0.3)


def cross_attention(x):
    q = x["x"] @ x["wq"]
    k = x["ctx"] @ x["wk"]
    probs = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(8), dim=-1)
    return x["x"] + probs @ (x["ctx"] @ x["wv"])


def gemm_transb_pow(x):
    return (torch.abs(0.7 * x["a"] @ x["w"].t() + 1.3 * x["c"]) + 0.1) ** 1.5


def reduce_max_min_pool(x):
    pooled = F.max_pool2d(x["x"], 2)
    return pooled + pooled.amin(dim=1, keepdim=True)


def instance_norm(x):
    return F.silu(F.instance_norm(x["x"], weight=x["scale"], bias=x["bias"], eps=1e-5))


def softmax_axis0_hinge(x):
    mixed = torch.softmax(x["x"], dim=0) + 0.3 * torch.log_softmax(x["x"], dim=0)
    decay = torch.exp(-torch.abs(x["x"]))
    return F.relu(1 - mixed) + torch.where(x["x"] > 0, decay, -decay)


REFERENCES = {
    name: fn
    for name, fn in globals().items()
    if callable(fn) and not name.startswith("_") and fn.__module__ == __name__
}
