// Turns onnxruntime's thrown errors into EngineError('runtime-failure') that name the model and,
// when onnxruntime says which, the node and op type that failed. Our own sentence (what failed and
// what to do) always comes first; onnxruntime's raw text follows, marked as its words. An
// allocation failure says plainly that memory ran out and what to make smaller.
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
  const outOfMemory = /fail(ed)? to allocate|bad_alloc|out of memory/i.test(raw);
  const action = outOfMemory
    ? 'The machine ran out of memory: choose a smaller image size or fewer images at a time, or close other programs.'
    : ctx.stage === 'run'
    ? 'Check the input shapes and dtypes against the model, or run on the CPU provider to rule out a provider bug.'
    : ctx.provider !== undefined && ctx.provider !== 'cpu'
      ? `Check the ${ctx.provider} driver and runtime libraries, or run on the CPU provider.`
      : 'Check that the model was emitted by this engine version and that its external data files sit next to it.';
  return new EngineError(
    'runtime-failure',
    `Could not ${ctx.stage} model '${ctx.model}'${nodePart}. ${action} (onnxruntime said: ${raw.trim()})`,
    { model: ctx.model, stage: ctx.stage, ...(ctx.provider ? { provider: ctx.provider } : {}), ...where, ortMessage: raw },
    { cause },
  );
}
