// Migration 8: each routed expert's code bias, the balancing term the inference routing adds to the
// prompt's score for that code (aptp/router/code-bias.ts). Runs recorded before it route by the
// plain argmax, which a bias of 0 states exactly.
import type { Migration } from './migration';

export const routingCodeBias: Migration = {
  version: 8,
  name: 'routing-code-bias',
  up(db) {
    db.exec('ALTER TABLE routing_experts ADD COLUMN bias REAL NOT NULL DEFAULT 0 CHECK (abs(bias) < 1e30)');
  },
};
