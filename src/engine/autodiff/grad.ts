// Reverse-mode autodiff: the one walker. It continues the forward graph with a builder, visits
// nodes in reverse topological order, asks each op's rule only for the input gradients that lie
// on a path from a requested input to the loss, un-broadcasts each in one place, accumulates
// fan-out with Add, and adds outputs 'grad/<name>'. Gradients of gradients are not supported.
import { isFloat } from '../core/dtype';
import { EngineError } from '../core/errors';
import { GraphBuilder } from '../ir/builder';
import { allValues, type Graph, type Node, type NodeOf, type Value } from '../ir/graph';
import type { OpType } from '../ir/ops';
import { GradOps, shapeOf } from './grad-ops';
import { RULES } from './rules';
import { refuse, type GradCtx, type RuleEntry } from './types';

export interface GradRequest {
  /** The value to differentiate (a graph output name, a value name, or the value). */
  readonly loss: Value | string;
  /** The values to differentiate with respect to (inputs, initializers or intermediates). */
  readonly wrt: readonly (Value | string)[];
  /** d(final)/d(loss): 'ones' (default: gradients of sum(loss)), 'input' (a new graph input 'grad/seed'), or a value of the loss's shape. */
  readonly seed?: 'ones' | 'input' | Value;
}

/** Returns `graph` plus one output 'grad/<name>' per entry of `wrt`. */
export function grad(graph: Graph, request: GradRequest): Graph {
  const b = GraphBuilder.from(graph);
  const o = new GradOps(b);
  const loss = resolve(graph, request.loss, 'loss');
  const wrt = [...new Set(request.wrt.map((w) => resolve(graph, w, 'wrt')))];
  for (const v of [loss, ...wrt]) {
    if (!isFloat(v.type.dtype)) throw new EngineError('no-gradient', `'${v.name}' is ${v.type.dtype}; gradients exist only for float values.`, { value: v.name, dtype: v.type.dtype });
  }
  const active = activeValues(graph, loss, wrt);
  const pending = new Map<number, Value[]>([[loss.id, [b.scope('backward/seed', () => seedOf(b, o, loss, request.seed))]]]);
  const total = (v: Value): Value | undefined => {
    const parts = pending.get(v.id);
    if (parts === undefined) return undefined;
    const sum = parts.reduce((acc, p) => o.add(acc, p));
    pending.set(v.id, [sum]);
    return sum;
  };
  for (const node of [...graph.nodes].reverse()) {
    if (!node.outputs.some((v) => pending.has(v.id))) continue;
    const needs = node.inputs.map((v) => active.has(v.id));
    if (!needs.some(Boolean)) continue;
    b.scope(`backward/${node.name}`, () => visit(node, o, needs, total, pending));
  }
  for (const v of wrt) b.output(total(v) ?? o.zerosLike(v), `grad/${v.name}`);
  return b.build();
}

function visit(node: Node, o: GradOps, needs: boolean[], total: (v: Value) => Value | undefined, pending: Map<number, Value[]>): void {
  const thunks = applyRule(node.op, node as NodeOf<typeof node.op>, o, needs, total);
  node.inputs.forEach((x, i) => {
    if (!needs[i]) return;
    const gi = thunks[i]?.();
    if (gi === undefined) return;
    const summed = o.unbroadcast(gi, shapeOf(x));
    if (summed.type.dtype !== x.type.dtype) {
      throw new EngineError('graph-invalid', `The ${node.op} rule made a ${summed.type.dtype} gradient for ${x.type.dtype} input '${x.name}' of node '${node.name}'; this is an engine bug.`, { op: node.op, node: node.name });
    }
    pending.set(x.id, [...(pending.get(x.id) ?? []), summed]);
  });
}

function applyRule<O extends OpType>(op: O, node: NodeOf<O>, o: GradOps, needs: boolean[], total: (v: Value) => Value | undefined) {
  const entry: RuleEntry<O> = RULES[op];
  if (typeof entry !== 'function') {
    const what = entry.kind === 'noGrad' ? 'has no gradient' : 'must never be differentiated';
    return refuse(node, `${op} ${what} (${entry.why}), yet the loss depends on it through an input you asked a gradient for`);
  }
  const ctx: GradCtx<O> = {
    node,
    attrs: node.attrs,
    x: (i) => node.inputs[i] ?? refuse(node, `input ${i} is missing`),
    y: (j = 0) => node.outputs[j] ?? refuse(node, `output ${j} is missing`),
    g: (j = 0) => {
      const out = node.outputs[j] ?? refuse(node, `output ${j} is missing`);
      return total(out) ?? o.zerosLike(out);
    },
    needs: (i) => needs[i] === true,
    refuse: (reason) => refuse(node, reason),
  };
  return entry(ctx, o);
}

/** Float values on some path from a `wrt` value to the loss: the only ones that need gradients. */
function activeValues(graph: Graph, loss: Value, wrt: readonly Value[]): Set<number> {
  const forward = new Set(wrt.map((v) => v.id));
  for (const node of graph.nodes) {
    if (node.inputs.some((v) => forward.has(v.id))) node.outputs.forEach((v) => forward.add(v.id));
  }
  const backward = new Set([loss.id]);
  for (const node of [...graph.nodes].reverse()) {
    if (node.outputs.some((v) => backward.has(v.id))) node.inputs.forEach((v) => backward.add(v.id));
  }
  const values = allValues(graph);
  return new Set([...forward].filter((id) => backward.has(id) && isFloat(values.get(id)?.type.dtype ?? 'bool')));
}

function seedOf(b: GraphBuilder, o: GradOps, loss: Value, seed: GradRequest['seed']): Value {
  if (seed === undefined || seed === 'ones') {
    const one = b.scalar(1, loss.type.dtype);
    return shapeOf(loss).length === 0 ? one : o.expand(one, shapeOf(loss));
  }
  if (seed === 'input') return b.input('grad/seed', loss.type.dtype, shapeOf(loss));
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
