/**
 * The live console as HTTP answers: `/` (the page), `/console/console.js` and
 * `/console/console.css`, each with a strict Content-Security-Policy (scripts and styles
 * only from this origin, no inline script, no eval, API calls only to this origin). Framework
 * free: `consoleResponse` answers a path, `registerConsole` puts the three routes on a
 * Fastify-like app.
 */
import { ConsoleAssetsMissing, consoleAssets } from './assets.js';

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface ConsoleResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const PAGE = `<!doctype html>
<html lang="en" data-theme="dark">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Warden</title>
<link rel="stylesheet" href="/console/console.css">
<script src="/console/console.js" defer></script>
</head>
<body><noscript>The Warden console needs JavaScript.</noscript></body>
</html>
`;

function headers(type: string): Record<string, string> {
  return {
    'content-type': type,
    'content-security-policy': CONSOLE_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  };
}

/**
 * The answer for a console path, or undefined when the path is not the console's. Without the
 * built browser code (only `tsc -p .` was run) the console answers 503 saying how to build it;
 * the API is not affected.
 */
export function consoleResponse(path: string): ConsoleResponse | undefined {
  try {
    return answer(path);
  } catch (e) {
    if (!(e instanceof ConsoleAssetsMissing)) throw e;
    return { status: 503, headers: headers('text/plain; charset=utf-8'), body: `${e.message}\n` };
  }
}

function answer(path: string): ConsoleResponse | undefined {
  const p = path.split('?')[0];
  if (p === '/' || p === '/index.html' || p === '/console' || p === '/console/') return { status: 200, headers: headers('text/html; charset=utf-8'), body: PAGE };
  if (p === '/console/console.js') return { status: 200, headers: headers('text/javascript; charset=utf-8'), body: consoleAssets().script };
  // browsers ask for it on every visit; an empty answer keeps 404s out of the logs
  if (p === '/favicon.ico') return { status: 204, headers: headers('image/x-icon'), body: '' };
  if (p === '/console/console.css') return { status: 200, headers: headers('text/css; charset=utf-8'), body: consoleAssets().styles };
  return undefined;
}

export const CONSOLE_PATHS = ['/', '/index.html', '/console/', '/console/console.js', '/console/console.css', '/favicon.ico'] as const;

/** The little of Fastify's reply the routes use. */
export interface ReplyLike {
  code(status: number): ReplyLike;
  header(name: string, value: string): ReplyLike;
  send(body: string): unknown;
}

/** Any app with `get(path, handler)`: Fastify 5 fits. */
export interface RouteApp {
  get(path: string, handler: (req: { url: string }, reply: ReplyLike) => unknown): unknown;
}

/** Adds the console's routes (open: the page holds no data; the API it calls needs the token). */
export function registerConsole(app: RouteApp): void {
  for (const path of CONSOLE_PATHS) {
    app.get(path, (req, reply) => {
      const r = consoleResponse(req.url)!;
      reply.code(r.status);
      for (const [k, v] of Object.entries(r.headers)) reply.header(k, v);
      return reply.send(r.body);
    });
  }
}
