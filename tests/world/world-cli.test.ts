// `aptp world` as a user runs it (a real process): dataset writes the imagefolder and says so; judge
// reads it with a judge given by --judge (the shipped one) and prints fidelity per category labelled
// as an offline stand-in; bad sizes, mixes and missing arguments exit 2 with one line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const temp = mkdtempSync(join(tmpdir(), 'aptp-world-cli-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function aptp(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/entry.ts'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, APTP_WORKSPACE: join(temp, 'ws') } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('aptp world', () => {
  it('writes a dataset and judges it against its scenes', () => {
    const dir = join(temp, 'data');
    const made = aptp('world', 'dataset', '--size', '100', '--seed', '2', dir);
    expect(made.code, made.err).toBe(0);
    expect(made.out).toMatch(/items\s+100: \d+ (easy|medium|hard), \d+ (easy|medium|hard), \d+ (easy|medium|hard)/);
    expect(existsSync(join(dir, 'metadata.jsonl'))).toBe(true);
    const judged = aptp('world', 'judge', dir, '--judge', join(root, 'resources', 'world', 'judge'), '--limit', '3');
    expect(judged.code, judged.err).toBe(0);
    expect(judged.out).toMatch(/fidelity easy\s+\d+\.\d% of \d+/);
    expect(judged.out).toMatch(/offline stand-in for CLIP score \/ FID/);
  });

  it.each([
    [['world', 'dataset', '--size', '50', join(temp, 'x')], /--size must be a whole number from 100 to 100000/],
    [['world', 'dataset', '--size', '100'], /world dataset needs the folder to write/],
    [['world', 'frobnicate'], /expected dataset, judge, build or refine/],
    [['world', 'refine', '--steps', '10'], /world refine needs --from DIR/],
    [['world', 'refine', '--from', join(root, 'resources', 'world')], /world refine needs --steps N/],
    [['world', 'refine', '--from', join(root, 'resources', 'world'), '--steps', '10', '--mix', '1,2'], /--mix takes three non-negative shares easy,medium,hard/],
    [['world', 'refine', '--from', join(root, 'resources', 'world'), '--steps', '10', '--lr', '-1'], /--lr takes a learning rate in \(0, 1\]/],
  ])('refuses %j with status 2', (args, message) => {
    const r = aptp(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});
