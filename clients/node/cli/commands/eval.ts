// `tracemesh eval --dataset NAME`: score a dataset's cases with the eval scorers, store the run as
// an experiment, print the per-scorer summary and the comparison with a baseline experiment, and
// with --gate exit 1 when a scorer is below its --min or regressed beyond --max-regression over the
// cases shared with the baseline, when cases failed to run, or when the baseline shares no case
// (a CI deployment gate; evals/gate.ts). Exit 2 when the eval cannot run at all (bad usage, no such
// dataset or baseline, backend unreachable).
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { positiveInteger } from '../number-arguments.js';
import { evaluateGate, GateRuleError, parseGateRules, type GateVerdict } from '../../evals/gate.js';
import { formatReport } from '../../evals/report-format.js';
import { EvalSetupError, runEval, type EvalMode } from '../../evals/run-eval.js';
import { scorerNames } from '../../evals/scorers/index.js';

interface EvalCommandOptions {
  dataset: string;
  mode: EvalMode;
  experiment?: string;
  /** false: --no-baseline. */
  baseline?: string | false;
  gate?: boolean;
  min?: string[];
  maxRegression: string;
  model?: string;
  maxIterations?: number;
  maxTokens?: number;
  judge: boolean;
  judgeModel?: string;
  concurrency: number;
  target?: string;
  deadline: number;
  json?: boolean;
}

/** An option's parser: a positive whole number, the error naming the option. */
const positiveIntegerOption = (name: string) => (value: string): number => positiveInteger(value, name);

function mode(value: string): EvalMode {
  if (value !== 'logged' && value !== 'live') throw new InvalidArgumentError('must be "logged" or "live"');
  return value;
}

export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description("score a dataset's cases (logged responses, or re-run live) and store the run as an experiment")
    .requiredOption('--dataset <name>', 'the dataset in the project (BRAINTRUST_PROJECT)')
    .option('--mode <mode>', 'logged: score the logged responses; live: re-run each query through the mesh', mode, 'logged')
    .option('--experiment <name>', 'the experiment name (default: dataset, mode and settings)')
    .option('--baseline <name>', 'the experiment to compare with (default: the latest earlier experiment on the same dataset)')
    .option('--no-baseline', 'compare with nothing: the gate checks --min thresholds only')
    .option('--gate', 'exit 1 when a scorer is below its --min or regressed beyond --max-regression')
    .option('--min <threshold...>', 'minimum mean score: name=0.8 for one scorer, 0.8 for all')
    .option('--max-regression <delta>', 'largest allowed drop of a mean score against the baseline', '0.05')
    .option('--model <model>', 'live mode: the model each turn uses')
    .option('--max-iterations <n>', 'live mode: tool-loop rounds per turn', positiveIntegerOption('--max-iterations'))
    .option('--max-tokens <n>', 'live mode: tokens per model call', positiveIntegerOption('--max-tokens'))
    .option('--no-judge', 'leave out the LLM-as-judge scorer')
    .option('--judge-model <model>', 'the model that judges (default: the provider default)')
    .option('--concurrency <n>', 'cases run at once', positiveIntegerOption('--concurrency'), 4)
    .option('--target <host:port>', 'live mode: the conversation service (default CONVERSATION_TARGET)')
    .option('--deadline <seconds>', 'live mode: deadline of each turn', positiveIntegerOption('--deadline'), 300)
    .option('--json', 'print the report as JSON')
    // Usage errors exit 2 like every other "could not run": exit 1 is reserved for a failed gate.
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
    .action(async (options: EvalCommandOptions) => {
      try {
        const rules = parseGateRules(options.min ?? [], options.maxRegression, scorerNames({ judge: options.judge ? {} : false }));
        const report = await runEval({
          dataset: options.dataset,
          mode: options.mode,
          experimentName: options.experiment,
          baseline: options.baseline,
          model: options.model,
          maxIterations: options.maxIterations,
          maxTokens: options.maxTokens,
          deadlineMs: options.deadline * 1000,
          target: options.target,
          judge: options.judge,
          judgeModel: options.judgeModel,
          concurrency: options.concurrency,
        });
        const gateRequested = options.gate === true || (options.min ?? []).length > 0;
        const verdict: GateVerdict | undefined = gateRequested
          ? evaluateGate(
              {
                scorers: report.scorers,
                cases: report.cases,
                failedCases: report.failedCases,
                comparison: report.comparison && { baseline: report.comparison.baseline, sharedCases: report.comparison.sharedCases },
              },
              rules,
            )
          : undefined;
        const gate = verdict ? { verdict, enforced: options.gate === true } : undefined;
        process.stdout.write(options.json ? `${JSON.stringify({ ...report, gate }, null, 2)}\n` : `${formatReport(report, gate)}\n`);
        process.exitCode = options.gate && verdict && !verdict.passed ? 1 : 0;
      } catch (error) {
        // Exit 1 means "the gate failed"; an eval that could not run must not look like that.
        const expected = error instanceof EvalSetupError || error instanceof GateRuleError;
        const detail = error instanceof Error ? (expected ? error.message : (error.stack ?? error.message)) : String(error);
        process.stderr.write(`tracemesh eval: ${detail}\n`);
        process.exitCode = 2;
      }
    });
}
