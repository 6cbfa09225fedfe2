"""APTP's router and losses against the PyTorch twin (router_twin.py) on the same parameters,
embeddings, Gumbel noise and upstream d(loss)/d(gates): gates, routing vectors, similarities,
Sinkhorn plan, assignment, resource ratio, every router-side loss, and the router's parameter
gradients, in float64 to 1e-5. Scenarios: tiny UNet with and without optimal transport, predictor
pre-training, resource-aware normalisation, the single-architecture baseline, and the SD 2.1 layout
(1620 entries, the authors' depth order). The training graphs take float32 and compute in float64
inside; fed float32, their gradients must equal the float64 twin's on the same (float32) values to
float32 rounding (1e-6), which a float32 computation misses by up to 6e-4 at SD 2.1 size (sigmoid
saturation at offset 3, temperature 0.4)."""
import json

import onnx
import onnxruntime as ort

import numpy as np
import pytest
import torch

from conftest import CACHE, assert_close, run_ts
from router_twin import Structure, forward, router_losses

TOL = 1e-5
FLOAT32_IO_TOL = 1e-6
SCENARIOS = ["train_ot", "train_no_ot", "pretrain", "resource_aware", "single", "sd21"]
AUTHORS_SD21_DEPTH_ORDER = [-1, -2, 0, 1, -3, -4, 2, 3, -5, -6, 4, 5, -7, 6]


@pytest.fixture(scope="module")
def emitted():
    out = CACHE / "aptp_router"
    run_ts("emit-router.ts", "--out", out, folder="aptp")
    assert json.loads((out / "scenarios.json").read_text()) == SCENARIOS
    return out


@pytest.fixture(scope="module")
def emitted_float32():
    out = CACHE / "aptp_router_float32"
    run_ts("emit-router.ts", "--out", out, "--io", "float32", folder="aptp")
    return out


class Case:
    def __init__(self, folder):
        record = json.loads((folder / "case.json").read_text())
        if "error" in record:
            pytest.fail(f"engine failed on {record['name']}: {record['error']}")
        self.s = Structure(record["structure"])
        self.inputs = {k: np.load(folder / "inputs" / f) for k, f in record["inputs"].items()}
        self.outputs = {k: np.load(folder / "outputs" / f) for k, f in record["outputs"].items()}
        # the twin runs in float64 on exactly the values the engine was fed
        self.inputs = {k: v.astype(np.float64) if v.dtype == np.float32 else v for k, v in self.inputs.items()}

    def tensor(self, name, grad=False):
        return torch.from_numpy(self.inputs[name].copy()).requires_grad_(grad)


def run_twin(case):
    s = case.s
    params = {name: case.tensor(name, grad=True) for name in s.params}
    embedding = case.tensor("prompt_embedding")
    code_noise = case.tensor("noise/codes") if s.kind == "router" else None
    values = forward(s, params, embedding, case.tensor("noise/predictor"), code_noise, s.optimal_transport)
    if s.gating == "code":
        engine_assignment = torch.from_numpy(case.inputs["assignment"]).long()
        gates = values["code_gates"][engine_assignment]
    else:
        gates = values["predictor_gates"]
    rho, terms, total = router_losses(s, values, gates, embedding)
    seed = case.tensor("seed/gates")
    grads = torch.autograd.grad(total + (gates * seed).sum(), [params[n] for n in s.params], allow_unused=True)
    # a parameter the objective does not reach (the codebook in pre-training) has gradient zero
    grads = [torch.zeros_like(params[n]) if g is None else g for n, g in zip(s.params, grads)]
    return values, gates, rho, terms, total, dict(zip(s.params, grads))


def assert_scalar_close(ours, ref, what):
    """Scalars may be exactly 0 in one and 1e-16 in the other (1 - max(rho) with rho = 1): relative
    to max(1, |ref|)."""
    ours, ref = float(ours), float(ref)
    assert np.isfinite(ours), f"{what}: not finite"
    assert abs(ours - ref) <= TOL * max(1.0, abs(ref)), f"{what}: {ours} vs {ref}"


@pytest.mark.parametrize("name", SCENARIOS)
def test_router_forward_matches_twin(emitted, name):
    case = Case(emitted / name)
    values, gates, rho, _, _, _ = run_twin(case)
    out = case.outputs
    assert_close(out["forward:gates/predictor"], values["predictor_gates"].detach().numpy(), TOL, f"{name}/predictor gates")
    assert_close(out["forward:rho"], rho.detach().numpy(), TOL, f"{name}/rho")
    assert_close(out["forward:gates"], gates.detach().numpy(), TOL, f"{name}/gates")
    if case.s.kind == "router":
        assert_close(out["forward:gates/codes"], values["code_gates"].detach().numpy(), TOL, f"{name}/code gates")
        assert_close(out["forward:scores"], values["scores"].detach().numpy(), TOL, f"{name}/scores")
        assert_close(out["parts:predictor_routing"], values["predictor_routing"].detach().numpy(), TOL, f"{name}/routing vectors")
        assert_close(out["parts:sinkhorn_plan"], values["plan"].detach().numpy(), TOL, f"{name}/sinkhorn plan")
        np.testing.assert_array_equal(out["forward:assignment"], values["assignment"].numpy(), err_msg=f"{name}/assignment")


@pytest.mark.parametrize("name", SCENARIOS)
def test_router_losses_and_gradients_match_twin(emitted, name):
    case = Case(emitted / name)
    _, gates, rho, terms, total, grads = run_twin(case)
    out = case.outputs
    assert_close(out["step:rho"], rho.detach().numpy(), TOL, f"{name}/step rho")
    assert_close(out["step:gates"], gates.detach().numpy(), TOL, f"{name}/step gates")
    for term, value in terms.items():
        assert_scalar_close(out[f"step:loss/{term}"], value.detach().numpy(), f"{name}/loss {term}")
    assert_scalar_close(out["step:loss/router"], total.detach().numpy(), f"{name}/router loss")
    for param, g in grads.items():
        assert_close(out[f"step:grad/{param}"], g.numpy(), TOL, f"{name}/grad {param}")


@pytest.mark.parametrize("name", SCENARIOS)
def test_training_router_fed_float32_matches_twin_to_float32_rounding(emitted_float32, name):
    case = Case(emitted_float32 / name)
    _, gates, rho, terms, total, grads = run_twin(case)
    out = case.outputs
    assert out["step:gates"].dtype == np.float32 and out[f"step:grad/{case.s.params[0]}"].dtype == np.float32
    assert_close(out["step:gates"], gates.detach().numpy(), FLOAT32_IO_TOL, f"{name}/step gates (float32 in and out)")
    assert_close(out["step:rho"], rho.detach().numpy(), FLOAT32_IO_TOL, f"{name}/step rho (float32 in and out)")
    for param, g in grads.items():
        assert_close(out[f"step:grad/{param}"], g.numpy(), FLOAT32_IO_TOL, f"{name}/grad {param} (float32 in and out)")


def test_every_width_group_and_depth_gate_is_exercised(emitted):
    """The scenarios are not vacuous: the assignment uses several codes, some gates are off, and
    without optimal transport the plain argmax is what the engine returns."""
    case = Case(emitted / "train_ot")
    assert len(set(case.outputs["forward:assignment"].tolist())) >= 2
    gates = case.outputs["forward:gates/predictor"]
    assert (gates < 0.5).any() and (gates >= 0.5).any()
    no_ot = Case(emitted / "train_no_ot")
    np.testing.assert_array_equal(no_ot.outputs["forward:assignment"], no_ot.outputs["forward:scores"].argmax(axis=1))


def test_sd21_depth_order_is_the_authors(emitted):
    case = Case(emitted / "sd21")
    assert case.s.length == 1620
    assert case.s.depth_order == [i % 14 for i in AUTHORS_SD21_DEPTH_ORDER]


@pytest.mark.parametrize("name", ["train_ot", "resource_aware", "sd21"])
def test_inference_router_is_the_deterministic_argmax(emitted, name):
    """The shipped router (prompt embedding -> expert id) passes onnx.checker, runs the same in Python
    onnxruntime, and equals the twin's routing without noise: the argmax of its scores plus the code
    biases, which match the twin's own (eps * log of Sinkhorn's converged code potentials, mean 0)."""
    folder = emitted / name
    case = Case(folder)
    model = onnx.load(str(folder / "router.onnx"))
    onnx.checker.check_model(model, full_check=True)
    embedding = np.load(folder / "inference" / "prompt_embedding.npy")
    engine = np.load(folder / "inference" / "expert.npy")
    session = ort.InferenceSession(str(folder / "router.onnx"), providers=["CPUExecutionProvider"])
    np.testing.assert_array_equal(session.run(["expert"], {"prompt_embedding": embedding})[0], engine)
    files = {n: folder / "inference" / (n.replace("/", "__") + ".npy") for n in case.s.params}
    params = {n: torch.from_numpy(np.load(f).astype(np.float64)) for n, f in files.items()}
    values = forward(case.s, params, torch.from_numpy(embedding.astype(np.float64)), None, None, optimal_transport=False)
    scores = values["scores"].numpy()
    bias = balancing_biases(scores, case.s.sinkhorn_epsilon)
    np.testing.assert_allclose(np.load(folder / "inference" / "code_bias.npy"), bias, atol=2e-5)
    biased = scores + bias
    n, k = scores.shape
    plain = np.bincount(scores.argmax(axis=1), minlength=k)
    routed = np.bincount(engine, minlength=k)
    gaps = np.diff(np.sort(biased, axis=1)[:, -2:], axis=1).ravel()
    # the biases spread the prompts over every code, more evenly than the plain argmax does
    assert routed.min() >= 1 and routed.max() <= 2 * n / k and np.ptp(routed) < np.ptp(plain), f"{name}: plain {plain.tolist()}, balanced {routed.tolist()}"
    # compare where the twin's best code wins by more than float32 rounding; most samples must
    clear = gaps > 1e-4
    assert clear.sum() >= len(clear) // 2, f"{name}: only {clear.sum()} of {len(clear)} prompts have a clear best code"
    np.testing.assert_array_equal(engine[clear], biased.argmax(axis=1)[clear])


def balancing_biases(scores, eps, rounds=5000):
    """Textbook Sinkhorn (float64, multiplicative, uniform marginals) to convergence; the code
    potentials' eps * log, minus their mean."""
    n, k = scores.shape
    kernel = np.exp((scores - scores.max()) / eps)
    u, v = np.ones(n), np.ones(k)
    for _ in range(rounds):
        v = (1.0 / k) / (kernel.T @ u)
        u = (1.0 / n) / (kernel @ v)
    g = eps * np.log(v)
    return g - g.mean()
