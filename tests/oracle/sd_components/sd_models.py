"""Tiny SD-1-like and SD-2-like components for the oracle: diffusers / transformers build them from
scaled-down real configs with seeded random weights (every parameter perturbed, so norms and biases
matter), save_pretrained writes the folder the engine loads, and the same modules give the
reference outputs. Masking maps an APTP gate group to the weights that zeroing it equals."""
import json

import numpy as np
import torch
from diffusers import AutoencoderKL, UNet2DConditionModel
from transformers import CLIPTextConfig, CLIPTextModel

VARIANTS = {
    "sd1": {
        "unet": dict(sample_size=8, block_out_channels=(32, 64), layers_per_block=2, down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
                     up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"), cross_attention_dim=32, attention_head_dim=2, norm_num_groups=8,
                     flip_sin_to_cos=False, freq_shift=1),
        "text": dict(vocab_size=1000, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                     max_position_embeddings=77, hidden_act="quick_gelu", bos_token_id=0, eos_token_id=2, pad_token_id=1),
        "vae": dict(block_out_channels=(32, 64), down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2,
                    layers_per_block=1, latent_channels=4, norm_num_groups=8, sample_size=32),
        "masked": {"down_blocks.0.attentions.0.transformer_blocks.0.attn1": [1], "up_blocks.1.attentions.2.transformer_blocks.0.attn2": [0],
                   "down_blocks.0.attentions.1.transformer_blocks.0.ff": [3, 30], "mid_block.resnets.0": [2]},
    },
    "sd2": {
        "unet": dict(sample_size=8, block_out_channels=(32, 64, 64), layers_per_block=1,
                     down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
                     up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"), cross_attention_dim=32,
                     attention_head_dim=(2, 4, 4), use_linear_projection=True, upcast_attention=True, norm_num_groups=8),
        "text": dict(vocab_size=1000, hidden_size=32, intermediate_size=64, num_hidden_layers=3, num_attention_heads=4,
                     max_position_embeddings=77, hidden_act="gelu", bos_token_id=998, eos_token_id=999, pad_token_id=0),
        "vae": dict(block_out_channels=(32, 32), down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2,
                    layers_per_block=2, latent_channels=4, norm_num_groups=8, sample_size=32),
        "masked": {"down_blocks.1.attentions.0.transformer_blocks.0.attn2": [3], "mid_block.attentions.0.transformer_blocks.0.attn1": [0, 2],
                   "up_blocks.2.attentions.1.transformer_blocks.0.ff": [0], "up_blocks.0.resnets.1": [7]},
    },
    # Keys the SD presets leave at their defaults, set otherwise (issue 12): downsample_padding 0 (right/bottom pad,
    # unpadded conv), center_input_sample (2x - 1), a gelu text encoder with 64 positions instead of 77.
    "sd1_odd_keys": {
        "unet": dict(sample_size=8, block_out_channels=(32, 64), layers_per_block=1, down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
                     up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"), cross_attention_dim=32, attention_head_dim=4, norm_num_groups=8,
                     downsample_padding=0, center_input_sample=True, mid_block_scale_factor=1.5),
        "text": dict(vocab_size=1000, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                     max_position_embeddings=64, hidden_act="gelu", bos_token_id=0, eos_token_id=2, pad_token_id=1),
        "vae": dict(block_out_channels=(32, 64), down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2,
                    layers_per_block=1, latent_channels=4, norm_num_groups=8, sample_size=32),
        "masked": {"down_blocks.0.attentions.0.transformer_blocks.0.attn1": [1], "mid_block.resnets.0": [2]},
    },
}


def _text_length(variant):
    return VARIANTS[variant]["text"]["max_position_embeddings"]


def _perturb(module, seed):
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.add_(0.05 * torch.randn(p.shape, generator=gen))
    return module.eval()


def build(variant, seed=0):
    spec = VARIANTS[variant]
    torch.manual_seed(seed)
    unet = _perturb(UNet2DConditionModel(**spec["unet"]), seed + 1)
    text = _perturb(CLIPTextModel(CLIPTextConfig(**spec["text"])), seed + 2)
    vae = _perturb(AutoencoderKL(**spec["vae"]), seed + 3)
    return unet, text, vae


def make_inputs(variant, seed=0):
    spec = VARIANTS[variant]
    rng = np.random.default_rng(seed)
    f32 = lambda *s: rng.standard_normal(s).astype(np.float32)
    length = _text_length(variant)
    ids = rng.integers(3, 990, size=(2, length)).astype(np.int64)
    ids[0, 9], ids[1, 40] = spec["text"]["eos_token_id"], spec["text"]["eos_token_id"]
    latent = 32 // 2 ** (len(spec["vae"]["block_out_channels"]) - 1)
    return {
        "sample": f32(2, 4, 8, 8), "timestep": np.array([37.0, 801.0], dtype=np.float32), "context": f32(2, length, 32),
        "input_ids": ids, "image": np.clip(f32(1, 3, 32, 32) * 0.5, -1, 1), "noise": f32(1, 4, latent, latent), "latents": f32(1, 4, latent, latent),
    }


def request(variant):
    latent = 32 // 2 ** (len(VARIANTS[variant]["vae"]["block_out_channels"]) - 1)
    assert latent > 0
    length = _text_length(variant)
    return json.dumps({"unet": {"batch": 2, "height": 8, "width": 8, "textLength": length, "masked": VARIANTS[variant]["masked"]},
                       "text": {"batch": 2, "length": length}, "vae": {"batch": 1, "height": 32, "width": 32}})


def _module(root, path):
    for part in path.split("."):
        root = getattr(root, part) if not part.isdigit() else root[int(part)]
    return root


def zero_group(unet, group_id, index):
    """Zeroes the weights whose removal equals gate entry `index` of `group_id` being 0."""
    with torch.no_grad():
        if group_id.endswith((".attn1", ".attn2")):
            attn = _module(unet, group_id)
            d = attn.to_q.weight.shape[0] // attn.heads
            for lin in (attn.to_q, attn.to_k, attn.to_v):
                lin.weight[index * d:(index + 1) * d] = 0
        elif group_id.endswith(".ff"):
            proj = _module(unet, group_id).net[0].proj
            inner = proj.weight.shape[0] // 2
            g = inner // 32
            for start in (index * g, inner + index * g):
                proj.weight[start:start + g] = 0
                proj.bias[start:start + g] = 0
        else:
            res = _module(unet, group_id)
            g = res.conv1.weight.shape[0] // res.norm2.num_groups
            sl = slice(index * g, (index + 1) * g)
            for t in (res.conv1.weight, res.conv1.bias, res.time_emb_proj.weight, res.time_emb_proj.bias):
                t[sl] = 0
