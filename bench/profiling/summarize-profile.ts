// Summarises a .cpuprofile on the terminal: where the samples went, by function (self time) and by
// package (node_modules/<name>, node: internals, our own folders), so a profile taken by the
// harness (`--profile`) can be read without a browser.
//   node --import tsx bench/profiling/summarize-profile.ts <file.cpuprofile> [--top 30]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** node_modules/<pkg> (scoped names kept), node:<module>, or the repo folder the file is in. */
function packageOf(url: string): string {
  if (url === '') return '(native/VM)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1] ?? url;
  if (url.startsWith('node:')) return url.split('/')[0] ?? url;
  const repo = /\/work\/main\/([^/]+\/[^/]+)/.exec(url) ?? /\/(lib|services|clients|bench)\/([^/]+)/.exec(url);
  return repo ? repo[0].replace(/^\/work\/main\//, '') : url;
}

function summarise(profile: CpuProfile): { totalMs: number; byFunction: Map<string, number>; byPackage: Map<string, number>; inclusiveByPackage: Map<string, number> } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const inclusiveByPackage = new Map<string, number>();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    totalUs += us;
    const frame = node.callFrame;
    const key = `${frame.functionName || '(anonymous)'}  ${packageOf(frame.url)}:${frame.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us / 1000);
    byPackage.set(packageOf(frame.url), (byPackage.get(packageOf(frame.url)) ?? 0) + us / 1000);
    // Inclusive: every package on the stack gets the sample once.
    const seen = new Set<string>();
    for (let cursor: number | undefined = id; cursor !== undefined; cursor = parentOf.get(cursor)) {
      const pkg = packageOf(byId.get(cursor)?.callFrame.url ?? '');
      if (seen.has(pkg)) continue;
      seen.add(pkg);
      inclusiveByPackage.set(pkg, (inclusiveByPackage.get(pkg) ?? 0) + us / 1000);
    }
  }
  return { totalMs: totalUs / 1000, byFunction, byPackage, inclusiveByPackage };
}

function printTop(title: string, values: Map<string, number>, totalMs: number, top: number): void {
  process.stdout.write(`\n${title}\n`);
  for (const [name, ms] of [...values].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / totalMs).toFixed(1).padStart(5)}%  ${name}\n`);
  }
}

function main(): void {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
  const top = Number(values.top);
  for (const file of positionals) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const summary = summarise(profile);
    process.stdout.write(`${file}: ${summary.totalMs.toFixed(0)} ms sampled over ${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms\n`);
    printTop('self time by package', summary.byPackage, summary.totalMs, top);
    printTop('inclusive time by package (on the stack)', summary.inclusiveByPackage, summary.totalMs, top);
    printTop('self time by function', summary.byFunction, summary.totalMs, top);
  }
}

main();
