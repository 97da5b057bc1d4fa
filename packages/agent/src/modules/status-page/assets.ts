// The page's files, served from a fixed list read at start: a request names an entry of the list
// or nothing. No path from a request ever reaches the file system, so `..` cannot climb out.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

// From src/modules/status-page and dist/modules/status-page alike: packages/agent/static/status-page.
const ROOT = new URL('../../../static/status-page/', import.meta.url);

const FILES: Readonly<Record<string, [string, string]>> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/status.css': ['status.css', 'text/css; charset=utf-8'],
  '/status.js': ['status.js', 'text/javascript; charset=utf-8'],
  '/favicon.svg': ['favicon.svg', 'image/svg+xml'],
};

/** The page's assets by the path they are served at. */
export function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const [path, [file, type]] of Object.entries(FILES)) {
    const body = readFileSync(new URL(file, ROOT));
    assets.set(path, { body, type, etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 16)}"` });
  }
  return assets;
}

/**
 * Why a request path is refused before any lookup: a dot segment (`..`, also %-encoded), a
 * backslash, a NUL or an undecodable escape. undefined for a path that is merely unknown.
 */
export function traversalReason(rawPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return 'undecodable %-escape';
  }
  if (decoded.includes('\0')) return 'NUL in path';
  if (decoded.includes('\\')) return 'backslash in path';
  if (decoded.split('/').some((segment) => segment === '..' || segment === '.')) return 'dot segment in path';
  return undefined;
}
