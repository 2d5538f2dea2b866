// One logged conversation as one eval-dataset row, in the seed's shape: input {patient_query},
// expected {final_response}, metadata {conversation_id, total_turns, source}, tags — plus, for a
// conversation of several turns, input.follow_ups: the later user messages, so a live eval can
// replay the whole conversation whose last answer is expected. The row id comes from the
// conversation id, so building a dataset again updates its rows instead of adding copies.
import type { ConversationSummary } from '../analytics/conversations.js';

export const DATASET_SOURCE = 'production_logs';
export const BASE_TAGS = ['production', 'healthcare'];

export interface DatasetRow {
  id: string;
  input: { patient_query: string; follow_ups?: string[] };
  expected: { final_response: string };
  metadata: {
    conversation_id: string;
    total_turns: number;
    source: typeof DATASET_SOURCE;
    root_span_id: string;
    tools?: string[];
  };
  tags: string[];
}

/** Stable across runs: the conversation id, or the trace id for a conversation logged without one. */
export function datasetRowId(conversation: Pick<ConversationSummary, 'conversationId' | 'rootSpanId'>): string {
  return conversation.conversationId ? `conversation:${conversation.conversationId}` : `trace:${conversation.rootSpanId}`;
}

export function toDatasetRow(conversation: ConversationSummary, extraTags: string[] = [], tools?: string[], followUps: string[] = []): DatasetRow {
  return {
    id: datasetRowId(conversation),
    input: { patient_query: conversation.patientQuery, ...(followUps.length > 0 ? { follow_ups: followUps } : {}) },
    expected: { final_response: conversation.finalResponse },
    metadata: {
      conversation_id: conversation.conversationId,
      total_turns: conversation.totalTurns,
      source: DATASET_SOURCE,
      root_span_id: conversation.rootSpanId,
      ...(tools ? { tools } : {}),
    },
    tags: [...new Set([...BASE_TAGS, ...extraTags])],
  };
}
