// The Train form's problems in words, from the real schema's issues (not zod's messages, which the
// renderer's bundle leaves as 'Invalid input').
import { describe, expect, it } from 'vitest';
import { issueText } from '../../src/renderer/views/train/form-issues';
import { pruneConfigSchema } from '../../src/shared/prune-api';

const problem = (input: Record<string, unknown>): string[] => {
  const r = pruneConfigSchema.safeParse({ model: 'm', dataset: 'd', budget: 0.5, ...input });
  return r.success ? [] : r.error.issues.map(issueText);
};

describe('form issues', () => {
  it('says what each field needs', () => {
    expect(problem({ batch: 0 })).toEqual(['must be more than 0']);
    expect(problem({ steps: 2.5 })).toEqual(['must be a whole number']);
    expect(problem({ budget: 1.5 })).toEqual(['must be at most 1']);
    expect(problem({ model: '' })).toEqual(['is needed']);
    expect(problem({ lr: 'fast' })).toEqual(['must be a number']);
    expect(problem({ colour: 1 })).toEqual(['unknown setting colour']);
    expect(problem({})).toEqual([]);
  });
});
