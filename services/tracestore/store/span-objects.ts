// The integer keys span rows use for their object (schema 2, see db/schema.ts). A key is created
// the first time a row of the object is written — in a transaction of its own, before the write
// that needs it, so a write that rolls back never leaves the cache naming a key that is not there.
import type { TraceDatabase } from '../db/open-database.js';
import type { ObjectRef } from './row-identity.js';

export class SpanObjects {
  private readonly keys = new Map<string, number>();
  private readonly insert;
  private readonly select;

  constructor(private readonly db: TraceDatabase) {
    this.insert = db.prepare<[string, string]>(
      'INSERT INTO span_objects (object_type, object_id) VALUES (?, ?) ON CONFLICT (object_type, object_id) DO NOTHING',
    );
    this.select = db.prepare<[string, string], { object_key: number }>(
      'SELECT object_key FROM span_objects WHERE object_type = ? AND object_id = ?',
    );
  }

  /** Makes sure every object of `refs` has a key. Call outside the write transaction that uses them. */
  ensure(refs: Iterable<ObjectRef>): void {
    for (const ref of refs) this.keyOf(ref);
  }

  /** The object's key, created if needed. */
  keyOf(ref: ObjectRef): number {
    const name = `${ref.objectType}\u0000${ref.objectId}`;
    const cached = this.keys.get(name);
    if (cached !== undefined) return cached;
    if (this.db.inTransaction) throw new Error('span object keys must be created outside a write transaction');
    this.insert.run(ref.objectType, ref.objectId);
    const key = this.select.get(ref.objectType, ref.objectId)?.object_key;
    if (key === undefined) throw new Error(`no key for ${ref.objectType} ${ref.objectId}`);
    this.keys.set(name, key);
    return key;
  }
}
