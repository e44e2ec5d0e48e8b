/**
 * The URL of one of rollcall's compiled files, given by its path under `src/` (`stats/render-worker.js`),
 * for compiled code that starts it as a worker thread or process (under tsx or vitest the callers
 * use the `.ts` next to them instead).
 *
 * Compiled, every file lives under `dist/src/`: tsc writes them one by one, and the server's entry
 * points are bundled over that (scripts/bundle.mjs) into `dist/src/main.js` and friends with shared
 * chunks in `dist/src/chunks/`. A bundled caller's own URL is then not next to the worker's file,
 * so the file is found from the `dist/src/` in the caller's URL, which holds in both layouts.
 */
export function compiledFile(callerUrl: string, pathUnderSrc: string): URL {
  const at = callerUrl.lastIndexOf('/dist/src/');
  if (at === -1) throw new Error(`${callerUrl} is not under a dist/src/ folder: cannot find ${pathUnderSrc} (run npm run build)`);
  return new URL(`${callerUrl.slice(0, at)}/dist/src/${pathUnderSrc}`);
}
