"""The engine's AdamW and SGD (written as ONNX graph ops, run by onnxruntime-node) against
torch.optim.AdamW and torch.optim.SGD fed the same gradients and learning-rate changes: every step's
parameters must agree to 1e-5 relative in float64 (1e-4 in float32)."""
import json

import numpy as np
import onnx
import pytest
import torch

from conftest import CACHE, TOLERANCE, assert_close, run_ts

TORCH_OPTIMIZERS = {"adamw": torch.optim.AdamW, "sgd": torch.optim.SGD}


@pytest.fixture(scope="module")
def optim_cache():
    out = CACHE / "optim"
    run_ts("optim.ts", "--out", out)
    return out


def replay(folder):
    config = json.loads((folder / "config.json").read_text())
    p = torch.nn.Parameter(torch.from_numpy(np.load(folder / "p0.npy")))
    options = dict(config["options"])
    if "betas" in options:
        options["betas"] = tuple(options["betas"])
    opt = TORCH_OPTIMIZERS[config["kind"]]([p], **options)
    trajectory = []
    for grad, lr in zip(np.load(folder / "grads.npy"), config["lrs"]):
        for group in opt.param_groups:
            group["lr"] = lr
        p.grad = torch.from_numpy(grad.copy())
        opt.step()
        trajectory.append(p.detach().numpy().copy())
    return config, np.stack(trajectory)


CONFIGS = ["adamw_defaults", "adamw_custom", "adamw_float32", "sgd_plain", "sgd_momentum", "sgd_nesterov"]


@pytest.mark.parametrize("name", CONFIGS)
def test_training_graph_passes_onnx_checker(optim_cache, name):
    onnx.checker.check_model(onnx.load(str(optim_cache / name / "model.onnx")), full_check=True)


def test_all_configs_emitted(optim_cache):
    names = json.loads((optim_cache / "configs.json").read_text())
    assert sorted(names) == sorted(CONFIGS)
    kinds = {json.loads((optim_cache / n / "config.json").read_text())["kind"] for n in names}
    assert kinds == {"adamw", "sgd"}


@pytest.mark.parametrize("name", CONFIGS)
def test_matches_torch_optim(optim_cache, name):
    config, torch_trajectory = replay(optim_cache / name)
    ours = np.load(optim_cache / name / "params.npy")
    p0 = np.load(optim_cache / name / "p0.npy")
    assert not np.allclose(ours[-1], p0), "the optimiser did not move the parameter"
    for step, (a, b) in enumerate(zip(ours, torch_trajectory), start=1):
        assert_close(a, b, TOLERANCE[config["dtype"]], f"{name} step {step}")
    if config["dtype"] == "float64":
        # the updates themselves, not only the parameters they move (an update is ~lr of a parameter)
        ours_steps = np.diff(np.concatenate([p0[None], ours]), axis=0)
        torch_steps = np.diff(np.concatenate([p0[None], torch_trajectory]), axis=0)
        assert_close(ours_steps, torch_steps, TOLERANCE["float64"], f"{name} updates")
