// The turns the scenarios send. Scripted tool calls (`[[call …]]`) make the offline model call
// exactly those tools in one response, so a scenario controls the fan-out and the tool latency.
export { SEED_QUERY } from '../../clients/node/seed-query.js';

/** A turn whose one response calls `calls` diagnostics_sleep tools of `ms` each, in parallel on the mesh. */
export function sleepToolsQuery(calls: number, ms: number): string {
  return Array.from({ length: calls }, (_, i) => `[[call diagnostics_sleep {"ms": ${ms}, "label": "call ${i + 1}"}]]`).join(' ');
}
