import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/shared/db/schema.js';
import { declaredDays, loadStays, voiceTotals } from '../../src/stats/queries.js';
import { loadTurnoutHistory } from '../../src/shared/services/turnout-history.js';
import { GUILD, statsDb, type StatsDb } from './db.js';

/**
 * The charts' bulk reads stay fast only while SQLite answers them from their covering indexes in
 * index order: a plan that seeks the time index instead reads every table row and sorts them
 * (a 200k-stay year: 0.7 s instead of 0.1 s). These tests read the plans of the real queries.
 */
describe('the bulk reads of the charts use their covering indexes', () => {
  let s: StatsDb;
  let seen: CompiledQuery[];
  let db: Kysely<Database>;
  beforeEach(async () => {
    s = await statsDb();
    seen = [];
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: s.sqlite }), log: (event) => void seen.push(event.query) });
    // A little data, so the plans are the ones a real guild gets (with or without ANALYZE statistics).
    for (let i = 0; i < 50; i++) await s.stay(`c${i % 3}`, `u${i % 7}`, `2026-11-${String(1 + (i % 9)).padStart(2, '0')}T20:00`, `2026-11-${String(1 + (i % 9)).padStart(2, '0')}T22:00`);
    for (let i = 0; i < 30; i++) await s.declare(`u${i % 7}`, `2026-11-${String(1 + (i % 9)).padStart(2, '0')}`, 18 + (i % 5));
  });
  afterEach(() => s.close());

  const plan = (query: CompiledQuery) => (s.sqlite.prepare(`explain query plan ${query.sql}`).all(...(query.parameters as unknown[])) as { detail: string }[]).map((r) => r.detail);

  it.each([
    ['loadStays', 'voice_stays_member_channel', async (ctx: Awaited<ReturnType<StatsDb['context']>>) => loadStays(db, ctx.scope, { playingOnly: true })],
    ['voiceTotals', 'voice_stays_member_channel', async (ctx: Awaited<ReturnType<StatsDb['context']>>) => voiceTotals(db, ctx.scope)],
    ['declaredDays', 'availability_member_date', async (ctx: Awaited<ReturnType<StatsDb['context']>>) => declaredDays(db, ctx.scope, ctx.dates.from, ctx.dates.to)],
  ])('%s reads %s alone, in its order', async (name, index, read) => {
    for (const analysed of [false, true]) {
      if (analysed) s.sqlite.exec('analyze');
      seen = [];
      const ctx = await s.context('30d', '2026-11-20T21:00', { excludedUserIds: ['u6'] });
      expect((await read(ctx)).length).toBeGreaterThan(0);
      const bulk = seen.filter((q) => /from "?(voice_stays|availability)\b/.test(q.sql) && !/daily_posts/.test(q.sql));
      expect(bulk).toHaveLength(1);
      const steps = plan(bulk[0]!);
      expect(steps.join(' | ')).toContain(`USING COVERING INDEX ${index}`);
      // Grouping follows the index: no temporary b-tree for the per-member groups of stays.
      if (name === 'loadStays') expect(steps.join(' | ')).not.toContain('TEMP B-TREE');
    }
  });

  it("the turnout forecast's history reads both tables from covering indexes", async () => {
    for (const analysed of [false, true]) {
      if (analysed) s.sqlite.exec('analyze');
      seen = [];
      const history = await loadTurnoutHistory(db, { guildId: GUILD, zone: s.zone, fromDate: '2026-10-01', beforeDate: '2026-11-20', until: s.local('2026-11-20T00:00'), excluded: new Set(['u6']) });
      expect(history.length).toBeGreaterThan(0);
      const said = seen.find((q) => /from "availability"/.test(q.sql))!;
      const stays = seen.find((q) => /from "voice_stays"/.test(q.sql))!;
      expect(plan(said).join(' | ')).toContain('USING COVERING INDEX availability_member_date');
      expect(plan(stays).join(' | ')).toMatch(/USING COVERING INDEX voice_stays_(member_channel|user_cover)/);
      expect(plan(stays).join(' | ')).not.toContain('TEMP B-TREE');
    }
  });
});
