/**
 * The console's built assets: the browser code compiled by `tsc -p web` into one AMD file
 * (dist/web/warden-ui.js), wrapped here with a tiny module loader of our own into a single
 * script that defines no globals, and its one stylesheet. Both are read once and kept.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

/** dist/src/web/assets.js → dist/web/warden-ui.js; the stylesheet is a source file (web/console.css). */
const BUNDLE = fileURLToPath(new URL('../../web/warden-ui.js', import.meta.url));
const STYLES = fileURLToPath(new URL('../../../web/console.css', import.meta.url));

export class ConsoleAssetsMissing extends Error {
  constructor(path: string) {
    super(`the console's browser code is not built (${path} is missing): run \`npm run build\``);
    this.name = 'ConsoleAssetsMissing';
  }
}

export interface ConsoleAssets {
  script: string;
  styles: string;
  /** CSP source hashes of the two, for inline use ('sha256-...'). */
  scriptHash: string;
  stylesHash: string;
}

let cached: ConsoleAssets | undefined;

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new ConsoleAssetsMissing(path);
  }
}

/** Resolves `define(id, deps, factory)` modules in order of need; `require`/`exports` as in AMD. */
const LOADER_HEAD = `(function () {
'use strict';
var defs = Object.create(null);
var done = Object.create(null);
function req(id) {
  if (id in done) return done[id].exports;
  var d = defs[id];
  if (!d) throw new Error('warden console: no module ' + id);
  var m = { exports: {} };
  done[id] = m;
  var args = d.deps.map(function (x) { return x === 'require' ? req : x === 'exports' ? m.exports : req(x); });
  d.factory.apply(null, args);
  return m.exports;
}
function define(id, deps, factory) { defs[id] = { deps: deps, factory: factory }; }
`;
const LOADER_TAIL = `
req('app').boot();
})();
`;

export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export function consoleAssets(): ConsoleAssets {
  if (cached) return cached;
  // the script may be inlined: no sequence in it may close or comment out its <script> element
  const script = `${LOADER_HEAD}${read(BUNDLE)}${LOADER_TAIL}`.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
  const styles = read(STYLES).replace(/<\/(style)/gi, '<\\/$1');
  cached = { script, styles, scriptHash: cspHash(script), stylesHash: cspHash(styles) };
  return cached;
}
