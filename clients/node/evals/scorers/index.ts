// The scorers `tracemesh eval` runs: the seed's four rule-based scorers, the LLM judge, the
// three trace scorers, and answer_complete (the turn's stop reason: was the answer cut short?). Each returns {name, score in [0, 1] or null, metadata}.
import { answerCompleteScorer } from './answer-complete.js';
import { sdkCaseTrace, type CaseTraceResolver } from './case-trace.js';
import { clinicalMetricsScorer } from './clinical-metrics.js';
import { lengthScorer } from './length.js';
import { llmJudgeScorer, type JudgeOptions } from './llm-judge.js';
import { medicalStructureScorer } from './medical-structure.js';
import { medicationsScorer } from './medications.js';
import type { CaseScorer } from './scorer-types.js';
import { citesToolResultsScorer, expectedToolsScorer, noToolErrorsScorer } from './trace-scorers.js';

export { TRACE_ROOT_KEY, sdkCaseTrace, traceRootOf, type CaseTraceResolver } from './case-trace.js';
export type { CaseScore, CaseScorer, ScorerArgs } from './scorer-types.js';
export { clinicalMetricsScorer, lengthScorer, llmJudgeScorer, medicalStructureScorer, medicationsScorer };
export { answerCompleteScorer, citesToolResultsScorer, expectedToolsScorer, noToolErrorsScorer };

export interface ScorerSetOptions {
  /** Where trace scorers find a case's trace (default: the SDK's trace of the case). */
  resolveTrace?: CaseTraceResolver;
  /** false: leave the LLM judge out. */
  judge?: false | JudgeOptions;
}

export function evalScorers(options: ScorerSetOptions = {}): CaseScorer[] {
  const resolveTrace = options.resolveTrace ?? sdkCaseTrace;
  return [
    lengthScorer,
    clinicalMetricsScorer,
    medicationsScorer,
    medicalStructureScorer,
    ...(options.judge === false ? [] : [llmJudgeScorer(options.judge ?? {})]),
    expectedToolsScorer(resolveTrace),
    noToolErrorsScorer(resolveTrace),
    citesToolResultsScorer(resolveTrace),
    answerCompleteScorer(resolveTrace),
  ];
}

/** The score names evalScorers() produces, in order (each scorer function bears its score's name). */
export function scorerNames(options: ScorerSetOptions = {}): string[] {
  return evalScorers(options).map((scorer) => scorer.name);
}
