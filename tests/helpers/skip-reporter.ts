import type { Reporter, TestModule } from 'vitest/node';
import { ENGINE_SKIP_MARKER, SKIP_MARKER } from './programs.js';

/**
 * Ends the run with one line per program a skipped test needed and this machine lacks:
 * `skipped 12 tests: chromium not found (apt-get install chromium)`, and one per reason the engine of
 * the run could not run a test (`skipped 3 tests on PGlite: …`). Nothing when nothing is missing.
 */
export default class SkipReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const counts = new Map<string, { count: number; install: string }>();
    const engine = new Map<string, number>();
    for (const module of modules) {
      for (const test of module.children.allTests('skipped')) {
        const titles: string[] = [test.name];
        for (let parent = test.parent; parent.type === 'suite'; parent = parent.parent) titles.push(parent.name);
        const onEngine = titles.map((t) => ENGINE_SKIP_MARKER.exec(t)).find((m) => m !== null);
        if (onEngine) engine.set(onEngine[1]!, (engine.get(onEngine[1]!) ?? 0) + 1);
        const match = titles.map((t) => SKIP_MARKER.exec(t)).find((m) => m !== null);
        if (!match) continue;
        const entry = counts.get(match[1]!) ?? { count: 0, install: match[2]! };
        entry.count++;
        counts.set(match[1]!, entry);
      }
    }
    for (const [program, { count, install }] of [...counts].sort()) {
      console.log(`skipped ${count} test${count === 1 ? '' : 's'}: ${program} not found (${install})`);
    }
    for (const [reason, count] of [...engine].sort()) console.log(`skipped ${count} test${count === 1 ? '' : 's'} on PGlite: ${reason}`);
  }
}
