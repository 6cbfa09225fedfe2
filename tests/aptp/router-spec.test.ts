// The router's static parts: the depth order derived by rule (SD 2.1 and 1.5 give the authors'
// list; a tiny UNet gives the same rule), the spec's refusals, and parameter init (orthogonal
// predictor blocks and codes, zero bias, repeatable from a seed).
import { describe, expect, it } from 'vitest';
import { depthOrder, initRouterParams, ROUTER_PARAMS, routerParamShapes, routerSpec } from '../../src/engine/aptp/router';
import { structureOf } from './helpers';

const AUTHORS_SD21 = [-1, -2, 0, 1, -3, -4, 2, 3, -5, -6, 4, 5, -7, 6];

describe('depth order', () => {
  it.each(['sd21', 'sd15'] as const)('%s gives the authors\' list (mod 14)', (which) => {
    const { arch, layout } = structureOf(which);
    expect(depthOrder(arch, layout)).toEqual(AUTHORS_SD21.map((i) => ((i % 14) + 14) % 14));
  });

  it('follows the same rule on a tiny two-level UNet: up block from the output backwards, then down, level by level', () => {
    const { arch, layout } = structureOf('tiny');
    const units = layout.depthGroups.map((g) => g.unit);
    expect(units).toEqual(['down_blocks.0.resnets.1', 'down_blocks.0.attentions.1', 'down_blocks.1.resnets.1', 'up_blocks.0.resnets.2', 'up_blocks.1.resnets.2', 'up_blocks.1.attentions.2']);
    expect(depthOrder(arch, layout).map((i) => units[i])).toEqual([
      'up_blocks.1.attentions.2', 'up_blocks.1.resnets.2', 'down_blocks.0.resnets.1', 'down_blocks.0.attentions.1', 'up_blocks.0.resnets.2', 'down_blocks.1.resnets.1',
    ]);
  });
});

describe('router spec', () => {
  const { arch, layout } = structureOf('tiny');

  it('fills APTP.md defaults', () => {
    const spec = routerSpec(arch, layout, 16);
    expect([spec.experts, spec.temperature, spec.offset, spec.optimalTransport, spec.sinkhornEpsilon, spec.sinkhornIterations]).toEqual([8, 0.4, 3, true, 0.05, 3]);
    expect(spec.tables.width + spec.tables.depth).toBe(layout.vectorLength);
  });

  it.each([
    [{ experts: 0 }, /whole number >= 1/],
    [{ experts: 2.5 }, /whole number >= 1/],
    [{ temperature: 0 }, /temperature must be > 0/],
    [{ sinkhornIterations: 0 }, /Sinkhorn needs/],
    [{ resourceAwareNormalization: true }, /needs the UNet MACs/],
  ])('refuses %o', (options, message) => {
    expect(() => routerSpec(arch, layout, 16, options)).toThrow(message);
  });

  it('refuses more codes than the vector has dimensions, and a bad embedding width', () => {
    expect(() => routerSpec(arch, layout, 16, { experts: layout.vectorLength + 1 })).toThrow(/cannot be orthogonal/);
    expect(() => routerSpec(arch, layout, 0)).toThrow(/prompt-embedding width/);
  });

  it('scales routing entries by sqrt(1/group width), depth gates by 1', () => {
    const spec = routerSpec(arch, layout, 16);
    for (const g of layout.groups) expect(spec.tables.routingScale[g.offset]).toBeCloseTo(g.kind === 'depth' ? 1 : Math.sqrt(1 / g.width), 6);
  });
});

describe('router parameters', () => {
  const { arch, layout } = structureOf('tiny');
  const spec = routerSpec(arch, layout, 16, { experts: 4 });
  const l = layout.vectorLength;

  it('has one [E, L] predictor matrix, a zero bias and K codes', () => {
    const params = initRouterParams(spec, 5);
    expect(params.map((p) => [p.name, p.dims])).toEqual(routerParamShapes(spec).map((p) => [p.name, p.dims]));
    expect(params.find((p) => p.name === ROUTER_PARAMS.predictorBias)?.data.every((v) => v === 0)).toBe(true);
  });

  it('makes every group block and the codebook orthonormal (the orientation torch.nn.init.orthogonal_ gives)', () => {
    const params = initRouterParams(spec, 5);
    const w = params.find((p) => p.name === ROUTER_PARAMS.predictorWeight)?.data ?? new Float32Array();
    const blocks = [...spec.tables.groups, [spec.tables.width, spec.tables.depth] as const];
    for (const [offset, width] of blocks) {
      // a PyTorch Linear(E, width) weight is [width, E]: its rows (our columns) are orthonormal when width <= E
      for (let i = 0; i < width; i++) for (let j = 0; j < width; j++) {
        let dot = 0;
        for (let e = 0; e < 16; e++) dot += (w[e * l + offset + i] ?? 0) * (w[e * l + offset + j] ?? 0);
        if (width <= 16) expect(dot).toBeCloseTo(i === j ? 1 : 0, 5);
      }
    }
    const codes = params.find((p) => p.name === ROUTER_PARAMS.codebook)?.data ?? new Float32Array();
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) {
      let dot = 0;
      for (let e = 0; e < l; e++) dot += (codes[i * l + e] ?? 0) * (codes[j * l + e] ?? 0);
      expect(dot).toBeCloseTo(i === j ? 1 : 0, 5);
    }
  });

  it('repeats from a seed and differs across seeds', () => {
    const a = initRouterParams(spec, 5)[0]?.data;
    expect(initRouterParams(spec, 5)[0]?.data).toEqual(a);
    expect(initRouterParams(spec, 6)[0]?.data).not.toEqual(a);
  });

  it('gives the baseline one standard-normal vector', () => {
    const single = routerSpec(arch, layout, 16, { kind: 'single' });
    const [arch0] = initRouterParams(single, 1);
    expect([arch0?.name, arch0?.dims]).toEqual([ROUTER_PARAMS.arch, [1, l]]);
  });
});
