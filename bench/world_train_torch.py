# PyTorch side of bench/world-train.ts: one AdamW training step of the world VAE (MSE reconstruction
# + 1e-4 KL) or of the CLIP text encoder + UNet (epsilon MSE), built by diffusers/transformers from
# the same configs, same batch and threads. Reads one JSON request on stdin, prints {"step_ms": median}.
import json
import sys
import time

import torch
from diffusers import AutoencoderKL, UNet2DConditionModel
from transformers import CLIPTextConfig, CLIPTextModel


def strip(cfg):
    return {k: v for k, v in cfg.items() if not k.startswith("_")}


def main():
    req = json.loads(sys.stdin.read())
    torch.set_num_threads(req["threads"])
    torch.manual_seed(0)
    b, img, lat, tl = req["batch"], req["image"], req["latent"], req["text_length"]
    if req["which"] == "vae":
        vae = AutoencoderKL(**{k: v for k, v in strip(req["configs"]["vae"]).items() if k != "sample_size"})
        params = list(vae.parameters())
        x = torch.randn(b, 3, img, img)

        def loss_fn():
            post = vae.encode(x).latent_dist
            z = post.sample()
            rec = vae.decode(z).sample
            kl = 0.5 * (post.mean ** 2 + post.logvar.exp() - 1 - post.logvar).mean()
            return ((rec - x) ** 2).mean() + 1e-4 * kl
    else:
        unet = UNet2DConditionModel(**strip(req["configs"]["unet"]))
        tcfg = {k: v for k, v in req["configs"]["text"].items() if k not in ("architectures", "model_type")}
        text = CLIPTextModel(CLIPTextConfig(**tcfg))
        params = list(unet.parameters()) + list(text.parameters())
        ids = torch.full((b, tl), 7, dtype=torch.long)
        sample = torch.randn(b, 4, lat, lat)
        target = torch.randn(b, 4, lat, lat)
        t = torch.full((b,), 500.0)

        def loss_fn():
            ctx = text(ids).last_hidden_state
            return ((unet(sample, t, ctx).sample - target) ** 2).mean()

    opt = torch.optim.AdamW(params, lr=1e-4)

    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn().backward()
        opt.step()

    step()
    times = []
    for _ in range(req["iters"]):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    print(json.dumps({"step_ms": times[len(times) // 2]}))


main()
