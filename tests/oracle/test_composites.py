"""Composite functions built with the engine's GraphBuilder and differentiated by its autodiff,
checked against PyTorch autograd on identical inputs (vector-Jacobian products with the same seed),
against Python onnxruntime running the same emitted model, and with onnx.checker (full check)."""
import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from conftest import EngineCase, assert_close
from refs import REFERENCES

CASES = sorted(REFERENCES)


def test_every_engine_case_has_a_reference(composites):
    emitted = set(json.loads((composites / "cases.json").read_text()))
    assert emitted == set(REFERENCES), f"engine only: {emitted - set(REFERENCES)}; reference only: {set(REFERENCES) - emitted}"
    assert len(emitted) >= 12


@pytest.mark.parametrize("name", CASES)
def test_model_passes_onnx_checker(composites, name):
    case = EngineCase(composites / name)
    model = onnx.load(str(case.model))
    onnx.checker.check_model(model, full_check=True)
    assert model.opset_import[0].version == 17


@pytest.mark.parametrize("name", CASES)
def test_python_onnxruntime_agrees(composites, name):
    case = EngineCase(composites / name)
    options = ort.SessionOptions()
    if case.dtype == "float64":
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    session = ort.InferenceSession(str(case.model), options, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    for out_name, value in zip(names, session.run(names, case.inputs)):
        assert_close(case.outputs[out_name], value, case.tol, f"{name}/{out_name}")


@pytest.mark.parametrize("name", CASES)
def test_matches_torch_autograd(composites, name):
    case = EngineCase(composites / name)
    wrt = case.record["wrt"]
    x = {k: torch.from_numpy(v.copy()).requires_grad_(k in wrt) for k, v in case.inputs.items() if k != "grad/seed"}
    y = REFERENCES[name](x)
    seed = torch.from_numpy(case.inputs["grad/seed"])
    grads = torch.autograd.grad(y, [x[k] for k in wrt], grad_outputs=seed.reshape(y.shape))
    assert_close(case.outputs["y"], y.detach().numpy(), case.tol, f"{name}/y")
    for k, g in zip(wrt, grads):
        assert_close(case.outputs[f"grad/{k}"], g.numpy(), case.tol, f"{name}/grad/{k}")
