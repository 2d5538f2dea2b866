// Serves the viewer's page shell and its static files (read once at startup from ./static/).
// These hold no data and are served without the bearer token: a browser navigating to a URL
// cannot send an Authorization header. The data under /ui/api/ goes through the router and the
// token check like every other endpoint.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const VIEWER_STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));
export const ASSETS_PATH = '/ui/assets/';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// Everything comes from this server; no inline script, no external fonts or CDNs.
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // Small files that change with the code: revalidate each time (cheap with the ETag).
  'Cache-Control': 'no-cache',
};

// /ui/, /ui/trace/<root_span_id>, /ui/experiments and /ui/experiments/<experiment id>.
const PAGE_PATHS = [/^\/ui\/?$/, /^\/ui\/trace\/[^/]+$/, /^\/ui\/experiments\/?$/, /^\/ui\/experiments\/[^/]+$/];

interface StaticFile {
  body: Buffer;
  contentType: string;
  etag: string;
}

export class ViewerPages {
  private readonly files = new Map<string, StaticFile>();
  private readonly shell: StaticFile;

  constructor(staticDir: string = VIEWER_STATIC_DIR) {
    for (const name of readdirSync(staticDir)) {
      const contentType = CONTENT_TYPES[extname(name)];
      if (!contentType) continue;
      const body = readFileSync(join(staticDir, name));
      this.files.set(name, { body, contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
    }
    const shell = this.files.get('index.html');
    if (!shell) throw new Error(`the trace viewer's index.html is missing from ${staticDir}`);
    this.shell = shell;
  }

  /** Answers GET/HEAD for the viewer's pages and files; false for anything else (left to the router). */
  serve(method: string, pathname: string, ifNoneMatch: string | undefined, res: ServerResponse): boolean {
    if (method !== 'GET' && method !== 'HEAD') return false;
    // The store's own address, opened in a browser, is where a user looks for the viewer.
    if (pathname === '/') {
      res.writeHead(302, { ...SECURITY_HEADERS, Location: '/ui/' });
      res.end();
      return true;
    }
    const file = this.fileFor(pathname);
    if (!file) return false;
    const headers = { ...SECURITY_HEADERS, 'Content-Type': file.contentType, ETag: file.etag };
    if (ifNoneMatch === file.etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    res.writeHead(200, { ...headers, 'Content-Length': file.body.length });
    res.end(method === 'HEAD' ? undefined : file.body);
    return true;
  }

  // Every page is the same shell: the script reads the path.
  private fileFor(pathname: string): StaticFile | undefined {
    if (PAGE_PATHS.some((page) => page.test(pathname))) return this.shell;
    if (!pathname.startsWith(ASSETS_PATH)) return undefined;
    const name = pathname.slice(ASSETS_PATH.length);
    // Only the names read at startup: no path is ever joined from the request.
    return this.files.get(name);
  }
}
