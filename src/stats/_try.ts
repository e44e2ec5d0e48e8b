import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { openDatabase } from '../shared/db/database.js';
import { migrateToLatest } from '../shared/db/migrate.js';
import { seedSyntheticGuild, syntheticUserId } from './synthetic.js';
import { produceCharts } from './produce.js';
import { CHART_NAMES } from './catalog.js';
const path = '/tmp/charts/try.sqlite';
mkdirSync('/tmp/charts', { recursive: true }); rmSync(path, { force: true });
const d = openDatabase(path); await migrateToLatest(d.db);
const now = Date.parse('2026-11-20T22:00:00Z');
const members = Number(process.argv[2] ?? 60), stays = Number(process.argv[3] ?? 5000);
let t = performance.now();
console.log(seedSyntheticGuild(d.sqlite, { guildId: '1', zone: 'Europe/Paris', members, stays, channels: 6, now, days: 365 }), performance.now() - t);
t = performance.now();
await produceCharts(d.db, CHART_NAMES.map((chart) => ({ guildId: '1', chart, range: '365d' as const, now, memberId: chart === 'timeline' ? syntheticUserId(3) : undefined })), (i, r, ms) => {
  console.log(r.chart, Math.round(ms), r.ok ? r.summary : r.reason);
  if (r.ok) { writeFileSync(`/tmp/charts/${r.chart}.png`, r.png); writeFileSync(`/tmp/charts/${r.chart}.svg`, r.svg); }
});
console.log('total', performance.now() - t);
await d.close();
