// The Train form's validation problems in words, from the contract schema's issues.
import type { z } from 'zod';

/**
 * A field's problem in words. Said here from the issue's code, not zod's message: the renderer's
 * bundle drops zod's English locale (a side-effect import), leaving every message 'Invalid input'.
 */
export function issueText(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string') return 'is needed';
      return `must be ${issue.inclusive ? 'at least' : 'more than'} ${String(issue.minimum)}`;
    case 'too_big':
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)}`;
    case 'invalid_type':
      return issue.expected === 'int' ? 'must be a whole number' : `must be a ${issue.expected}`;
    case 'unrecognized_keys':
      return `unknown setting ${issue.keys.join(', ')}`;
    default:
      return issue.message;
  }
}
