// What a tool is to the worker. The registry validates arguments against `inputSchema` (JSON
// Schema, checked by ajv) before `execute` runs, and the worker's server logs the tool's span:
// input, output and the online scores the tool returns. A tool only computes.
import type { Logger } from '../../lib/logging.js';
import type { JsonObject } from '../../lib/json.js';

/** A JSON Schema for a tool's arguments object, in the form the Anthropic Messages API takes. */
export type ToolInputSchema = JsonObject & { type: 'object' };

export interface ToolContext {
  /**
   * Aborted when the caller cancels or its deadline passes: long work should stop. A call starts
   * as soon as its tool_use block has streamed in, so it is also aborted when the rest of that
   * model response fails or is cut short (max_tokens): a tool with side effects must honour it.
   */
  signal: AbortSignal;
  log: Logger;
}

export interface ToolOutcome {
  /** The result handed back to the model, a JSON object. */
  output: JsonObject;
  /** Online scores in [0, 1], logged on the tool's span (e.g. `health_risk`). */
  scores?: Record<string, number>;
  /** Extra facts for the span's metadata (not sent to the model). */
  metadata?: JsonObject;
}

export interface Tool<Args = JsonObject> {
  name: string;
  /** Written for the model: what the tool does and when to call it. */
  description: string;
  inputSchema: ToolInputSchema;
  /** Runs with arguments that already passed `inputSchema`. */
  execute(args: Args, context: ToolContext): Promise<ToolOutcome> | ToolOutcome;
}

/**
 * Thrown by a tool for arguments that pass the schema but are impossible (a height of 9 m,
 * diastolic above systolic). Becomes INVALID_ARGUMENT with a BadRequest field violation.
 */
export class ToolArgumentError extends Error {
  constructor(readonly field: string, readonly description: string) {
    super(`${field}: ${description}`);
    this.name = 'ToolArgumentError';
  }
}
