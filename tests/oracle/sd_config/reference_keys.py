"""The config keys the reference reads, from the installed diffusers / transformers: the __init__
parameters of UNet2DConditionModel, AutoencoderKL and the schedulers SD folders ship (each registered
as a config key), and CLIPTextConfig's fields. `python reference_keys.py` prints the JSON that
tests/engine/models/sd/config/reference-keys.json holds; test_sd_config.py checks the two agree."""
import inspect
import json

import diffusers
import transformers

SCHEDULERS = ["DDIMScheduler", "DDPMScheduler", "PNDMScheduler", "EulerDiscreteScheduler", "EulerAncestralDiscreteScheduler",
              "DPMSolverMultistepScheduler"]


def init_keys(cls):
    return sorted(p for p in inspect.signature(cls.__init__).parameters if p not in ("self", "args", "kwargs"))


def reference_keys():
    scheduler = sorted({k for name in SCHEDULERS for k in init_keys(getattr(diffusers, name))})
    clip = sorted(set(init_keys(transformers.CLIPTextConfig)) | set(transformers.CLIPTextConfig().to_dict()))
    return {
        "versions": {"diffusers": diffusers.__version__, "transformers": transformers.__version__},
        "unet": init_keys(diffusers.UNet2DConditionModel),
        "vae": init_keys(diffusers.AutoencoderKL),
        "text_encoder": clip,
        "scheduler": scheduler,
    }


if __name__ == "__main__":
    print(json.dumps(reference_keys(), indent=1))
