// Reverse-mode autodiff: the one walker. `gradients()` works on an open builder: it visits the
// nodes built so far in reverse topological order, asks each op's rule only for the input
// gradients that lie on a path from a requested value to the loss, un-broadcasts each in one
// place, accumulates fan-out with Add, and returns the gradients as values of the same builder, so
// a model, its losses, their gradients and an optimiser update are built together and built once.
// Values marked by stopGradient (stop-gradient.ts) are constants to the walker.
// `grad()` is the thin graph-to-graph form (outputs 'grad/<name>') kept for tests and tools.
// Gradients of gradients are not supported.
import { isFloat } from '../core/dtype';
import { EngineError } from '../core/errors';
import { GraphBuilder } from '../ir/builder';
import { allValues, type Graph, type Node, type NodeOf, type Value } from '../ir/graph';
import type { OpType } from '../ir/ops';
import { RULES } from './rules';
import { stoppedValues } from './stop-gradient';
import { shapeOf, unbroadcast, zerosLike } from './shape-helpers';
import { DEFAULT_GRAD_OPTIONS, refuse, type GradCtx, type GradOptions, type RuleEntry } from './types';

/**
 * d(sum(seed * loss))/d(w) for each w of `wrt`, as values of `b` (zeros where the loss does not
 * depend on w). `seed` defaults to ones of the loss's shape (gradients of sum(loss)). `options`
 * choose how some gradients are written (types.ts GradOptions); the values are the same either way.
 */
export function gradients(b: GraphBuilder, loss: Value, wrt: readonly Value[], seed?: Value, options: GradOptions = {}): Value[] {
  checkOperand(b, loss, 'loss');
  for (const w of wrt) checkOperand(b, w, 'wrt');
  if (seed) checkOperand(b, seed, 'seed');
  const nodes = [...b.nodesSoFar()];
  const active = activeValues(nodes, loss, wrt, stoppedValues(b));
  const chosen: Required<GradOptions> = { ...DEFAULT_GRAD_OPTIONS, ...options };
  const pending = new Map<number, Value[]>([[loss.id, [b.scope('backward/seed', () => seedOf(b, loss, seed))]]]);
  const total = (v: Value): Value | undefined => {
    const parts = pending.get(v.id);
    if (parts === undefined) return undefined;
    const sum = parts.reduce((acc, p) => b.add(acc, p));
    pending.set(v.id, [sum]);
    return sum;
  };
  for (const node of nodes.reverse()) {
    if (!node.outputs.some((v) => pending.has(v.id))) continue;
    const needs = node.inputs.map((v) => active.has(v.id));
    if (!needs.some(Boolean)) continue;
    b.scope(`backward/${node.name}`, () => visit(node, b, needs, total, pending, chosen));
  }
  return wrt.map((v) => total(v) ?? zerosLike(b, v));
}

function checkOperand(b: GraphBuilder, v: Value, role: string): void {
  if (!b.owns(v)) throw new EngineError('invalid-argument', `The ${role} value '${v.name}' does not belong to builder '${b.name}'; build it with the same builder.`, { role, value: v.name });
  if (!isFloat(v.type.dtype)) throw new EngineError('no-gradient', `'${v.name}' is ${v.type.dtype}; gradients exist only for float values.`, { value: v.name, dtype: v.type.dtype });
}

export interface GradRequest {
  /** The value to differentiate (a graph output name, a value name, or the value). */
  readonly loss: Value | string;
  /** The values to differentiate with respect to (inputs, initializers or intermediates). */
  readonly wrt: readonly (Value | string)[];
  /** d(final)/d(loss): 'ones' (default: gradients of sum(loss)), 'input' (a new graph input 'grad/seed'), or a value of the loss's shape. */
  readonly seed?: 'ones' | 'input' | Value;
  /** How some gradients are written (types.ts GradOptions). */
  readonly options?: GradOptions;
}

/** Returns `graph` plus one output 'grad/<name>' per distinct entry of `wrt`. */
export function grad(graph: Graph, request: GradRequest): Graph {
  const b = GraphBuilder.from(graph);
  const loss = resolve(graph, request.loss, 'loss');
  const wrt = [...new Set(request.wrt.map((w) => resolve(graph, w, 'wrt')))];
  const seed = request.seed === 'input' ? b.input('grad/seed', loss.type.dtype, shapeOf(loss)) : request.seed === 'ones' ? undefined : request.seed;
  gradients(b, loss, wrt, seed, request.options).forEach((g, i) => b.output(g, `grad/${wrt[i]?.name ?? ''}`));
  return b.build();
}

function visit(node: Node, b: GraphBuilder, needs: boolean[], total: (v: Value) => Value | undefined, pending: Map<number, Value[]>, options: Required<GradOptions>): void {
  const thunks = applyRule(node.op, node as NodeOf<typeof node.op>, b, needs, total, options);
  node.inputs.forEach((x, i) => {
    if (!needs[i]) return;
    const gi = thunks[i]?.();
    if (gi === undefined) return;
    const summed = unbroadcast(b, gi, shapeOf(x));
    if (summed.type.dtype !== x.type.dtype) {
      throw new EngineError('graph-invalid', `The ${node.op} rule made a ${summed.type.dtype} gradient for ${x.type.dtype} input '${x.name}' of node '${node.name}'; this is an engine bug.`, { op: node.op, node: node.name });
    }
    pending.set(x.id, [...(pending.get(x.id) ?? []), summed]);
  });
}

function applyRule<O extends OpType>(op: O, node: NodeOf<O>, b: GraphBuilder, needs: boolean[], total: (v: Value) => Value | undefined, options: Required<GradOptions>) {
  const entry: RuleEntry<O> = RULES[op];
  if (typeof entry !== 'function') {
    const what = entry.kind === 'noGrad' ? 'has no gradient' : 'must never be differentiated';
    return refuse(node, `${op} ${what} (${entry.why}), yet the loss depends on it through an input you asked a gradient for`);
  }
  const ctx: GradCtx<O> = {
    node,
    attrs: node.attrs,
    options,
    x: (i) => node.inputs[i] ?? refuse(node, `input ${i} is missing`),
    y: (j = 0) => node.outputs[j] ?? refuse(node, `output ${j} is missing`),
    g: (j = 0) => {
      const out = node.outputs[j] ?? refuse(node, `output ${j} is missing`);
      return total(out) ?? zerosLike(b, out);
    },
    needs: (i) => needs[i] === true,
    refuse: (reason) => refuse(node, reason),
  };
  return entry(ctx, b);
}

/** Float values on some path from a `wrt` value to the loss that crosses no stopped value: the only ones that need gradients. */
function activeValues(nodes: readonly Node[], loss: Value, wrt: readonly Value[], stopped: ReadonlySet<number>): Set<number> {
  const forward = new Map(wrt.map((v) => [v.id, v]));
  for (const node of nodes) {
    if (node.inputs.some((v) => forward.has(v.id))) node.outputs.forEach((v) => { if (!stopped.has(v.id)) forward.set(v.id, v); });
  }
  const backward = new Set([loss.id]);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    if (node?.outputs.some((v) => backward.has(v.id))) node.inputs.forEach((v) => backward.add(v.id));
  }
  return new Set([...forward.values()].filter((v) => backward.has(v.id) && isFloat(v.type.dtype)).map((v) => v.id));
}

function seedOf(b: GraphBuilder, loss: Value, seed: Value | undefined): Value {
  if (seed === undefined) {
    const one = b.scalar(1, loss.type.dtype);
    return shapeOf(loss).length === 0 ? one : b.expand(one, shapeOf(loss));
  }
  if (seed.type.dtype !== loss.type.dtype || shapeOf(seed).join() !== shapeOf(loss).join()) {
    throw new EngineError('shape-mismatch', `The seed '${seed.name}' must have the loss's type ${loss.type.dtype}[${shapeOf(loss).join(',')}].`, { seed: seed.name, loss: loss.name });
  }
  return seed;
}

function resolve(graph: Graph, ref: Value | string, role: string): Value {
  const values = allValues(graph);
  if (typeof ref !== 'string') {
    if (values.get(ref.id) === ref) return ref;
    throw new EngineError('invalid-argument', `The ${role} value '${ref.name}' does not belong to graph '${graph.name}'.`, { role, value: ref.name });
  }
  const found = graph.outputs.find((out) => out.name === ref)?.value ?? [...values.values()].find((v) => v.name === ref);
  if (found) return found;
  throw new EngineError('invalid-argument', `No output or value named '${ref}' in graph '${graph.name}' to use as the ${role}; pass one of its output, input or initializer names.`, { role, name: ref, outputs: graph.outputs.map((out) => out.name) });
}
