"""Tiny SD-1-like and SD-2-like diffusers pipelines with random weights (real diffusers /
transformers classes, configs scaled down), and their conversion to the original single-file
(LDM) key layout, written here from the layout itself and checked by loading it back with
diffusers' own from_single_file."""
import json

import torch
from diffusers import AutoencoderKL, DDIMScheduler, PNDMScheduler, StableDiffusionPipeline, UNet2DConditionModel
from safetensors.torch import save_file
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer


def byte_alphabet():
    printable = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    out, n = [], 0
    for b in range(256):
        if b in printable:
            out.append(chr(b))
        else:
            out.append(chr(256 + n))
            n += 1
    return out


def write_tokenizer_files(folder):
    chars = byte_alphabet()
    merges = [("t", "h"), ("th", "e</w>"), ("c", "a"), ("ca", "t</w>")]
    tokens = chars + [c + "</w>" for c in chars] + [a + b for a, b in merges] + ["<|startoftext|>", "<|endoftext|>"]
    vocab = {t: i for i, t in enumerate(dict.fromkeys(tokens))}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False))
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(f"{a} {b}" for a, b in merges) + "\n", encoding="utf-8")
    return len(vocab)


def tiny_pipeline(kind, tokenizer_dir):
    torch.manual_seed(0 if kind == "sd1" else 1)
    vocab_size = write_tokenizer_files(tokenizer_dir)
    if kind == "sd1":
        unet = UNet2DConditionModel(sample_size=8, block_out_channels=(32, 64), layers_per_block=2, norm_num_groups=32, cross_attention_dim=32, attention_head_dim=8,
                                    down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"))
        text = CLIPTextConfig(hidden_size=32, intermediate_size=37, num_attention_heads=4, num_hidden_layers=2, vocab_size=vocab_size, hidden_act="quick_gelu", bos_token_id=vocab_size - 2, eos_token_id=vocab_size - 1, pad_token_id=1)
        scheduler = PNDMScheduler(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012, skip_prk_steps=True, steps_offset=1)
        pad = "<|endoftext|>"
    else:
        unet = UNet2DConditionModel(sample_size=8, block_out_channels=(32, 64, 64), layers_per_block=1, norm_num_groups=32, cross_attention_dim=64, attention_head_dim=(2, 4, 4),
                                    use_linear_projection=True, upcast_attention=True,
                                    down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"))
        text = CLIPTextConfig(hidden_size=64, intermediate_size=96, num_attention_heads=4, num_hidden_layers=3, vocab_size=vocab_size, hidden_act="gelu", bos_token_id=vocab_size - 2, eos_token_id=vocab_size - 1, pad_token_id=1)
        scheduler = DDIMScheduler(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012, prediction_type="v_prediction", steps_offset=1, clip_sample=False, set_alpha_to_one=False)
        pad = "!"
    vae = AutoencoderKL(block_out_channels=(32, 64), down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2, layers_per_block=1, norm_num_groups=32, latent_channels=4, sample_size=16)
    tokenizer = CLIPTokenizer.from_pretrained(str(tokenizer_dir), pad_token=pad)
    pipe = StableDiffusionPipeline(unet=unet, text_encoder=CLIPTextModel(text), vae=vae, scheduler=scheduler, tokenizer=tokenizer, safety_checker=None, feature_extractor=None, requires_safety_checker=False)
    with torch.no_grad():
        for module in (pipe.unet, pipe.vae, pipe.text_encoder):
            for p in module.parameters():
                p.add_(torch.randn_like(p) * 0.01)
    return pipe


def text_state_dict(text_encoder):
    """transformers >= 5 drops the `text_model.` prefix in state_dict; real checkpoints have it."""
    return {(k if k.startswith("text_model.") else "text_model." + k): v for k, v in text_encoder.state_dict().items()}


RESNET = {"norm1": "in_layers.0", "conv1": "in_layers.2", "time_emb_proj": "emb_layers.1", "norm2": "out_layers.0", "conv2": "out_layers.3", "conv_shortcut": "skip_connection"}


def _resnet(prefix, rest):
    part, leaf = rest.split(".")
    return f"{prefix}.{RESNET[part]}.{leaf}"


def unet_to_ldm(sd, layers, up_has_attn):
    out = {}
    fixed = {"conv_in": "input_blocks.0.0", "time_embedding.linear_1": "time_embed.0", "time_embedding.linear_2": "time_embed.2", "conv_norm_out": "out.0", "conv_out": "out.2"}
    for key, value in sd.items():
        head, leaf = key.rsplit(".", 1)
        parts = key.split(".")
        if head in fixed:
            new = f"{fixed[head]}.{leaf}"
        elif parts[0] == "down_blocks" and parts[2] in ("resnets", "attentions"):
            i, j = int(parts[1]), int(parts[3])
            k = 1 + i * (layers + 1) + j
            rest = ".".join(parts[4:])
            new = _resnet(f"input_blocks.{k}.0", rest) if parts[2] == "resnets" else f"input_blocks.{k}.1.{rest}"
        elif parts[0] == "down_blocks":
            new = f"input_blocks.{1 + int(parts[1]) * (layers + 1) + layers}.0.op.{leaf}"
        elif parts[0] == "mid_block":
            idx = {("resnets", "0"): 0, ("attentions", "0"): 1, ("resnets", "1"): 2}[(parts[1], parts[2])]
            rest = ".".join(parts[3:])
            new = _resnet(f"middle_block.{idx}", rest) if parts[1] == "resnets" else f"middle_block.1.{rest}"
        elif parts[0] == "up_blocks" and parts[2] in ("resnets", "attentions"):
            i, j = int(parts[1]), int(parts[3])
            k = i * (layers + 1) + j
            rest = ".".join(parts[4:])
            new = _resnet(f"output_blocks.{k}.0", rest) if parts[2] == "resnets" else f"output_blocks.{k}.1.{rest}"
        else:
            i = int(parts[1])
            new = f"output_blocks.{i * (layers + 1) + layers}.{2 if up_has_attn[i] else 1}.conv.{leaf}"
        out["model.diffusion_model." + new] = value
    return out


VAE_ATTN = {"group_norm": "norm", "to_q": "q", "to_k": "k", "to_v": "v", "to_out.0": "proj_out"}


def vae_to_ldm(sd, blocks):
    out = {}
    for key, value in sd.items():
        new = key.replace("conv_norm_out", "norm_out").replace("conv_shortcut", "nin_shortcut")
        p = new.split(".")
        if p[1] == "down_blocks":
            new = f"encoder.down.{p[2]}." + (f"block.{p[4]}." if p[3] == "resnets" else "downsample.") + ".".join(p[5:] if p[3] == "resnets" else p[5:])
        elif p[1] == "up_blocks":
            level = blocks - 1 - int(p[2])
            new = f"decoder.up.{level}." + (f"block.{p[4]}." if p[3] == "resnets" else "upsample.") + ".".join(p[5:])
        elif p[1] == "mid_block" and p[2] == "resnets":
            new = f"{p[0]}.mid.block_{int(p[3]) + 1}." + ".".join(p[4:])
        elif p[1] == "mid_block":
            head, leaf = ".".join(p[4:]).rsplit(".", 1)
            new = f"{p[0]}.mid.attn_1.{VAE_ATTN[head]}.{leaf}"
            if value.ndim == 2:
                value = value[:, :, None, None]
        out["first_stage_model." + new] = value
    return out


OPENCLIP = {"self_attn.out_proj": "attn.out_proj", "layer_norm1": "ln_1", "layer_norm2": "ln_2", "mlp.fc1": "mlp.c_fc", "mlp.fc2": "mlp.c_proj"}


def openclip_to_ldm(sd):
    pre = "cond_stage_model.model."
    out = {pre + "token_embedding.weight": sd["text_model.embeddings.token_embedding.weight"],
           pre + "positional_embedding": sd["text_model.embeddings.position_embedding.weight"],
           pre + "ln_final.weight": sd["text_model.final_layer_norm.weight"], pre + "ln_final.bias": sd["text_model.final_layer_norm.bias"]}
    layers = {int(k.split(".")[3]) for k in sd if k.startswith("text_model.encoder.layers.")}
    for n in sorted(layers):
        src, dst = f"text_model.encoder.layers.{n}.", f"{pre}transformer.resblocks.{n}."
        for leaf in ("weight", "bias"):
            out[f"{dst}attn.in_proj_{leaf}"] = torch.cat([sd[f"{src}self_attn.{q}_proj.{leaf}"] for q in ("q", "k", "v")], 0)
            for a, b in OPENCLIP.items():
                out[f"{dst}{b}.{leaf}"] = sd[f"{src}{a}.{leaf}"]
    return out


def save_single_file(pipe, kind, path):
    layers = pipe.unet.config.layers_per_block
    up_has_attn = [t.startswith("CrossAttn") for t in pipe.unet.config.up_block_types]
    sd = unet_to_ldm(pipe.unet.state_dict(), layers, up_has_attn)
    sd.update(vae_to_ldm(pipe.vae.state_dict(), len(pipe.vae.config.block_out_channels)))
    text = text_state_dict(pipe.text_encoder)
    if kind == "sd1":
        sd.update({"cond_stage_model.transformer." + k: v for k, v in text.items()})
    else:
        sd.update(openclip_to_ldm(text))
    sd["alphas_cumprod"] = torch.linspace(1, 0, 10)
    save_file({k: v.contiguous() for k, v in sd.items()}, str(path))
