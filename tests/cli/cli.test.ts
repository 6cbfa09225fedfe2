// The `aptp` command line as a user runs it: a real process, its stdout, stderr and exit code.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const workspace = mkdtempSync(join(tmpdir(), 'aptp-cli-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

function aptp(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/entry.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, APTP_WORKSPACE: workspace },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('aptp', () => {
  it('lists its commands with --help', () => {
    const r = aptp('--help');
    expect(r.code).toBe(0);
    for (const name of ['demo', 'info', 'studio']) expect(r.out).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('prints the machine facts the studio shows', () => {
    const r = aptp('info', '--json');
    expect(r.code).toBe(0);
    const info = JSON.parse(r.out) as { onnxruntimeVersion: string; workspaceDir: string; providers: { name: string }[] };
    expect(info.onnxruntimeVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.workspaceDir).toBe(workspace);
    expect(info.providers.map((p) => p.name)).toContain('cpu');
  });

  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['info', '--bogus'], /unknown option '--bogus'; run `aptp info --help` for the options/],
    [['info', '--jsn'], /unknown option '--jsn' \(did you mean '--json'\?\)/],
    [['inf'], /unknown command 'inf' \(did you mean 'info'\?\); run `aptp --help`/],
    [['generate', '--seed', '-1'], /^aptp: (?!.*ambiguous)/],
    [['info', 'extra'], /unexpected argument 'extra'/],
    [['demo', '--steps', 'lots'], /--steps must be a whole number/],
    [['studio', '--port', '70000'], /--port must be a whole number from 0 to 65535/],
  ])('exits non-zero with one line for bad arguments: %j', (args, message) => {
    const r = aptp(...args);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(message);
  });

  it('runs the demo: trains, records the run, exports a model that agrees', () => {
    const r = aptp('demo', '--steps', '120', '--threads', '1');
    expect(r.code, r.err).toBe(0);
    const acc = /held-out accuracy\s+([\d.]+)% \(trainer\), ([\d.]+)% \(exported ONNX\)/.exec(r.out);
    expect(acc).not.toBeNull();
    expect(Number(acc![1])).toBeGreaterThan(90);
    expect(acc![2]).toBe(acc![1]);
    const db = new BetterSqlite3(join(workspace, 'studio.db'), { readonly: true });
    const run = db.prepare("SELECT id, status FROM runs WHERE kind = 'demo-train'").get() as { id: string; status: string };
    expect(run.status).toBe('completed');
    expect(db.prepare("SELECT count(*) AS n FROM metric_series WHERE run_id = ? AND name = 'loss'").get(run.id)).toEqual({ n: 120 });
    const artifact = db.prepare('SELECT path FROM artifacts WHERE run_id = ?').get(run.id) as { path: string };
    expect(existsSync(artifact.path)).toBe(true);
    db.close();
  });
});
