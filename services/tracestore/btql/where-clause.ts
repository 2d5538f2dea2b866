// The WHERE conditions every query shares: the object it reads, the pinned version and the user's
// filter (which runs per row, before any grouping, so it cannot hold aggregates).
import type { BtqlQuery } from './ast.js';
import { objectKeyOf } from '../db/schema.js';
import { compileScalar, type Bind } from './expression-sql.js';

export function compileWhere(query: BtqlQuery, version: string | undefined, bind: Bind): string[] {
  // One object (the usual case) is an equality, so the span indexes also give the order.
  const type = bind(query.from.objectType);
  const ids = query.from.objectIds.map((id) => bind(id));
  const where: string[] = [
    ids.length === 1
      ? `object_key = ${objectKeyOf(type, ids[0]!)}`
      : `object_key IN (SELECT object_key FROM span_objects WHERE object_type = ${type} AND object_id IN (${ids.join(', ')}))`,
  ];
  if (version !== undefined) where.push(`_xact_id <= ${bind(version)}`);
  if (query.filter) {
    where.push(`(${compileScalar(query.filter, { bind, aggregates: { forbiddenIn: 'a filter (WHERE runs per row; filter groups with HAVING)' } })})`);
  }
  return where;
}
