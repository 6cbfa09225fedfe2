"""SD components against diffusers / transformers: tiny SD-1-like and SD-2-like UNet, CLIP text
encoder and AutoencoderKL with seeded random weights are saved with save_pretrained; the engine
(engine-run.ts) builds each from its config.json, loads the safetensors by key and runs it; outputs
must match in float32 to 1e-4 relative. Gated UNet: all gates on equals the plain model; masking
heads / FF groups / ResNet groups equals diffusers with the matching weights zeroed."""
import copy
import json
import os
import shutil
import subprocess

import numpy as np
import pytest
import torch

from conftest import CACHE, REPO, assert_close
from sd_models import VARIANTS, build, make_inputs, request, zero_group

TOL = 1e-4


def _run_engine(folder):
    tsx = REPO / "node_modules" / ".bin" / ("tsx.cmd" if os.name == "nt" else "tsx")
    cmd = [str(tsx), "tests/oracle/sd_components/engine-run.ts", "--dir", str(folder)]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        pytest.fail(f"engine-run.ts failed ({done.returncode}): {done.stderr.strip()[-3000:]}")


class Variant:
    def __init__(self, name):
        self.name = name
        self.folder = CACHE / "sd_components" / name
        shutil.rmtree(self.folder, ignore_errors=True)
        (self.folder / "inputs").mkdir(parents=True)
        self.unet, self.text, self.vae = build(name)
        self.unet.save_pretrained(self.folder / "unet")
        self.text.save_pretrained(self.folder / "text_encoder")
        self.vae.save_pretrained(self.folder / "vae")
        self.inputs = make_inputs(name)
        for key, value in self.inputs.items():
            np.save(self.folder / "inputs" / f"{key}.npy", value)
        (self.folder / "request.json").write_text(request(name))
        _run_engine(self.folder)
        self.keys = json.loads((self.folder / "engine" / "keys.json").read_text())

    def ours(self, name):
        return np.load(self.folder / "engine" / f"{name}.npy")

    def t(self, key):
        return torch.from_numpy(self.inputs[key])


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def variant(request):
    return Variant(request.param)


def _unet_ref(unet, v):
    with torch.no_grad():
        return unet(v.t("sample"), v.t("timestep"), encoder_hidden_states=v.t("context")).sample.numpy()


def test_every_weight_key_is_used(variant):
    for component, report in variant.keys.items():
        assert report == {"missing": [], "unused": []}, f"{variant.name}/{component}: {report}"


def test_unet_matches_diffusers(variant):
    assert_close(variant.ours("unet_plain"), _unet_ref(variant.unet, variant), TOL, f"{variant.name}/unet")


def test_gates_all_on_equal_plain_unet(variant):
    assert_close(variant.ours("unet_gated_ones"), variant.ours("unet_plain"), 1e-5, f"{variant.name}/gated-ones")


def test_masked_groups_equal_zeroed_weights(variant):
    zeroed = copy.deepcopy(variant.unet)
    for group, indices in VARIANTS[variant.name]["masked"].items():
        for i in indices:
            zero_group(zeroed, group, i)
    ref = _unet_ref(zeroed, variant)
    assert np.abs(ref - _unet_ref(variant.unet, variant)).max() > 1e-3, "masking must change the output"
    assert_close(variant.ours("unet_masked"), ref, TOL, f"{variant.name}/masked")


def test_text_encoder_matches_transformers(variant):
    with torch.no_grad():
        out = variant.text(input_ids=variant.t("input_ids"))
    assert_close(variant.ours("text_hidden"), out.last_hidden_state.numpy(), TOL, f"{variant.name}/text/last_hidden_state")
    assert_close(variant.ours("text_pooled"), out.pooler_output.numpy(), TOL, f"{variant.name}/text/pooler_output")


def test_vae_encode_decode_match_diffusers(variant):
    vae, sf = variant.vae, variant.vae.config.scaling_factor
    with torch.no_grad():
        dist = vae.encode(variant.t("image")).latent_dist
        latents = (dist.mean + dist.std * variant.t("noise")) * sf
        image = vae.decode(variant.t("latents") / sf).sample
    assert_close(variant.ours("vae_mean"), dist.mean.numpy(), TOL, f"{variant.name}/vae/mean")
    assert_close(variant.ours("vae_latents"), latents.numpy(), TOL, f"{variant.name}/vae/latents")
    assert_close(variant.ours("vae_image"), image.numpy(), TOL, f"{variant.name}/vae/image")
