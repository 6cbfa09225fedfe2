// Projects: a named piece of work (a base model, a dataset, a budget) that runs belong to.
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';

export interface Project {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  readonly config: Readonly<Record<string, unknown>>;
}

interface ProjectRow { id: string; name: string; created_at: string; config_json: string }

const fromRow = (r: ProjectRow): Project => ({ id: r.id, name: r.name, createdAt: r.created_at, config: JSON.parse(r.config_json) });

export class ProjectRepository {
  constructor(private readonly db: Database) {}

  create(name: string, config: Record<string, unknown> = {}): Project {
    const project = { id: randomUUID(), name, createdAt: new Date().toISOString(), config };
    this.db
      .prepare('INSERT INTO projects (id, name, created_at, config_json) VALUES (?, ?, ?, ?)')
      .run(project.id, name, project.createdAt, JSON.stringify(config));
    return project;
  }

  get(id: string): Project | undefined {
    const row = this.db.prepare('SELECT * FROM projects WHERE id = ?').get(id) as ProjectRow | undefined;
    return row && fromRow(row);
  }

  list(): Project[] {
    return (this.db.prepare('SELECT * FROM projects ORDER BY created_at, id').all() as ProjectRow[]).map(fromRow);
  }

  remove(id: string): boolean {
    return this.db.prepare('DELETE FROM projects WHERE id = ?').run(id).changes > 0;
  }
}
