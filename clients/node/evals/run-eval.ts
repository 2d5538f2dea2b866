// `tracemesh eval` as a library: the braintrust SDK's Eval over a dataset of the project, with the
// eval scorers, stored as an experiment and compared with a baseline experiment.
//   mode "logged": score the responses already in the logs, without running the model again;
//   mode "live":   run each case's query through the live mesh again (optionally with another
//                  model or other turn limits) and score the new answers and traces.
import { Eval, initDataset, login, type ReporterBody } from 'braintrust';
import { tracingConfig, type TracingConfig } from '../../../lib/config.js';
import { initTracing } from '../../../lib/tracing/tracing.js';
import { createConversationClient } from '../conversation-client.js';
import { TraceBackend } from '../trace-reader.js';
import { compareWithBaseline, experimentCases, type BaselineComparison, type ComparableCase } from './baseline-comparison.js';
import { describeBackendFailure, isUnreachable } from '../backend-failure.js';
import { ExperimentDirectory, type ExperimentRef } from './baseline.js';
import { usageStep, type CaseUsage } from './case-usage.js';
import { ConversationTraces, conversationTraceResolver } from './conversation-traces.js';
import { patientQueryOf, type EvalExpected, type EvalInput, type EvalMetadata } from './eval-case.js';
import { CaseRunError, liveTurnTask, loggedResponseTask, type EvalCaseTask } from './eval-tasks.js';
import { lowestCases, type LowCase } from './lowest-cases.js';
import { StderrProgress, type ProgressSink } from './progress.js';
import { summariseScores, type ScorerSummary } from './score-summary.js';
import { evalScorers, traceRootOf } from './scorers/index.js';
import { errorMessage } from './scorers/scorer-types.js';

export type EvalMode = 'logged' | 'live';

export interface EvalRunOptions {
  dataset: string;
  mode: EvalMode;
  /** Default: dataset, mode and settings joined (the backend adds a suffix when taken). */
  experimentName?: string;
  /**
   * Compare with this experiment; default: the most recent earlier experiment on the same dataset
   * (none when there is none); false: compare with nothing.
   */
  baseline?: string | false;
  /** Live mode: the model each turn uses (TurnOptions.model). */
  model?: string;
  /** Live mode: TurnOptions.max_iterations (tool-loop rounds) and max_tokens. */
  maxIterations?: number;
  maxTokens?: number;
  /** Live mode: each turn's deadline. */
  deadlineMs?: number;
  /** Live mode: the conversation service (default CONVERSATION_TARGET). */
  target?: string;
  /** false leaves the LLM judge out. */
  judge?: boolean;
  judgeModel?: string;
  /** Cases run and scored at once (default 4). */
  concurrency?: number;
  progress?: ProgressSink;
  tracing?: TracingConfig;
}

/** How the baseline was chosen, or why there is none. */
export type BaselineChoice =
  | { source: 'given'; sameDataset: boolean | undefined }
  | { source: 'latest on dataset' }
  | { source: 'none'; reason: string };

export interface FailedCase {
  query: string;
  error: string;
  /** The conversation the case started before it failed, when it got that far. */
  traceRootSpanId: string | undefined;
}

/** One case of the run, as `--json` lists them. */
export interface CaseRow {
  /** The dataset record the case came from. */
  id: string | undefined;
  /** The patient query, cut to 120 characters. */
  query: string;
  scores: Record<string, number | null>;
  /** Why the case failed to run (it then has no scores). */
  error: string | undefined;
  traceRootSpanId: string | undefined;
  stopReason: string | undefined;
  /** From the case's trace, when it was read. */
  usage: CaseUsage | undefined;
}

export interface EvalRunReport {
  project: string;
  dataset: string;
  mode: EvalMode;
  experiment: { name: string; id: string | undefined; url: string | undefined };
  /** The experiment the run was compared with, if any. */
  baseline: string | undefined;
  baselineChoice: BaselineChoice;
  /** Cases shared with the baseline (matched by input), and the per-scorer changes over them. */
  comparison: BaselineComparison | undefined;
  settings: { model?: string; maxIterations?: number; maxTokens?: number; judge: boolean };
  /** All cases, failed ones included. */
  cases: number;
  /** Cases that failed to run: not scored, left out of the means. */
  failedCases: FailedCase[];
  durationMs: number;
  scorers: ScorerSummary[];
  /** Mean usage per case over the cases whose trace was read (undefined when none was). */
  usage: (CaseUsage & { cases: number }) | undefined;
  /** The lowest-scoring cases, each with the trace it was scored on. */
  lowestCases: LowCase[];
  caseRows: CaseRow[];
}

/** A run that cannot start: bad options, no such dataset or baseline. */
export class EvalSetupError extends Error {
  override readonly name = 'EvalSetupError';
}

// Results go to the caller as a report; the SDK's own console summary would only duplicate it.
const silentReporter: ReporterBody<boolean> & { name: string } = { name: 'tracemesh', reportEval: () => true, reportRun: () => true };

export function defaultExperimentName(options: Pick<EvalRunOptions, 'dataset' | 'mode' | 'model' | 'maxIterations' | 'maxTokens'>): string {
  const parts = [options.dataset, options.mode];
  if (options.model) parts.push(options.model);
  if (options.maxIterations !== undefined) parts.push(`iter${options.maxIterations}`);
  if (options.maxTokens !== undefined) parts.push(`tok${options.maxTokens}`);
  return parts.join('-');
}

function checkOptions(options: EvalRunOptions): void {
  if (options.mode !== 'logged' && options.mode !== 'live') throw new EvalSetupError(`--mode must be logged or live, got "${String(options.mode)}"`);
  const liveOnly = [options.model && '--model', options.maxIterations !== undefined && '--max-iterations', options.maxTokens !== undefined && '--max-tokens'].filter(Boolean);
  if (options.mode === 'logged' && liveOnly.length > 0) throw new EvalSetupError(`${liveOnly.join(', ')} ${liveOnly.length === 1 ? 'applies' : 'apply'} only to --mode live (logged mode scores the logged responses as they are)`);
}

// Earlier runs on the dataset looked at for a default baseline: one whose cases all failed to run
// (the mesh was down) has nothing to compare with, so the next older one is taken.
const DEFAULT_BASELINE_CANDIDATES = 5;

interface ChosenBaseline {
  baseline: ExperimentRef | undefined;
  choice: BaselineChoice;
  /** The baseline's cases, when they were read to choose it. */
  cases?: ComparableCase[];
}

async function chooseBaseline(
  directory: ExperimentDirectory,
  project: string,
  requested: string | false | undefined,
  dataset: { name: string; id: string },
): Promise<ChosenBaseline> {
  if (requested === false) return { baseline: undefined, choice: { source: 'none', reason: '--no-baseline' } };
  if (requested) {
    let baseline: ExperimentRef | undefined;
    try {
      baseline = await directory.named(requested);
    } catch (error) {
      throw new EvalSetupError(`baseline experiment "${requested}" was not found in project ${project}: ${errorMessage(error)}`);
    }
    if (!baseline) throw new EvalSetupError(`baseline experiment "${requested}" was not found in project ${project}`);
    return { baseline, choice: { source: 'given', sameDataset: baseline.datasetId === undefined ? undefined : baseline.datasetId === dataset.id } };
  }
  let candidates: ExperimentRef[];
  try {
    candidates = await directory.onDataset(dataset.id, DEFAULT_BASELINE_CANDIDATES);
  } catch (error) {
    throw new EvalSetupError(`could not list the experiments of project ${project} to choose a baseline (pass --baseline or --no-baseline): ${errorMessage(error)}`);
  }
  for (const candidate of candidates) {
    const cases = await experimentCases(project, candidate.name);
    if (cases.some((c) => !c.failed)) return { baseline: candidate, choice: { source: 'latest on dataset' }, cases };
  }
  const reason = candidates.length === 0 ? `no earlier experiment on dataset ${dataset.name}` : `no earlier experiment on dataset ${dataset.name} has a case that ran`;
  return { baseline: undefined, choice: { source: 'none', reason } };
}

// The OTel bridge prints a console.debug line for every span opened under an experiment; on
// stdout that would corrupt the report (and --json).
async function withoutSdkDebugOutput<T>(work: () => Promise<T>): Promise<T> {
  const original = console.debug;
  console.debug = () => undefined;
  try {
    return await work();
  } finally {
    console.debug = original;
  }
}

interface TaskSetup {
  task: EvalCaseTask;
  /** Sends this process's buffered spans (the live conversations' client side). */
  flushSpans: () => Promise<unknown>;
  close(): Promise<void>;
}

function taskFor(options: EvalRunOptions, config: TracingConfig, traces: ConversationTraces, experimentName: string): TaskSetup {
  if (options.mode === 'logged') return { task: loggedResponseTask(traces), flushSpans: async () => true, close: async () => undefined };
  // No bound on what waits for the backend here: this process also writes the experiment's rows,
  // which the SDK never drops either (results are worth the memory of a finite run).
  const tracing = initTracing('tracemesh-eval', { ...config, maxWaitingRows: Number.POSITIVE_INFINITY });
  const client = createConversationClient(options.target);
  const turnOptions = {
    ...(options.model ? { model: options.model } : {}),
    ...(options.maxIterations !== undefined ? { maxIterations: options.maxIterations } : {}),
    ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
  };
  return {
    task: liveTurnTask({ client, turnOptions, deadlineMs: options.deadlineMs ?? 300_000, experimentName }),
    flushSpans: () => tracing.flush(5_000),
    close: async () => {
      client.close();
      await tracing.flush(5_000);
    },
  };
}

export async function runEval(options: EvalRunOptions): Promise<EvalRunReport> {
  checkOptions(options);
  const config = options.tracing ?? tracingConfig();
  const project = config.projectName;
  try {
    await login({ apiKey: config.apiKey, appUrl: config.appUrl });
  } catch (error) {
    // Unreachable: which address and which setting, as every other command says it.
    throw new EvalSetupError(
      isUnreachable(error) ? describeBackendFailure(error, config) : `could not log in to the trace backend at ${config.appUrl}: ${errorMessage(error)}`,
    );
  }
  const directory = new ExperimentDirectory(config);
  const dataset = initDataset({ project, dataset: options.dataset });
  const recordIds: string[] = [];
  for await (const record of dataset.fetch()) recordIds.push(record.id);
  if (recordIds.length === 0) throw new EvalSetupError(`dataset "${options.dataset}" in project ${project} has no records`);
  const datasetId = await dataset.id;
  // The default is chosen here, not left to the backend: Braintrust's is the closest ancestor on the
  // git branch (none outside a repository); the local store's is the latest on the same dataset.
  const { baseline, choice, cases: baselineCases } = await chooseBaseline(directory, project, options.baseline, { name: options.dataset, id: datasetId });

  const experimentName = options.experimentName ?? defaultExperimentName(options);
  const judge = options.judge !== false;
  const traces = new ConversationTraces(new TraceBackend(config));
  const setup = taskFor(options, config, traces, experimentName);
  const resolveTrace = conversationTraceResolver(traces, options.mode, setup.flushSpans);
  const scores = evalScorers({ resolveTrace, judge: judge ? (options.judgeModel ? { model: options.judgeModel } : {}) : false });
  const usageByTrace = new Map<string, CaseUsage>();
  const settings = { model: options.model, maxIterations: options.maxIterations, maxTokens: options.maxTokens, judge };

  const started = performance.now();
  try {
    const result = await withoutSdkDebugOutput(() =>
      Eval<EvalInput, string, EvalExpected, EvalMetadata>(
        project,
        {
          data: dataset,
          task: setup.task,
          scores: [...scores, usageStep(resolveTrace, usageByTrace)],
          experimentName,
          // Without a baseline the backend still picks its own default; the report ignores it.
          ...(baseline ? { baseExperimentId: baseline.id } : {}),
          metadata: { dataset: options.dataset, dataset_id: datasetId, mode: options.mode, model: options.model, max_iterations: options.maxIterations, max_tokens: options.maxTokens, judge, judge_model: options.judgeModel },
          tags: ['tracemesh-eval', options.mode],
          maxConcurrency: options.concurrency ?? 4,
          // No errorScoreHandler: a case that failed to run gets no scores (not 0s that would pass
          // for bad answers); it is reported apart and fails the gate as an infrastructure failure.
        },
        { reporter: silentReporter, progress: options.progress ?? new StderrProgress() },
      ),
    );
    const failed = (r: { error: unknown }): boolean => r.error !== undefined && r.error !== null;
    const failedCases = result.results.filter(failed).map((r) => ({ query: safeQuery(r.input), error: errorMessage(r.error), traceRootSpanId: failedTraceOf(r.error) }));
    const scorerNames = scores.map((s) => s.name);
    const comparison = baseline
      ? compareWithBaseline(
          baseline.name,
          result.results.map((r) => ({ input: r.input, scores: r.scores, failed: failed(r) })),
          baselineCases ?? (await experimentCases(project, baseline.name)),
          scorerNames,
        )
      : undefined;
    const caseRows = result.results.map((r): CaseRow => {
      const root = traceRootOf(r.metadata) ?? failedTraceOf(r.error);
      const stopReason = r.metadata?.stop_reason;
      return {
        id: r.origin?.id,
        query: safeQuery(r.input).replace(/\s+/g, ' ').slice(0, 120),
        scores: failed(r) ? {} : r.scores,
        error: failed(r) ? errorMessage(r.error) : undefined,
        traceRootSpanId: root,
        stopReason: typeof stopReason === 'string' ? stopReason : undefined,
        usage: root ? usageByTrace.get(root) : undefined,
      };
    });
    return {
      project,
      dataset: options.dataset,
      mode: options.mode,
      // Braintrust's experiment page, or the local store viewer's.
      experiment: { name: result.summary.experimentName, id: result.summary.experimentId, url: experimentPage(config, result.summary) },
      baseline: baseline?.name,
      baselineChoice: choice,
      comparison,
      settings,
      cases: result.results.length,
      failedCases,
      durationMs: performance.now() - started,
      scorers: summariseScores(result.results, scorerNames, comparison),
      usage: meanUsage(caseRows.flatMap((row) => (row.usage ? [row.usage] : []))),
      lowestCases: lowestCases(result.results, (r) => safeQuery(r.input)),
      caseRows,
    };
  } finally {
    await setup.close();
  }
}

function failedTraceOf(error: unknown): string | undefined {
  return error instanceof CaseRunError ? error.traceRootSpanId : undefined;
}

function meanUsage(usages: readonly CaseUsage[]): (CaseUsage & { cases: number }) | undefined {
  if (usages.length === 0) return undefined;
  const mean = (key: keyof CaseUsage): number => usages.reduce((sum, u) => sum + u[key], 0) / usages.length;
  return {
    cases: usages.length,
    prompt_tokens: mean('prompt_tokens'),
    completion_tokens: mean('completion_tokens'),
    prompt_cached_tokens: mean('prompt_cached_tokens'),
    model_calls: mean('model_calls'),
    tool_errors: mean('tool_errors'),
  };
}

function safeQuery(input: unknown): string {
  try {
    return patientQueryOf(input);
  } catch {
    return JSON.stringify(input) ?? '';
  }
}

function experimentPage(config: TracingConfig, summary: { experimentId?: string; experimentUrl?: string }): string | undefined {
  if (config.backend === 'braintrust') return summary.experimentUrl;
  return summary.experimentId ? `${config.appUrl.replace(/\/+$/, '')}/ui/experiments/${encodeURIComponent(summary.experimentId)}` : undefined;
}
