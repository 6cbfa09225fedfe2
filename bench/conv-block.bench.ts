// Conv block: diffusers-style ResNet block without time embedding (GroupNorm 8, SiLU, 3x3 conv,
// twice, residual) on [8, 32, 32, 32] float32.
import type { BenchCase } from './bench-case';
import { WeightedBuilder, randomInput } from './bench-case';

const [N, C, H, W] = [8, 32, 32, 32];

const convBlock: BenchCase = {
  name: 'conv_block',
  forwardFlops: 2 * (2 * N * C * H * W * C * 9),
  torch: { module: 'conv_block', config: { n: N, c: C, h: H, w: W, groups: 8 } },
  input: () => randomInput([N, C, H, W]),
  build: () => {
    const b = new WeightedBuilder('conv_block');
    const x = b.input('x', 'float32', [N, C, H, W]);
    let h = x;
    for (const i of [1, 2]) {
      h = b.silu(b.groupNorm(h, 8, b.ones(`norm${i}.weight`, C), b.zeros(`norm${i}.bias`, C)));
      h = b.conv(h, b.weight(`conv${i}.weight`, [C, C, 3, 3], C * 9), b.weight(`conv${i}.bias`, [C], C * 9), { pads: [1, 1, 1, 1] });
    }
    b.output(b.add(x, h), 'y');
    return b.build();
  },
};

export default convBlock;
