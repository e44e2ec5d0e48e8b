import { relative } from 'node:path';
import { statSync } from 'node:fs';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { QUIET } from './quiet-files.js';

/**
 * The order files start in: the quiet group last (`sequence.groupOrder`), its files in the order
 * {@link QUIET} lists them, and every other group's larger files first — what Vitest does on a machine
 * with no results cache (CI's clean clone), now on every machine. Vitest's usual order once it has a
 * cache, the longest files first, started the suite's heaviest files (the deploys, the sandbox page,
 * the CLIs' child processes) at once and made the run slower on 2 cores: 307 and 313 s, against 288
 * and 287 s larger first (`/usr/bin/time npm test`, 2026-12-05).
 */
export default class BySizeSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const rank = (f: TestSpecification) => {
      const quiet = QUIET.indexOf(relative(root, f.moduleId));
      return quiet >= 0 ? quiet : -statSync(f.moduleId).size;
    };
    const ranks = new Map(files.map((f) => [f, rank(f)]));
    return [...files].sort(
      (a, b) =>
        a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder ||
        (a.project.name === b.project.name ? 0 : a.project.name < b.project.name ? -1 : 1) ||
        ranks.get(a)! - ranks.get(b)!,
    );
  }
}
