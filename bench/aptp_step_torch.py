"""PyTorch side of bench/aptp-step.ts: one APTP pruning step of the UNet folder the TypeScript side
wrote (teacher forward without gradients, student forward gated through forward hooks on the same
sites, the same three losses, backward to the gates) on the same .npy inputs and thread count.
Driven line by line by the TypeScript side (bench/line-child.ts): loads and runs a first step,
printing `name: value` lines and 'ok'; then times one step per 'step' line; on 'end' saves the
gate gradient to torch_grad.npy and prints peak RSS.
    python bench/aptp_step_torch.py DIR THREADS"""
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import torch
from diffusers import UNet2DConditionModel

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "oracle" / "aptp"))
from unet_hooks import GatedUNet  # noqa: E402


def main(folder, threads):
    torch.set_num_threads(threads)
    start = time.perf_counter()
    unet = UNet2DConditionModel.from_pretrained(folder / "unet").eval()
    unet.requires_grad_(False)
    layout = json.loads((folder / "layout.json").read_text())
    net = GatedUNet(unet, layout["width_groups"], layout["depth_groups"])
    print(f"load_s: {time.perf_counter() - start:.2f}", flush=True)
    x = {k: torch.from_numpy(np.load(folder / f"{k}.npy")) for k in ("sample", "timestep", "encoder_hidden_states", "target", "snr_weight", "arch_vector")}
    per = lambda a, b: ((a - b) ** 2).flatten(1).mean(dim=1)

    def step():
        gates = x["arch_vector"].clone().requires_grad_(True)
        with torch.no_grad():
            teacher, teacher_blocks = net(x["sample"], x["timestep"], x["encoder_hidden_states"])
        student, blocks = net(x["sample"], x["timestep"], x["encoder_hidden_states"], gates)
        loss = (x["snr_weight"] * per(student, x["target"]) + 0.2 * per(student, teacher)
                + 0.2 * torch.stack([per(a, b) for a, b in zip(blocks, teacher_blocks)]).mean(dim=0)).sum()
        grad, = torch.autograd.grad(loss, gates)
        return grad

    start = time.perf_counter()
    grad = step()
    print(f"first_step_s: {time.perf_counter() - start:.2f}")
    print("ok", flush=True)
    for command in sys.stdin:
        command = command.strip()
        if command == "step":
            start = time.perf_counter()
            grad = step()
            print(f"step_s: {time.perf_counter() - start:.3f}")
        elif command == "end":
            np.save(folder / "torch_grad.npy", grad.numpy().astype(np.float32))
            print(f"peak_rss_mb: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}")
        print("ok", flush=True)
        if command == "end":
            return


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
