// The scaling figure as an SVG written by hand (no plotting dependency): turn latency p50 and p99
// against concurrency on the left, conversation and worker RSS on the right, x on a log scale.
export interface ScalingPoint {
  concurrency: number;
  p50Ms: number;
  p99Ms: number;
  throughput: number;
  conversationRssMiB: number;
  workerRssMiB: number;
}

interface Series {
  label: string;
  color: string;
  values: number[];
}

const WIDTH = 420;
const HEIGHT = 300;
const MARGIN = { left: 60, right: 20, top: 36, bottom: 46 };

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

function panel(x0: number, title: string, yLabel: string, concurrency: number[], series: Series[]): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const yMax = niceMax(Math.max(...series.flatMap((s) => s.values.filter(Number.isFinite))));
  const logMin = Math.log2(Math.min(...concurrency));
  const logMax = Math.log2(Math.max(...concurrency));
  const px = (c: number): number => x0 + MARGIN.left + (logMax === logMin ? plotW / 2 : ((Math.log2(c) - logMin) / (logMax - logMin)) * plotW);
  const py = (v: number): number => MARGIN.top + plotH - (v / yMax) * plotH;
  const parts: string[] = [
    `<text x="${x0 + WIDTH / 2}" y="20" text-anchor="middle" font-weight="bold">${escapeXml(title)}</text>`,
    `<line x1="${x0 + MARGIN.left}" y1="${MARGIN.top + plotH}" x2="${x0 + MARGIN.left + plotW}" y2="${MARGIN.top + plotH}" stroke="#333"/>`,
    `<line x1="${x0 + MARGIN.left}" y1="${MARGIN.top}" x2="${x0 + MARGIN.left}" y2="${MARGIN.top + plotH}" stroke="#333"/>`,
    `<text x="${x0 + MARGIN.left + plotW / 2}" y="${HEIGHT - 8}" text-anchor="middle">concurrency (callers)</text>`,
    `<text transform="translate(${x0 + 14},${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    parts.push(`<line x1="${x0 + MARGIN.left}" y1="${py(v)}" x2="${x0 + MARGIN.left + plotW}" y2="${py(v)}" stroke="#ddd"/>`);
    parts.push(`<text x="${x0 + MARGIN.left - 6}" y="${py(v) + 4}" text-anchor="end">${Number(v.toPrecision(3))}</text>`);
  }
  for (const c of concurrency) parts.push(`<text x="${px(c)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${c}</text>`);
  series.forEach((s, index) => {
    const points = concurrency.map((c, i) => [px(c), py(s.values[i] ?? 0)] as const).filter(([, y]) => Number.isFinite(y));
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of points) parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${s.color}"/>`);
    parts.push(`<rect x="${x0 + MARGIN.left + 8}" y="${MARGIN.top + 6 + index * 16}" width="10" height="10" fill="${s.color}"/>`);
    parts.push(`<text x="${x0 + MARGIN.left + 22}" y="${MARGIN.top + 15 + index * 16}">${escapeXml(s.label)}</text>`);
  });
  return parts.join('\n');
}

export function scalingSvg(points: ScalingPoint[], caption: string): string {
  const concurrency = points.map((p) => p.concurrency);
  const latency = panel(0, 'Turn latency', 'ms', concurrency, [
    { label: 'p50', color: '#1f77b4', values: points.map((p) => p.p50Ms) },
    { label: 'p99', color: '#d62728', values: points.map((p) => p.p99Ms) },
  ]);
  const memory = panel(WIDTH, 'Resident memory (peak)', 'MiB', concurrency, [
    { label: 'conversation', color: '#2ca02c', values: points.map((p) => p.conversationRssMiB) },
    { label: 'tool worker', color: '#9467bd', values: points.map((p) => p.workerRssMiB) },
  ]);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * WIDTH}" height="${HEIGHT + 24}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    latency,
    memory,
    `<text x="${WIDTH}" y="${HEIGHT + 16}" text-anchor="middle" fill="#555">${escapeXml(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
