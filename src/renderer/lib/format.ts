// Number formatting for people: byte sizes and provider names as the UI shows them.
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
