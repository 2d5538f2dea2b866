// The embedded Braintrust-compatible trace backend as a function: open the database, serve the
// endpoints over node:http, and close gracefully. main.ts runs it as a process; tests run it in-process.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, type Logger } from '../../lib/logging.js';
import { BtqlRunner } from './btql/run-btql.js';
import { openDatabase } from './db/open-database.js';
import { ReadThreads, type ReadThreadOptions } from './db/read-threads.js';
import { startWalCheckpointer, type WalCheckpointer, type WalCheckpointSettings } from './db/wal-checkpointer.js';
import { HttpError } from './http/http-error.js';
import { decodeBody, parseJsonBody, readRawBody } from './http/read-json-body.js';
import { RawJson, Router, type RouteRequest } from './http/router.js';
import { registerBtqlRoutes } from './routes/btql-routes.js';
import { registerDatasetRoutes } from './routes/dataset-routes.js';
import { registerExperimentRoutes } from './routes/experiment-routes.js';
import { registerFunctionRoutes } from './routes/function-routes.js';
import { registerIngestRoutes } from './routes/ingest-routes.js';
import { registerLoginRoutes } from './routes/login-routes.js';
import { registerProjectRoutes } from './routes/project-routes.js';
import { LogRetention, type LogRetentionOptions } from './store/log-retention.js';
import { LogRowsBatcher } from './store/log-rows-batcher.js';
import { Registry } from './store/registry.js';
import { RowStore } from './store/row-store.js';
import { Sequences } from './store/sequences.js';
import type { StoreContext } from './store/store-context.js';
import { Summaries } from './store/summaries.js';
import { TraceThreads } from './store/trace-thread.js';
import { registerViewerRoutes } from './viewer/viewer-routes.js';

export const DEFAULT_BODY_LIMIT_BYTES = 50 * 1024 * 1024;
const SHUTDOWN_GRACE_MS = 10_000;

export interface TraceStoreOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** SQLite file (its directory is created), or ':memory:'. */
  dbPath: string;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** The URL clients should use for API calls; default: the Host header they used. */
  publicUrl?: string;
  bodyLimitBytes?: number;
  logger?: Logger;
  /** How the checkpoint worker runs (tests make it eager); defaults suit sustained ingest. */
  walCheckpoint?: WalCheckpointSettings;
  /** The threads that run BTQL and the viewer's trace list, and their time limit. */
  query?: ReadThreadOptions;
  /** Delete project logs older than this; unset keeps everything. */
  retention?: LogRetentionOptions;
}

export interface RunningTraceStore {
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish, then closes the database. */
  close(): Promise<void>;
}

export async function startTraceStore(options: TraceStoreOptions): Promise<RunningTraceStore> {
  const log = options.logger ?? createLogger('tracestore');
  const host = options.host ?? '127.0.0.1';
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const db = openDatabase(options.dbPath, log);
  let checkpointer: WalCheckpointer | undefined;
  try {
    checkpointer = options.dbPath === ':memory:' ? undefined : await startWalCheckpointer(db, options.dbPath, log, options.walCheckpoint);
  } catch (error) {
    // SQLite's automatic checkpoint (still on) keeps the log bounded without the worker.
    log.warn({ err: error }, 'no WAL checkpoint worker; checkpointing on the request thread');
  }
  let readers: ReadThreads | undefined;
  try {
    readers = options.dbPath === ':memory:' ? undefined : await ReadThreads.start(options.dbPath, log, options.query);
  } catch (error) {
    log.warn({ err: error }, 'no read threads; queries run on the request thread');
  }
  const retention = options.retention ? new LogRetention(db, log, options.retention) : undefined;
  const sequences = new Sequences(db);
  const rows = new RowStore(db, sequences);
  const store: StoreContext = {
    db,
    sequences,
    registry: new Registry(db),
    rows,
    logRows: new LogRowsBatcher(rows, log),
    btql: new BtqlRunner(db, readers),
    summaries: new Summaries(db),
    threads: new TraceThreads(db),
    log,
  };
  const router = new Router();
  registerLoginRoutes(router, store);
  registerProjectRoutes(router, store);
  registerIngestRoutes(router, store);
  registerBtqlRoutes(router, store);
  registerDatasetRoutes(router, store);
  registerExperimentRoutes(router, store);
  registerFunctionRoutes(router, store);
  const viewerPages = registerViewerRoutes(router, store, readers);

  let listeningUrl = '';
  let closing = false;
  let inFlight = 0;
  let onIdle: (() => void) | undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = process.hrtime.bigint();
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://tracestore.invalid');
    // The viewer's page and scripts carry no data and a browser cannot send a bearer token on navigation.
    if (viewerPages.serve(method, url.pathname, req.headers['if-none-match'], res)) return;
    let status = 200;
    let text: string;
    try {
      // GET /version says only that the store is up: open, so HTTP probes need no secret.
      if (!(method === 'GET' && url.pathname === '/version')) checkAuthorization(req, options.token);
      const match = router.match(method, url.pathname);
      if (match.kind === 'not_found') throw new HttpError(404, `no endpoint ${method} ${url.pathname}`);
      if (match.kind === 'wrong_method') {
        res.setHeader('Allow', match.allowed.join(', '));
        throw new HttpError(405, `${url.pathname} accepts ${match.allowed.join(', ')}, not ${method}`);
      }
      let body: Promise<ReturnType<typeof parseJsonBody>> | undefined;
      const request: RouteRequest = {
        method,
        url,
        params: match.params,
        headers: req.headers,
        baseUrl: options.publicUrl?.replace(/\/+$/, '') ?? baseUrlOf(req, listeningUrl),
        body: () =>
          (body ??= readRawBody(req, bodyLimit).then((raw) =>
            parseJsonBody(decodeBody(raw, req.headers['content-encoding'], bodyLimit), req.headers['content-type']),
          )),
      };
      const result = await match.handler(request);
      text = result instanceof RawJson ? result.text : JSON.stringify(result ?? null);
    } catch (error) {
      if (error instanceof HttpError) {
        status = error.status;
        log.warn({ method, path: url.pathname, status, error: error.message }, 'request rejected');
      } else {
        status = 500;
        log.error({ method, path: url.pathname, err: error }, 'request failed');
      }
      text = JSON.stringify({ error: error instanceof Error ? error.message : String(error) });
      // The rest of an oversized body is not worth reading: answer and drop the connection.
      if (status === 413) res.setHeader('Connection', 'close');
    }
    if (closing) res.setHeader('Connection', 'close');
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
    if (status === 413) res.once('finish', () => req.destroy());
    log.debug({ method, path: url.pathname, status, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'request');
  };

  const server = createServer((req, res) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) onIdle?.();
    });
    handle(req, res).catch((error: unknown) => {
      // Only reachable if writing the response itself failed.
      log.error({ err: error }, 'response failed');
      res.destroy();
    });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) {
      const text = JSON.stringify({ error: 'malformed HTTP request' });
      socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
    } else {
      socket.destroy();
    }
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await readers?.close();
    await checkpointer?.stop();
    db.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  retention?.start();
  listeningUrl = `http://${urlHost(host)}:${port}`;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= new Promise<void>((resolve) => {
      closing = true;
      retention?.stop();
      const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      force.unref();
      server.close(() => {
        clearTimeout(force);
        void Promise.all([readers?.close(), checkpointer?.stop()]).finally(() => {
          // Refreshes planner statistics when SQLite thinks they are stale (cheap otherwise).
          db.pragma('optimize');
          db.close();
          log.info('trace store closed');
          resolve();
        });
      });
      // Idle keep-alive sockets would hold close() open; busy ones close once their response ends.
      server.closeIdleConnections();
      onIdle = () => server.closeIdleConnections();
    }));

  log.info({ url: listeningUrl, dbPath: options.dbPath, auth: options.token ? 'token' : 'open' }, 'trace store listening');
  return { url: listeningUrl, port, close };
}

function checkAuthorization(req: IncomingMessage, token: string | undefined): void {
  if (!token) return;
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match || !sameSecret(match[1]!.trim(), token)) throw new HttpError(401, 'missing or wrong bearer token');
}

// Compares digests so the time taken says nothing about how much of the token matched.
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

// The caller's own view of our address is the one that works for it (e.g. through port forwarding).
function baseUrlOf(req: IncomingMessage, fallback: string): string {
  const host = req.headers.host;
  return host && /^[A-Za-z0-9.\-_:[\]]+$/.test(host) ? `http://${host}` : fallback;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
