// Every oracle case, by name. Adding one here requires its PyTorch twin in tests/oracle/refs.py
// (test_composites.py fails on a case without one, and on a reference without a case).
import type { OracleCase } from '../case';
import { blockCases } from './blocks';
import { functionCases } from './functions';
import { layerCases } from './layers';

export const ORACLE_CASES: readonly OracleCase[] = [...blockCases, ...functionCases, ...layerCases];
