// Projects, datasets and experiments: the named objects rows belong to. Ids are random UUIDs kept
// in the database, so a name always maps to the same id across restarts.
import { randomUUID } from 'node:crypto';
import { isJsonObject, type JsonObject } from '../../../lib/json.js';
import type { TraceDatabase } from '../db/open-database.js';

export interface Project {
  id: string;
  name: string;
  org_id: string;
  created: string;
}

export type ObjectKind = 'dataset' | 'experiment';

export interface NamedObject {
  kind: ObjectKind;
  id: string;
  project_id: string;
  name: string;
  created: string;
  /** Registration details (description, metadata, tags, base_exp_id, dataset_id, …). */
  info: JsonObject;
  /** Registration order: later objects have larger numbers. */
  seq: number;
}

interface ObjectRow {
  seq: number;
  kind: ObjectKind;
  id: string;
  project_id: string;
  name: string;
  created: string;
  info: string;
}

export const ORG_NAME = 'tracemesh-local';

export class Registry {
  readonly orgId: string;
  private readonly projectByName;
  private readonly projectById;
  private readonly insertProject;
  private readonly objectByName;
  private readonly objectById;
  private readonly objectsInProject;
  private readonly insertObject;

  constructor(private readonly db: TraceDatabase) {
    this.orgId = this.loadOrgId();
    this.projectByName = db.prepare<[string], Project>('SELECT id, name, org_id, created FROM projects WHERE name = ?');
    this.projectById = db.prepare<[string], Project>('SELECT id, name, org_id, created FROM projects WHERE id = ?');
    this.insertProject = db.prepare('INSERT INTO projects (id, name, org_id, created) VALUES (?, ?, ?, ?)');
    this.objectByName = db.prepare<[ObjectKind, string, string], ObjectRow>(
      'SELECT * FROM objects WHERE kind = ? AND project_id = ? AND name = ?',
    );
    this.objectById = db.prepare<[string], ObjectRow>('SELECT * FROM objects WHERE id = ?');
    this.objectsInProject = db.prepare<[ObjectKind, string], ObjectRow>(
      'SELECT * FROM objects WHERE kind = ? AND project_id = ? ORDER BY seq',
    );
    this.insertObject = db.prepare(
      'INSERT INTO objects (kind, id, project_id, name, created, info) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  /** The project with this name, created on first use. */
  registerProject(name: string): Project {
    return this.db.transaction(() => {
      const existing = this.projectByName.get(name);
      if (existing) return existing;
      const project: Project = { id: randomUUID(), name, org_id: this.orgId, created: new Date().toISOString() };
      this.insertProject.run(project.id, project.name, project.org_id, project.created);
      return project;
    }).immediate();
  }

  projectWithId(id: string): Project | undefined {
    return this.projectById.get(id);
  }

  projectNamed(name: string): Project | undefined {
    return this.projectByName.get(name);
  }

  objectNamed(kind: ObjectKind, projectId: string, name: string): NamedObject | undefined {
    return toNamedObject(this.objectByName.get(kind, projectId, name));
  }

  objectWithId(id: string, kind?: ObjectKind): NamedObject | undefined {
    const object = toNamedObject(this.objectById.get(id));
    return object && (kind === undefined || object.kind === kind) ? object : undefined;
  }

  objectsOf(kind: ObjectKind, projectId: string): NamedObject[] {
    return this.objectsInProject.all(kind, projectId).map((row) => toNamedObject(row)!);
  }

  /** Registers a new object (the caller has made the name unique). */
  createObject(kind: ObjectKind, projectId: string, name: string, info: JsonObject): NamedObject {
    const id = randomUUID();
    const created = new Date().toISOString();
    this.insertObject.run(kind, id, projectId, name, created, JSON.stringify(info));
    return this.objectWithId(id)!;
  }

  /** Runs `fn` in one write transaction (check-then-create without races). */
  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  private loadOrgId(): string {
    const stored = this.db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'org_id'").get();
    if (stored) return stored.value;
    const orgId = randomUUID();
    this.db.prepare("INSERT INTO meta (key, value) VALUES ('org_id', ?)").run(orgId);
    return orgId;
  }
}

function toNamedObject(row: ObjectRow | undefined): NamedObject | undefined {
  if (!row) return undefined;
  const info: unknown = JSON.parse(row.info);
  return {
    kind: row.kind,
    id: row.id,
    project_id: row.project_id,
    name: row.name,
    created: row.created,
    info: isJsonObject(info) ? info : {},
    seq: row.seq,
  };
}
