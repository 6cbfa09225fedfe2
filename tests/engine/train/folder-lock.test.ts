// One writer per checkpoint folder: a second lock is refused naming the holder, a lock left by a
// process that is gone is taken over, and releasing removes only this process's own lock.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE, lockFolder } from '../../../src/engine/train/folder-lock';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const folder = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'aptp-lock-'));
  dirs.push(d);
  return d;
};

describe('checkpoint folder lock', () => {
  it('refuses a second writer while the first holds the folder, and frees it on release', () => {
    const dir = folder();
    const release = lockFolder(dir, 'world build');
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    expect(() => lockFolder(dir, 'world build')).toThrow(expect.objectContaining({ code: 'busy', message: expect.stringMatching(new RegExp(`process ${process.pid}`)) }));
    release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    lockFolder(dir, 'world build')();
  });

  it('takes over a lock whose process has exited (a killed build resumes)', () => {
    const dir = folder();
    const gone = spawnSync(process.execPath, ['-e', 'process.pid']).pid;
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: gone, host: hostname(), since: 'earlier' }));
    const release = lockFolder(dir, 'world build');
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    release();
  });

  it('does not remove a lock another process took after this one lost it', () => {
    const dir = folder();
    const release = lockFolder(dir, 'world build');
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, host: hostname(), since: 'later' }));
    release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
  });
});

describe('processExists', () => {
  it('counts a killed process that its parent has not reaped yet (a zombie) as gone', async () => {
    const { processExists } = await import('../../../src/engine/core/process-exists');
    const { spawn } = await import('node:child_process');
    // The child is this process's own and is never waited for while checked, so it stays a zombie after the kill.
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const pid = child.pid!;
    expect(processExists(pid)).toBe(true);
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(pid, 'SIGKILL');
    const start = Date.now();
    while (Date.now() - start < 2000 && processExists(pid)) { /* the kill lands within microseconds */ }
    expect(processExists(pid)).toBe(false);
    await exited;
    expect(processExists(pid)).toBe(false);
  });
});
