import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * Vega-Lite changes `Set.prototype` when it is imported, and @discordjs/rest and @discordjs/ws could
 * not be imported after it (src/stats/render.ts, `keepSetsLoadable`). A fresh process, since the
 * test's own may have loaded the Discord clients already.
 */
describe('a process that drew a chart', () => {
  it('still loads the Discord REST and gateway clients, and Vega-Lite still tells sets apart', () => {
    const script = `
      const { renderSpec } = await import('./src/stats/render.ts');
      const { png } = await renderSpec({ data: { values: [{ a: 1 }] }, mark: 'bar', encoding: { x: { field: 'a', type: 'quantitative' } } });
      const { REST } = await import('@discordjs/rest');
      const { WebSocketManager } = await import('@discordjs/ws');
      new REST();
      console.log(JSON.stringify({ png: png.length > 0, rest: typeof REST, ws: typeof WebSocketManager, sets: [JSON.stringify(new Set([1, 'a'])), JSON.stringify(new Set())] }));
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ png: true, rest: 'function', ws: 'function', sets: ['"Set(1,\\"a\\")"', '"Set()"'] });
  }, 30_000);
});
