// Gradient rules for elementwise ops. Results may carry the broadcast output shape; the walker
// un-broadcasts. Each rule states its math in one comment line.
import { isFloat } from '../core/dtype';
import { noGrad, shared, type RuleTable } from './types';

const comparison = noGrad('comparisons and logic return bool');
const piecewiseConstant = noGrad('the derivative is zero almost everywhere and undefined at the steps');

export const elementwiseRules = {
  // d(a+b) = g, g
  Add: (c) => [() => c.g(), () => c.g()],
  // d(a-b) = g, -g
  Sub: (c, o) => [() => c.g(), () => o.neg(c.g())],
  // d(a*b) = g*b, g*a
  Mul: (c, o) => [() => o.mul(c.g(), c.x(1)), () => o.mul(c.g(), c.x(0))],
  // d(a/b) = g/b, -g*y/b
  Div: (c, o) => [() => o.div(c.g(), c.x(1)), () => o.neg(o.div(o.mul(c.g(), c.y()), c.x(1)))],
  // d(a^b) = g*b*a^(b-1), g*y*ln(a) (0 where a = 0, as PyTorch)
  Pow: (c, o) => [
    () => o.mul(c.g(), o.mul(c.x(1), o.pow(c.x(0), o.sub(c.x(1), o.scalar(1, c.x(1)))))),
    () => o.where(o.equal(c.x(0), o.scalar(0, c.x(0))), o.scalar(0, c.g()), o.mul(c.g(), o.mul(c.y(), o.log(c.x(0))))),
  ],
  // d max(a,b) = g where a>b, g/2 on ties (as PyTorch), else 0; min mirrors it
  Max: (c, o) => {
    const wa = shared(() => o.add(o.mask(o.greater(c.x(0), c.x(1)), c.g()), o.scale(o.mask(o.equal(c.x(0), c.x(1)), c.g()), 0.5)));
    return [() => o.mul(c.g(), wa()), () => o.mul(c.g(), o.oneMinus(wa()))];
  },
  Min: (c, o) => {
    const wa = shared(() => o.add(o.mask(o.less(c.x(0), c.x(1)), c.g()), o.scale(o.mask(o.equal(c.x(0), c.x(1)), c.g()), 0.5)));
    return [() => o.mul(c.g(), wa()), () => o.mul(c.g(), o.oneMinus(wa()))];
  },
  Equal: comparison, Less: comparison, Greater: comparison, LessOrEqual: comparison, GreaterOrEqual: comparison,
  And: comparison, Or: comparison, Not: comparison,
  // d where(c,a,b) = -, g where c, g where !c
  Where: (c, o) => [undefined, () => o.keep(c.x(0), c.g()), () => o.where(c.x(0), o.scalar(0, c.g()), c.g())],
  // d(-x) = -g
  Neg: (c, o) => [() => o.neg(c.g())],
  // d sqrt(x) = g / (2y)
  Sqrt: (c, o) => [() => o.div(o.scale(c.g(), 0.5), c.y())],
  // d(1/x) = -g*y^2
  Reciprocal: (c, o) => [() => o.neg(o.mul(c.g(), o.square(c.y())))],
  // d exp(x) = g*y
  Exp: (c, o) => [() => o.mul(c.g(), c.y())],
  // d ln(x) = g/x
  Log: (c, o) => [() => o.div(c.g(), c.x(0))],
  // d|x| = g*sign(x)
  Abs: (c, o) => [() => o.mul(c.g(), o.sign(c.x(0)))],
  Sign: piecewiseConstant, Floor: piecewiseConstant, Ceil: piecewiseConstant,
  // d sigmoid(x) = g*y*(1-y)
  Sigmoid: (c, o) => [() => o.mul(c.g(), o.mul(c.y(), o.oneMinus(c.y())))],
  // d tanh(x) = g*(1-y^2)
  Tanh: (c, o) => [() => o.mul(c.g(), o.oneMinus(o.square(c.y())))],
  // d relu(x) = g where x>0
  Relu: (c, o) => [() => o.keep(o.greater(c.x(0), o.scalar(0, c.x(0))), c.g())],
  // d erf(x) = g*2/sqrt(pi)*exp(-x^2)
  Erf: (c, o) => [() => o.mul(c.g(), o.scale(o.exp(o.neg(o.square(c.x(0)))), 2 / Math.sqrt(Math.PI)))],
  // d sin(x) = g*cos(x)
  Sin: (c, o) => [() => o.mul(c.g(), o.cos(c.x(0)))],
  // d cos(x) = -g*sin(x)
  Cos: (c, o) => [() => o.neg(o.mul(c.g(), o.sin(c.x(0))))],
  // d x = g
  Identity: (c) => [() => c.g()],
  // d clip(x) = g where min <= x <= max (bounds inclusive, as PyTorch)
  Clip: (c, o) => [() => {
    const x = c.x(0);
    const lo = c.attrs.min === undefined ? undefined : o.op('GreaterOrEqual', [x, o.scalar(c.attrs.min, x)], {});
    const hi = c.attrs.max === undefined ? undefined : o.op('LessOrEqual', [x, o.scalar(c.attrs.max, x)], {});
    const inside = lo && hi ? o.and(lo, hi) : lo ?? hi;
    return inside ? o.keep(inside, c.g()) : c.g();
  }],
  // d cast(x) = cast(g) back to x's float type; integer inputs have none
  Cast: (c, o) => [isFloat(c.x(0).type.dtype) ? () => o.cast(c.g(), c.x(0).type.dtype) : undefined],
} satisfies Partial<RuleTable>;
