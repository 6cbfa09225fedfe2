"""A diffusers UNet gated the APTP way through forward hooks (written from shared/APTP.md, not
from the engine): per sample, ResNet channel groups are scaled before norm2, attention heads on
the outputs of to_q, to_k and to_v, GEGLU groups on both halves of the feed-forward projection,
and a depth-gated unit mixes (1 - m) * x_in + m * unit(x_in) (in up blocks x_in is the block's own
hidden state, the first channels of the concatenated input). Block outputs (down, mid, up) are
captured for the block loss."""
import torch


def _module(root, path):
    return root.get_submodule(path)


def _group_mask(gate, channels):
    """gate [N, w] -> [N, channels], each gate entry repeated over its channels / w channels."""
    return gate.repeat_interleave(channels // gate.shape[1], dim=1)


class GatedUNet:
    def __init__(self, unet, width_groups, depth_groups):
        self.unet = unet
        self.width_groups = width_groups
        self.depth_groups = depth_groups
        self.gates = None
        self.blocks = []

    def _gate(self, group):
        return self.gates[:, group["offset"]:group["offset"] + group["width"]]

    def _hooks(self):
        handles = []
        for g in self.width_groups:
            handles += self._width_hooks(g)
        for d in self.depth_groups:
            handles.append(self._depth_hook(d))
        return handles

    def _width_hooks(self, g):
        kind, m = g["kind"], _module(self.unet, g["id"])
        if kind == "resnet":
            def pre(mod, args, g=g):
                x = args[0]
                return (x * _group_mask(self._gate(g), x.shape[1])[:, :, None, None],)
            return [m.norm2.register_forward_pre_hook(pre)]
        if kind in ("attn1", "attn2"):
            def head(mod, args, out, g=g):
                return out * _group_mask(self._gate(g), out.shape[-1])[:, None, :]
            return [m.to_q.register_forward_hook(head), m.to_k.register_forward_hook(head), m.to_v.register_forward_hook(head)]
        def geglu(mod, args, out, g=g):
            h, gate = out.chunk(2, dim=-1)
            mask = _group_mask(self._gate(g), h.shape[-1])[:, None, :]
            return torch.cat([h * mask, gate * mask], dim=-1)
        return [m.net[0].proj.register_forward_hook(geglu)]

    def _depth_hook(self, d):
        m = _module(self.unet, d["unit"])

        def mix(mod, args, kwargs, out, d=d):
            x_in = args[0] if args else kwargs["hidden_states"]
            y = out[0] if isinstance(out, tuple) else out
            x_in = x_in[:, :y.shape[1]]
            gate = self.gates[:, d["offset"]].reshape(-1, *([1] * (y.dim() - 1)))
            mixed = x_in + gate * (y - x_in)
            return (mixed, *out[1:]) if isinstance(out, tuple) else mixed
        return m.register_forward_hook(mix, with_kwargs=True)

    def _block_hooks(self):
        def keep(mod, args, out):
            self.blocks.append(out[0] if isinstance(out, tuple) else out)
        names = [f"down_blocks.{i}" for i in range(len(self.unet.down_blocks))] + ["mid_block"] + [f"up_blocks.{i}" for i in range(len(self.unet.up_blocks))]
        return [_module(self.unet, n).register_forward_hook(keep) for n in names]

    def __call__(self, sample, timestep, context, gates=None):
        """The UNet's output and its block outputs; gated when `gates` [N, L] is given."""
        self.gates, self.blocks = gates, []
        handles = self._block_hooks() + (self._hooks() if gates is not None else [])
        try:
            out = self.unet(sample, timestep, encoder_hidden_states=context).sample
        finally:
            for h in handles:
                h.remove()
        return out, list(self.blocks)
