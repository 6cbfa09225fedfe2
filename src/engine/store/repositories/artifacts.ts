// Artifacts: files a run produced (checkpoints, samples, bundles), referenced by path and content hash.
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';

export interface Artifact {
  readonly id: string;
  readonly projectId: string;
  readonly runId: string | null;
  readonly kind: string;
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly createdAt: string;
}

interface ArtifactRow {
  id: string; project_id: string; run_id: string | null; kind: string; path: string; sha256: string; bytes: number; created_at: string;
}

const fromRow = (r: ArtifactRow): Artifact => ({
  id: r.id, projectId: r.project_id, runId: r.run_id, kind: r.kind, path: r.path, sha256: r.sha256, bytes: r.bytes, createdAt: r.created_at,
});

export class ArtifactRepository {
  constructor(private readonly db: Database) {}

  add(a: Omit<Artifact, 'id' | 'createdAt'>): Artifact {
    const artifact: Artifact = { ...a, id: randomUUID(), createdAt: new Date().toISOString() };
    this.db
      .prepare('INSERT INTO artifacts (id, project_id, run_id, kind, path, sha256, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(artifact.id, a.projectId, a.runId, a.kind, a.path, a.sha256, a.bytes, artifact.createdAt);
    return artifact;
  }

  listForRun(runId: string): Artifact[] {
    return (this.db.prepare('SELECT * FROM artifacts WHERE run_id = ? ORDER BY created_at, id').all(runId) as ArtifactRow[]).map(fromRow);
  }

  listForProject(projectId: string): Artifact[] {
    return (this.db.prepare('SELECT * FROM artifacts WHERE project_id = ? ORDER BY created_at, id').all(projectId) as ArtifactRow[]).map(fromRow);
  }
}
