"""One whole APTP pruning step against PyTorch: a tiny SD-2-like diffusers UNet gated through
forward hooks (unet_hooks.py), the router twin (router_twin.py), diffusers' DDPMScheduler for the
noisy latents and v-targets, and autograd through all of it, on exactly the engine's inputs and
random draws (step-run.ts). The engine's trainer (router forward over the global batch, the UNet
step per micro-batch, the router step seeded with d(UNet loss)/d(gates)) must give the same gates,
the same d(mean UNet loss)/d(gates) and the same router parameter gradients, with and without
optimal transport and in predictor pre-training. The reference runs in float64; the engine runs
the UNet in float32 (the UNet builder has no float64), so comparisons use the oracle tier's float32
tolerance (1e-4 relative, conftest.TOLERANCE); the errors measured are printed with -s."""
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from diffusers import DDPMScheduler, UNet2DConditionModel
from diffusers.training_utils import compute_snr

from conftest import CACHE, TOLERANCE, assert_close, max_relative_error, run_ts
from router_twin import Structure, forward, router_losses
from unet_hooks import GatedUNet

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sd_components"))
from sd_models import VARIANTS, _perturb  # noqa: E402

TOL = 1e-5
UNET_TOL = TOLERANCE["float32"]
N, E, T = 6, 16, 8
SCHEDULER = dict(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012, num_train_timesteps=1000, prediction_type="v_prediction")
SCALING = 0.18215
SCENARIOS = {
    "ot": dict(gating="code", optimalTransport=True),
    "no_ot": dict(gating="code", optimalTransport=False),
    "pretrain": dict(gating="predictor", optimalTransport=True),
}


def _unet():
    torch.manual_seed(0)
    return _perturb(UNet2DConditionModel(**VARIANTS["sd2"]["unet"]), 1)


@pytest.fixture(scope="module", params=sorted(SCENARIOS))
def case(request):
    folder = CACHE / "aptp_step" / request.param
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "inputs").mkdir(parents=True)
    unet = _unet()
    unet.save_pretrained(folder / "unet")
    rng = np.random.default_rng(5)
    centres = rng.standard_normal((3, E))
    inputs = {
        "embedding": (centres[np.arange(N) % 3] + 0.2 * rng.standard_normal((N, E))).astype(np.float32),
        "text": rng.standard_normal((N, T, 32)).astype(np.float32),
        "latent": np.concatenate([4 * rng.standard_normal((N, 4, 8, 8)), -2 + 0.3 * rng.standard_normal((N, 4, 8, 8))], axis=1).astype(np.float32),
    }
    for name, value in inputs.items():
        np.save(folder / "inputs" / f"{name}.npy", value)
    req = dict(batch=4, microBatch=2, experts=3, budget=0.7, seed=11, scheduler=SCHEDULER, scalingFactor=SCALING, **SCENARIOS[request.param])
    (folder / "request.json").write_text(json.dumps(req))
    run_ts("step-run.ts", "--dir", folder, folder="aptp")
    record = json.loads((folder / "engine" / "case.json").read_text())
    engine = {k: np.load(folder / "engine" / f) for k, f in record["files"].items()}
    return request.param, unet, inputs, record, engine


def _reference(unet, inputs, record, engine, dtype=torch.float64):
    s = Structure(record["structure"])
    d = lambda x: torch.from_numpy(np.asarray(x, dtype=np.float64)).to(dtype)
    params = {n: d(engine[n]).requires_grad_(True) for n in s.params}
    idx = engine["indices"]
    emb = d(inputs["embedding"][idx])
    values = forward(s, params, emb, d(engine["noise/predictor"]), d(engine["noise/codes"]) if "noise/codes" in engine else None, s.optimal_transport)
    if s.gating == "code":
        gates = values["code_gates"][torch.from_numpy(values["assignment"].numpy())]
    else:
        gates = values["predictor_gates"]
    _, _, router_total = router_losses(s, values, gates, emb)
    latent = d(inputs["latent"][idx])
    mean, logvar = latent[:, :4], latent[:, 4:]
    x0 = (mean + torch.exp(0.5 * logvar) * d(engine["latent_eps"])) * SCALING
    noise, t = d(engine["noise"]), torch.from_numpy(engine["timesteps"])
    sched = DDPMScheduler(**SCHEDULER)
    sched.alphas_cumprod = sched.alphas_cumprod.to(dtype)
    noisy, target = sched.add_noise(x0, noise, t), sched.get_velocity(x0, noise, t)
    snr = compute_snr(sched, t)
    weight = torch.clamp(snr + 1, max=5.0) / (snr + 1)  # 'reference' formula, v-prediction
    net = GatedUNet(unet.to(dtype), record["structure"]["width_groups"], record["structure"]["depth_groups"])
    context = d(inputs["text"][idx])
    with torch.no_grad():
        teacher, teacher_blocks = net(noisy, t, context)
    student, blocks = net(noisy, t, context, gates)
    per = lambda a, b: ((a - b) ** 2).flatten(1).mean(dim=1)
    w = record["term_weights"]
    unet_loss = (w["ddpm"] * weight * per(student, target) + w["distill"] * per(student, teacher)
                 + w["block"] * torch.stack([per(a, b) for a, b in zip(blocks, teacher_blocks)]).mean(dim=0)).mean()
    gate_grad, = torch.autograd.grad(unet_loss, gates, retain_graph=True)
    grads = torch.autograd.grad(unet_loss + router_total, [params[n] for n in s.params], allow_unused=True)
    grads = {n: (torch.zeros_like(params[n]) if g is None else g) for n, g in zip(s.params, grads)}
    return values, gates, gate_grad, grads, float(unet_loss.detach()), float(router_total.detach())


def test_whole_step_matches_pytorch(case):
    name, unet, inputs, record, engine = case
    values, gates, gate_grad, grads, unet_loss, router_total = _reference(unet, inputs, record, engine)
    if record["structure"]["gating"] == "code":
        assert len(set(values["assignment"].tolist())) >= 2, f"{name}: the step should use several codes"
    torch_float32_gate_grad = _reference(_unet(), inputs, record, engine, torch.float32)[2]
    torch_error = max_relative_error(torch_float32_gate_grad.numpy(), gate_grad.numpy())
    errors = {"gates": assert_close(engine["gates"], gates.detach().numpy(), TOL, f"{name}/gates"),
              "d(UNet loss)/d(gates)": assert_close(engine["gate_grad"], gate_grad.numpy(), min(UNET_TOL, max(TOL, 3 * torch_error)), f"{name}/d(UNet loss)/d(gates) (PyTorch float32: {torch_error:.1e})"),
              "(PyTorch float32's own)": torch_error}
    assert abs(record["metrics"]["loss/unet"] - unet_loss) <= UNET_TOL * abs(unet_loss), f"{name}: UNet loss {record['metrics']['loss/unet']} vs {unet_loss}"
    assert abs(record["metrics"]["loss/router"] - router_total) <= TOL * max(1.0, abs(router_total)), f"{name}: router loss"
    for param, g in grads.items():
        # in pre-training the codes do not gate the UNet and get no gradient; everything else must
        if not (record["structure"]["gating"] == "predictor" and param == "router/codebook"):
            assert np.abs(g.numpy()).max() > 0, f"{name}: gradient of {param} is zero"
        errors[f"grad {param}"] = assert_close(engine[f"grad/{param}"], g.numpy(), TOL, f"{name}/grad {param}")
    print(f"{name}: " + ", ".join(f"{k} {v:.1e}" for k, v in errors.items()))
