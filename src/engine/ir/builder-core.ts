// GraphCore: the node-making heart of GraphBuilder. It owns value ids, readable scoped names, graph
// inputs, initializers, constants and outputs, and creates any op through `op()`, inferring output
// types eagerly so a mismatch throws at the line that caused it. Autodiff uses `op()` directly on a
// builder continued from an existing graph (GraphBuilder.from).
import { DTYPE_INFO, arrayMatchesDType, dtypeOfArray, makeTensorData } from '../core/dtype';
import type { DType, TensorData } from '../core/dtype';
import { EngineError } from '../core/errors';
import { formatShape, numel } from '../core/shape';
import type { Graph, GraphOutput, Initializer, Node, TensorSource, TensorType, Value } from './graph';
import { isTensorSource } from './graph';
import { inferTypes } from './infer/index';
import type { AttrsOf, OpType } from './ops';
import { verifyGraph } from './verifier';

/** A tensor operand: a value of this graph, or a number made into a scalar of the other operand's dtype. */
export type Operand = Value | number;

export class GraphCore {
  readonly name: string;
  protected readonly graphInputs: Value[] = [];
  protected readonly inits: Initializer[] = [];
  protected readonly nodes: Node[] = [];
  protected readonly outs: GraphOutput[] = [];
  private readonly values = new Map<number, Value>();
  private readonly valueNames = new Set<string>();
  private readonly nodeNames = new Set<string>();
  private readonly scopes: string[] = [];
  private nextId = 0;
  private counter = 0;

  constructor(name: string) {
    this.name = name;
  }

  /** Continues on `graph`: its inputs, initializers, nodes and outputs become this builder's. */
  protected load(graph: Graph): void {
    for (const v of graph.inputs) this.graphInputs.push(this.register(v));
    for (const init of graph.initializers) this.inits.push({ value: this.register(init.value), data: init.data });
    for (const node of graph.nodes) {
      node.outputs.forEach((v) => this.register(v));
      this.nodeNames.add(node.name);
      this.nodes.push(node);
    }
    this.outs.push(...graph.outputs);
    this.counter = this.nodes.length;
  }

  private register(v: Value): Value {
    if (this.values.has(v.id) || this.valueNames.has(v.name)) {
      throw new EngineError('graph-invalid', `Value '${v.name}' (id ${v.id}) is defined twice; every value needs a unique id and name.`, { value: v.name, id: v.id });
    }
    this.values.set(v.id, v);
    this.valueNames.add(v.name);
    this.nextId = Math.max(this.nextId, v.id + 1);
    return v;
  }

  private newValue(name: string, type: TensorType): Value {
    return this.register({ id: this.nextId, name, type: { dtype: type.dtype, shape: [...type.shape] } });
  }

  /** Runs `fn` with node names prefixed by `name/` (nested scopes join with '/'). */
  scope<T>(name: string, fn: () => T): T {
    this.scopes.push(name);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  /** `scope/name` when a name is given, else `scope/Op_n`; suffixed until unique. */
  private uniqueNodeName(op: OpType, name: string | undefined): string {
    const prefix = this.scopes.length ? `${this.scopes.join('/')}/` : '';
    let full = name ? `${prefix}${name}` : `${prefix}${op}_${this.counter++}`;
    while (this.nodeNames.has(full) || this.valueNames.has(full)) full = `${prefix}${name ?? op}_${this.counter++}`;
    this.nodeNames.add(full);
    return full;
  }

  input(name: string, dtype: DType, shape: readonly number[]): Value {
    this.checkNewName(name, shape);
    const v = this.newValue(name, { dtype, shape });
    this.graphInputs.push(v);
    return v;
  }

  /** A weight. `dtype` is needed for Uint8Array (uint8 or bool) and for file/lazy sources. */
  initializer(name: string, data: TensorData | TensorSource, shape: readonly number[], dtype?: DType): Value {
    this.checkNewName(name, shape);
    const resolved = dtype ?? (isTensorSource(data) ? undefined : dtypeOfArray(data));
    if (!resolved) throw new EngineError('invalid-argument', `Initializer '${name}': pass its dtype (it cannot be told from the data).`, { initializer: name });
    const bytes = numel(shape) * DTYPE_INFO[resolved].bytes;
    const okData = isTensorSource(data) ? data.byteLength === bytes : arrayMatchesDType(data, resolved) && data.byteLength === bytes;
    if (!okData) {
      throw new EngineError('shape-mismatch', `Initializer '${name}': data (${data.byteLength} bytes) does not hold ${resolved}${formatShape(shape)} (${bytes} bytes).`, { initializer: name, shape: [...shape], dtype: resolved, byteLength: data.byteLength });
    }
    const v = this.newValue(name, { dtype: resolved, shape });
    this.inits.push({ value: v, data });
    return v;
  }

  private checkNewName(name: string, shape: readonly number[]): void {
    if (!name || this.valueNames.has(name)) throw new EngineError('invalid-argument', `The name '${name}' is empty or already used in graph '${this.name}'; pick a unique name.`, { name });
    if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new EngineError('invalid-argument', `'${name}': shape ${formatShape(shape)} must be non-negative integers (shapes are static).`, { name, shape: [...shape] });
  }

  /** A Constant node holding `values` (numbers, or a typed array matching `dtype`). */
  constant(dtype: DType, shape: readonly number[], values: ArrayLike<number> | TensorData, name?: string): Value {
    const data = ArrayBuffer.isView(values) && arrayMatchesDType(values, dtype) ? values : makeTensorData(dtype, values as ArrayLike<number>);
    return this.op1('Constant', [], { value: { dtype, shape: [...shape], data } }, name);
  }

  scalar(value: number, dtype: DType): Value {
    return this.constant(dtype, [], [value]);
  }

  /** Turns numbers into scalars of the dtype of the first Value operand. */
  protected operands(ops: readonly Operand[], op: string): Value[] {
    const like = ops.find((o): o is Value => typeof o !== 'number');
    if (!like) throw new EngineError('invalid-argument', `${op}: at least one operand must be a tensor, got only numbers.`, { op });
    return ops.map((o) => (typeof o === 'number' ? this.scalar(o, like.type.dtype) : o));
  }

  /** Creates a node of any op, inferring its output types; returns the outputs. */
  op<O extends OpType>(op: O, inputs: readonly Value[], attrs: AttrsOf<O>, name?: string): Value[] {
    for (const v of inputs) this.checkOwned(v, op);
    const nodeName = this.uniqueNodeName(op, name);
    const types = inferTypes(op, inputs.map((v) => v.type), attrs, nodeName);
    const outputs = types.map((t, i) => this.newValue(types.length === 1 ? nodeName : `${nodeName}:${i}`, t));
    this.nodes.push({ op, name: nodeName, inputs: [...inputs], outputs, attrs } as Node);
    return outputs;
  }

  /** `op` for single-output ops. */
  op1<O extends OpType>(op: O, inputs: readonly Value[], attrs: AttrsOf<O>, name?: string): Value {
    const [out] = this.op(op, inputs, attrs, name);
    if (!out) throw new EngineError('graph-invalid', `${op} produced no output.`, { op });
    return out;
  }

  /** True when `v` is a value of this builder (an input, initializer or node output). */
  owns(v: Value): boolean {
    return this.values.get(v.id) === v;
  }

  /** The nodes built so far, in topological order (autodiff walks them back from a loss). */
  nodesSoFar(): readonly Node[] {
    return this.nodes;
  }

  private checkOwned(v: Value, op: string): void {
    if (!this.owns(v)) {
      throw new EngineError('graph-invalid', `${op}: value '${v.name}' does not belong to graph '${this.name}'; values cannot be shared between builders.`, { op, value: v.name });
    }
  }

  /** Marks `value` as a graph output called `name` (default: the value's own name). */
  output(value: Value, name: string = value.name): void {
    this.checkOwned(value, 'output');
    if (this.outs.some((o) => o.name === name) || (name !== value.name && this.valueNames.has(name))) {
      throw new EngineError('invalid-argument', `Output name '${name}' is already used in graph '${this.name}'; pick a unique name.`, { output: name });
    }
    this.outs.push({ name, value });
  }

  /** Looks a value up by name (for builders continued from a graph). */
  valueByName(name: string): Value | undefined {
    for (const v of this.values.values()) if (v.name === name) return v;
    return undefined;
  }

  /** The graph so far, verified (unreachable nodes are kept; run eliminateDeadCode to drop them). */
  /** Nodes made so far (loaded ones included). */
  get nodeCount(): number {
    return this.nodes.length;
  }

  build(): Graph {
    const graph: Graph = {
      name: this.name,
      inputs: [...this.graphInputs],
      initializers: [...this.inits],
      nodes: [...this.nodes],
      outputs: [...this.outs],
    };
    verifyGraph(graph);
    return graph;
  }
}
