// Graph passes: dead-code elimination (nodes and initializers no output needs) and
// common-subexpression elimination (same op, same inputs, same attributes -> one node).
// Both return new graphs; inputs are the graph's interface and are kept.
import { tensorDataToNumbers } from '../core/dtype';
import type { Graph, GraphOutput, Node, Value } from './graph';
import { producers } from './graph';

/** Drops every node and initializer that no graph output depends on. */
export function eliminateDeadCode(graph: Graph): Graph {
  const producer = producers(graph);
  const live = new Set<number>();
  const stack: Value[] = graph.outputs.map((o) => o.value);
  while (stack.length) {
    const v = stack.pop();
    if (!v || live.has(v.id)) continue;
    live.add(v.id);
    const node = producer.get(v.id);
    if (node) stack.push(...node.inputs);
  }
  return {
    ...graph,
    nodes: graph.nodes.filter((n) => n.outputs.some((v) => live.has(v.id))),
    initializers: graph.initializers.filter((i) => live.has(i.value.id)),
  };
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (ArrayBuffer.isView(v)) return `${v.constructor.name}:${tensorDataToNumbers('float64', v as Float64Array).map((n) => (Object.is(n, -0) ? '-0' : String(n))).join(',')}`;
    if (typeof v === 'bigint') return v.toString();
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

/** Merges nodes that compute the same thing; later duplicates are replaced by the first. */
export function eliminateCommonSubexpressions(graph: Graph): Graph {
  const replaced = new Map<number, Value>();
  const seen = new Map<string, Node>();
  const nodes: Node[] = [];
  const remap = (v: Value): Value => replaced.get(v.id) ?? v;
  for (const node of graph.nodes) {
    const inputs = node.inputs.map(remap);
    const key = `${node.op}|${inputs.map((v) => v.id).join(',')}|${canonical(node.attrs)}`;
    const first = seen.get(key);
    if (first) {
      node.outputs.forEach((v, i) => {
        const same = first.outputs[i];
        if (same) replaced.set(v.id, same);
      });
      continue;
    }
    const rewritten = inputs.every((v, i) => v === node.inputs[i]) ? node : ({ ...node, inputs } as Node);
    seen.set(key, rewritten);
    nodes.push(rewritten);
  }
  const outputs: GraphOutput[] = graph.outputs.map((o) => ({ name: o.name, value: remap(o.value) }));
  return { ...graph, nodes, outputs };
}
