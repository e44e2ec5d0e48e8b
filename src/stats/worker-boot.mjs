// Running from TypeScript sources (tsx, vitest): a worker does not inherit the parent's tsx
// hooks, so register them before importing the .ts entry. Compiled dist/ starts the .js directly.
// The entry comes as workerData (a thread) or as the first argument (a child process).
import process from 'node:process';
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData?.entry ?? process.argv[2]);
