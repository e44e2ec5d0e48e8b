import { spawnSync } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualTimer } from '../../src/shared/clock.js';
import { openDatabase, type OpenDatabase } from '../../src/shared/db/database.js';
import { migrateToLatest } from '../../src/shared/db/migrate.js';
import { PostgresEditLeases } from '../../src/shared/discord/edit-leases.js';
import { BUCKETS, PostgresRateBudget } from '../../src/shared/discord/limiter.js';
import { tempDir } from '../helpers/app.js';
import { startPostgres } from '../helpers/postgres-server.js';
import { needs, type Need } from '../helpers/programs.js';

/**
 * What must hold on PostgreSQL for several processes (on several machines) to share one database:
 * the frozen migrations make SQLite's schema there, `npm run migrate` works with DATABASE_URL, and
 * the shared rate budget and the editor's lease stay one across connections. Run on PGlite (always:
 * npm ships it) and on a real server (a throw-away cluster; skipped without Debian's postgresql),
 * where two pools really are two connections racing for a row lock.
 */
interface Engine {
  name: string;
  need: Need;
  start(): Promise<{ url: (schema: string) => string; cliUrl: (dir: string) => string; stop: () => void }>;
}

const always: Need = { missing: false, title: (name) => name };
const withSchema = (base: string, schema: string) => {
  const url = new URL(base);
  url.searchParams.set('schema', schema);
  return url.toString();
};

const ENGINES: Engine[] = [
  {
    name: 'PGlite',
    need: always,
    start: async () => ({ url: (schema) => `pglite://engines-test?schema=${schema}`, cliUrl: (dir) => `pglite://${dir}`, stop: () => {} }),
  },
  {
    name: 'a PostgreSQL server',
    need: needs('postgres'),
    start: async () => {
      const server = await startPostgres();
      return { url: (schema) => withSchema(server.url, schema), cliUrl: () => withSchema(server.url, 'cli'), stop: server.stop };
    },
  },
];

/** Tables and their columns, as each engine lists them. */
async function schemaOf(database: OpenDatabase): Promise<Record<string, string[]>> {
  const rows =
    database.engine === 'sqlite'
      ? (
          await sql<{ t: string; c: string }>`select m.name as t, p.name as c from sqlite_master m join pragma_table_info(m.name) p where m.type = 'table' and m.name not like 'sqlite_%'`.execute(
            database.db,
          )
        ).rows
      : (await sql<{ t: string; c: string }>`select table_name as t, column_name as c from information_schema.columns where table_schema = current_schema()`.execute(database.db)).rows;
  const out: Record<string, string[]> = {};
  for (const { t, c } of rows) (out[t] ??= []).push(c);
  for (const columns of Object.values(out)) columns.sort();
  return out;
}

const tick = () => new Promise((r) => setTimeout(r, 50));

/** Polls until `check` holds (10 s at most): a take on a server is a few round trips. */
async function until(check: () => boolean): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > 10_000) throw new Error('condition still false after 10 s');
    await new Promise((r) => setTimeout(r, 5));
  }
  await tick(); // and stays so a moment longer: nothing else was let through
  expect(check()).toBe(true);
}

for (const engine of ENGINES) {
  describe.skipIf(engine.need.missing)(engine.need.title(`rollcall's shared state on ${engine.name}`), () => {
    let server: Awaited<ReturnType<Engine['start']>>;
    const opened: OpenDatabase[] = [];
    /** One "process" on schema `schema`: its own handle (on a server, its own pool of connections). */
    const open = (schema: string) => {
      const database = openDatabase(server.url(schema));
      opened.push(database);
      return database;
    };
    beforeAll(async () => {
      server = await engine.start();
    }, 120_000);
    afterAll(async () => {
      for (const database of opened) await database.close();
      server?.stop();
    });

    it('the frozen migrations make the same tables and columns as on SQLite, with 64-bit numbers, once', { timeout: 120_000 }, async () => {
      const tmp = tempDir();
      const lite = openDatabase(`${tmp.dir}/r.sqlite`);
      try {
        await migrateToLatest(lite.db);
        const pg = open('migrations');
        expect(pg.engine).toBe('postgres');
        const applied = await migrateToLatest(pg.db);
        expect(applied.results?.length).toBeGreaterThan(10);
        expect(await schemaOf(pg)).toEqual(await schemaOf(lite));
        // Unix milliseconds do not fit PostgreSQL's 32-bit `integer`: the plugin made them bigint, read back as numbers.
        const at = Date.parse('2026-12-05T21:00:00Z');
        await pg.db.insertInto('heartbeats').values({ process: 'gateway', beat_at: at, started_at: at }).execute();
        expect(await pg.db.selectFrom('heartbeats').selectAll().executeTakeFirst()).toEqual({ process: 'gateway', beat_at: at, started_at: at });
        expect((await migrateToLatest(pg.db)).results).toEqual([]);
        expect(await pg.isHealthy()).toBe(true);
        expect(pg.checkpoint()).toBeNull();
        expect(() => pg.sqlite).toThrow(/PostgreSQL: there is no SQLite handle/);
      } finally {
        await lite.close();
        tmp.cleanup();
      }
    });

    it('`npm run migrate` applies the migrations to DATABASE_URL, then finds it up to date; a bad URL is one line naming it', { timeout: 180_000 }, async () => {
      const tmp = tempDir();
      try {
        const migrate = (url: string) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/migrate.ts'], { env: { ...process.env, DATABASE_URL: url }, encoding: 'utf8', timeout: 150_000 });
        const url = server.cliUrl(`${tmp.dir}/pglite`);
        const first = migrate(url);
        expect(first.stderr).toBe('');
        expect(first.stdout).toContain('applied 2026-11-23-001-guild-config');
        const again = migrate(url);
        expect(again.stdout.trim()).toMatch(/ is up to date\.$/);
        const bad = migrate('mysql://rollcall:s3cret@db/rollcall');
        expect(bad.status).toBe(1);
        expect(bad.stderr.trim()).toMatch(/^rollcall: configuration error: DATABASE_URL must be a PostgreSQL URL/);
        expect(bad.stderr).not.toContain('s3cret');
      } finally {
        tmp.cleanup();
      }
    });

    it('two processes share one rate budget: one edit token per period between them, a burst from both spends exactly one', async () => {
      const a = open('budget');
      await migrateToLatest(a.db);
      const b = open('budget');
      const timer = new ManualTimer(0);
      const budgets = [new PostgresRateBudget(a.db, timer), new PostgresRateBudget(b.db, timer)];
      let taken = 0;
      const takes = [0, 1, 0].map((i) => budgets[i]!.take('edit', 'channel').then(() => (taken += 1)));
      // Each step waits until every take has answered (spent, or asleep on the timer) before moving time.
      await until(() => taken === 1 && timer.pending === 2);
      timer.advance(BUCKETS.edit.periodMs - 1);
      await tick();
      expect(taken).toBe(1);
      timer.advance(1);
      await until(() => taken === 2 && timer.pending === 1);
      timer.advance(BUCKETS.edit.periodMs);
      await Promise.all(takes);
      expect(taken).toBe(3);

      // Twenty takes at the same instant, alternating between the two: the row lock lets exactly one
      // through, and each period after it exactly one more.
      let burst = 0;
      const rush = Array.from({ length: 20 }, (_, i) => budgets[i % 2]!.take('reaction', 'busy').then(() => (burst += 1)));
      for (let spent = 1; spent <= 20; spent++) {
        await until(() => burst === spent && timer.pending === 20 - spent);
        timer.advance(BUCKETS.reaction.periodMs);
      }
      await Promise.all(rush);

      // The timer moves while a take's round trip is out (its answer says "wait a period" as of the
      // moment it asked): it wakes a period after asking, not a period after the answer came back.
      await budgets[0]!.take('create', 'late');
      let late = false;
      const take = budgets[1]!.take('create', 'late').then(() => (late = true));
      timer.advance(BUCKETS.create.periodMs);
      await until(() => late);
      await take;

      // A request 200 ms on its way, then answered: the next token is a full period after the answer.
      await budgets[0]!.take('reaction', 'slow');
      timer.advance(200);
      await budgets[0]!.finished('reaction', 'slow');
      let next = false;
      const after = budgets[1]!.take('reaction', 'slow').then(() => (next = true));
      await until(() => timer.pending === 1);
      timer.advance(BUCKETS.reaction.periodMs - 1);
      await tick();
      expect(next).toBe(false);
      timer.advance(1);
      await after;
    });

    it("the editor's lease: changes from both processes all count, one holder at a time, taken over only once expired", async () => {
      const a = open('leases');
      await migrateToLatest(a.db);
      const b = open('leases');
      const leases = [new PostgresEditLeases(a.db), new PostgresEditLeases(b.db)];
      await Promise.all(Array.from({ length: 10 }, (_, i) => leases[i % 2]!.bump('m1', 'c1')));
      expect(await leases[0]!.get('m1')).toEqual({ channel_id: 'c1', dirty_version: 10, edited_version: 0 });
      expect(await leases[1]!.pending()).toEqual(['m1']);

      const now = 1_000_000;
      const tries = await Promise.all(Array.from({ length: 10 }, (_, i) => leases[i % 2]!.acquire('m1', `owner-${i}`, now + 60_000, now)));
      expect(tries.filter(Boolean)).toHaveLength(1);
      const holder = `owner-${tries.indexOf(true)}`;
      expect(await leases[1]!.holder('m1')).toBe(holder);
      expect(await leases[1]!.renew('m1', 'someone-else', now + 120_000)).toBe(false);
      expect(await leases[0]!.acquire('m1', 'late', now + 60_000, now + 59_999)).toBe(false);
      // Expired: another process takes it; the old holder can no longer renew.
      expect(await leases[1]!.acquire('m1', 'late', now + 180_000, now + 60_001)).toBe(true);
      expect(await leases[0]!.renew('m1', holder, now + 240_000)).toBe(false);
      expect(await leases[0]!.steal('m1', 'thief', now, holder)).toBe(false);

      await leases[1]!.done('m1', 10);
      await leases[0]!.done('m1', 4); // an older edit recorded late never lowers it
      expect((await leases[0]!.get('m1'))?.edited_version).toBe(10);
      expect(await leases[0]!.pending()).toEqual([]);
      await leases[1]!.release('m1', 'late');
      expect(await leases[0]!.holder('m1')).toBeNull();
    });
  });
}
