// Shows a streamed turn in a terminal: the model's text on stdout the moment each delta arrives,
// tool calls and the turn summary on stderr (so `tracemesh chat … > answer.md` keeps just the answer).
import type { StreamChatResponse__Output } from '../../../gen/ts/tracemesh/conversation/v1/StreamChatResponse.js';
import type { TurnResult__Output } from '../../../gen/ts/tracemesh/conversation/v1/TurnResult.js';
import { BUILT_IN_TOOL_SERVICE } from '../../../lib/config.js';
import { fromStruct } from '../../../lib/grpc/struct.js';

const useColor = process.stderr.isTTY && !process.env.NO_COLOR;
const dim = (text: string): string => (useColor ? `\x1b[2m${text}\x1b[0m` : text);
const red = (text: string): string => (useColor ? `\x1b[31m${text}\x1b[0m` : text);
const green = (text: string): string => (useColor ? `\x1b[32m${text}\x1b[0m` : text);
const yellow = (text: string): string => (useColor ? `\x1b[33m${text}\x1b[0m` : text);

export interface ChatPrinterOptions {
  /**
   * Start this turn's output with a blank line on stdout, so that the answers of consecutive turns
   * can be told apart (the previous turn's summary always leaves stdout at the start of a line).
   * Written with the turn's first event, so a turn that fails before any prints nothing.
   */
  blankLineBefore?: boolean;
}

export class ChatPrinter {
  private lastIteration = -1;
  private atLineStart = true;
  /** The current try has printed answer text. */
  private textSinceTry = false;
  private separatorPending: boolean;

  constructor(options: ChatPrinterOptions = {}) {
    this.separatorPending = options.blankLineBefore ?? false;
  }

  private separate(): void {
    if (!this.separatorPending) return;
    this.separatorPending = false;
    process.stdout.write('\n');
  }

  private out(text: string): void {
    if (text.length === 0) return;
    process.stdout.write(text);
    this.atLineStart = text.endsWith('\n');
  }

  private note(line: string): void {
    if (!this.atLineStart) this.out('\n');
    process.stderr.write(`${line}\n`);
  }

  onEvent = (event: StreamChatResponse__Output): void => {
    this.separate();
    if (event.textDelta) {
      if (event.textDelta.iteration !== this.lastIteration && this.lastIteration !== -1 && !this.atLineStart) this.out('\n\n');
      this.lastIteration = event.textDelta.iteration;
      this.out(event.textDelta.text);
      this.textSinceTry ||= event.textDelta.text.length > 0;
    } else if (event.toolCallStarted) {
      const { toolName, arguments: args, toolService } = event.toolCallStarted;
      // The built-in workers go unnamed; a team's own tool service is named, so a reader sees where the call went.
      const where = toolService && toolService !== BUILT_IN_TOOL_SERVICE ? ` (${toolService})` : '';
      this.note(dim(`▸ ${toolName}${where} ${JSON.stringify(fromStruct(args))}`));
    } else if (event.toolCallFinished?.toolCall) {
      const call = event.toolCallFinished.toolCall;
      const took = `${Number(call.durationMs).toFixed(1)} ms`;
      this.note(call.isError ? red(`✗ ${call.toolName} ${call.errorCode}: ${call.errorMessage} (${took})`) : green(`✓ ${call.toolName} ${dim(took)}`));
      this.lastIteration = -1;
    } else if (event.turnCompleted?.result?.replayed) {
      // A repeated request_id: the answer comes whole, from the turn that ran before.
      this.out(event.turnCompleted.result.text);
    }
  };

  /**
   * A try failed and another comes: says why on stderr. Text the failed try already printed stays
   * on stdout (it was streamed): a line there says it was cut off, so `> answer.md` reads right.
   */
  retrying(line: string): void {
    if (this.textSinceTry) this.out(`${this.atLineStart ? '' : '\n'}\n— cut off here; the answer starts again —\n\n`);
    this.textSinceTry = false;
    this.note(yellow(`↻ ${line}`));
    this.lastIteration = -1;
  }

  summary(result: TurnResult__Output): void {
    this.separate();
    const usage = result.usage;
    this.note(
      dim(
        `— conversation ${result.conversationId} · turn ${result.turnIndex} · ${result.stopReason.replace('STOP_REASON_', '').toLowerCase()} · ` +
          `${result.iterations} model calls · ${usage?.inputTokens ?? 0} in${cacheNote(usage)} / ${usage?.outputTokens ?? 0} out tokens · ` +
          `${(Number(result.durationMs) / 1000).toFixed(2)} s · trace ${result.trace?.rootSpanId || '(tracing off)'}` +
          (result.replayed ? ' · replayed: the stored answer of the earlier try with this request id' : ''),
      ),
    );
  }
}

/** " (900 from the prompt cache)" when the cache served part of the input. */
function cacheNote(usage: TurnResult__Output['usage']): string {
  const read = usage?.cacheReadInputTokens ?? 0;
  return read > 0 ? ` (${read} from the prompt cache)` : '';
}
