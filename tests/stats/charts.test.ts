import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import { CHART_NAMES, type ChartName, type ChartResult } from '../../src/stats/catalog.js';
import { produceCharts } from '../../src/stats/produce.js';
import { FONT_FILES, PNG_SCALE } from '../../src/stats/render.js';
import { StatsService } from '../../src/stats/service.js';
import { seedSyntheticGuildWith, syntheticUserId } from '../../bench/lib/synthetic.js';
import { TEST_DB } from '../helpers/engine.js';
import { GUILD, statsDb, type StatsDb } from './db.js';
import { differingPixels, inspectPng } from './png.js';

const NOW = Date.parse('2026-11-20T21:00:00Z');
/** The PNGs are kept here after the run, to be looked at. */
const OUT = join(tmpdir(), 'rollcall-test-stats-charts');

function expectReadablePng(result: ChartResult) {
  if (!result.ok) throw new Error(`${result.chart}: no chart — ${result.reason}`);
  writeFileSync(join(OUT, `${result.chart}.png`), result.png);
  const png = inspectPng(result.png);
  expect([png.width, png.height]).toEqual([result.width, result.height]);
  expect(png.width).toBeGreaterThan(400);
  expect(png.height).toBeGreaterThan(200);
  expect(png.variance).toBeGreaterThan(100);
  expect(png.inkRatio).toBeGreaterThan(0.01);
  // Text is drawn as text in the SVG (then rasterised with the bundled Inter font)…
  expect(result.svg).toContain(`>${result.title.slice(0, 12)}`);
  // …and the PNG really has it: its title band differs from the same chart drawn with no text.
  expect(textPixels(result.png, result.svg), `${result.chart}: title band pixels that are text`).toBeGreaterThan(MIN_TITLE_PIXELS);
}

/** The top of the PNG, where the title and subtitle are (16 px padding, 18 + 12 px text, ×1.5). */
const TITLE_BAND_PX = 100;
/** A title and subtitle in Inter at 1.5× leave several thousand (measured 4 500–7 700); no font leaves 0. */
const MIN_TITLE_PIXELS = 1500;
const withoutText = (svg: string) => svg.replace(/<text\b[^>]*>[\s\S]*?<\/text>/g, '');
/** Rasterises an SVG as `render.ts` does, with the given font files only (no system fonts). */
const rasterise = (svg: string, fontFiles: string[]) =>
  new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: PNG_SCALE }, font: { fontFiles, loadSystemFonts: false, defaultFontFamily: 'Inter' } }).render().asPng();
/** Pixels of the title band that only text explains: the PNG against its own SVG drawn without text. */
const textPixels = (png: Uint8Array, svg: string) => differingPixels(png, rasterise(withoutText(svg), FONT_FILES), TITLE_BAND_PX);

describe('every chart renders a readable PNG from a seeded database', () => {
  let s: StatsDb;
  let names: Map<string, string>;
  const results = new Map<ChartName, ChartResult>();

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    s = await statsDb('Europe/Berlin');
    await s.db.deleteFrom('guild_config').execute(); // the seed writes the guild's config itself
    await seedSyntheticGuildWith(s.db, { guildId: GUILD, zone: 'Europe/Berlin', members: 40, stays: 3000, channels: 3, now: NOW, days: 120, seed: 11 });
    // Someone who left long ago, and someone who said he would come but never joined voice.
    await s.member('ghost', 'Ghostly Gabe');
    await s.db
      .insertInto('daily_posts')
      .values({ guild_id: GUILD, date: '2026-10-01', channel_id: '1', nonce: 'n', state: 'posted', timezone: 'Europe/Berlin', first_hour: 16, last_hour: 2, created_at: 0 })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await s.db.insertInto('availability').values({ guild_id: GUILD, date: '2026-10-01', user_id: 'ghost', hour: 20, declared: 'reaction', updated_at: 0 }).execute();
    // And a name the cache knows with nothing else (an erased member who ran a command since).
    await s.member('erased', 'Erased Eve');
    await s.db
      .insertInto('voice_stays')
      .values({ guild_id: GUILD, channel_id: 'x', user_id: 'gone', started_at: NOW - 60 * 86_400_000, ended_at: NOW - 60 * 86_400_000 + 3_600_000 })
      .execute();
    await s.member('gone', 'Long-Gone Lisa');
    names = new Map((await s.db.selectFrom('members').select(['user_id', 'display_name']).execute()).map((m) => [m.user_id, m.display_name]));
    const requests = CHART_NAMES.map((chart) => ({ guildId: GUILD, chart, range: '90d' as const, now: NOW, memberId: chart === 'timeline' ? syntheticUserId(0) : undefined }));
    for (const r of await produceCharts(s.db, requests)) results.set(r.chart, r);
  }, 120_000);
  afterAll(() => s.close());

  it.each(CHART_NAMES.map((c) => [c]))('%s', (chart) => {
    expectReadablePng(results.get(chart)!);
  });

  it('the text check fails when the font is missing (text in the SVG, nothing drawn)', () => {
    const result = results.get('total') as Extract<ChartResult, { ok: true }>;
    const fontless = rasterise(result.svg, []);
    expect(textPixels(fontless, result.svg)).toBeLessThan(MIN_TITLE_PIXELS / 10);
    expect(textPixels(result.png, result.svg)).toBeGreaterThan(MIN_TITLE_PIXELS * 2);
  });

  it('writes member names, not ids, on the charts about members', () => {
    const svg = (c: ChartName) => (results.get(c) as Extract<ChartResult, { ok: true }>).svg;
    const known = [...names.values()];
    for (const chart of ['community', 'duos', 'total', 'reliability', 'member-months', 'drifting'] as const) {
      const shown = known.filter((n) => svg(chart).includes(n));
      expect(shown.length, chart).toBeGreaterThanOrEqual(5);
      expect(svg(chart), chart).not.toMatch(/8000000000000000\d\d/);
    }
    expect(svg('inactive')).toContain('Ghostly Gabe');
    expect(svg('inactive')).toContain('Long-Gone Lisa');
    expect(svg('inactive')).not.toContain('Erased Eve');
    expect(svg('inactive')).toContain('members who were ever in voice or on a daily message');
    expect(svg('timeline')).toContain(names.get(syntheticUserId(0)));
  });

  // The chart workers open the SQLite file; on PostgreSQL the app draws inline (src/app.ts), as above.
  const onSqlite = it.skipIf(TEST_DB !== 'sqlite');

  onSqlite(
    'draws in the worker thread too, without blocking this one',
    async () => {
      const service = new StatsService({ databasePath: s.path, clock: new ManualClock(NOW) });
      try {
        let longestGap = 0;
        let last = performance.now();
        const ticker = setInterval(() => {
          longestGap = Math.max(longestGap, performance.now() - last);
          last = performance.now();
        }, 5);
        const result = await service.chart({ guildId: GUILD, chart: 'weekdays', range: '30d' });
        clearInterval(ticker);
        expectReadablePng(result);
        // Generous: the machine is shared; drawing on this thread would block it for the whole chart.
        expect(longestGap).toBeLessThan(1000);
      } finally {
        await service.close();
      }
    },
    60_000,
  );

  onSqlite(
    'draws a whole batch in the worker, split between its two threads, exactly as on this thread and in request order',
    async () => {
      const service = new StatsService({ databasePath: s.path, clock: new ManualClock(NOW) });
      try {
        // Timeline, inactive and total go to the draw worker whole; the rest share the render worker's stays.
        const requests = [
          ...CHART_NAMES.map((chart) => ({ guildId: GUILD, chart, range: '90d' as const, memberId: chart === 'timeline' ? syntheticUserId(0) : undefined })),
          { guildId: GUILD, chart: 'timeline' as const, range: '90d' as const, memberId: 'nobody' },
        ];
        const reported: number[] = [];
        const batch = await service.charts(requests, (index, result) => {
          expect(result.chart).toBe(requests[index]!.chart);
          reported.push(index);
        });
        expect(reported.sort((a, b) => a - b)).toEqual([...requests.keys()]);
        expect(batch.map((r) => r.chart)).toEqual(requests.map((r) => r.chart));
        for (const chart of CHART_NAMES) {
          const inWorker = batch[CHART_NAMES.indexOf(chart)]!;
          expectReadablePng(inWorker);
          // Vega numbers clip paths with a per-thread counter; everything else is the same picture.
          const svg = (r: ChartResult | undefined) => (r as Extract<ChartResult, { ok: true }>).svg.replace(/clip\d+/g, 'clip');
          expect(svg(inWorker), chart).toBe(svg(results.get(chart)));
        }
        const nobody = batch[CHART_NAMES.length]!;
        expect(nobody.ok).toBe(false);
        if (!nobody.ok) expect(nobody.reason).toMatch(/voice/);
      } finally {
        await service.close();
      }
    },
    120_000,
  );
});

describe('not enough data', () => {
  it('every chart explains itself instead of drawing an empty picture', async () => {
    const s = await statsDb();
    try {
      const results = await produceCharts(
        s.db,
        CHART_NAMES.map((chart) => ({ guildId: GUILD, chart, range: '30d' as const, now: NOW, memberId: chart === 'timeline' ? 'nobody' : undefined })),
      );
      for (const r of results) {
        expect(r.ok, r.chart).toBe(false);
        if (!r.ok) expect(r.reason.length, r.chart).toBeGreaterThan(20);
      }
    } finally {
      await s.close();
    }
  }, 60_000);
});
