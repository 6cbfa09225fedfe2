// The registry of run kinds: every kind of long job a worker process can execute. Adding one (prune,
// world-model training, fine-tuning) is one `defineRunKind` and one entry here.
import { EngineError } from '../core/errors';
import { exportRunKind, importRunKind, prepareRunKind } from './data-kinds';
import { pruneRunKind } from './prune-kind';
import type { RunKind } from './run-kind';

const KINDS = [importRunKind, prepareRunKind, exportRunKind, pruneRunKind] as const;

export const runKinds: ReadonlyMap<string, RunKind> = new Map(KINDS.map((k) => [k.kind, k as unknown as RunKind]));

export function runKindOf(kind: string): RunKind {
  const found = runKinds.get(kind);
  if (!found) throw new EngineError('invalid-argument', `This version of APTP Studio cannot run '${kind}' runs (it knows ${[...runKinds.keys()].join(', ')}); update it.`, { kind });
  return found;
}
