// Turns onnxruntime's thrown errors into EngineError('runtime-failure') that name the model and,
// when onnxruntime says which, the node and op type that failed.
import { EngineError } from '../core/errors';

export interface OrtFailureContext {
  readonly model: string;
  readonly stage: 'load' | 'run';
  readonly provider?: string;
}

/** Parses "...running Conv node. Name:'conv_1' ..." into {op, node}. */
export function parseOrtNode(message: string): { op?: string; node?: string } {
  const running = /running (\w+) node\.\s*Name:\s*'([^']*)'/.exec(message);
  if (running) return { op: running[1], node: running[2] };
  const named = /[Nn]ode(?: name)?[:=]?\s*'?\(?([A-Za-z0-9_/.:-]+)\)?'?\s*(?:op_type|Op type)[:=]\s*'?(\w+)/.exec(message);
  if (named) return { node: named[1], op: named[2] };
  const opOnly = /Op type:?\s*'?\(?(\w+)/.exec(message) ?? /\[ShapeInferenceError\][^\n]*?\(op_type:(\w+)/.exec(message);
  return opOnly ? { op: opOnly[1] } : {};
}

export function wrapOrtError(cause: unknown, ctx: OrtFailureContext): EngineError {
  if (cause instanceof EngineError) return cause;
  const raw = cause instanceof Error ? cause.message : String(cause);
  const where = parseOrtNode(raw);
  const nodePart = where.node !== undefined ? ` at node '${where.node}'${where.op ? ` (${where.op})` : ''}` : where.op ? ` in a ${where.op} node` : '';
  const action = ctx.stage === 'run'
    ? 'Check the input shapes and dtypes against the model, or run on the CPU provider to rule out a provider bug.'
    : ctx.provider !== undefined && ctx.provider !== 'cpu'
      ? `Check the ${ctx.provider} driver and runtime libraries, or run on the CPU provider.`
      : 'Check that the model was emitted by this engine version and that its external data files sit next to it.';
  return new EngineError(
    'runtime-failure',
    `onnxruntime failed to ${ctx.stage} model '${ctx.model}'${nodePart}: ${raw.trim()} ${action}`,
    { model: ctx.model, stage: ctx.stage, ...(ctx.provider ? { provider: ctx.provider } : {}), ...where, ortMessage: raw },
    { cause },
  );
}
