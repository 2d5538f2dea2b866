// One turn over ConversationService.StreamChat, as the typed client makes it, reduced to what the
// load driver needs: did it end with a completed turn, and if not, with which gRPC status.
import { createConversationClient, streamTurn, type ConversationServiceClient } from '../../clients/node/conversation-client.js';
import { isGrpcError } from '../../lib/grpc/errors.js';
import { statusName } from '../../lib/grpc/status-codes.js';
import type { TurnOutcome } from './closed-loop.js';

export function outcomeOfError(error: unknown): TurnOutcome {
  return { ok: false, code: isGrpcError(error) ? statusName(error.code) : error instanceof Error ? error.message.slice(0, 60) : String(error) };
}

export class GrpcTurnClient {
  readonly client: ConversationServiceClient;

  constructor(target: string) {
    this.client = createConversationClient(target);
  }

  async turn(message: string, deadlineMs = 60_000): Promise<TurnOutcome> {
    try {
      await streamTurn(this.client, message, { deadlineMs });
      return { ok: true };
    } catch (error) {
      return outcomeOfError(error);
    }
  }

  close(): void {
    this.client.close();
  }
}
