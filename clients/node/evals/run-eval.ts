// `tracemesh eval` as a library: the braintrust SDK's Eval over a dataset of the project, with the
// eval scorers, stored as an experiment and compared with a baseline experiment.
//   mode "logged": score the responses already in the logs, without running the model again;
//   mode "live":   run each case's query through the live mesh again (optionally with another
//                  model or other turn limits) and score the new answers and traces.
import { defaultErrorScoreHandler, Eval, initDataset, initExperiment, login, type ReporterBody } from 'braintrust';
import { tracingConfig, type TracingConfig } from '../../../lib/config.js';
import { initTracing } from '../../../lib/tracing/tracing.js';
import { createConversationClient } from '../conversation-client.js';
import { TraceBackend } from '../trace-reader.js';
import { ConversationTraces, conversationTraceResolver } from './conversation-traces.js';
import { patientQueryOf, type EvalExpected, type EvalInput, type EvalMetadata } from './eval-case.js';
import { liveTurnTask, loggedResponseTask, type EvalCaseTask } from './eval-tasks.js';
import { lowestCases, type LowCase } from './lowest-cases.js';
import { StderrProgress, type ProgressSink } from './progress.js';
import { summariseScores, type ScorerSummary } from './score-summary.js';
import { evalScorers } from './scorers/index.js';
import { errorMessage } from './scorers/scorer-types.js';

export type EvalMode = 'logged' | 'live';

export interface EvalRunOptions {
  dataset: string;
  mode: EvalMode;
  /** Default: dataset, mode and settings joined (the backend adds a suffix when taken). */
  experimentName?: string;
  /** Compare with this experiment; default: the backend's choice (the project's previous one). */
  baseline?: string;
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

export interface EvalRunReport {
  project: string;
  dataset: string;
  mode: EvalMode;
  experiment: { name: string; id: string | undefined; url: string | undefined };
  /** The experiment the run was compared with, if any. */
  baseline: string | undefined;
  settings: { model?: string; maxIterations?: number; maxTokens?: number; judge: boolean };
  cases: number;
  failedCases: Array<{ query: string; error: string }>;
  durationMs: number;
  scorers: ScorerSummary[];
  /** The lowest-scoring cases, each with the trace it was scored on. */
  lowestCases: LowCase[];
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

async function assertBaselineExists(project: string, baseline: string): Promise<void> {
  try {
    await initExperiment(project, { experiment: baseline, open: true }).id;
  } catch (error) {
    throw new EvalSetupError(`baseline experiment "${baseline}" was not found in project ${project}: ${errorMessage(error)}`);
  }
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
    throw new EvalSetupError(`could not log in to the trace backend at ${config.appUrl}: ${errorMessage(error)}`);
  }
  if (options.baseline) await assertBaselineExists(project, options.baseline);

  const dataset = initDataset({ project, dataset: options.dataset });
  const recordIds: string[] = [];
  for await (const record of dataset.fetch()) recordIds.push(record.id);
  if (recordIds.length === 0) throw new EvalSetupError(`dataset "${options.dataset}" in project ${project} has no records`);

  const experimentName = options.experimentName ?? defaultExperimentName(options);
  const judge = options.judge !== false;
  const traces = new ConversationTraces(new TraceBackend(config));
  const setup = taskFor(options, config, traces, experimentName);
  const scores = evalScorers({
    resolveTrace: conversationTraceResolver(traces, options.mode, setup.flushSpans),
    judge: judge ? (options.judgeModel ? { model: options.judgeModel } : {}) : false,
  });
  const settings = { model: options.model, maxIterations: options.maxIterations, maxTokens: options.maxTokens, judge };

  const started = performance.now();
  try {
    const result = await withoutSdkDebugOutput(() =>
      Eval<EvalInput, string, EvalExpected, EvalMetadata>(
        project,
        {
          data: dataset,
          task: setup.task,
          scores,
          experimentName,
          baseExperimentName: options.baseline,
          metadata: { dataset: options.dataset, mode: options.mode, model: options.model, max_iterations: options.maxIterations, max_tokens: options.maxTokens, judge, judge_model: options.judgeModel },
          tags: ['tracemesh-eval', options.mode],
          maxConcurrency: options.concurrency ?? 4,
          // A case whose task failed scores 0 on every scorer: a crash is not a pass.
          errorScoreHandler: defaultErrorScoreHandler,
        },
        { reporter: silentReporter, progress: options.progress ?? new StderrProgress() },
      ),
    );
    const failedCases = result.results
      .filter((r) => r.error !== undefined && r.error !== null)
      .map((r) => ({ query: safeQuery(r.input), error: errorMessage(r.error) }));
    return {
      project,
      dataset: options.dataset,
      mode: options.mode,
      // Braintrust's experiment page, or the local store viewer's.
      experiment: { name: result.summary.experimentName, id: result.summary.experimentId, url: experimentPage(config, result.summary) },
      baseline: result.summary.comparisonExperimentName,
      settings,
      cases: result.results.length,
      failedCases,
      durationMs: performance.now() - started,
      scorers: summariseScores(result.results, scores.map((s) => s.name), result.summary),
      lowestCases: lowestCases(result.results, (r) => safeQuery(r.input)),
    };
  } finally {
    await setup.close();
  }
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
