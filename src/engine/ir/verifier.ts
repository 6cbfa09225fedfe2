// The graph verifier: unique names and ids, known ops, every input produced before use, no cycles,
// outputs produced, and recorded types equal to re-inferred ones. Every builder.build() runs it,
// and so does the ONNX emitter, so a bad graph never reaches onnxruntime.
import { DTYPE_INFO } from '../core/dtype';
import { EngineError } from '../core/errors';
import { numel, shapesEqual } from '../core/shape';
import type { Graph, Node, Value } from './graph';
import { initializerByteLength } from './graph';
import { formatType, inferTypes } from './infer/index';
import { isOpType } from './ops';

function invalid(message: string, details: Record<string, unknown>): never {
  throw new EngineError('graph-invalid', message, details);
}

function checkDefinitions(graph: Graph): Map<number, Value> {
  const byId = new Map<number, Value>();
  const names = new Set<string>();
  const define = (v: Value, where: string): void => {
    if (byId.has(v.id) || names.has(v.name)) invalid(`Graph '${graph.name}': value '${v.name}' (id ${v.id}, ${where}) is defined twice.`, { graph: graph.name, value: v.name, id: v.id });
    byId.set(v.id, v);
    names.add(v.name);
  };
  graph.inputs.forEach((v) => define(v, 'input'));
  for (const init of graph.initializers) {
    define(init.value, 'initializer');
    const want = numel(init.value.type.shape) * DTYPE_INFO[init.value.type.dtype].bytes;
    if (initializerByteLength(init) !== want) invalid(`Initializer '${init.value.name}' holds ${initializerByteLength(init)} bytes but ${formatType(init.value.type)} needs ${want}.`, { initializer: init.value.name });
  }
  const nodeNames = new Set<string>();
  for (const node of graph.nodes) {
    if (nodeNames.has(node.name)) invalid(`Graph '${graph.name}': node name '${node.name}' is used twice.`, { node: node.name });
    nodeNames.add(node.name);
    node.outputs.forEach((v) => define(v, `output of ${node.name}`));
  }
  return byId;
}

function producerMap(nodes: readonly Node[]): Map<number, Node> {
  const producer = new Map<number, Node>();
  for (const n of nodes) for (const v of n.outputs) producer.set(v.id, n);
  return producer;
}

/**
 * Depth-first walk over producers (iterative, so deep graphs cannot overflow the stack). Calls
 * `done` for each node after all its producers (a topological order); returns the first cycle found
 * as node names, or undefined.
 */
function walkProducers(nodes: readonly Node[], done: (n: Node) => void): string[] | undefined {
  const producer = producerMap(nodes);
  const state = new Map<Node, 'open' | 'done'>();
  for (const root of nodes) {
    if (state.has(root)) continue;
    const stack: { node: Node; next: number }[] = [{ node: root, next: 0 }];
    state.set(root, 'open');
    while (stack.length) {
      const top = stack[stack.length - 1] as { node: Node; next: number };
      const input = top.node.inputs[top.next++];
      if (!input) {
        stack.pop();
        state.set(top.node, 'done');
        done(top.node);
        continue;
      }
      const p = producer.get(input.id);
      if (!p || state.get(p) === 'done') continue;
      if (state.get(p) === 'open') {
        const from = stack.findIndex((f) => f.node === p);
        return [...stack.slice(from).map((f) => f.node.name), p.name];
      }
      state.set(p, 'open');
      stack.push({ node: p, next: 0 });
    }
  }
  return undefined;
}

function findCycle(nodes: readonly Node[]): string[] | undefined {
  return walkProducers(nodes, () => undefined);
}

function checkNode(node: Node, defined: Set<number>, byId: Map<number, Value>, graph: Graph): void {
  if (!isOpType(node.op)) throw new EngineError('unknown-op', `Node '${node.name}' uses op '${String(node.op)}', which the IR does not know; use an op from src/engine/ir/ops.ts.`, { op: node.op, node: node.name });
  for (const v of node.inputs) {
    if (defined.has(v.id)) continue;
    if (!byId.has(v.id)) invalid(`Node '${node.name}' (${node.op}) reads '${v.name}', which no input, initializer or node of graph '${graph.name}' produces.`, { node: node.name, op: node.op, value: v.name });
    const cycle = findCycle(graph.nodes);
    if (cycle) invalid(`Graph '${graph.name}' has a cycle: ${cycle.join(' -> ')}.`, { node: node.name, cycle });
    invalid(`Node '${node.name}' reads '${v.name}' before the node producing it; nodes must be in topological order (use topologicalSort).`, { node: node.name, value: v.name });
  }
  const types = inferTypes(node.op, node.inputs.map((v) => v.type), node.attrs as never, node.name);
  if (types.length !== node.outputs.length) invalid(`Node '${node.name}' (${node.op}) has ${node.outputs.length} outputs; it should have ${types.length}.`, { node: node.name, op: node.op });
  types.forEach((t, i) => {
    const out = node.outputs[i];
    if (!out) return;
    const code = out.type.dtype !== t.dtype ? 'dtype-mismatch' : 'shape-mismatch';
    if (out.type.dtype !== t.dtype || !shapesEqual(out.type.shape, t.shape)) {
      throw new EngineError(code, `Node '${node.name}' (${node.op}) records output '${out.name}' as ${formatType(out.type)} but its inputs give ${formatType(t)}.`, { node: node.name, op: node.op, recorded: formatType(out.type), inferred: formatType(t) });
    }
  });
  node.outputs.forEach((v) => defined.add(v.id));
}

function checkOutputs(graph: Graph, byId: Map<number, Value>): void {
  if (graph.outputs.length === 0) invalid(`Graph '${graph.name}' has no outputs; mark at least one value with output().`, { graph: graph.name });
  const names = new Set<string>();
  const valueNames = new Set([...byId.values()].map((v) => v.name));
  for (const out of graph.outputs) {
    const produced = byId.get(out.value.id);
    if (!produced || produced.name !== out.value.name) {
      invalid(`Output '${out.name}' is disconnected: value '${out.value.name}' is not produced by graph '${graph.name}'.`, { output: out.name, value: out.value.name });
    }
    if (names.has(out.name) || (out.name !== out.value.name && valueNames.has(out.name))) invalid(`Output name '${out.name}' is used twice in graph '${graph.name}'.`, { output: out.name });
    names.add(out.name);
  }
}

/** Throws EngineError (graph-invalid, unknown-op, shape-mismatch, dtype-mismatch) naming the node at fault. */
export function verifyGraph(graph: Graph): void {
  const byId = checkDefinitions(graph);
  const defined = new Set<number>([...graph.inputs.map((v) => v.id), ...graph.initializers.map((i) => i.value.id)]);
  for (const node of graph.nodes) checkNode(node, defined, byId, graph);
  checkOutputs(graph, byId);
}

/** The same graph with nodes in a topological order (stable); throws graph-invalid on a cycle. */
export function topologicalSort(graph: Graph): Graph {
  const order: Node[] = [];
  const cycle = walkProducers(graph.nodes, (n) => order.push(n));
  if (cycle) invalid(`Graph '${graph.name}' has a cycle: ${cycle.join(' -> ')}.`, { cycle });
  return { ...graph, nodes: order };
}
