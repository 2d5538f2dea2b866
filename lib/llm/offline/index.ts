// The offline clinical model: an Anthropic Messages API served in-process (createOfflineModelFetch)
// or on loopback HTTP (startOfflineModelServer), for machines with no API key.
export { createOfflineModelFetch, type OfflineModelFetchOptions } from './offline-fetch.js';
export { startOfflineModelServer, type OfflineModelServer, type OfflineModelServerOptions } from './http-server.js';
export { OfflineClinicalModel, estimateTokens } from './offline-model.js';
export { extractPatientFacts, factsFromTexts, mergePatientFacts, type PatientFacts, type SymptomId, type ConditionId, type Sex } from './patient-facts.js';
export { rankConditions, CONDITION_PROFILES, type ConditionProfile, type RankedCondition } from './clinical-reasoning.js';
export { parseScriptedCalls, type ScriptedCall } from './scripted-calls.js';
export { replyToStreamEvents, encodeSseFrame, type StreamEvent } from './sse-encoder.js';
export { parseMessagesRequest, parseMessagesRequestText } from './request-validation.js';
export { InvalidRequestError, type MessagesRequest, type ModelReply, type ReplyBlock, type StopReason } from './wire-types.js';
