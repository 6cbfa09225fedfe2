"""Whole-pipeline oracle: diffusers builds a tiny SD-1-like and an SD-2-like StableDiffusionPipeline
(random weights, a byte-level CLIP vocabulary written here) and save_pretrained's each; the engine
loads that folder and, from the same initial latents, runs the guided denoising loop with each
sampler. Its final latents must match diffusers' pipeline (output_type='latent') to 1e-4 relative in
float32. The SD-2-like one is v-prediction with linear projections, upcast attention, per-block heads,
a gelu text encoder with 64 positions and a tokenizer of model_max_length 64 padding with '!', and a
4-block VAE, so its 40 px images are an odd 5x5 latent that the UNet halves rounding up (diffusers'
upsample_size path)."""
import json

import diffusers
import numpy as np
import pytest
import torch
from diffusers import AutoencoderKL, StableDiffusionPipeline, UNet2DConditionModel
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

from conftest import CACHE, TOLERANCE, assert_close, run_ts

OUT = CACHE / "sd_pipeline" / "sd1"
OUT2 = CACHE / "sd_pipeline" / "sd2"
SCHEDULER = dict(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", skip_prk_steps=True, steps_offset=1,
                 set_alpha_to_one=False, clip_sample=False, num_train_timesteps=1000)
CLASSES = {"ddim": "DDIMScheduler", "pndm": "PNDMScheduler", "euler": "EulerDiscreteScheduler", "dpmpp-2m": "DPMSolverMultistepScheduler"}
CASES = [
    dict(name="pndm_cfg", sampler="pndm", scheduler_overrides={}, prompts=["a red cat"], negative_prompt=None, steps=6, guidance=7.5, images_per_prompt=1),
    dict(name="ddim_negative_batch", sampler="ddim", scheduler_overrides={}, prompts=["a red cat", "blue sky over hills"], negative_prompt=["blurry", "blurry"],
         steps=5, guidance=5.0, images_per_prompt=2),
    dict(name="euler_cfg", sampler="euler", scheduler_overrides={}, prompts=["a photo"], negative_prompt=["dark"], steps=5, guidance=3.0, images_per_prompt=1),
    dict(name="dpmpp_2m_cfg", sampler="dpmpp-2m", scheduler_overrides={}, prompts=["a photo of a dog"], negative_prompt=None, steps=6, guidance=7.5, images_per_prompt=1),
    dict(name="ddim_no_guidance", sampler="ddim", scheduler_overrides={}, prompts=["a red cat"], negative_prompt=None, steps=4, guidance=1.0, images_per_prompt=1),
    dict(name="ddim_v_prediction", sampler="ddim", scheduler_overrides={"prediction_type": "v_prediction", "timestep_spacing": "trailing"},
         prompts=["a red cat"], negative_prompt=None, steps=4, guidance=4.0, images_per_prompt=1),
]
WIDTH = HEIGHT = 16


def byte_vocab(folder, length=77, pad="<|endoftext|>"):
    """A CLIP-format vocabulary with every byte-level symbol (plain and word-final) and no merges."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars, n = [], 0
    for b in range(256):
        chars.append(chr(b) if b in printable else chr(256 + n))
        n += b not in printable
    tokens = chars + [c + "</w>" for c in chars] + ["<|startoftext|>", "<|endoftext|>"]
    (folder / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(tokens)}))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    return CLIPTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"), model_max_length=length, pad_token=pad)


def perturbed(module, seed):
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.add_(0.05 * torch.randn(p.shape, generator=gen))
    return module.eval()


def build_pipeline(folder):
    torch.manual_seed(0)
    unet = perturbed(UNet2DConditionModel(sample_size=8, block_out_channels=(32, 64), layers_per_block=1, cross_attention_dim=32, attention_head_dim=2,
                                          down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
                                          norm_num_groups=8), 1)
    text = perturbed(CLIPTextModel(CLIPTextConfig(vocab_size=1000, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                                                  max_position_embeddings=77, hidden_act="quick_gelu", bos_token_id=512, eos_token_id=513, pad_token_id=513)), 2)
    vae = perturbed(AutoencoderKL(block_out_channels=(32, 64), down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2,
                                  layers_per_block=1, latent_channels=4, norm_num_groups=8, sample_size=16), 3)
    (folder / "tok").mkdir(parents=True, exist_ok=True)
    tokenizer = byte_vocab(folder / "tok")
    scheduler = diffusers.PNDMScheduler.from_config(SCHEDULER)
    pipe = StableDiffusionPipeline(unet=unet, text_encoder=text, vae=vae, tokenizer=tokenizer, scheduler=scheduler, safety_checker=None,
                                   feature_extractor=None, requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    return pipe


@pytest.fixture(scope="module")
def pipeline_run():
    OUT.mkdir(parents=True, exist_ok=True)
    pipe = build_pipeline(OUT)
    pipe.save_pretrained(OUT / "model")
    # transformers 5 saves only tokenizer.json; SD folders as shipped carry vocab.json + merges.txt
    for name in ("vocab.json", "merges.txt"):
        (OUT / "model" / "tokenizer" / name).write_bytes((OUT / "tok" / name).read_bytes())
    rng = np.random.default_rng(11)
    (OUT / "inputs").mkdir(exist_ok=True)
    latents = {}
    for case in CASES:
        images = len(case["prompts"]) * case["images_per_prompt"]
        latents[case["name"]] = rng.standard_normal((images, 4, HEIGHT // 2, WIDTH // 2)).astype(np.float32)
        np.save(OUT / "inputs" / f"{case['name']}.npy", latents[case["name"]])
    (OUT / "request.json").write_text(json.dumps([{**c, "width": WIDTH, "height": HEIGHT} for c in CASES]))
    run_ts("../sd_pipeline/engine-generate.ts", "--dir", OUT)
    return pipe, latents


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_final_latents_match_diffusers(pipeline_run, case):
    pipe, latents = pipeline_run
    base = json.loads((OUT / "model" / "scheduler" / "scheduler_config.json").read_text())
    pipe.scheduler = getattr(diffusers, CLASSES[case["sampler"]]).from_config({**base, **case["scheduler_overrides"]})
    with torch.no_grad():
        ref = pipe(prompt=case["prompts"], negative_prompt=case["negative_prompt"], num_inference_steps=case["steps"], guidance_scale=case["guidance"],
                   height=HEIGHT, width=WIDTH, num_images_per_prompt=case["images_per_prompt"], latents=torch.from_numpy(latents[case["name"]].copy()),
                   output_type="latent").images.numpy()
    ours = np.load(OUT / "engine" / f"{case['name']}.npy")
    assert not np.allclose(ref, latents[case["name"]]), "the pipeline did not move the latents"
    assert_close(ours, ref, TOLERANCE["float32"], f"{case['name']} final latents")


SD2_SCHEDULER = dict(SCHEDULER, prediction_type="v_prediction")
SD2_SIZE = 40
SD2_CASES = [
    dict(name="sd2_ddim_v", sampler="ddim", scheduler_overrides={}, prompts=["a red cat", "sky"], negative_prompt=None, steps=4, guidance=7.5,
         images_per_prompt=1),
    dict(name="sd2_euler_v_trailing", sampler="euler", scheduler_overrides={"timestep_spacing": "trailing"}, prompts=["a photo of a dog"],
         negative_prompt=["dark"], steps=4, guidance=4.0, images_per_prompt=1),
]


def build_sd2_pipeline(folder):
    torch.manual_seed(0)
    unet = perturbed(UNet2DConditionModel(sample_size=8, block_out_channels=(32, 64, 64), layers_per_block=1, cross_attention_dim=32,
                                          attention_head_dim=(2, 4, 4), use_linear_projection=True, upcast_attention=True, norm_num_groups=8,
                                          down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
                                          up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D")), 4)
    text = perturbed(CLIPTextModel(CLIPTextConfig(vocab_size=1000, hidden_size=32, intermediate_size=64, num_hidden_layers=3, num_attention_heads=4,
                                                  max_position_embeddings=64, hidden_act="gelu", bos_token_id=512, eos_token_id=513, pad_token_id=1)), 5)
    vae = perturbed(AutoencoderKL(block_out_channels=(16, 16, 16, 16), down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
                                  layers_per_block=1, latent_channels=4, norm_num_groups=8, sample_size=64), 6)
    (folder / "tok").mkdir(parents=True, exist_ok=True)
    tokenizer = byte_vocab(folder / "tok", length=64, pad="!")
    scheduler = diffusers.DDIMScheduler.from_config(SD2_SCHEDULER)
    pipe = StableDiffusionPipeline(unet=unet, text_encoder=text, vae=vae, tokenizer=tokenizer, scheduler=scheduler, safety_checker=None,
                                   feature_extractor=None, requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    return pipe


@pytest.fixture(scope="module")
def sd2_run():
    OUT2.mkdir(parents=True, exist_ok=True)
    pipe = build_sd2_pipeline(OUT2)
    pipe.save_pretrained(OUT2 / "model")
    for name in ("vocab.json", "merges.txt"):
        (OUT2 / "model" / "tokenizer" / name).write_bytes((OUT2 / "tok" / name).read_bytes())
    rng = np.random.default_rng(12)
    (OUT2 / "inputs").mkdir(exist_ok=True)
    latents = {}
    side = SD2_SIZE // 8
    for case in SD2_CASES:
        images = len(case["prompts"]) * case["images_per_prompt"]
        latents[case["name"]] = rng.standard_normal((images, 4, side, side)).astype(np.float32)
        np.save(OUT2 / "inputs" / f"{case['name']}.npy", latents[case["name"]])
    (OUT2 / "request.json").write_text(json.dumps([{**c, "width": SD2_SIZE, "height": SD2_SIZE} for c in SD2_CASES]))
    run_ts("../sd_pipeline/engine-generate.ts", "--dir", OUT2)
    return pipe, latents


@pytest.mark.parametrize("case", SD2_CASES, ids=[c["name"] for c in SD2_CASES])
def test_sd2_like_final_latents_match_diffusers(sd2_run, case):
    pipe, latents = sd2_run
    assert pipe.tokenizer.model_max_length == 64 and pipe.vae_scale_factor == 8
    base = json.loads((OUT2 / "model" / "scheduler" / "scheduler_config.json").read_text())
    pipe.scheduler = getattr(diffusers, CLASSES[case["sampler"]]).from_config({**base, **case["scheduler_overrides"]})
    with torch.no_grad():
        ref = pipe(prompt=case["prompts"], negative_prompt=case["negative_prompt"], num_inference_steps=case["steps"], guidance_scale=case["guidance"],
                   height=SD2_SIZE, width=SD2_SIZE, num_images_per_prompt=case["images_per_prompt"],
                   latents=torch.from_numpy(latents[case["name"]].copy()), output_type="latent").images.numpy()
    ours = np.load(OUT2 / "engine" / f"{case['name']}.npy")
    assert not np.allclose(ref, latents[case["name"]]), "the pipeline did not move the latents"
    assert_close(ours, ref, TOLERANCE["float32"], f"{case['name']} final latents")
