"""World model oracle: diffusers loads the world model folder (the shipped one in resources/world when
it exists, or $APTP_WORLD_MODEL, else the same folder layout written by the engine with seeded random weights), and from the same initial noise the engine's pipeline and
diffusers' StableDiffusionPipeline (DDIM, 25 steps, classifier-free guidance) give the same final
latents; transformers' CLIPTokenizer gives the same ids as the engine's tokenizer for world captions."""
import json
import os
import shutil
from pathlib import Path

import diffusers
import numpy as np
import pytest
import torch
from transformers import CLIPTokenizer

from conftest import CACHE, REPO, TOLERANCE, assert_close, run_ts

OUT = CACHE / "world"
# APTP_WORLD_MODEL checks another trained folder (a `world build --snapshot` of a running build).
SHIPPED = Path(os.environ.get("APTP_WORLD_MODEL", REPO / "resources" / "world"))
CASES = [
    dict(name="easy_cfg", sampler="ddim", scheduler_overrides={}, prompts=["a red circle on a black background"], negative_prompt=None, steps=25,
         guidance=4.0, images_per_prompt=1),
    dict(name="hard_batch", sampler="ddim", scheduler_overrides={}, prompts=["five orange crosses on a finely striped brown background", "the word cat in blue on a gray background"],
         negative_prompt=None, steps=25, guidance=4.0, images_per_prompt=1),
]
SIZE = 64


@pytest.fixture(scope="module")
def world_model():
    OUT.mkdir(parents=True, exist_ok=True)
    model = OUT / "model"
    if (SHIPPED / "model_index.json").exists():
        shutil.rmtree(model, ignore_errors=True)
        shutil.copytree(SHIPPED, model)
    else:
        run_ts("engine-world.ts", "folder", OUT, folder="world")
    return model


@pytest.fixture(scope="module")
def runs(world_model):
    pipe = diffusers.StableDiffusionPipeline.from_pretrained(world_model, safety_checker=None, requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    rng = np.random.default_rng(5)
    (OUT / "inputs").mkdir(exist_ok=True)
    latents = {}
    for case in CASES:
        latents[case["name"]] = rng.standard_normal((len(case["prompts"]), 4, SIZE // 4, SIZE // 4)).astype(np.float32)
        np.save(OUT / "inputs" / f"{case['name']}.npy", latents[case["name"]])
    (OUT / "request.json").write_text(json.dumps([{**c, "width": SIZE, "height": SIZE} for c in CASES]))
    run_ts("engine-generate.ts", "--dir", OUT, folder="sd_pipeline")
    return pipe, latents


def test_diffusers_loads_the_folder_as_saved(world_model):
    pipe = diffusers.StableDiffusionPipeline.from_pretrained(world_model, safety_checker=None, requires_safety_checker=False)
    assert type(pipe.scheduler).__name__ == "DDIMScheduler"
    assert pipe.vae.config.block_out_channels == [8, 16, 32] and pipe.vae.config.scaling_factor != 0.18215
    assert pipe.unet.config.cross_attention_dim == pipe.text_encoder.config.hidden_size


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_same_latents_as_diffusers_from_the_same_noise(runs, case):
    pipe, latents = runs
    with torch.no_grad():
        ref = pipe(prompt=case["prompts"], num_inference_steps=case["steps"], guidance_scale=case["guidance"], height=SIZE, width=SIZE,
                   latents=torch.from_numpy(latents[case["name"]].copy()), output_type="latent").images.numpy()
    ours = np.load(OUT / "engine" / f"{case['name']}.npy")
    assert not np.allclose(ref, latents[case["name"]]), "the pipeline did not move the latents"
    assert_close(ours, ref, TOLERANCE["float32"], f"{case['name']} final latents")


def test_tokenizer_ids_match_transformers(world_model):
    run_ts("engine-world.ts", "captions", world_model, 300, folder="world")
    rows = json.loads((OUT / "captions.json").read_text())
    tok = CLIPTokenizer.from_pretrained(world_model / "tokenizer")
    for row in rows:
        assert tok(row["text"]).input_ids == row["ids"], row["text"]
    assert max(len(r["ids"]) for r in rows) <= tok.model_max_length, "every world caption must fit the 77-token window untruncated"
