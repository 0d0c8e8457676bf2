import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { Hono } from 'hono';
import type { AppEnv } from './env.js';

/** Where `vite build` puts the UI (src/web/vite.config.ts); the same from src/http and dist/http. */
export const DEFAULT_WEB_DIR = join(import.meta.dirname, '..', '..', 'dist', 'web');

/**
 * The Content-Security-Policy of every Berth response, UI and API alike:
 * nothing but Berth's own origin, no inline script, no eval, no framing.
 * CodeMirror styles itself through constructable stylesheets, which
 * `style-src 'self'` allows.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Paths the UI never owns: they keep their JSON 404s. */
const NOT_UI = /^\/(api|healthz|readyz|metrics|\.well-known)(\/|$)/;

async function readIfFile(path: string): Promise<Buffer | undefined> {
  try {
    return (await stat(path)).isFile() ? await readFile(path) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Serves the built UI at `/`: hashed files under /assets/ are cached for a
 * year (their name changes with their content), everything else revalidates;
 * any other GET that wants HTML gets index.html, so deep links
 * (`/apps/alice/todo`) load the app, which routes in the browser.
 */
export function webUiRoutes(webDir: string = DEFAULT_WEB_DIR): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  const root = normalize(webDir) + sep;
  r.get('*', async (c, next) => {
    const path = decodeURIComponent(c.req.path);
    if (NOT_UI.test(path)) return next();
    const file = normalize(join(root, path));
    const body = file.startsWith(root) && !path.endsWith('/') ? await readIfFile(file) : undefined;
    if (body) {
      const hashed = path.startsWith('/assets/');
      c.header('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      c.header('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
      return c.body(new Uint8Array(body));
    }
    if (extname(path) !== '' || !(c.req.header('Accept') ?? '').includes('text/html')) return next();
    const index = await readIfFile(join(root, 'index.html'));
    if (!index) {
      c.header('Cache-Control', 'no-store');
      return c.text('The web UI is not built: run `npm run build:web` (npm ci does it), then reload.', 503);
    }
    c.header('Cache-Control', 'no-cache');
    c.header('Content-Type', TYPES['.html'] ?? 'text/html');
    return c.body(new Uint8Array(index));
  });
  return r;
}
