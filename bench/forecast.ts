/**
 * `npm run bench -- forecast [--members <n>] [--stays <n>]`
 *
 * Is "likely N" on the daily message calibrated? A generated year (the stats benchmark's community,
 * with members whose word is worth different amounts and drifts: `driftingReliability`) is replayed
 * day by day: each evening is forecast from the days before it only (`fitTurnout` ignores the day
 * itself and later), then scored against who was really in voice:
 * - Brier score and log loss of each declared member-hour's show-up probability;
 * - mean absolute error of each hour's count (declared members in voice), hours with ≥ 1 declared;
 * against two baselines scored on the same hours: "everyone who said comes" (p = 1) and "the
 * guild's overall show-up rate" (all days before, unweighted). Then the cost on the message's edit
 * path: the model built cold for a day (SQL + fit), a cached look-up, and a render with and without it.
 * Last line: one JSON object.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { ManualClock } from '../src/shared/clock.js';
import { openDatabase } from '../src/shared/db/database.js';
import { migrateToLatest } from '../src/shared/db/migrate.js';
import { DailyPostReader } from '../src/shared/services/daily-post-row.js';
import { DailyPostView } from '../src/shared/services/daily-post-view.js';
import { TurnoutForecast } from '../src/shared/services/turnout-forecast.js';
import { loadTurnoutHistory } from '../src/shared/services/turnout-history.js';
import { fitTurnout, type TurnoutObservation } from '../src/shared/services/turnout-model.js';
import { driftingReliability, seedSyntheticGuild } from './lib/synthetic.js';
import { printResult, printTable, progress } from './lib/report.js';
import { percentile, round } from './lib/stats.js';

const GUILD = '900000000000000077';
const ZONE = 'Europe/Paris';
const DAYS = 365;
/** 06:00 in Paris on Tuesday 1 December 2026: the last evening (30 November, until 02:00) is over. */
const NOW = Date.parse('2026-12-01T05:00:00Z');

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i === -1 ? fallback : Number(args[i + 1]);
}

/** Running sums of one way of forecasting. */
class Score {
  brier = 0;
  logLoss = 0;
  countError = 0;
  predicted = 0;
  hours = 0;
  slots = 0;
  /** One member-hour: predicted chance p, outcome y. */
  add(p: number, y: number): void {
    this.brier += (p - y) ** 2;
    const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
    this.logLoss -= y ? Math.log(q) : Math.log(1 - q);
    this.predicted += p;
    this.hours++;
  }
  /** One hour of one evening: expected count against the real one. */
  slot(expected: number, actual: number): void {
    this.countError += Math.abs(expected - actual);
    this.slots++;
  }
  get result() {
    return { brier: this.brier / this.hours, logLoss: this.logLoss / this.hours, countMae: this.countError / this.slots, meanP: this.predicted / this.hours };
  }
}

export async function run(args: string[]): Promise<void> {
  const members = option(args, '--members', 150);
  const staysWanted = option(args, '--stays', 60_000);
  const tmp = mkdtempSync(join(tmpdir(), 'rollcall-bench-forecast-'));
  try {
    progress(`generating a year: ${members} members, ~${staysWanted.toLocaleString('en-US')} stays, reliability that differs and drifts`);
    const database = openDatabase(join(tmp, 'rollcall.sqlite'));
    await migrateToLatest(database.db);
    const seeded = seedSyntheticGuild(database.sqlite, {
      guildId: GUILD,
      zone: ZONE,
      members,
      stays: staysWanted,
      channels: 6,
      now: NOW,
      days: DAYS,
      seed: 2026,
      reliability: driftingReliability(members, DAYS),
    });
    const firstDate = DateTime.fromMillis(NOW, { zone: ZONE }).startOf('day').minus({ days: DAYS }).toISODate()!;
    const lastDate = DateTime.fromMillis(NOW, { zone: ZONE }).toISODate()!;

    // Every declared hour of the year with its outcome, read as the service reads history.
    let t = performance.now();
    const all = await loadTurnoutHistory(database.db, { guildId: GUILD, zone: ZONE, fromDate: firstDate, beforeDate: lastDate, until: NOW, excluded: new Set() });
    const loadYearMs = performance.now() - t;
    progress(`${seeded.stays.toLocaleString('en-US')} stays, ${all.length.toLocaleString('en-US')} declared hours read with their outcome in ${Math.round(loadYearMs)} ms`);

    // ── the replay ─────────────────────────────────────────────────────────────────────────────
    const byDay = new Map<number, TurnoutObservation[]>();
    for (const o of all) byDay.set(o.day, [...(byDay.get(o.day) ?? []), o]);
    const dayNumbers = [...byDay.keys()].sort((a, b) => a - b);
    const model = new Score();
    const said = new Score();
    const rate = new Score();
    const bins = Array.from({ length: 10 }, () => ({ p: 0, y: 0, n: 0 }));
    let history: TurnoutObservation[] = [];
    let shows = 0;
    let says = 0;
    let days = 0;
    let skipped = 0;
    t = performance.now();
    for (const day of dayNumbers) {
      const tonight = byDay.get(day)!;
      const date = new Date(day * 86_400_000).toISOString().slice(0, 10);
      const fitted = fitTurnout(history, date);
      if (fitted && says > 0) {
        days++;
        const guildRate = shows / says;
        const perHour = new Map<number, { model: number; said: number; rate: number; actual: number }>();
        for (const o of tonight) {
          const p = fitted.probability(o.userId, o.weekday);
          const y = o.showed ? 1 : 0;
          model.add(p, y);
          said.add(1, y);
          rate.add(guildRate, y);
          const bin = bins[Math.min(9, Math.floor(p * 10))]!;
          bin.p += p;
          bin.y += y;
          bin.n++;
          const h = perHour.get(o.hour) ?? { model: 0, said: 0, rate: 0, actual: 0 };
          h.model += p;
          h.said += 1;
          h.rate += guildRate;
          h.actual += y;
          perHour.set(o.hour, h);
        }
        for (const h of perHour.values()) {
          model.slot(h.model, h.actual);
          said.slot(h.said, h.actual);
          rate.slot(h.rate, h.actual);
        }
      } else skipped++;
      // Tonight becomes history for tomorrow.
      history = history.concat(tonight);
      for (const o of tonight) {
        shows += o.showed ? 1 : 0;
        says++;
      }
    }
    const replayMs = performance.now() - t;
    const m = model.result;
    const s = said.result;
    const r = rate.result;
    const actualRate = shows / says;
    // Strings, so the table shows the digits that tell the three apart.
    const figures = (x: Score['result']) => ({ brier: x.brier.toFixed(4), 'log loss': x.logLoss.toFixed(4), 'count MAE': x.countMae.toFixed(3), 'mean p': x.meanP.toFixed(3) });
    printTable(
      [
        { forecast: 'model (member × weekday, shrunk, recency)', ...figures(m) },
        { forecast: 'everyone who said comes (p = 1)', ...figures(s) },
        { forecast: "guild's overall show-up rate", ...figures(r) },
      ],
      `${days} evenings forecast from the days before each (${skipped} without enough history yet), ${model.hours.toLocaleString('en-US')} member-hours in ${model.slots.toLocaleString('en-US')} hour slots; real show-up rate ${round(actualRate, 3)}`,
    );
    printTable(
      bins
        .map((b, i) => ({ 'predicted p': `${i / 10}–${(i + 1) / 10}`, 'member-hours': b.n, 'mean predicted': round(b.p / b.n, 3), 'share that showed': round(b.y / b.n, 3) }))
        .filter((row) => row['member-hours'] > 0),
      'Calibration of the model: within each band of predicted chance, how many really came',
    );

    // ── cost on the daily message's edit path ──────────────────────────────────────────────────
    const clock = new ManualClock(NOW);
    const forecast = new TurnoutForecast({ db: database.db, clock });
    const lastPost = await database.db.selectFrom('daily_posts').selectAll().where('guild_id', '=', GUILD).orderBy('date', 'desc').limit(1).executeTakeFirstOrThrow();
    t = performance.now();
    const built = await forecast.forDay(GUILD, lastPost.date, ZONE);
    const coldMs = performance.now() - t;
    const warmRuns = 200;
    t = performance.now();
    for (let i = 0; i < warmRuns; i++) await forecast.forDay(GUILD, lastPost.date, ZONE);
    const warmMs = (performance.now() - t) / warmRuns;
    const labels = { labels: async () => new Map<string, string>() };
    const posts = new DailyPostReader(database.db);
    const withForecast = new DailyPostView({ db: database.db, labels, posts, forecast });
    const without = new DailyPostView({ db: database.db, labels, posts });
    // Rounds of 20 renders, the two views alternating, so a busy moment on the machine hits both; medians.
    const rounds = { with: [] as number[], without: [] as number[] };
    for (let i = 0; i < 22; i++) {
      for (const [view, into] of [
        [without, rounds.without],
        [withForecast, rounds.with],
      ] as const) {
        const started = performance.now();
        for (let k = 0; k < 20; k++) await view.content(lastPost);
        if (i >= 2) into.push((performance.now() - started) / 20); // the first rounds warm the JIT
      }
    }
    const renderWithout = percentile(rounds.without, 50);
    const renderWith = percentile(rounds.with, 50);
    const onMessage = (await withForecast.content(lastPost)).split('\n').filter((l) => l.includes('<t:') && l.includes(' · likely '));
    await database.close();
    printTable(
      [
        { step: `model for ${lastPost.date} built cold (${built?.model.hours.toLocaleString('en-US') ?? 0} hours of history: SQL + fit)`, ms: round(coldMs, 1) },
        { step: 'model from the cache (one privacy-generation read)', ms: round(warmMs, 3) },
        { step: 'render of the daily message without the forecast (median of 20 rounds of 20)', ms: round(renderWithout, 3) },
        { step: 'render of the daily message with "likely N" (cached model; same)', ms: round(renderWith, 3) },
      ],
      'Cost on the edit path (the model is built once per guild and day, then cached)',
    );
    console.log(`the last message, first lines with a forecast:\n${onMessage.slice(0, 3).join('\n')}`);
    console.log(`replay of the year: ${Math.round(replayMs)} ms (${days} fits over the growing history)`);
    const beats = m.brier < s.brier && m.brier < r.brier && m.countMae < s.countMae && m.countMae < r.countMae;
    printResult({
      bench: 'forecast',
      days,
      days_without_history: skipped,
      member_hours: model.hours,
      hour_slots: model.slots,
      show_rate: round(actualRate, 4),
      brier: round(m.brier, 4),
      brier_said: round(s.brier, 4),
      brier_rate: round(r.brier, 4),
      log_loss: round(m.logLoss, 4),
      log_loss_rate: round(r.logLoss, 4),
      count_mae: round(m.countMae, 3),
      count_mae_said: round(s.countMae, 3),
      count_mae_rate: round(r.countMae, 3),
      beats_baselines: beats,
      cold_model_ms: round(coldMs, 1),
      cached_model_ms: round(warmMs, 3),
      render_ms: round(renderWith, 3),
      render_without_forecast_ms: round(renderWithout, 3),
      load_year_ms: round(loadYearMs, 0),
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
