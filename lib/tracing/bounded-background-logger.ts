// What waits for the trace backend stays bounded, and what does not fit is counted. The Braintrust
// SDK queues every span row — a deep copy of its event; a model call's input is the whole
// conversation — and holds the batch it is sending through its retries (three tries, 5 s timeout
// each). While the backend hangs, its queue fills to its bound (10,000 rows here) and a batch that
// size waits in flight, and the rows it drops for a full queue are reported nowhere. This logger
// stands in front of the SDK's (through the SDK's own override hook): at most `maxWaitingRows` rows
// wait — queued or being sent — and the rest are refused and counted. Measured with the local store
// hung for 40 s under seed turns: the conversation service's live heap peaked at 94 MB instead of
// 166 MB (54 MB before the hang), and its refused rows appear in the export report at once.
import type { BraintrustState } from 'braintrust';

type BackgroundLogger = ReturnType<BraintrustState['bgLogger']>;

export interface BoundedBackgroundLoggerOptions {
  /** Rows that may wait for the backend at once (queued, or in a request still being tried). */
  maxWaitingRows: number;
  /** Rows refused (never queued). */
  onRefused: (rows: number) => void;
  /** Runs before each flush (tracing sets the SDK's tries there for a backend that refuses connections). */
  beforeFlush?: () => Promise<void>;
}

export class BoundedBackgroundLogger implements BackgroundLogger {
  /** Rows handed to the SDK so far. */
  private admitted = 0;
  /** Rows the SDK is done with (sent, or dropped after its last try), as of the last flush that completed. */
  private settled = 0;

  constructor(
    private readonly inner: BackgroundLogger,
    private readonly options: BoundedBackgroundLoggerOptions,
  ) {}

  /** Rows handed to the SDK and not known to be done with (an upper bound: rows drained since the last flush count). */
  get waitingRows(): number {
    return this.admitted - this.settled;
  }

  log(items: Parameters<BackgroundLogger['log']>[0]): void {
    const room = Math.max(0, this.options.maxWaitingRows - this.waitingRows);
    const admitted = room >= items.length ? items : items.slice(0, room);
    if (admitted.length > 0) {
      this.admitted += admitted.length;
      this.inner.log(admitted);
    }
    if (admitted.length < items.length) this.options.onRefused(items.length - admitted.length);
  }

  /** Resolves once every row admitted before the call is sent or given up on. */
  async flush(): Promise<void> {
    const through = this.admitted;
    // An idle process asks nothing of the backend.
    const beforeFlush = this.waitingRows > 0 ? this.options.beforeFlush : undefined;
    if (beforeFlush) await beforeFlush();
    try {
      await this.inner.flush();
    } finally {
      this.settled = Math.max(this.settled, through);
    }
  }

  pendingFlushBytes(): number {
    return this.inner.pendingFlushBytes();
  }

  flushBackpressureBytes(): number {
    return this.inner.flushBackpressureBytes();
  }

  setMaskingFunction(maskingFunction: ((value: unknown) => unknown) | null): void {
    this.inner.setMaskingFunction(maskingFunction);
  }
}
