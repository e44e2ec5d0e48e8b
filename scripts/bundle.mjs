// `npm run build:bundle` (the last step of `npm run build`): bundles the server's three entry points
// over tsc's output, so `npm start`, start:http, start:gateway and the systemd unit run the same
// paths (dist/src/main.js, dist/src/http/main.js, dist/src/gateway/main.js) as bundles.
//
// Why (issue 22): file by file, the server loaded ~820 modules at start, about 4 MB of source text
// whose comments, indentation and non-Latin-1 characters (a file with one "→" is kept as two bytes
// per character) V8 holds as long as the functions in them live. One bundle without whitespace or
// comments, ASCII-only, cuts the V8 heap of an idle bot by about 9 MiB and the CPU to start by a
// quarter. Identifiers are not mangled, so stack traces still name the functions.
//
// What is left out, and why:
// - native addons and packages that read files beside themselves (better-sqlite3, resvg, davey,
//   opusscript, eSpeak NG, PGlite's WebAssembly, pg's optional native binding);
// - what only some paths need and that loads on first use from node_modules: @discordjs/voice (the
//   first greeting), pg and PGlite (DATABASE_URL), Fastify's schema compilers (never: no route
//   declares a schema), Vega (the render worker, a process of its own);
// - optional peers that their users try to load and do without (bufferutil, zlib-sync, …).
// The dynamic imports that were lazy stay lazy: esbuild splits each into its own chunk
// (dist/src/chunks/), so /stats's chart code or the voice speaker is not even parsed at start.
// The worker entries (stats/render-worker.js, voice/speech-worker.js) and the CLIs stay as tsc
// wrote them; bundled callers find them with src/shared/compiled-file.ts.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new globalThis.URL('../', import.meta.url));
const outdir = 'dist/src';

const external = [
  'better-sqlite3',
  '@resvg/resvg-js',
  '@snazzah/davey',
  'opusscript',
  '@echogarden/espeak-ng-emscripten',
  '@electric-sql/pglite',
  'pg',
  'pg-native',
  '@discordjs/voice',
  'vega',
  'vega-lite',
  '@fastify/ajv-compiler',
  '@fastify/fast-json-stringify-compiler',
  'pino-pretty',
  'bufferutil',
  'utf-8-validate',
  'zlib-sync',
];

rmSync(join(root, outdir, 'chunks'), { recursive: true, force: true });
// tsc's maps of the entries no longer describe them (no source maps: they would cost memory to load).
for (const entry of ['main', 'http/main', 'gateway/main']) rmSync(join(root, outdir, `${entry}.js.map`), { force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['src/main.ts', 'src/http/main.ts', 'src/gateway/main.ts'],
  outbase: 'src',
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  external,
  minifyWhitespace: true,
  minifySyntax: true,
  charset: 'ascii',
  legalComments: 'none',
  // The CommonJS packages inside (Fastify, undici, pino, …) call require() for Node's own modules.
  banner: { js: "import { createRequire as __rollcallRequire } from 'node:module'; const require = __rollcallRequire(import.meta.url);" },
  logLevel: 'warning',
});
