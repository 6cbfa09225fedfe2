// A deterministic text form of a graph, one line per node, for logs, debugging and inline snapshots:
//   graph mlp(%x: float32[2,3]) {
//     init %w: float32[3,4]
//     %MatMul_0: float32[2,4] = MatMul(%x, %w)
//     return y = %MatMul_0
//   }
import type { TensorData } from '../core/dtype';
import { tensorDataToNumbers } from '../core/dtype';
import type { Graph, Node, Value } from './graph';
import { isTensorSource } from './graph';
import { formatType } from './infer/index';
import type { ConstTensor } from './ops';

const MAX_SHOWN = 8;

function formatNumbers(dtype: ConstTensor['dtype'], data: TensorData): string {
  if (data.length > MAX_SHOWN) return `<${data.length} values>`;
  return `{${tensorDataToNumbers(dtype, data).map((n) => String(n)).join(', ')}}`;
}

function formatAttr(value: unknown): string {
  if (Array.isArray(value)) return `[${value.join(',')}]`;
  if (value && typeof value === 'object' && 'data' in value) {
    const t = value as ConstTensor;
    return `${formatType(t)} ${formatNumbers(t.dtype, t.data)}`;
  }
  return typeof value === 'string' ? `'${value}'` : String(value);
}

function formatAttrs(attrs: object): string {
  const entries = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${formatAttr(v)}`);
  return entries.length ? `[${entries.join(', ')}]` : '';
}

const ref = (v: Value): string => `%${v.name}`;
const decl = (v: Value): string => `${ref(v)}: ${formatType(v.type)}`;

export function formatNode(node: Node): string {
  const outs = node.outputs.map(decl).join(', ');
  return `${outs} = ${node.op}${formatAttrs(node.attrs)}(${node.inputs.map(ref).join(', ')})`;
}

export function printGraph(graph: Graph): string {
  const lines = [`graph ${graph.name}(${graph.inputs.map(decl).join(', ')}) {`];
  for (const init of graph.initializers) {
    const where = isTensorSource(init.data) ? ` <${init.data.kind}>` : '';
    lines.push(`  init ${decl(init.value)}${where}`);
  }
  for (const node of graph.nodes) lines.push(`  ${formatNode(node)}`);
  const outs = graph.outputs.map((o) => (o.name === o.value.name ? ref(o.value) : `${o.name} = ${ref(o.value)}`));
  lines.push(`  return ${outs.join(', ')}`, '}');
  return lines.join('\n');
}
