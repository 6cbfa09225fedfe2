// `aptp world judge IMAGES`: placeholder until the judge lands (filled in by the next commit).
import type { ParsedArgs } from '../command';
import { UsageError } from '../command';

export function runJudge(_args: ParsedArgs, _target: string): Promise<number> {
  return Promise.reject(new UsageError('world judge is not available yet'));
}
