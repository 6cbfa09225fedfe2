// UNet-side losses of a pruning step as graph functions, per sample ([N], so micro-batches
// concatenate into the global batch): min-SNR-weighted DDPM MSE, distillation MSE to the all-on
// teacher, and the block loss (mean over block outputs of the MSE to the teacher's; the teacher is
// the same UNet with every gate on, so it never depends on the gates and needs no detaching).
// The min-SNR weights that scale the DDPM term are host numbers with one implementation,
// DdpmTraining.minSnrWeights (models/sd/schedulers/ddpm.ts: the authors' and diffusers' formulas);
// they come into these graphs as an input.
import { EngineError } from '../../core/errors';
import type { GraphBuilder, Value } from '../../ir';

/** Mean over every axis but the first of (a - b)^2: [N]. */
export function perSampleMse(b: GraphBuilder, a: Value, target: Value): Value {
  const d = b.sub(a, target);
  const axes = a.type.shape.slice(1).map((_, i) => i + 1);
  const sq = b.mul(d, d);
  return axes.length ? b.reduceMean(sq, axes, false) : sq;
}

/** weight[N] * MSE(pred, target) per sample. */
export function ddpmLoss(b: GraphBuilder, pred: Value, target: Value, weight: Value): Value {
  return b.mul(perSampleMse(b, pred, target), weight);
}

/** MSE(student, teacher) per sample. */
export function distillationLoss(b: GraphBuilder, student: Value, teacher: Value): Value {
  return perSampleMse(b, student, teacher);
}

/** Mean over the block outputs (APTP: 4 down, mid, 4 up) of MSE(student block, teacher block), per sample. */
export function blockLoss(b: GraphBuilder, student: readonly Value[], teacher: readonly Value[]): Value {
  if (student.length === 0 || student.length !== teacher.length) {
    throw new EngineError('invalid-argument', `The block loss needs one teacher output per student block output (got ${student.length} and ${teacher.length}).`, { student: student.length, teacher: teacher.length });
  }
  const terms = student.map((s, i) => perSampleMse(b, s, teacher[i] as Value));
  return b.div(terms.reduce((acc, t) => b.add(acc, t)), terms.length);
}
