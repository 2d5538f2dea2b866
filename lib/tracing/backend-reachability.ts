// Whether the trace backend refuses connections, asked before work that would otherwise retry a
// dead address for seconds. OTel's exporter retries a refused connection with backoff until its
// 5 s deadline; the Braintrust SDK retries its login and /logs3 with 1 s and 2 s sleeps. Both hold
// timers that keep a finishing process alive: `tracemesh chat` took 4.4 s to exit after its answer
// with the trace store down. A TCP connect says it in a millisecond: refused means nothing listens
// there, so the batch fails at once and is counted. A backend that accepts connections but does
// not answer (hung, SIGSTOPped) is not refused: its requests wait their bounded deadlines (5 s).
import { connect } from 'node:net';

/** A probe that neither connects nor is refused in this time says nothing (the backend may be up). */
const PROBE_TIMEOUT_MS = 1_000;
/** A probe's answer is reused this long: exports run every 300 ms and flushes every 200 ms. */
const PROBE_REUSE_MS = 1_000;
/** A backend that answered this recently is taken to be up, without a probe. */
const ANSWERED_RECENTLY_MS = 5_000;

export class BackendReachability {
  private readonly answeredAt = new Map<string, number>();
  private readonly probes = new Map<string, { at: number; refusal: Promise<string | undefined> }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Records an HTTP answer (any status) from the backend at `url`. */
  answered(url: string): void {
    this.answeredAt.set(originOf(url), this.now());
  }

  /** When the backend at `url` last answered, if it has. */
  lastAnswerAt(url: string): number | undefined {
    return this.answeredAt.get(originOf(url));
  }

  /** Why connections to `url` are refused ("connect ECONNREFUSED 127.0.0.1:4318"), or undefined when it may be up. */
  refusal(url: string): Promise<string | undefined> {
    const origin = originOf(url);
    const now = this.now();
    if (now - (this.answeredAt.get(origin) ?? Number.NEGATIVE_INFINITY) < ANSWERED_RECENTLY_MS) return Promise.resolve(undefined);
    const recent = this.probes.get(origin);
    if (recent && now - recent.at < PROBE_REUSE_MS) return recent.refusal;
    const refusal = probe(origin);
    this.probes.set(origin, { at: now, refusal });
    return refusal;
  }
}

/** "http://127.0.0.1:4318" for any URL there; the URL itself when it does not parse. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

function probe(origin: string): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return Promise.resolve(undefined);
  }
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1'); // an IPv6 literal without its brackets
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.unref(); // a probe never keeps the process alive
    const done = (refusal: string | undefined): void => {
      socket.destroy();
      resolve(refusal);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(undefined));
    socket.once('connect', () => done(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED' ? error.message : undefined));
  });
}
