"""A whole training run: the engine's Trainer (forward, autodiff backward and AdamW update in one
ONNX graph) against torch with torch.optim.AdamW, from the same initial parameters on the same
batch. Every step's loss and the final parameters must agree to 1e-5 relative (float64)."""
import json

import numpy as np
import torch

from conftest import CACHE, TOLERANCE, assert_close, run_ts


def test_adamw_training_run_matches_torch():
    out = CACHE / "trajectory"
    run_ts("trajectory.ts", "--out", out)
    config = json.loads((out / "config.json").read_text())
    x, y = (torch.from_numpy(np.load(out / f"{n}.npy")) for n in ("x", "y"))
    names = [f"{kind}{l}" for l in range(config["layers"]) for kind in ("w", "b")]
    params = {n: torch.nn.Parameter(torch.from_numpy(np.load(out / "initial" / f"{n}.npy"))) for n in names}
    a = config["adamw"]
    opt = torch.optim.AdamW(params.values(), lr=a["lr"], betas=tuple(a["betas"]), eps=a["eps"], weight_decay=a["weightDecay"])
    losses = []
    for _ in range(config["steps"]):
        h = x
        for l in range(config["layers"]):
            h = h @ params[f"w{l}"] + params[f"b{l}"]
            if l < config["layers"] - 1:
                h = torch.tanh(h)
        loss = ((h - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    ours = np.load(out / "losses.npy")
    assert ours[-1] < ours[0], "training did not reduce the loss"
    assert_close(ours, np.array(losses), TOLERANCE["float64"], "losses")
    for n in names:
        assert_close(np.load(out / "final" / f"{n}.npy"), params[n].detach().numpy(), TOLERANCE["float64"], f"final {n}")
