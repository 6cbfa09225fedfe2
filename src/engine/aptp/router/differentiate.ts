// Gradients for the router graphs, with stop-gradient points. The IR has no StopGradient op and
// autodiff has no stop set yet, so `stopGradient` marks an Identity node and `differentiate` hides
// the marked values from autodiff: it turns each into a graph input, differentiates, then puts the
// Identity nodes back (values keep their ids, so the gradient nodes connect to them unchanged).
// This is the one place that calls autodiff for aptp/router and aptp/losses: when autodiff grows
// `gradients(b, loss, wrt, seed?)` with stop-gradients, only `differentiate` changes.
import { grad } from '../../autodiff';
import { EngineError } from '../../core/errors';
import { GraphBuilder, verifyGraph, type Graph, type Value } from '../../ir';

const stopped = new WeakMap<GraphBuilder, Set<number>>();

/** x with no gradient flowing back through it (PyTorch's x.detach()). */
export function stopGradient(b: GraphBuilder, x: Value): Value {
  const y = b.scope('stop_gradient', () => b.identity(x));
  const set = stopped.get(b) ?? new Set<number>();
  set.add(y.id);
  stopped.set(b, set);
  return y;
}

export interface Differentiated {
  /** A builder continuing the graph with gradients (outputs 'grad/<name>' added). */
  readonly b: GraphBuilder;
  /** d(sum of loss)/d(wrt[i]), in the order of `wrt`. */
  readonly grads: Value[];
}

/** Gradients of the scalar (or summed) `loss` with respect to `wrt`, honouring stopGradient marks of `b`. */
export function differentiate(b: GraphBuilder, loss: Value, wrt: readonly Value[]): Differentiated {
  const graph = b.build();
  const stops = stopped.get(b) ?? new Set<number>();
  const cut = cutStops(graph, stops);
  const withGrads = grad(cut, { loss, wrt });
  const joined: Graph = {
    ...withGrads,
    inputs: withGrads.inputs.filter((v) => !stops.has(v.id)),
    nodes: [...graph.nodes, ...withGrads.nodes.slice(cut.nodes.length)],
  };
  verifyGraph(joined);
  const next = GraphBuilder.from(joined);
  stopped.set(next, new Set(stops));
  const grads = wrt.map((w) => {
    const out = joined.outputs.find((o) => o.name === `grad/${w.name}`);
    if (!out) throw new EngineError('graph-invalid', `Autodiff produced no gradient output for '${w.name}'.`, { value: w.name });
    return out.value;
  });
  return { b: next, grads };
}

/** `graph` with every stop-gradient Identity node removed and its output made a graph input. */
function cutStops(graph: Graph, stops: ReadonlySet<number>): Graph {
  const cutNodes = graph.nodes.filter((n) => n.op === 'Identity' && n.outputs.some((v) => stops.has(v.id)));
  return {
    ...graph,
    inputs: [...graph.inputs, ...cutNodes.flatMap((n) => n.outputs)],
    nodes: graph.nodes.filter((n) => !cutNodes.includes(n)),
  };
}
