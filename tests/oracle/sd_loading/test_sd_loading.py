"""Loader oracle: tiny SD-1-like and SD-2-like pipelines built by diffusers / transformers with random
weights and saved by save_pretrained (plain float32, fp16 and bf16 variants, sharded), and the same
models converted to the original single-file layout (checked with diffusers' own from_single_file).
The engine's loader must serve every tensor under the same diffusers key with identical values, read
the configs as diffusers does, and tokenize as the saved tokenizer does."""
import copy
import json
import os
import subprocess
from pathlib import Path

import pytest
import torch
from diffusers import StableDiffusionPipeline
from safetensors.torch import load_file

from sd_fixtures import save_single_file, text_state_dict, tiny_pipeline

REPO = Path(__file__).resolve().parents[3]
PROMPTS = ["a photo of the cat!", "THE  CAT, the cat... 🐱", " ".join(["the cat"] * 60)]
COMPONENTS = {"unet": "unet", "textEncoder": "text_encoder", "vae": "vae"}


def dump(model, out, *flags):
    tsx = REPO / "node_modules" / ".bin" / ("tsx.cmd" if os.name == "nt" else "tsx")
    cmd = [str(tsx), "tests/oracle/sd_loading/dump.ts", str(model), str(out), "--prompts", json.dumps(PROMPTS), *flags]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.fail(f"dump.ts failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def reference(pipe):
    return {"unet": pipe.unet.state_dict(), "textEncoder": text_state_dict(pipe.text_encoder), "vae": pipe.vae.state_dict()}


def assert_same_tensors(out, pipe, dtype=torch.float32):
    for ours_name, ref in reference(pipe).items():
        ours = load_file(str(out / f"{ours_name}.safetensors"))
        assert sorted(ours) == sorted(ref), f"{ours_name}: keys differ: {sorted(set(ours) ^ set(ref))[:5]}"
        for key, want in ref.items():
            got = ours[key]
            assert got.dtype == dtype, f"{ours_name}.{key}: dtype {got.dtype}"
            assert tuple(got.shape) == tuple(want.shape), f"{ours_name}.{key}: shape {tuple(got.shape)} != {tuple(want.shape)}"
            assert torch.equal(got, want.to(dtype)), f"{ours_name}.{key}: values differ"


@pytest.fixture(scope="module", params=["sd1", "sd2"])
def saved(request, tmp_path_factory):
    kind = request.param
    root = tmp_path_factory.mktemp(kind)
    pipe = tiny_pipeline(kind, root / "tokenizer_src")
    pipe.save_pretrained(str(root / "folder"))
    half_pipe = copy.deepcopy(pipe).to(torch.float16)
    half_pipe.save_pretrained(str(root / "folder"), variant="fp16")
    return kind, root, pipe, reference(half_pipe)


def test_folder_tensors_configs_and_tokenizer(saved, tmp_path):
    kind, root, pipe, _ = saved
    result = dump(root / "folder", tmp_path)
    assert result == {"ok": True}, result
    assert_same_tensors(tmp_path, pipe)
    model = json.loads((tmp_path / "model.json").read_text())
    assert model["variant"] is None
    assert model["unet"]["block_out_channels"] == list(pipe.unet.config.block_out_channels)
    assert model["unet"]["use_linear_projection"] == pipe.unet.config.use_linear_projection
    assert model["text_encoder"]["hidden_act"] == pipe.text_encoder.config.hidden_act
    assert model["scheduler"]["prediction_type"] == pipe.scheduler.config.prediction_type
    assert model["scheduler"]["timestep_spacing"] == pipe.scheduler.config.timestep_spacing
    assert model["scheduler"]["set_alpha_to_one"] == pipe.scheduler.config.set_alpha_to_one
    want = pipe.tokenizer(PROMPTS, padding="max_length", max_length=77, truncation=True).input_ids
    assert model["ids"] == want


def test_fp16_variant_served_as_float16(saved, tmp_path):
    _, root, _, half = saved
    assert dump(root / "folder", tmp_path, "--float", "native", "--options", json.dumps({"variant": "fp16"})) == {"ok": True}
    assert json.loads((tmp_path / "model.json").read_text())["variant"] == "fp16"
    for name, ref in half.items():
        ours = load_file(str(tmp_path / f"{name}.safetensors"))
        for key, want in ref.items():
            assert ours[key].dtype == torch.float16 and torch.equal(ours[key], want), f"{name}.{key}"


def test_bf16_variant_and_shards(saved, tmp_path):
    kind, root, pipe, _ = saved
    folder = tmp_path / "folder"
    bf16_pipe = copy.deepcopy(pipe).to(torch.bfloat16)
    bf16_pipe.save_pretrained(str(folder), variant="bf16", max_shard_size="40KB")
    bf16 = reference(bf16_pipe)
    assert any(n.endswith(".index.bf16.json") for n in os.listdir(folder / "unet")), os.listdir(folder / "unet")
    out = tmp_path / "out"
    assert dump(folder, out, "--options", json.dumps({"variant": "bf16"})) == {"ok": True}
    for name, ref in bf16.items():
        ours = load_file(str(out / f"{name}.safetensors"))
        for key, want in ref.items():
            assert ours[key].dtype == torch.float32 and torch.equal(ours[key], want.float()), f"{name}.{key}"


def single_file_options(pipe, kind):
    unet = {"attention_head_dim": pipe.unet.config.attention_head_dim, "norm_num_groups": pipe.unet.config.norm_num_groups}
    text = {"num_attention_heads": pipe.text_encoder.config.num_attention_heads, "num_hidden_layers": pipe.text_encoder.config.num_hidden_layers}
    options = {"configs": {"unet": unet, "textEncoder": text, "vae": {"norm_num_groups": pipe.vae.config.norm_num_groups}}}
    if kind == "sd2":
        options["predictionType"] = "v_prediction"
    return options


def test_single_file_loads_identical_tensors(saved, tmp_path):
    kind, root, pipe, _ = saved
    path = tmp_path / f"{kind}.safetensors"
    save_single_file(pipe, kind, path)
    theirs = StableDiffusionPipeline.from_single_file(str(path), config=str(root / "folder"), local_files_only=True)
    for name, ref in reference(pipe).items():
        converted = reference(theirs)[name]
        assert all(torch.equal(converted[k], v) for k, v in ref.items()), f"diffusers' own conversion disagrees on {name}"
    options = single_file_options(pipe, kind)
    options["tokenizer"] = str(root / "folder" / "tokenizer")
    assert dump(path, tmp_path / "out", "--options", json.dumps(options)) == {"ok": True}
    assert_same_tensors(tmp_path / "out", pipe)
    model = json.loads((tmp_path / "out" / "model.json").read_text())
    assert model["unet"]["down_block_types"] == list(pipe.unet.config.down_block_types)
    assert model["unet"]["use_linear_projection"] == pipe.unet.config.use_linear_projection
    assert model["text_encoder"]["hidden_act"] == pipe.text_encoder.config.hidden_act
    assert model["vae"]["block_out_channels"] == list(pipe.vae.config.block_out_channels)
    if kind == "sd2":
        del options["predictionType"]
        refused = dump(path, tmp_path / "refused", "--options", json.dumps(options))
        assert refused["ok"] is False and refused["details"]["needs"] == "predictionType", refused


def test_damaged_files_are_refused_by_name(saved, tmp_path):
    _, root, _, _ = saved
    import shutil

    folder = tmp_path / "folder"
    shutil.copytree(root / "folder", folder)
    weights = folder / "vae" / "diffusion_pytorch_model.safetensors"
    with open(weights, "r+b") as f:
        f.truncate(weights.stat().st_size - 100)
    result = dump(folder, tmp_path / "out")
    assert result["ok"] is False and result["code"] == "corrupt-file", result
    assert "truncated" in result["message"] and result["details"]["file"].endswith("vae/diffusion_pytorch_model.safetensors"), result
    assert result["details"]["tensor"], result
