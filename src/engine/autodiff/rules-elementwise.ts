// Gradient rules for elementwise ops. Results may carry the broadcast output shape; the walker
// un-broadcasts. Each rule states its math in one comment line.
import { isFloat } from '../core/dtype';
import type { GraphBuilder } from '../ir/builder';
import type { Value } from '../ir/graph';
import { noGrad, shared, type RuleTable } from './types';

const comparison = noGrad('comparisons and logic return bool');
const piecewiseConstant = noGrad('the derivative is zero almost everywhere and undefined at the steps');

/** A bool mask as 0/1 of `like`'s dtype. */
const mask = (b: GraphBuilder, cond: Value, like: Value): Value => b.cast(cond, like.type.dtype);
/** g where cond, else 0. */
const keep = (b: GraphBuilder, cond: Value, g: Value): Value => b.where(cond, g, 0);

/** The share of g that goes to a in max(a,b) (`pick` = Greater) or min(a,b) (`pick` = Less): 1, 1/2 on ties, else 0. */
function extremeShare(b: GraphBuilder, a: Value, c: Value, g: Value, pick: 'greater' | 'less'): Value {
  return b.add(mask(b, b[pick](a, c), g), b.mul(mask(b, b.equal(a, c), g), 0.5));
}

export const elementwiseRules = {
  // d(a+b) = g, g
  Add: (c) => [() => c.g(), () => c.g()],
  // d(a-b) = g, -g
  Sub: (c, b) => [() => c.g(), () => b.neg(c.g())],
  // d(a*b) = g*b, g*a
  Mul: (c, b) => [() => b.mul(c.g(), c.x(1)), () => b.mul(c.g(), c.x(0))],
  // d(a/b) = g/b, -g*y/b
  Div: (c, b) => [() => b.div(c.g(), c.x(1)), () => b.neg(b.div(b.mul(c.g(), c.y()), c.x(1)))],
  // d(a^b) = g*b*a^(b-1), g*y*ln(a) (0 where a = 0, as PyTorch)
  Pow: (c, b) => [
    () => b.mul(c.g(), b.mul(c.x(1), b.pow(c.x(0), b.sub(c.x(1), 1)))),
    () => b.where(b.equal(c.x(0), 0), b.scalar(0, c.g().type.dtype), b.mul(c.g(), b.mul(c.y(), b.log(c.x(0))))),
  ],
  // d max(a,b) = g where a>b, g/2 on ties (as PyTorch), else 0; min mirrors it
  Max: (c, b) => {
    const wa = shared(() => extremeShare(b, c.x(0), c.x(1), c.g(), 'greater'));
    return [() => b.mul(c.g(), wa()), () => b.mul(c.g(), b.sub(1, wa()))];
  },
  Min: (c, b) => {
    const wa = shared(() => extremeShare(b, c.x(0), c.x(1), c.g(), 'less'));
    return [() => b.mul(c.g(), wa()), () => b.mul(c.g(), b.sub(1, wa()))];
  },
  Equal: comparison, Less: comparison, Greater: comparison, LessOrEqual: comparison, GreaterOrEqual: comparison,
  And: comparison, Or: comparison, Not: comparison,
  // d where(c,a,b) = -, g where c, g where !c
  Where: (c, b) => [undefined, () => keep(b, c.x(0), c.g()), () => b.where(c.x(0), 0, c.g())],
  // d(-x) = -g
  Neg: (c, b) => [() => b.neg(c.g())],
  // d sqrt(x) = g / (2y)
  Sqrt: (c, b) => [() => b.div(b.mul(c.g(), 0.5), c.y())],
  // d(1/x) = -g*y^2
  Reciprocal: (c, b) => [() => b.neg(b.mul(c.g(), b.mul(c.y(), c.y())))],
  // d exp(x) = g*y
  Exp: (c, b) => [() => b.mul(c.g(), c.y())],
  // d ln(x) = g/x
  Log: (c, b) => [() => b.div(c.g(), c.x(0))],
  // d|x| = g*sign(x)
  Abs: (c, b) => [() => b.mul(c.g(), b.sign(c.x(0)))],
  Sign: piecewiseConstant, Floor: piecewiseConstant, Ceil: piecewiseConstant,
  // d sigmoid(x) = g*y*(1-y)
  Sigmoid: (c, b) => [() => b.mul(c.g(), b.mul(c.y(), b.sub(1, c.y())))],
  // d tanh(x) = g*(1-y^2)
  Tanh: (c, b) => [() => b.mul(c.g(), b.sub(1, b.mul(c.y(), c.y())))],
  // d relu(x) = g where x>0
  Relu: (c, b) => [() => keep(b, b.greater(c.x(0), 0), c.g())],
  // d erf(x) = g*2/sqrt(pi)*exp(-x^2)
  Erf: (c, b) => [() => b.mul(c.g(), b.mul(b.exp(b.neg(b.mul(c.x(0), c.x(0)))), 2 / Math.sqrt(Math.PI)))],
  // d sin(x) = g*cos(x)
  Sin: (c, b) => [() => b.mul(c.g(), b.cos(c.x(0)))],
  // d cos(x) = -g*sin(x)
  Cos: (c, b) => [() => b.neg(b.mul(c.g(), b.sin(c.x(0))))],
  // d x = g
  Identity: (c) => [() => c.g()],
  // d clip(x) = g where min <= x <= max (bounds inclusive, as PyTorch)
  Clip: (c, b) => [() => {
    const x = c.x(0);
    const lo = c.attrs.min === undefined ? undefined : b.greaterOrEqual(x, c.attrs.min);
    const hi = c.attrs.max === undefined ? undefined : b.lessOrEqual(x, c.attrs.max);
    const inside = lo && hi ? b.and(lo, hi) : lo ?? hi;
    return inside ? keep(b, inside, c.g()) : c.g();
  }],
  // d cast(x) = cast(g) back to x's float type; integer inputs have none
  Cast: (c, b) => {
    const from = c.x(0).type.dtype;
    if (!isFloat(from)) return [undefined];
    return [() => (c.g().type.dtype === from ? c.g() : b.cast(c.g(), from))];
  },
} satisfies Partial<RuleTable>;
