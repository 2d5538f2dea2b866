// Eval progress on stderr, as the SDK reports it (cases scheduled, cases done): on a terminal one
// line rewritten in place; in a log (CI) a line at most every few seconds and at the end.
import type { Writable } from 'node:stream';

export interface ProgressSink {
  start(name: string, total: number): void;
  setTotal(name: string, total: number): void;
  increment(name: string): void;
  stop(): void;
}

export class StderrProgress implements ProgressSink {
  private total = 0;
  private done = 0;
  private started = performance.now();
  private lastPrinted = -Infinity;
  private readonly interactive: boolean;

  constructor(private readonly out: Writable & { isTTY?: boolean } = process.stderr, private readonly logEveryMs = 3_000) {
    this.interactive = out.isTTY === true;
  }

  start(_name: string, total: number): void {
    this.started = performance.now();
    this.lastPrinted = -Infinity;
    this.total = total;
    this.done = 0;
  }

  setTotal(_name: string, total: number): void {
    this.total = total;
  }

  increment(): void {
    this.done++;
    const now = performance.now();
    const finished = this.done >= this.total && this.total > 0;
    if (!this.interactive && !finished && now - this.lastPrinted < this.logEveryMs) return;
    this.lastPrinted = now;
    const line = `eval: ${this.done}/${this.total || '?'} cases · ${((now - this.started) / 1000).toFixed(1)} s`;
    this.out.write(this.interactive ? `\r${line}${finished ? '\n' : ''}` : `${line}\n`);
  }

  stop(): void {
    if (this.interactive && this.done < this.total) this.out.write('\n');
  }
}
