// The shape of gradient rules. A rule sees its node through a small context (x(i) input,
// y(j) output, g(j) gradient of output j, needs(i)), emits nodes with the builder's own ops (the
// ones model code uses), and returns one thunk per input; the walker
// calls a thunk only when that input's gradient is needed, so unneeded branches are never emitted.
// The table type `RuleTable` is exhaustive over OpType: an op without an entry fails to compile.
import { EngineError } from '../core/errors';
import type { NodeOf, Value } from '../ir/graph';
import type { AttrsOf, OpType } from '../ir/ops';
import type { GraphBuilder } from '../ir/builder';

/**
 * How Conv's input gradient is written. 'flip': at stride 1 a Conv over the flipped, channel-swapped
 * kernel (fast on onnxruntime's CPU kernels, but onnxruntime folds that kernel into a second copy of
 * every frozen weight); 'transpose': always ConvTranspose over the forward's own weight (one copy,
 * slower kernels).
 */
export type ConvInputGrad = 'flip' | 'transpose';

/** Choices of how gradients are written, passed to one `gradients()` call (never global). */
export interface GradOptions {
  /** Default 'flip'. */
  readonly convInputGrad?: ConvInputGrad;
}

export const DEFAULT_GRAD_OPTIONS: Required<GradOptions> = { convInputGrad: 'flip' };

export interface GradCtx<O extends OpType> {
  readonly node: NodeOf<O>;
  readonly attrs: AttrsOf<O>;
  /** The options of this `gradients()` call, defaults filled in. */
  readonly options: Required<GradOptions>;
  /** Forward input i. */
  x(i: number): Value;
  /** Forward output j. */
  y(j?: number): Value;
  /** Gradient of the loss with respect to output j (zeros when none flows into it). */
  g(j?: number): Value;
  /** True when the gradient of input i is wanted. */
  needs(i: number): boolean;
  /** Refuses to differentiate this node for a stated reason (attrs the rule does not cover). */
  refuse(reason: string): never;
}

/** Gradient of one input, computed only when called; undefined means it is identically zero. */
export type GradThunk = (() => Value | undefined) | undefined;

/**
 * Returns, per forward input, a thunk giving d(loss)/d(input). The result may have the broadcast
 * shape of the node's output; the walker sums it back to the input's shape in one place.
 */
export type GradRule<O extends OpType> = (c: GradCtx<O>, b: GraphBuilder) => readonly GradThunk[];

/** The op has no gradient (integer/bool results, indices, piecewise-constant functions). */
export interface NoGrad { readonly kind: 'noGrad'; readonly why: string }
/** The op must never sit on a differentiated path (it has no differentiable inputs by construction). */
export interface NeverDiff { readonly kind: 'neverDiff'; readonly why: string }

export type RuleEntry<O extends OpType> = GradRule<O> | NoGrad | NeverDiff;
export type RuleTable = { readonly [O in OpType]: RuleEntry<O> };

export const noGrad = (why: string): NoGrad => ({ kind: 'noGrad', why });
export const neverDiff = (why: string): NeverDiff => ({ kind: 'neverDiff', why });

/** Memoises a function, so two input thunks can share one intermediate (built on first use). */
export function shared<T>(fn: () => T): () => T {
  let v: { value: T } | undefined;
  return () => (v ??= { value: fn() }).value;
}

export function refuse(node: { op: string; name: string }, reason: string): never {
  throw new EngineError('no-gradient', `Cannot differentiate ${node.op} node '${node.name}': ${reason}. Stop the gradient before this node or rewrite it with differentiable ops.`, { op: node.op, node: node.name, reason });
}
