// `npm run build`: copies the sandbox page (plain ES modules and CSS, type-checked by
// `tsc -p src/sandbox/web/public`, nothing to bundle) beside the compiled emulator, so the built
// emulator (dist/src/sandbox/web/serve.js) serves it from ./public like the source one does.
import { cpSync } from 'node:fs';
import { URL } from 'node:url';

const from = new URL('./public/', import.meta.url);
const to = new URL('../../../dist/src/sandbox/web/public/', import.meta.url);
cpSync(from, to, { recursive: true, filter: (source) => !source.endsWith('tsconfig.json') });
