// Bounded tool execution: each tool has its own limit of concurrent executions and its own short
// waiting line, so a tool that is slow (a RAG query waiting on Chroma) can never take the capacity
// of the others (a BMI calculation), and an overloaded tool answers RESOURCE_EXHAUSTED at once
// instead of queueing without bound.
import { status as grpcStatus } from '@grpc/grpc-js';
import { grpcError } from '../../lib/grpc/errors.js';

export interface ConcurrencyLimits {
  /** Executions of one tool that may run at the same time. */
  perTool: number;
  /** Calls of one tool that may wait for a free slot. */
  queuePerTool: number;
}

class ToolLane {
  running = 0;
  readonly waiting: Array<() => void> = [];
}

export class ToolConcurrency {
  private readonly lanes = new Map<string, ToolLane>();

  constructor(private readonly limits: ConcurrencyLimits) {}

  /** Runs `work` when the tool has a free slot; the wait ends early if `signal` aborts. */
  async run<T>(toolName: string, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    const lane = this.lanes.get(toolName) ?? new ToolLane();
    this.lanes.set(toolName, lane);
    if (lane.running < this.limits.perTool) {
      lane.running++;
    } else {
      if (lane.waiting.length >= this.limits.queuePerTool) {
        throw grpcError(grpcStatus.RESOURCE_EXHAUSTED, `${toolName} is at capacity (${this.limits.perTool} running, ${lane.waiting.length} waiting); retry later`, {
          errorInfo: { reason: 'TOOL_AT_CAPACITY', domain: 'toolworker.tracemesh', metadata: { tool: toolName } },
        });
      }
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          const index = lane.waiting.indexOf(ready);
          if (index >= 0) lane.waiting.splice(index, 1);
          reject(signal.reason instanceof Error ? signal.reason : new Error('cancelled while waiting for a slot'));
        };
        const ready = (): void => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        lane.waiting.push(ready);
        signal.addEventListener('abort', onAbort, { once: true });
      });
      // The finishing call handed its slot over: `running` already counts this one.
    }
    try {
      return await work();
    } finally {
      const next = lane.waiting.shift();
      if (next) next();
      else lane.running--;
    }
  }

  running(toolName: string): number {
    return this.lanes.get(toolName)?.running ?? 0;
  }
}
