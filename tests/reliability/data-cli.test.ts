// Issues 13.4 and 13.6 as a user meets them in a terminal: `aptp data import` refuses an arbitrary
// file, names with control characters are printed escaped (a file name cannot recolour or rewrite
// the terminal), and `--problem nosuch` is a usage error (exit 2). Real processes, real workspace.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { put, solidImage } from '../engine/data/fixtures';
import { tempDir } from '../engine/store/helpers';

const root = join(import.meta.dirname, '..', '..');
const temp = tempDir('aptp-reliability-cli-');
const data = join(temp.dir, 'data');
const EVIL = 'evil\u001b[2J\u001b]0;pwned\u0007\u202e.jpg';

function aptp(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/entry.ts'), 'data', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, APTP_WORKSPACE: join(temp.dir, 'workspace') },
  });
  return { code: r.status, out: r.stdout, err: r.stderr, all: `${r.stdout}${r.stderr}` };
}

beforeAll(async () => {
  put(data, 'fine.jpg', await solidImage('jpeg', 300, 300, 1));
  put(data, 'fine.txt', 'a fine caption');
  put(data, EVIL, await solidImage('jpeg', 300, 300, 2));
});
afterAll(() => temp.cleanup());

describe('aptp data, hardened (13.4, 13.6)', () => {
  it('refuses to import /etc/passwd as a prompts file, with what to pick instead', () => {
    const r = aptp('import', '/etc/passwd');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^aptp: \/etc\/passwd is not a dataset: .*Pick a dataset folder or a prompts file\.\n$/);
  });

  it('prints file names with their control characters escaped, in the import output and in the report', () => {
    const imported = aptp('import', data);
    expect(imported.code).toBe(0);
    const report = aptp('report', '--problem', 'missing-caption');
    expect(report.code).toBe(0);
    expect(report.out).toContain('evil\\x1b[2J\\x1b]0;pwned\\x07\\u202e.jpg');
    for (const output of [imported.all, report.all]) expect(output).not.toMatch(/[\u0007\u001b\u202e]/);
  });

  it('exits 2 with the known categories for --problem nosuch', () => {
    const r = aptp('report', '--problem', 'nosuch');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^aptp: --problem 'nosuch' is not a report category; use one of ok, bad-row, .*duplicate, excluded, long-caption\n$/);
  });
});
