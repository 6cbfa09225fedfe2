"""safetensors interop: files written by the reference library (every dtype the engine accepts,
scalars, empty tensors, metadata) read by the engine's lazy reader and written back by the engine's
writer must load in the reference library with identical values (BF16 arrives as exact float32)."""
import os
import subprocess
from pathlib import Path

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

REPO = Path(__file__).resolve().parents[3]


def test_reference_files_round_trip_through_the_engine(tmp_path):
    g = torch.Generator().manual_seed(0)
    tensors = {
        "f32": torch.randn(3, 5, generator=g),
        "f16": torch.randn(7, generator=g).half(),
        "bf16": torch.randn(2, 3, 4, generator=g).bfloat16(),
        "f64": torch.randn(2, 2, generator=g).double(),
        "i64": torch.arange(77).reshape(1, 77),
        "i32": torch.tensor([-5, 0, 2**31 - 1], dtype=torch.int32),
        "i8": torch.tensor([-128, 0, 127], dtype=torch.int8),
        "u8": torch.tensor([0, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "scalar": torch.tensor(3.5),
        "empty": torch.zeros(0, 4),
    }
    src, out = tmp_path / "ref.safetensors", tmp_path / "engine.safetensors"
    save_file(tensors, str(src), metadata={"format": "pt", "note": "ünïcode ✓"})
    tsx = REPO / "node_modules" / ".bin" / ("tsx.cmd" if os.name == "nt" else "tsx")
    done = subprocess.run([str(tsx), "tests/oracle/sd_loading/copy.ts", str(src), str(out)], cwd=REPO, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        pytest.fail(f"copy.ts failed: {done.stderr[-2000:]}")
    back = load_file(str(out))
    assert sorted(back) == sorted(tensors)
    for name, want in tensors.items():
        got = back[name]
        want = want.float() if want.dtype == torch.bfloat16 else want
        assert got.dtype == want.dtype and tuple(got.shape) == tuple(want.shape), name
        assert torch.equal(got, want), name
    with safe_open(str(out), "pt") as f:
        assert f.metadata() == {"format": "pt", "note": "ünïcode ✓"}
