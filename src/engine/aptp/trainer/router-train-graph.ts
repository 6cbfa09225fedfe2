// The router's training graph: the router step (router/graphs.ts: the router-side losses and, by
// autodiff, d/d(parameters) of those losses plus <gates, seed>, the seed being d(UNet losses)/d(gates)
// from the UNet micro-batches) followed by the optimiser's update of every router parameter, so one
// onnxruntime run is one whole router update. Names follow train/training-graph.ts: optimiser state
// 'opt/<param>/<state>', hyperparameters 'opt/<name>', updated values 'new/<name>'.
import { EngineError } from '../../core/errors';
import { GraphBuilder, type Graph, type Value } from '../../ir';
import { hyperInputName, newName, stateInputName, type Optimizer } from '../../train';
import { buildRouterStep, routerParamShapes, type Gating, type RouterLossSpec, type RouterSpec } from '../router';

export function buildRouterTrainGraph(spec: RouterSpec, batch: number, gating: Gating, losses: RouterLossSpec, optimizer: Optimizer): Graph {
  const step = buildRouterStep(spec, batch, gating, losses);
  const b = GraphBuilder.from(step, `router_train_${gating}`);
  const hyper: Record<string, Value> = {};
  for (const h of optimizer.hyperNames) hyper[h] = b.input(hyperInputName(h), 'float32', []);
  for (const { name } of routerParamShapes(spec)) {
    const p = step.inputs.find((v) => v.name === name);
    const g = step.outputs.find((o) => o.name === `grad/${name}`)?.value;
    if (!p || !g) throw new EngineError('graph-invalid', `The router step has no input or gradient for '${name}' (engine bug).`, { param: name });
    const state = optimizer.stateNames.map((s) => b.input(stateInputName(name, s), 'float32', p.type.shape));
    const update = b.scope(`optimizer/${name}`, () => optimizer.update(b, p, g, state, hyper));
    b.output(update.param, newName(name));
    update.state.forEach((v, i) => b.output(v, newName(stateInputName(name, optimizer.stateNames[i] ?? ''))));
  }
  return b.build();
}
