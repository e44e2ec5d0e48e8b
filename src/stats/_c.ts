import { openDatabase } from '../shared/db/database.js';
import { BUILDERS } from './produce.js';
import { CHART_NAMES } from './catalog.js';
import { StatsContext } from './context.js';
import { resolveScope } from './scope.js';
import { communityLayout } from './community.js';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import { FONT_FILES, renderSpec } from './render.js';
import { threadCpuMs } from './thread-cpu.js';
import { voiceTotals, lastSeen } from './queries.js';
const d = openDatabase('/tmp/charts/try.sqlite');
const now = Date.parse('2026-11-20T22:00:00Z');
const req = (chart: any) => ({ guildId: '1', chart, range: '365d' as const, now, memberId: chart === 'timeline' ? '800000000000000003' : undefined });
const ctx = new StatsContext(d.db, await resolveScope(d.db, req('total')));
await renderSpec({ data: { values: [{ a: 'x', b: 1 }] }, mark: 'bar', encoding: { x: { field: 'a', type: 'nominal' }, y: { field: 'b', type: 'quantitative' } } });
let t = threadCpuMs()!;
const lap = () => { const n = threadCpuMs()!; const r = n - t; t = n; return r; };
await ctx.playing(); console.log('stays', lap()); const pairs = await ctx.pairs(); console.log('pairs', lap()); await ctx.slots(); console.log('slots', lap());
await ctx.declared(); console.log('declared', lap());
await voiceTotals(d.db, ctx.scope); console.log('totals sql', lap());
await lastSeen(d.db, ctx.scope); console.log('lastSeen sql', lap());
communityLayout(pairs, 3600000); console.log('layout', lap());
for (const c of CHART_NAMES) {
  const b = await BUILDERS[c](ctx, req(c)); const build = lap();
  if ('reason' in b) { console.log(c, build, 'none'); continue; }
  const spec = compile(b.spec).spec; const vl = lap();
  const view = new vega.View(vega.parse(spec), { renderer: 'none', logLevel: vega.Error });
  const svg = await view.toSVG(); const tosvg = lap();
  const r1 = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: 'Inter' } }); const parse = lap();
  const img = r1.render(); const raster = lap();
  img.asPng(); const encode = lap();
  console.log(c, { build, vl, tosvg, parse, raster, encode });
}
