// Number formatting for people: byte sizes, large counts (parameters, MACs) and provider names.
import type { ExecutionProviderInfo } from '../../shared/machine-info';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${UNITS[unit]}`;
}

const PROVIDER_LABELS: Readonly<Record<ExecutionProviderInfo['name'], string>> = {
  cuda: 'CUDA',
  dml: 'DirectML',
  coreml: 'CoreML',
  cpu: 'CPU',
};

export function providerLabel(name: ExecutionProviderInfo['name']): string {
  return PROVIDER_LABELS[name];
}

const SCALES = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'K'],
] as const;

/** 865910724 -> "865.9 M"; 94.0e9 -> "94.0 G"; small numbers as they are. */
export function formatCount(n: number): string {
  for (const [scale, suffix] of SCALES) if (Math.abs(n) >= scale) return `${(n / scale).toFixed(1)} ${suffix}`;
  return String(n);
}
