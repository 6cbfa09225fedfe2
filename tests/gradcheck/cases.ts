// Every gradcheck case, drawn for one seed (shapes and attributes vary with the seed).
import { compositeCases } from './cases-composite';
import { elementwiseCases } from './cases-elementwise';
import { linalgCases } from './cases-linalg';
import { movementCases } from './cases-movement';
import { reductionCases } from './cases-reduce';
import type { GradCase } from './harness';

export function allCases(seed: number): GradCase[] {
  return [...elementwiseCases(seed), ...linalgCases(seed), ...reductionCases(seed), ...movementCases(seed), ...compositeCases(seed)];
}
