// Writes span rows: /logs3 rows (replace, deep-merge, delete, feedback comments) and OTLP spans
// (merged by trace and span id, so SDK rows and OTel spans form one tree). Each call is one transaction,
// rows applied in order, all sharing one new transaction id; readers see it at once.
import { isJsonObject, type JsonObject, type JsonValue } from '../../../lib/json.js';
import type { TraceDatabase } from '../db/open-database.js';
import { badRequest } from '../http/http-error.js';
import { deepMerge } from './merge-rows.js';
import { objectRefOf, type ObjectRef } from './row-identity.js';
import type { Sequences } from './sequences.js';
import { SpanObjects } from './span-objects.js';

/** Write-control fields: they steer a write and are never stored. */
const CONTROL_FIELDS = [
  '_is_merge', '_merge_paths', '_object_delete', '_array_delete', '_audit_source', '_audit_metadata',
  '_parent_id', '_xact_id', '_pagination_key', 'is_root',
];

export interface WriteSummary {
  xactId: string;
  written: number;
  merged: number;
  deleted: number;
  comments: number;
}

export interface SpanWrite {
  ref: ObjectRef;
  row: JsonObject;
}

/** /logs3 rows that passed validation, ready to be written. */
export interface CheckedLogRows {
  rows: Array<{ ref: ObjectRef; row: JsonObject; id: string }>;
}

/** Validates every row of a /logs3 request; a bad one fails the request with a 400 naming it. */
export function checkLogRows(rows: unknown[]): CheckedLogRows {
  return {
    rows: rows.map((row, index) => {
      if (!isJsonObject(row)) throw badRequest(`rows[${index}] must be a JSON object`);
      const ref = objectRefOf(row);
      if (!ref) throw badRequest(`rows[${index}] names no object: it needs project_id, experiment_id or dataset_id`);
      if (typeof row.id !== 'string' || row.id === '') throw badRequest(`rows[${index}] needs a string id`);
      const mergePaths = row._merge_paths;
      if (mergePaths !== undefined && mergePaths !== null && !(Array.isArray(mergePaths) && mergePaths.every(Array.isArray))) {
        throw badRequest(`rows[${index}]._merge_paths must be an array of paths`);
      }
      return { ref, row, id: row.id };
    }),
  };
}

/** A span found within its trace: spans_by_root alone (exported for its query-plan test). */
export const SPAN_IN_TRACE_SQL = 'SELECT id, row FROM spans WHERE object_key = ? AND root_span_id = ? AND span_id = ? LIMIT 1';

interface StoredRow {
  id: string;
  row: string;
}

export class RowStore {
  private readonly selectById;
  private readonly selectBySpanId;
  private readonly upsert;
  private readonly deleteById;
  private readonly insertComment;

  private readonly objects: SpanObjects;

  constructor(private readonly db: TraceDatabase, private readonly sequences: Sequences) {
    this.objects = new SpanObjects(db);
    this.selectById = db.prepare<[number, string], StoredRow>('SELECT id, row FROM spans WHERE object_key = ? AND id = ?');
    // OTLP spans always name their trace.
    this.selectBySpanId = db.prepare<[number, string, string], StoredRow>(SPAN_IN_TRACE_SQL);
    // A rewrite keeps the row's first _pagination_key, so paging never sees it twice.
    this.upsert = db.prepare(
      `INSERT INTO spans (object_key, id, span_id, root_span_id, span_parents, is_root, span_name, span_type,
                          created, _xact_id, _pagination_key, row)
       VALUES (@object_key, @id, @span_id, @root_span_id, @span_parents, @is_root, @span_name, @span_type,
               @created, @xact_id, @pagination_key, @row)
       ON CONFLICT (object_key, id) DO UPDATE SET
         span_id = excluded.span_id, root_span_id = excluded.root_span_id, span_parents = excluded.span_parents,
         is_root = excluded.is_root, span_name = excluded.span_name, span_type = excluded.span_type,
         created = excluded.created, _xact_id = excluded._xact_id, row = excluded.row`,
    );
    this.deleteById = db.prepare('DELETE FROM spans WHERE object_key = ? AND id = ?');
    this.insertComment = db.prepare(
      `INSERT OR REPLACE INTO comments (object_type, object_id, id, origin_id, created, _xact_id, row)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** /logs3 rows. Validates every row before writing any. */
  writeLogRows(rows: unknown[]): WriteSummary {
    const [summary] = this.writeLogRowGroups([checkLogRows(rows)]);
    return summary!;
  }

  /**
   * Several checked /logs3 requests in one transaction (group commit), each applied in order with
   * its own transaction id and summary. One commit for many requests writes the pages they share
   * (the tail of the table, index pages near each other) once instead of once per request.
   */
  writeLogRowGroups(groups: CheckedLogRows[]): WriteSummary[] {
    this.objects.ensure(groups.flatMap((group) => group.rows.map((row) => row.ref)));
    return this.db.transaction(() => {
      const summaries = groups.map((group) => {
        const summary = this.newSummary();
        for (const { ref, row, id } of group.rows) this.applyLogRow(ref, id, row, summary);
        return summary;
      });
      this.sequences.persist();
      return summaries;
    }).immediate();
  }

  /** OTLP spans: merged into the row with the same trace and span id in the object, inserted otherwise. */
  writeSpans(spans: SpanWrite[]): WriteSummary {
    this.objects.ensure(spans.map((span) => span.ref));
    return this.db.transaction(() => {
      const summary = this.newSummary();
      for (const { ref, row } of spans) {
        const spanId = typeof row.span_id === 'string' ? row.span_id : undefined;
        const traceId = typeof row.root_span_id === 'string' ? row.root_span_id : undefined;
        const existing = spanId && traceId ? this.selectBySpanId.get(this.objects.keyOf(ref), traceId, spanId) : undefined;
        if (existing) {
          this.store(ref, existing.id, mergeKeepingCreated(JSON.parse(existing.row) as JsonObject, row, []), summary.xactId);
          summary.merged++;
        } else {
          this.store(ref, String(row.id ?? spanId), row, summary.xactId);
          summary.written++;
        }
      }
      this.sequences.persist();
      return summary;
    }).immediate();
  }

  private newSummary(): WriteSummary {
    return { xactId: this.sequences.nextXactId(), written: 0, merged: 0, deleted: 0, comments: 0 };
  }

  private applyLogRow(ref: ObjectRef, id: string, raw: JsonObject, summary: WriteSummary): void {
    if (raw._object_delete === true) {
      this.deleteById.run(this.objects.keyOf(ref), id);
      summary.deleted++;
      return;
    }
    const row = withoutControlFields(raw);
    if (isJsonObject(row.comment)) {
      // Feedback comments are audit entries about a span, not spans.
      const origin = isJsonObject(row.origin) && typeof row.origin.id === 'string' ? row.origin.id : null;
      const created = typeof row.created === 'string' ? row.created : new Date().toISOString();
      this.insertComment.run(ref.objectType, ref.objectId, id, origin, created, summary.xactId, JSON.stringify(row));
      summary.comments++;
      return;
    }
    if (raw._is_merge === true) {
      const existing = this.selectById.get(this.objects.keyOf(ref), id);
      if (existing) {
        const mergePaths = Array.isArray(raw._merge_paths) ? (raw._merge_paths as JsonValue[][]) : [];
        this.store(ref, id, mergeKeepingCreated(JSON.parse(existing.row) as JsonObject, row, mergePaths), summary.xactId);
        summary.merged++;
        return;
      }
    }
    // A plain row replaces what is stored; a merge row with nothing to merge into is stored as is.
    this.store(ref, id, row, summary.xactId);
    summary.written++;
  }

  private store(ref: ObjectRef, id: string, row: JsonObject, xactId: string): void {
    if (typeof row.created !== 'string') row.created = new Date().toISOString();
    row.id = id;
    const parents = Array.isArray(row.span_parents) ? row.span_parents : undefined;
    const spanAttributes = isJsonObject(row.span_attributes) ? row.span_attributes : undefined;
    this.upsert.run({
      object_key: this.objects.keyOf(ref),
      id,
      span_id: stringOrNull(row.span_id),
      root_span_id: stringOrNull(row.root_span_id),
      span_parents: parents ? JSON.stringify(parents) : null,
      is_root: parents && parents.length > 0 ? 0 : 1,
      span_name: stringOrNull(spanAttributes?.name),
      span_type: stringOrNull(spanAttributes?.type),
      created: row.created,
      xact_id: xactId,
      pagination_key: this.sequences.nextPaginationKey(),
      row: JSON.stringify(row),
    });
  }
}

// The first write's `created` stays: a span was created once, however often it is updated.
function mergeKeepingCreated(stored: JsonObject, update: JsonObject, mergePaths: JsonValue[][]): JsonObject {
  const created = stored.created;
  const merged = deepMerge(stored, update, mergePaths);
  if (typeof created === 'string') merged.created = created;
  return merged;
}

function withoutControlFields(raw: JsonObject): JsonObject {
  const row: JsonObject = { ...raw };
  for (const field of CONTROL_FIELDS) delete row[field];
  return row;
}

function stringOrNull(value: JsonValue | undefined): string | null {
  return typeof value === 'string' ? value : null;
}
