// Every scenario, in the order the harness runs them.
import type { Scenario } from '../harness/scenario.js';
import { fanOut } from './fan-out.js';
import { idleStreamMemory } from './idle-stream-memory.js';
import { scaling } from './scaling.js';
import { spanCost } from './span-cost.js';
import { streamingRelay } from './streaming-relay.js';
import { throughput } from './throughput.js';
import { timeToFirstToken } from './time-to-first-token.js';
import { tracestoreIngest } from './tracestore-ingest.js';
import { tracestoreLookup } from './tracestore-lookup.js';
import { tracingOverhead } from './tracing-overhead.js';
import { turnLatency } from './turn-latency.js';

export const SCENARIOS: Scenario[] = [
  turnLatency,
  tracingOverhead,
  spanCost,
  fanOut,
  throughput,
  streamingRelay,
  timeToFirstToken,
  idleStreamMemory,
  tracestoreIngest,
  tracestoreLookup,
  scaling,
];
