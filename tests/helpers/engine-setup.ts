import { warmUpTestDatabase } from './engine.js';

// vitest.postgres.config.ts's setup file: the worker's PGlite is up before its first test starts.
await warmUpTestDatabase();
