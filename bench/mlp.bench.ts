// 4-layer MLP: four 512x512 linear layers with GELU (tanh) between them, on a [256, 512] batch.
import type { BenchCase } from './bench-case';
import { WeightedBuilder, randomInput } from './bench-case';

const [N, D, LAYERS] = [256, 512, 4];

const mlp4: BenchCase = {
  name: 'mlp4',
  forwardFlops: LAYERS * 2 * N * D * D,
  torch: { module: 'mlp4', config: { n: N, d: D, layers: LAYERS } },
  input: () => randomInput([N, D]),
  build: () => {
    const b = new WeightedBuilder('mlp4');
    let h = b.input('x', 'float32', [N, D]);
    for (let i = 0; i < LAYERS; i++) {
      h = b.linear(h, b.weight(`layers.${i}.weight`, [D, D], D), b.weight(`layers.${i}.bias`, [D], D));
      if (i < LAYERS - 1) h = b.gelu(h, 'tanh');
    }
    b.output(h, 'y');
    return b.build();
  },
};

export default mlp4;
