// A workspace: one folder holding studio.db (metadata, metric series) and the folders for large
// files (caches, checkpoints, samples, exports). Opening one creates what is missing and migrates.
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { EngineError } from '../core/errors';
import { openDatabase, type Database } from './database';
import { schemaVersion } from './migrate';
import { ArtifactRepository } from './repositories/artifacts';
import { MetricRepository } from './repositories/metrics';
import { ProjectRepository } from './repositories/projects';
import { RunRepository } from './repositories/runs';

export const WORKSPACE_FOLDERS = ['caches', 'checkpoints', 'samples', 'exports'] as const;
export const DATABASE_FILE = 'studio.db';

export interface Workspace {
  readonly dir: string;
  readonly databasePath: string;
  readonly db: Database;
  readonly projects: ProjectRepository;
  readonly runs: RunRepository;
  readonly metrics: MetricRepository;
  readonly artifacts: ArtifactRepository;
  schemaVersion(): number;
  close(): void;
}

/** `$APTP_WORKSPACE` when set, else `~/aptp-studio`. */
export function defaultWorkspaceDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.APTP_WORKSPACE || join(homedir(), 'aptp-studio'));
}

export function openWorkspace(dir: string = defaultWorkspaceDir()): Workspace {
  const root = resolve(dir);
  try {
    for (const folder of WORKSPACE_FOLDERS) mkdirSync(join(root, folder), { recursive: true });
  } catch (error) {
    throw new EngineError('io-failure', `Cannot create the workspace folder ${root}: ${(error as Error).message}. Choose a folder you can write to (--workspace or APTP_WORKSPACE).`, { dir: root }, { cause: error });
  }
  const databasePath = join(root, DATABASE_FILE);
  const db = openDatabase(databasePath);
  return {
    dir: root,
    databasePath,
    db,
    projects: new ProjectRepository(db),
    runs: new RunRepository(db),
    metrics: new MetricRepository(db),
    artifacts: new ArtifactRepository(db),
    schemaVersion: () => schemaVersion(db),
    close: () => db.close(),
  };
}
