"""PyTorch twin of APTP's prompt router and its losses, written from shared/APTP.md (not from the
engine): a predictor of one Linear per width group plus one for the depth gates, Gumbel-sigmoid
gates with the depth importance ordering and the never-prune-a-unit fix, straight-through hard
values, routing vectors, cosine similarity, SwAV Sinkhorn, the resource ratio counted unit by unit
from MACs, and the resource / std / max / contrastive losses. Everything in float64."""
import math

import torch
import torch.nn.functional as F


class Structure:
    """The gate layout and MACs facts the engine wrote (structure in case.json)."""

    def __init__(self, record):
        self.__dict__.update(record)
        self.width = sum(g["width"] for g in self.width_groups)
        self.depth = len(self.depth_groups)
        self.length = self.width + self.depth


def hard(x):
    """step(x >= 0.5) with a straight-through gradient."""
    return ((x >= 0.5).to(x.dtype) - x).detach() + x


def predictor(s, x, weight, bias):
    """One Linear per width group and one for all depth gates; our [E, L] matrix holds each
    Linear's weight transposed side by side."""
    blocks = [(g["offset"], g["width"]) for g in s.width_groups] + [(s.width, s.depth)]
    outs = [F.linear(x, weight[:, o:o + w].t(), bias[o:o + w]) for o, w in blocks if w > 0]
    return torch.cat(outs, dim=1)


def gumbel_sigmoid(s, z, noise):
    """sigmoid((z + g + b)/T) per width entry, +0.5 on the first entry of an all-off group; depth:
    softmax, cumsum, flip, inverse sigmoid, placed by depth_order, then the entry's noise."""
    noise = torch.zeros_like(z) if noise is None else noise.expand_as(z)
    t, b = s.temperature, s.offset
    groups = []
    for g in s.width_groups:
        o, w = g["offset"], g["width"]
        y = torch.sigmoid((z[:, o:o + w] + noise[:, o:o + w] + b) / t)
        empty = ((y >= 0.5).sum(dim=1) == 0).to(y.dtype)
        bump = torch.zeros_like(y)
        bump[:, 0] = 0.5 * empty
        groups.append(y + bump)
    if s.depth:
        cdf = torch.flip(torch.cumsum(torch.softmax(z[:, s.width:], dim=1), dim=1), dims=[1])
        keep = torch.log(cdf + 1e-6) - torch.log1p(-(cdf - 1e-6))
        placed = torch.zeros_like(keep)
        placed[:, s.depth_order] = keep
        groups.append(torch.sigmoid((placed + noise[:, s.width:] + b) / t))
    return torch.cat(groups, dim=1)


def routing_vector(s, gates):
    """Hard values; a depth-gated unit's width entries are its soft values times its soft depth
    gate; entries scaled by sqrt(1/group width) (and by MACs share when resource-aware); L2 norm."""
    out = hard(gates).clone()
    scale = torch.ones(s.length, dtype=gates.dtype)
    macs_share = torch.ones(s.length, dtype=gates.dtype)
    unit_macs = {}
    for g in s.width_groups:
        o, w = g["offset"], g["width"]
        scale[o:o + w] = math.sqrt(1.0 / w)
        macs_share[o:o + w] = g["macs_per_entry"] * w / s.prunable_macs
        unit_macs[g["unit"]] = unit_macs.get(g["unit"], 0.0) + g["macs_per_entry"] * w
    for d in s.depth_groups:
        macs_share[d["offset"]] = unit_macs[d["unit"]] / s.prunable_macs
        for g in s.width_groups:
            if g["unit"] == d["unit"]:
                o, w = g["offset"], g["width"]
                out[:, o:o + w] = gates[:, o:o + w] * gates[:, d["offset"]:d["offset"] + 1]
    out = out * scale
    if s.resource_aware:
        out = out * macs_share
    return out / out.norm(dim=1, keepdim=True)


def sinkhorn(s, scores):
    q = torch.exp(scores / s.sinkhorn_epsilon).t()
    k, n = q.shape
    q = q / q.sum()
    for _ in range(s.sinkhorn_iterations):
        q = q / q.sum(dim=1, keepdim=True) / k
        q = q / q.sum(dim=0, keepdim=True) / n
    return (q * n).t()


def resource_ratio(s, gates):
    """rho = R(a)/R(all on), R = sum over units of [hard depth gate *] (sum_g r_g m_g [+ fixed])."""
    h = hard(gates)
    fixed = {u["unit"]: u["fixed"] for u in s.units}
    depth_of = {d["unit"]: d["offset"] for d in s.depth_groups}
    width_part = {}
    for g in s.width_groups:
        o, w = g["offset"], g["width"]
        r_g = h[:, o:o + w].mean(dim=1)
        width_part[g["unit"]] = width_part.get(g["unit"], 0) + r_g * (w * g["macs_per_entry"])
    total = 0
    for unit, part in width_part.items():
        total = total + (h[:, depth_of[unit]] * (part + fixed[unit]) if unit in depth_of else part)
    return total / s.prunable_macs


def contrastive(arch, prompts, t_arch, t_prompt):
    a = arch / arch.norm(dim=1, keepdim=True)
    p = prompts / prompts.norm(dim=1, keepdim=True)
    x = torch.softmax(a @ a.t() / t_arch, dim=-1)
    y = torch.softmax(p @ p.t() / t_prompt, dim=-1)
    return F.binary_cross_entropy(x.t(), y.t(), reduction="mean")


def forward(s, params, embedding, predictor_noise, code_noise, optimal_transport):
    """Everything the router computes before the UNet runs."""
    if s.kind == "single":
        gates = gumbel_sigmoid(s, params["router/arch"], predictor_noise).expand(embedding.shape[0], -1)
        return {"predictor_gates": gates, "predictor_routing": routing_vector(s, gates)}
    logits = predictor(s, embedding, params["router/predictor.weight"], params["router/predictor.bias"])
    pred = gumbel_sigmoid(s, logits, predictor_noise)
    codes = gumbel_sigmoid(s, params["router/codebook"], code_noise)
    a, c = routing_vector(s, pred), routing_vector(s, codes)
    scores = a @ c.t()
    plan = sinkhorn(s, scores) if optimal_transport else scores
    return {"predictor_gates": pred, "predictor_routing": a, "code_gates": codes, "scores": scores,
            "plan": sinkhorn(s, scores), "assignment": plan.argmax(dim=1)}


def router_losses(s, values, gates, embedding):
    """The router-side terms (APTP.md "Losses") on the gates that drive the UNet."""
    rho = resource_ratio(s, gates)
    terms = {"resource": torch.abs(torch.log(rho.mean() / s.target)),
             "max": 1 - rho.max()}
    if s.weights["std"] != 0:
        terms["std"] = -torch.std(rho)
    if s.kind == "router":
        terms["contrastive"] = contrastive(values["predictor_routing"], embedding, s.temperatures["arch"], s.temperatures["prompt"])
    total = sum(s.weights[k] * v for k, v in terms.items())
    return rho, terms, total
