// Test helper: emits an IR graph and runs it once on onnxruntime's CPU provider.
import type { Graph } from '../../../src/engine/ir/graph';
import { emitModel } from '../../../src/engine/onnx/model';
import { loadSession, type Feeds, type Outputs } from '../../../src/engine/runtime/session';

export async function runGraph(graph: Graph, feeds: Feeds): Promise<Outputs> {
  const session = await loadSession({ bytes: emitModel(graph), name: graph.name }, 'cpu', { intraOpThreads: 1, optimization: 'basic' });
  try {
    return await session.run(feeds);
  } finally {
    await session.dispose();
  }
}
