import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.js';
import { seedSyntheticGuild, syntheticUserId } from '../../bench/lib/synthetic.js';
import { migrateToPostgres } from '../../src/cli/admin/to-postgres.js';
import { openDatabase, type OpenDatabase } from '../../src/shared/db/database.js';
import { migrateToLatest } from '../../src/shared/db/migrate.js';
import { CHART_NAMES, type ChartName } from '../../src/stats/catalog.js';
import { StatsContext } from '../../src/stats/context.js';
import { BUILDERS } from '../../src/stats/produce.js';
import { resolveScope } from '../../src/stats/scope.js';
import { tempDir } from '../helpers/app.js';
import { startPostgres } from '../helpers/postgres-server.js';
import { needs } from '../helpers/programs.js';
import { admin, lastLine } from '../ops/helpers/cli.js';

/**
 * `npm run admin -- migrate-to-postgres`: a generated community (the stats benchmark's generator)
 * plus a row or two in every other table, moved from its SQLite file into PGlite (and a real
 * PostgreSQL server when Debian's postgresql is installed): every table's count equal, the charts'
 * data equal from both, sequences past the copied ids; the second run refuses; bad input is one line
 * and changes nothing; a target that loses rows makes it fail and roll back.
 */

const GUILD = '900000000000000201';
const NOW = Date.parse('2026-11-20T20:30:00Z');

/** The tables the generator does not fill get rows too (values that pass their checks), so every table is moved. */
function fillTheRest(sqlite: SQLite.Database): void {
  const tables = sqlite.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%'").pluck().all() as string[];
  const stayId = sqlite.prepare('select min(id) from voice_stays').pluck().get() as number;
  const special: Record<string, unknown> = { kind: 'mute', state: 'planned', declared: 'reaction', hour: 21, weekday: 3, first_hour: 16, last_hour: 2, stay_id: stayId, timezone: 'Asia/Tokyo' };
  for (const table of tables) {
    if ((sqlite.prepare(`select count(*) from "${table}"`).pluck().get() as number) > 0) continue;
    const columns = sqlite.prepare('select name, type, pk, dflt_value from pragma_table_info(?)').all(table) as { name: string; type: string; pk: number; dflt_value: unknown }[];
    const chosen = columns.filter((c) => !(c.name === 'id' && c.pk));
    for (let i = 0; i < 2; i++) {
      const values = chosen.map((c) => {
        if (c.name in special) return special[c.name];
        if (/int/i.test(c.type)) return c.name.endsWith('_id') ? `${table.length}${i}` : NOW + i; // past 2^31: PostgreSQL's bigint
        if (/real/i.test(c.type)) return 0.25 + i;
        if (c.name.endsWith('_id')) return `${800 + i}`;
        return c.dflt_value === "'[]'" || c.name === 'channels' || c.name === 'roles' ? '[]' : `it's ${table} ${i} — ✓ "quoted"`;
      });
      sqlite.prepare(`insert into "${table}" (${chosen.map((c) => `"${c.name}"`).join(', ')}) values (${chosen.map(() => '?').join(', ')})`).run(...values);
    }
  }
}

async function counts(database: OpenDatabase, tables: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = Number((await sql<{ n: number }>`select count(*) as n from ${sql.ref(t)}`.execute(database.db)).rows[0]!.n);
  return out;
}

/** What the charts draw from this database: the spec of every chart, 90 days. */
async function charts(database: OpenDatabase): Promise<Record<string, unknown>> {
  const request = (chart: ChartName) => ({ guildId: GUILD, chart, range: '90d' as const, now: NOW, ...(chart === 'timeline' ? { memberId: syntheticUserId(0) } : {}) });
  const ctx = new StatsContext(database.db, await resolveScope(database.db, request('total')));
  const out: Record<string, unknown> = {};
  for (const chart of CHART_NAMES) out[chart] = await BUILDERS[chart](ctx, request(chart));
  return out;
}

describe('npm run admin -- migrate-to-postgres', () => {
  const tmp = tempDir();
  const source = join(tmp.dir, 'rollcall.sqlite');
  let tables: string[];
  let expected: Record<string, number>;
  let expectedCharts: Record<string, unknown>;

  beforeAll(async () => {
    const database = openDatabase(source);
    await migrateToLatest(database.db);
    seedSyntheticGuild(database.sqlite, { guildId: GUILD, zone: 'Europe/Paris', members: 40, stays: 3_000, channels: 3, now: NOW, days: 70, seed: 3 });
    fillTheRest(database.sqlite);
    tables = database.sqlite.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' order by name").pluck().all() as string[];
    expected = await counts(database, tables);
    expectedCharts = await charts(database);
    database.checkpoint();
    await database.close();
  }, 120_000);
  afterAll(() => tmp.cleanup());

  it('moves every table into PGlite: counts and chart data equal, new ids follow the copied ones; the second run refuses and changes nothing, --force replaces', { timeout: 300_000 }, async () => {
    expect(Object.values(expected).every((n) => n > 0)).toBe(true);
    const target = `pglite://${join(tmp.dir, 'pg')}`;
    const first = await admin(['migrate-to-postgres', '--to', target], { env: { DATABASE_PATH: source, DATABASE_URL: '' }, timeoutMs: 200_000 });
    expect(first.code, first.stderr).toBe(0);
    for (const t of tables) expect(first.stdout).toMatch(new RegExp(`^${t} +${expected[t]} +${expected[t]}$`, 'm'));
    expect(lastLine(first.stdout)).toMatch(new RegExp(`^copied ${Object.values(expected).reduce((a, b) => a + b)} rows in ${tables.length} tables from .* to ${target} in [\\d.]+ s; counts equal$`));

    const again = await admin(['migrate-to-postgres', '--from', source], { env: { DATABASE_URL: target }, timeoutMs: 200_000 });
    expect(again.code).toBe(1);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(lastLine(again.stderr)).toMatch(/^rollcall admin: pglite:\/\/.* already has rollcall data \(\w+: \d+, .*\); nothing was changed\. .*--force/);

    const moved = openDatabase(target);
    try {
      expect(await counts(moved, tables)).toEqual(expected);
      expect(await charts(moved)).toEqual(expectedCharts);
      const [maxId] = (await sql<{ m: number }>`select max(id) as m from voice_stays`.execute(moved.db)).rows;
      const inserted = await moved.db
        .insertInto('voice_stays')
        .values({ guild_id: GUILD, channel_id: '1', user_id: 'new', started_at: NOW, ended_at: NOW + 1 })
        .returning('id')
        .executeTakeFirstOrThrow();
      expect(inserted.id).toBe(maxId!.m + 1);
    } finally {
      await moved.close();
    }
    // Told to, it replaces what the target has (the stay added since included) with the file's rows.
    const forced = await migrateToPostgres(source, target, { force: true });
    expect(forced.ok).toBe(true);
    expect(Object.fromEntries(forced.tables.map((t) => [t.table, t.postgres]))).toEqual(expected);
  });

  it('bad input is one line naming what to fix, and nothing is changed', { timeout: 200_000 }, async () => {
    const older = join(tmp.dir, 'older.sqlite');
    const newer = join(tmp.dir, 'newer.sqlite');
    copyFileSync(source, older);
    copyFileSync(source, newer);
    const edit = (file: string, statement: string) => {
      const db = new SQLite(file);
      db.exec(statement);
      db.close();
    };
    edit(older, "delete from kysely_migration where name = '2026-12-05-010-party-alerts'");
    edit(newer, "insert into kysely_migration (name, timestamp) values ('2099-01-01-001-future', '2099-01-01T00:00:00.000Z')");
    const target = `pglite://${join(tmp.dir, 'untouched')}`;
    const cases: [string[], RegExp][] = [
      [['--from', join(tmp.dir, 'missing.sqlite'), '--to', target], /^rollcall admin: no SQLite database at .*missing\.sqlite \(pass --from <file> or set DATABASE_PATH\)$/],
      [
        ['--from', older, '--to', target],
        /^rollcall admin: .*older\.sqlite is from an older release of rollcall \(1 migration not applied, first 2026-12-05-010-party-alerts\): .*npm run admin -- migrate --database /,
      ],
      [['--from', newer, '--to', target], /^rollcall admin: .*newer\.sqlite was migrated by a newer release of rollcall \(migration 2099-01-01-001-future is not in this one\)/],
      [['--from', source, '--to', 'postgres://rollcall:s3cret@127.0.0.1:1/rollcall'], /^rollcall admin: cannot reach postgres:\/\/rollcall:\*\*\*@127\.0\.0\.1:1\/rollcall: /],
      [['--from', source, '--to', 'mysql://db/rollcall'], /^rollcall admin: the target must be a postgres:\/\/ or pglite:\/\/ URL/],
      [['--from', source], /^rollcall admin: no target: pass --to postgres:\/\//],
    ];
    const results = await Promise.all(cases.map(([args]) => admin(['migrate-to-postgres', ...args], { env: { DATABASE_URL: '' }, timeoutMs: 150_000 })));
    results.forEach((r, i) => {
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      expect(lastLine(r.stderr)).toMatch(cases[i]![1]);
      expect(r.stderr).not.toContain('s3cret');
    });
    // The refused sources were only read.
    const check = new SQLite(older, { readonly: true });
    expect(check.prepare('select count(*) from kysely_migration').pluck().get()).toBe(Object.keys(migrations).length - 1);
    check.close();
  });

  it('a target that loses rows fails the count check: non-zero, the table printed with the differing one marked, everything rolled back', { timeout: 300_000 }, async () => {
    const url = `pglite://${join(tmp.dir, 'lossy')}`;
    const prepared = openDatabase(url);
    try {
      await migrateToLatest(prepared.db);
      // A target that silently drops every member row (a trigger), as a misconfigured database could.
      await sql`create function drop_row() returns trigger language plpgsql as $$ begin return null; end $$`.execute(prepared.db);
      await sql`create trigger lossy before insert on members for each row execute function drop_row()`.execute(prepared.db);
    } finally {
      await prepared.close();
    }
    const result = await admin(['migrate-to-postgres', '--from', source, '--to', url], { timeoutMs: 150_000 });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^members +${expected.members} +0  ✗ differs$`, 'm'));
    expect(result.stdout).toMatch(new RegExp(`^voice_stays +${expected.voice_stays} +${expected.voice_stays}$`, 'm'));
    expect(lastLine(result.stderr)).toBe(`rollcall admin: row counts differ for members: the copy was rolled back, ${url} is unchanged`);
    const after = openDatabase(url);
    try {
      expect(Object.values(await counts(after, tables)).every((n) => n === 0)).toBe(true);
    } finally {
      await after.close();
    }
  });

  const postgres = needs('postgres');
  it.skipIf(postgres.missing)(postgres.title('moves it into a real PostgreSQL server the same way, and refuses the second time'), { timeout: 200_000 }, async () => {
    const server = await startPostgres();
    const url = new URL(server.url);
    url.searchParams.set('schema', 'moved');
    try {
      const report = await migrateToPostgres(source, url.toString());
      expect(report.ok).toBe(true);
      const moved = openDatabase(url.toString());
      try {
        expect(await counts(moved, tables)).toEqual(expected);
        expect(await charts(moved)).toEqual(expectedCharts);
      } finally {
        await moved.close();
      }
      await expect(migrateToPostgres(source, url.toString())).rejects.toThrow(/already has rollcall data .*nothing was changed/);
    } finally {
      server.stop();
    }
  });
});
