// The tool calls of one model response. Each call starts the moment its tool_use block is complete
// in the model's stream: with Claude the later blocks of a response are still being generated
// then, so a round's calls overlap the rest of the response instead of all waiting for its end.
// A response that fails mid-stream, or ends without asking for tools, cancels the calls it already
// started and waits for them, so no call outlives its round and every started call is reported.
import type { ToolUseBlock } from '@anthropic-ai/sdk/resources/messages';

export type StartToolCall<R> = (use: ToolUseBlock, signal: AbortSignal) => Promise<R>;

export class ToolRound<R> {
  private readonly started = new Map<string, Promise<R>>();
  private readonly cancellation = new AbortController();

  constructor(private readonly startCall: StartToolCall<R>) {}

  /** Starts the call for a complete tool_use block (once per block id). */
  start(use: ToolUseBlock): void {
    if (this.started.has(use.id)) return;
    const running = this.startCall(use, this.cancellation.signal);
    // Awaited by finish() or cancel(); this only keeps a call that fails before then from being
    // reported as an unhandled rejection.
    running.catch(() => undefined);
    this.started.set(use.id, running);
  }

  get startedCount(): number {
    return this.started.size;
  }

  /** Every call the response asked for, in its block order; blocks not yet started start now. */
  finish(uses: readonly ToolUseBlock[]): Promise<R[]> {
    for (const use of uses) this.start(use);
    return Promise.all(uses.map((use) => this.started.get(use.id) as Promise<R>));
  }

  /**
   * Cancels the calls already started (their signal's reason says why) and, once all have
   * settled, returns those that gave a result.
   */
  async cancel(reason: Error): Promise<R[]> {
    this.cancellation.abort(reason);
    const settled = await Promise.allSettled(this.started.values());
    return settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  }
}
