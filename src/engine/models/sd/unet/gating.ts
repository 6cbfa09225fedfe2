// Graph-side gate sites of the UNet: with mode 'none' nothing is added (the plain model); with
// 'groups' every gate group is its own graph input `gate:<id>` [batch, width]; with 'vector' one
// input `arch_vector` [batch, L] is sliced into the groups. Width gates multiply channel groups,
// heads or FF groups; a depth gate m mixes a unit as (1-m)*x_in + m*unit(x_in). Gate ids come from
// the architecture description (arch.ts); `checkAllWired()` fails the build when a group of the
// layout was never asked for, so a gate the router trains can never be silently disconnected.
import { EngineError } from '../../../core/errors';
import type { GraphBuilder, Value } from '../../../ir';
import type { GateLayout } from '../structure/gates';
import { ARCH_VECTOR_INPUT, gateInputName } from '../structure/gates';
import type { ComputeDType } from './layers';

export type GateMode = 'none' | 'groups' | 'vector';

export class UNetGates {
  private readonly values = new Map<string, Value>();
  private readonly wired = new Set<string>();
  private vector: Value | undefined;

  constructor(
    private readonly b: GraphBuilder,
    private readonly layout: GateLayout,
    readonly mode: GateMode,
    batch: number,
    dtype: ComputeDType,
  ) {
    if (mode === 'groups') for (const g of layout.groups) this.values.set(g.id, b.input(gateInputName(g.id), dtype, [batch, g.width]));
    if (mode === 'vector') this.vector = b.input(ARCH_VECTOR_INPUT, dtype, [batch, layout.vectorLength]);
  }

  /** The gate of group `id` as [batch, width], or undefined when the model is ungated. */
  gate(id: string): Value | undefined {
    if (this.mode === 'none') return undefined;
    this.wired.add(id);
    const known = this.values.get(id);
    if (known) return known;
    const group = this.layout.groups.find((g) => g.id === id);
    if (!group || !this.vector) throw new EngineError('graph-invalid', `UNet gate '${id}' is not in the gate layout; the UNet structure and its graph disagree.`, { gate: id });
    const slice = this.b.slice(this.vector, [group.offset], [group.offset + group.width], [1]);
    this.values.set(id, slice);
    return slice;
  }

  /** x [N, C, ...] with its C channels split into `width` equal groups, each scaled by its gate. */
  channels(x: Value, id: string): Value {
    const gate = this.gate(id);
    if (!gate) return x;
    const shape = x.type.shape;
    const [n = 0, c = 0] = shape;
    const width = gate.type.shape[1] ?? 1;
    const grouped = this.b.reshape(x, [n, width, c / width, ...shape.slice(2)]);
    const g = this.b.reshape(gate, [n, width, 1, ...shape.slice(2).map(() => 1)]);
    return this.b.reshape(this.b.mul(grouped, g), shape);
  }

  /** x [N, S, C] with its last axis split into `width` groups, each scaled by its gate. */
  lastAxis(x: Value, id: string): Value {
    const gate = this.gate(id);
    if (!gate) return x;
    const shape = x.type.shape;
    const [n = 0, s = 0, c = 0] = shape;
    const width = gate.type.shape[1] ?? 1;
    const grouped = this.b.reshape(x, [n, s, width, c / width]);
    return this.b.reshape(this.b.mul(grouped, this.b.reshape(gate, [n, 1, width, 1])), shape);
  }

  /** (1-m)*input + m*output for a depth-gated unit (`id` its depth gate); output unchanged when ungated. */
  depth(id: string | undefined, input: Value, output: Value): Value {
    const gate = id === undefined ? undefined : this.gate(id);
    if (!gate) return output;
    const n = input.type.shape[0] ?? 0;
    const m = this.b.reshape(gate, [n, ...input.type.shape.slice(1).map(() => 1)]);
    return this.b.add(input, this.b.mul(m, this.b.sub(output, input)));
  }

  /** Throws naming every gate group of the layout no gate site asked for (a gated graph only). */
  checkAllWired(): void {
    if (this.mode === 'none') return;
    const missing = this.layout.groups.filter((g) => !this.wired.has(g.id)).map((g) => g.id);
    if (missing.length > 0) {
      throw new EngineError('graph-invalid', `UNet gate group${missing.length > 1 ? 's' : ''} ${missing.slice(0, 5).map((m) => `'${m}'`).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''} of the gate layout ${missing.length > 1 ? 'are' : 'is'} wired to no gate site; the UNet structure and its graph disagree (an engine bug).`, { missing });
    }
  }
}
