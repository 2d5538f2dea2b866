// The shape of an eval case, as `tracemesh dataset …` writes it from the production logs:
//   input {patient_query}, expected {final_response}, metadata {conversation_id, total_turns, source}.
// Read defensively: a dataset is data, and a malformed row should fail its own case, not the run.
import { asRecord } from '../span-fields.js';

export interface EvalInput {
  patient_query: string;
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

export function expectedResponseOf(expected: unknown): string | undefined {
  const response = typeof expected === 'string' ? expected : asRecord(expected)?.final_response;
  return typeof response === 'string' ? response : undefined;
}

export function conversationIdOf(metadata: EvalMetadata | undefined): string | undefined {
  const id = metadata?.conversation_id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}
