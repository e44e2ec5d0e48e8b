import { runMenu } from './admin/menu.js';
import { runCommandLine } from './admin/run.js';

/**
 * `npm run admin`: a menu in a terminal; `npm run admin -- <action> [options]` for scripts
 * (`--help` on each). See docs/operations.md.
 */
const argv = process.argv.slice(2);
const interactive = argv.length === 0 && process.stdin.isTTY === true && process.stdout.isTTY === true;
process.exitCode = interactive ? await runMenu() : await runCommandLine(argv);
