// The pruning step's memory modes, in one place. 'fast' writes stride-1 conv input gradients as a
// Conv over the flipped kernel and lets onnxruntime re-lay weights out for its fastest kernels
// (NCHWc convs, prepacked GEMMs): every frozen weight is then held about twice. It also turns
// onnxruntime's memory pattern off: that plans each run's tensors into one block allocated fresh
// every run, bypassing the arena, and the kernel zeroing those gigabytes page by page took a fifth
// of the SD 2.1 step at batch 4 (21.3 s per step without it, against PyTorch's 25.9 s). 'lean'
// writes them as ConvTranspose over the forward's own weight initializer and turns the NCHWc
// transformer and prepacking off, so each weight is held once, and turns onnxruntime's CPU memory
// arena off, so freed activations go back instead of staying reserved at the step's high-water
// mark; with glibc's mmap threshold fixed (runs/allocator-env.ts) its peak at batch 2 and 4 was
// 0.97x and 1.05x PyTorch's. The price is slower conv kernels (bench/aptp-step.ts --memory
// lean,fast measures both against PyTorch). A third way, the flipped-kernel Conv computed every
// step (constant folding off) so that lean holds one copy, ran slower than ConvTranspose (1.16x
// against 1.02x PyTorch at batch 2).
import type { ConvInputGrad } from '../../autodiff';
import type { SessionConfig } from '../../runtime';

export type MemoryMode = 'fast' | 'lean';

interface ModeSettings {
  readonly convInputGrad: ConvInputGrad;
  /**
   * Copies of the weights a step's session holds beyond the initializers themselves (estimates).
   * SD 2.1 at batch 1 measured: fast 1.95x the weights once the step ran (flipped conv kernels,
   * NCHWc re-laid-out convs, prepacked GEMMs), lean 1.0x.
   */
  readonly extraWeightCopies: number;
  /** Session settings the mode adds to the caller's. */
  readonly session: Pick<SessionConfig, 'prepacking' | 'disabledOptimizers' | 'memoryArena' | 'memoryPattern'>;
}

export const MEMORY_MODES: Readonly<Record<MemoryMode, ModeSettings>> = {
  fast: { convInputGrad: 'flip', extraWeightCopies: 1, session: { memoryPattern: false } },
  lean: { convInputGrad: 'transpose', extraWeightCopies: 0, session: { prepacking: false, memoryArena: false, disabledOptimizers: ['NchwcTransformer'] } },
};

/** `config` with the mode's session settings added (disabled optimisers are merged, not replaced). */
export function sessionForMemory(config: SessionConfig, mode: MemoryMode): SessionConfig {
  const extra = MEMORY_MODES[mode].session;
  const disabled = [...new Set([...(config.disabledOptimizers ?? []), ...(extra.disabledOptimizers ?? [])])];
  const { disabledOptimizers: _merged, ...switches } = extra;
  return { ...config, ...switches, ...(disabled.length ? { disabledOptimizers: disabled } : {}) };
}
