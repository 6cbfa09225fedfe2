// Replays one graph inside another builder: its nodes are re-created with `b.op` under a scope,
// its inputs are bound to values of the builder, and its initializers are shared by name with the
// builder's own (so a second copy of the UNet, the all-gates-on teacher, adds no weight bytes).
import { EngineError } from '../../core/errors';
import type { Graph, GraphBuilder, Value } from '../../ir';

export interface InlineOptions {
  /** The builder value each input of `graph` reads, by input name. */
  readonly inputs: Readonly<Record<string, Value>>;
  /** Node-name scope of the replayed nodes (e.g. 'teacher'). */
  readonly scope: string;
}

/** Replays `graph` in `b` and returns its outputs by name. */
export function inlineGraph(b: GraphBuilder, graph: Graph, options: InlineOptions): Record<string, Value> {
  const map = new Map<number, Value>();
  for (const input of graph.inputs) {
    const bound = options.inputs[input.name];
    if (!bound) throw new EngineError('graph-invalid', `Inlining '${graph.name}': its input '${input.name}' is not bound to a value.`, { graph: graph.name, input: input.name });
    if (bound.type.dtype !== input.type.dtype || bound.type.shape.join() !== input.type.shape.join()) {
      throw new EngineError('shape-mismatch', `Inlining '${graph.name}': input '${input.name}' is ${input.type.dtype}[${input.type.shape.join(', ')}] but the bound value '${bound.name}' is ${bound.type.dtype}[${bound.type.shape.join(', ')}].`, { graph: graph.name, input: input.name });
    }
    map.set(input.id, bound);
  }
  for (const init of graph.initializers) {
    const shared = b.valueByName(init.value.name);
    const same = shared && shared.type.dtype === init.value.type.dtype && shared.type.shape.join() === init.value.type.shape.join();
    map.set(init.value.id, same ? shared : b.initializer(init.value.name, init.data, init.value.type.shape, init.value.type.dtype));
  }
  b.scope(options.scope, () => {
    for (const node of graph.nodes) {
      const inputs = node.inputs.map((v) => map.get(v.id) ?? missing(graph, v));
      const outputs = b.op(node.op, inputs, node.attrs as never);
      node.outputs.forEach((v, i) => map.set(v.id, outputs[i] ?? missing(graph, v)));
    }
  });
  return Object.fromEntries(graph.outputs.map((o) => [o.name, map.get(o.value.id) ?? missing(graph, o.value)]));
}

function missing(graph: Graph, v: Value): never {
  throw new EngineError('graph-invalid', `Inlining '${graph.name}': value '${v.name}' is used before it is defined; the graph is not in topological order.`, { graph: graph.name, value: v.name });
}
