// The WHERE conditions every query shares: the object it reads, the pinned version and the user's
// filter (which runs per row, before any grouping, so it cannot hold aggregates).
import type { BtqlQuery } from './ast.js';
import { compileScalar, type Bind } from './expression-sql.js';

export function compileWhere(query: BtqlQuery, version: string | undefined, bind: Bind): string[] {
  const where: string[] = [`object_type = ${bind(query.from.objectType)}`];
  where.push(`object_id IN (${query.from.objectIds.map((id) => bind(id)).join(', ')})`);
  if (version !== undefined) where.push(`_xact_id <= ${bind(version)}`);
  if (query.filter) {
    where.push(`(${compileScalar(query.filter, { bind, aggregates: { forbiddenIn: 'a filter (WHERE runs per row; filter groups with HAVING)' } })})`);
  }
  return where;
}
