// `aptp data` managing and curating as a user runs it (real processes, a real workspace, real
// image files): list / show / rename / rm with ids by prefix or name (ambiguity named), each
// subcommand's own --help, typos answered with the nearest name, refusals that name the exact
// command or flag (a single image, nested metadata, a path that does not exist, a non-empty export
// folder), exclusion, and the export of the cleaned subset.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { put, solidImage } from '../engine/data/fixtures';
import { tempDir } from '../engine/store/helpers';

const root = join(import.meta.dirname, '..', '..');
const temp = tempDir('aptp-cli-data-');
const dir = (name: string) => join(temp.dir, name);

function aptp(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/entry.ts'), 'data', ...args], {
    cwd: root, encoding: 'utf8', env: { ...process.env, APTP_WORKSPACE: dir('workspace') },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  put(dir('cats'), 'a.jpg', await solidImage('jpeg', 300, 300, 1));
  put(dir('cats'), 'a.txt', 'a cat');
  put(dir('cats'), 'b.jpg', await solidImage('jpeg', 300, 300, 2));
  put(dir('cats'), 'b.txt', 'another cat');
  put(dir('cats'), 'orphan.txt', 'a caption whose image is gone');
  put(dir('dogs'), 'd.jpg', await solidImage('jpeg', 300, 300, 3));
  put(dir('dogs'), 'd.txt', 'a dog');
  put(dir('nested'), 'inner/metadata.jsonl', '{"file_name": "x.jpg", "text": "x"}\n');
  put(dir('nested'), 'inner/x.jpg', await solidImage('jpeg', 300, 300, 4));
});
afterAll(() => temp.cleanup());

describe('aptp data: managing', () => {
  it('gives each subcommand its own help', () => {
    const group = aptp('--help');
    expect(group.code).toBe(0);
    for (const sub of ['import', 'list', 'show', 'report', 'rename', 'rm', 'exclude', 'include', 'export', 'prepare']) expect(group.out).toMatch(new RegExp(`^  data ${sub} `, 'm'));
    const rm = aptp('rm', '--help');
    expect(rm).toMatchObject({ code: 0, out: expect.stringMatching(/^Remove a dataset from the workspace: its records and caches, never its files\.\n\nUsage: aptp data rm DATASET/) });
    expect(rm.out).not.toMatch(/--model/);
  }, 400_000);

  it('answers typos with the nearest name and refuses unknown report categories', () => {
    expect(aptp('lst')).toMatchObject({ code: 2, err: "aptp: unknown data subcommand 'lst' (did you mean 'list'?); run `aptp data --help` to list them\n" });
    expect(aptp('report', '--problm', 'ok')).toMatchObject({ code: 2, err: expect.stringMatching(/unknown option '--problm' \(did you mean '--problem'\?\)/) });
    expect(aptp('report', '--problem', 'to-small')).toMatchObject({ code: 2, err: expect.stringMatching(/--problem 'to-small' is not a report category \(did you mean 'too-small'\?\)/) });
    expect(aptp('import', dir('cats'), '--min-side', '-5')).toMatchObject({ code: 2, err: expect.stringMatching(/--min-side must be a whole number from 1 to 65536, got '-5'/) });
  }, 400_000);

  it('refuses what is not plainly one dataset, naming the exact command or flag', () => {
    expect(aptp('import', join(dir('cats'), 'a.jpg'))).toMatchObject({ code: 1, err: expect.stringMatching(/a\.jpg is a single image, not a dataset\. Import the folder that holds it \(2 image file\(s\) there\): `aptp data import .*cats`/) });
    expect(aptp('import', dir('nested'))).toMatchObject({ code: 1, err: expect.stringMatching(/inner\/metadata\.jsonl describes the images in inner\/.*`aptp data import .*inner`\), or pass --format hf-imagefolder/) });
    expect(aptp('import', dir('absent'))).toMatchObject({ code: 1, err: expect.stringMatching(/Cannot open .*absent: it does not exist\. Pick an existing folder\./) });
    expect(aptp('list').out).toMatch(/no datasets in this workspace yet/);
  }, 400_000);

  it('imports, counts what the format left out, lists, renames and finds datasets by prefix or name', () => {
    const imported = aptp('import', dir('cats'));
    expect(imported.code, imported.err).toBe(0);
    expect(imported.out).toMatch(/left out\s+1 caption files with no image beside them/);
    expect(aptp('import', dir('dogs')).code).toBe(0);
    const list = aptp('list');
    expect(list.out).toMatch(/^ID\s+NAME\s+FORMAT\s+STATUS\s+USABLE/);
    const id = /^([0-9a-f]{8})\s+cats\s/m.exec(list.out)![1]!;
    expect(aptp('show', id.slice(0, 6)).out).toMatch(/name\s+cats\n[^]*left out\s+1 caption files/);
    expect(aptp('rename', id, 'felines')).toMatchObject({ code: 0, out: expect.stringMatching(/renamed cats \([0-9a-f]{8}\) to felines/) });
    expect(aptp('rename', 'dogs', 'felines').code).toBe(0);
    expect(aptp('show', 'felines')).toMatchObject({ code: 2, err: expect.stringMatching(/'felines' names 2 datasets: felines \([0-9a-f]{8}\), felines \([0-9a-f]{8}\); type more of the id/) });
    expect(aptp('show', 'zzz')).toMatchObject({ code: 2, err: expect.stringMatching(/no dataset 'zzz'; known: felines/) });
  }, 400_000);

  it('excludes items, exports the cleaned subset (refusing a non-empty folder without --force), and removes a dataset but not its files', () => {
    const id = /^([0-9a-f]{8})\s+felines\s.*cats$/m.exec(aptp('list').out)![1]!;
    expect(aptp('exclude', id, 'b.jpg')).toMatchObject({ code: 0, out: expect.stringMatching(/^1 item\(s\) excluded from felines/) });
    expect(aptp('exclude', id, 'nope.jpg')).toMatchObject({ code: 2, err: expect.stringMatching(/felines has no item 'nope\.jpg'/) });
    expect(aptp('report', id, '--problem', 'excluded').out).toMatch(/excluded: 1 item\(s\)\n\s+b\.jpg/);
    const exported = aptp('export', id, '--to', dir('clean'));
    expect(exported.code, exported.err).toBe(0);
    expect(exported.out).toMatch(/exported\s+1 image\(s\) with caption sidecars/);
    expect(readdirSync(dir('clean')).sort()).toEqual(['a.jpg', 'a.txt']);
    expect(aptp('export', id, '--to', dir('clean'))).toMatchObject({ code: 1, err: expect.stringMatching(/is not empty \(2 entries\); pick an empty or new folder, or pass --force/) });
    expect(aptp('include', id, 'b.jpg').out).toMatch(/^1 item\(s\) included again/);
    expect(aptp('export', id, '--to', dir('clean'), '--force').code).toBe(0);
    expect(readdirSync(dir('clean')).sort()).toEqual(['a.jpg', 'a.txt', 'b.jpg', 'b.txt']);
    const rm = aptp('rm', id);
    expect(rm).toMatchObject({ code: 0, out: expect.stringMatching(/^removed felines \([0-9a-f]{8}\): 2 item record\(s\), 0 cached tensor file\(s\), 2 thumbnail\(s\); .*cats was not touched/) });
    expect(existsSync(join(dir('cats'), 'a.jpg'))).toBe(true);
    expect(aptp('list').out).not.toMatch(/cats$/m);
  }, 400_000);
});
