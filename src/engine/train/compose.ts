// Composes model graphs for training: appends a whole graph to an open builder, binding its inputs
// to values already there (the text encoder's states into the UNet's encoder_hidden_states, the VAE
// encoder's latents into the decoder), so a loss over several components is one graph and one
// training step is one onnxruntime run. Nodes are re-created through the builder, so types are
// re-inferred and names stay unique.
import { EngineError } from '../core/errors';
import type { Graph, GraphBuilder, Value } from '../ir';

/**
 * Appends `graph` to `b`. `bind` maps some of its input names to values of `b`; its other inputs
 * become inputs of `b` (same names; a name `b` already has as an input is shared). Returns its outputs by name.
 */
export function appendGraph(b: GraphBuilder, graph: Graph, bind: Readonly<Record<string, Value>> = {}): Record<string, Value> {
  const map = new Map<number, Value>();
  for (const input of graph.inputs) {
    const bound = bind[input.name] ?? b.valueByName(input.name);
    if (bound && (bound.type.shape.join() !== input.type.shape.join() || bound.type.dtype !== input.type.dtype)) {
      throw new EngineError('shape-mismatch', `Input '${input.name}' of '${graph.name}' is ${input.type.dtype}[${input.type.shape.join(', ')}] but is bound to ${bound.type.dtype}[${bound.type.shape.join(', ')}].`, { input: input.name });
    }
    map.set(input.id, bound ?? b.input(input.name, input.type.dtype, input.type.shape));
  }
  for (const init of graph.initializers) map.set(init.value.id, b.valueByName(init.value.name) ?? b.initializer(init.value.name, init.data, init.value.type.shape, init.value.type.dtype));
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((v) => {
      const m = map.get(v.id);
      if (!m) throw new EngineError('graph-invalid', `${graph.name}: node '${node.name}' uses '${v.name}' before it is defined.`, { node: node.name });
      return m;
    });
    const outs = b.op(node.op, inputs, node.attrs as never, node.name);
    node.outputs.forEach((v, i) => map.set(v.id, outs[i] as Value));
  }
  const outputs: Record<string, Value> = {};
  for (const o of graph.outputs) outputs[o.name] = map.get(o.value.id) as Value;
  return outputs;
}
