"""diffusers side of bench/sd21-unet.ts: loads the SD 2.1 UNet folder the TypeScript side wrote
(config.json + safetensors), runs it on the same .npy inputs with the same thread count, saves the
output to torch_out.npy and prints `name: value` lines (load and forward seconds, peak RSS).
    python bench/sd21_unet_torch.py DIR THREADS"""
import resource
import sys
import time
from pathlib import Path

import numpy as np
import torch
from diffusers import UNet2DConditionModel


def main(folder, threads):
    torch.set_num_threads(threads)
    start = time.perf_counter()
    unet = UNet2DConditionModel.from_pretrained(folder / "unet").eval()
    print(f"load_s: {time.perf_counter() - start:.2f}")
    x = {k: torch.from_numpy(np.load(folder / f"{k}.npy")) for k in ("sample", "timestep", "encoder_hidden_states")}
    with torch.inference_mode():
        unet(x["sample"], x["timestep"], encoder_hidden_states=x["encoder_hidden_states"])
        start = time.perf_counter()
        out = unet(x["sample"], x["timestep"], encoder_hidden_states=x["encoder_hidden_states"]).sample
        print(f"forward_s: {time.perf_counter() - start:.2f}")
    np.save(folder / "torch_out.npy", out.numpy().astype(np.float32))
    print(f"peak_rss_mb: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
