// The shape of an eval case, as `tracemesh dataset …` writes it from the production logs:
//   input {patient_query, follow_ups?}, expected {final_response}, metadata {conversation_id, total_turns, source}.
// follow_ups: the later user messages of a conversation of several turns; its last answer is the one expected.
// Read defensively: a dataset is data, and a malformed row should fail its own case, not the run.
import { asRecord } from '../span-fields.js';

export interface EvalInput {
  patient_query: string;
  follow_ups?: string[];
}

export interface EvalExpected {
  final_response?: string;
}

/** Case metadata: the dataset's, plus what the task adds (the trace it produced or found…). */
export type EvalMetadata = Record<string, unknown>;

export function patientQueryOf(input: unknown): string {
  const query = typeof input === 'string' ? input : asRecord(input)?.patient_query;
  if (typeof query !== 'string' || query.trim() === '') throw new Error('the case has no input.patient_query');
  return query;
}

/** The user messages after the first, in order (none for a single-turn case). */
export function followUpsOf(input: unknown): string[] {
  const followUps = asRecord(input)?.follow_ups;
  if (followUps === undefined) return [];
  if (!Array.isArray(followUps) || !followUps.every((message) => typeof message === 'string' && message.trim() !== '')) {
    throw new Error('input.follow_ups must be a list of non-empty messages');
  }
  return followUps as string[];
}

export function expectedResponseOf(expected: unknown): string | undefined {
  const response = typeof expected === 'string' ? expected : asRecord(expected)?.final_response;
  return typeof response === 'string' ? response : undefined;
}

export function conversationIdOf(metadata: EvalMetadata | undefined): string | undefined {
  const id = metadata?.conversation_id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}
