"""Oracle tier fixtures: the bridge to the TypeScript engine (runs a tests/oracle/ts script with tsx
from the repository root, which writes models, inputs and outputs into tests/oracle/cache) and the
tolerance check every comparison uses."""
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(__file__).resolve().parent / "cache"
TOLERANCE = {"float64": 1e-5, "float32": 1e-4}


def run_ts(script, *args, folder="ts"):
    """Runs tests/oracle/<folder>/<script> under tsx from the repository root; fails the test with
    the script's stderr."""
    tsx = REPO / "node_modules" / ".bin" / ("tsx.cmd" if os.name == "nt" else "tsx")
    cmd = [str(tsx), str(Path("tests/oracle") / folder / script), *map(str, args)]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.fail(f"{script} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return done.stdout


class EngineCase:
    """One case written by ts/emit.ts: its record, model path and tensors."""

    def __init__(self, folder):
        self.folder = folder
        self.record = json.loads((folder / "case.json").read_text())
        if "error" in self.record:
            pytest.fail(f"engine failed on case {self.record['name']}: {self.record['error']}")
        self.dtype = self.record["dtype"]
        self.tol = TOLERANCE[self.dtype]
        self.model = folder / "model.onnx"
        self.inputs = self._load("inputs")
        self.outputs = self._load("outputs")

    def _load(self, kind):
        return {name: np.load(self.folder / kind / file) for name, file in self.record[kind].items()}


@pytest.fixture(scope="session")
def composites():
    out = CACHE / "composites"
    run_ts("emit.ts", "--out", out)
    return out


def max_relative_error(ours, ref):
    """max |ours - ref| / (|ref| + scale), where scale is the rms of ref: relative for large entries,
    and for entries near zero measured against the tensor's typical magnitude."""
    ours, ref = np.asarray(ours, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    assert ours.shape == ref.shape, f"shape {ours.shape} != reference {ref.shape}"
    scale = float(np.sqrt(np.mean(ref * ref))) if ref.size else 0.0
    denom = np.abs(ref) + max(scale, 1e-30)
    return float(np.max(np.abs(ours - ref) / denom)) if ref.size else 0.0


def assert_close(ours, ref, tol, what):
    err = max_relative_error(ours, ref)
    assert np.all(np.isfinite(ours)), f"{what}: non-finite values"
    assert err <= tol, f"{what}: relative error {err:.3e} > {tol:.0e}"
    return err
