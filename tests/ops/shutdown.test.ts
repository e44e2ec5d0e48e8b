import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/sandbox/index.js';
import { sql } from 'kysely';
import { TEST_DB, openTestDatabase, sharedAcrossProcesses, tempDir } from '../helpers/app.js';
import { admin } from './helpers/cli.js';
import { startBotProcess, type BotProcess } from './helpers/bot.js';
import { freePort } from './helpers/ports.js';

const exitOf = (bot: BotProcess) =>
  new Promise<{ code: number | null; at: number }>((resolve) => {
    if (bot.child.exitCode !== null) resolve({ code: bot.child.exitCode, at: Date.now() });
    else bot.child.once('exit', (code) => resolve({ code, at: Date.now() }));
  });

/**
 * `npm start` as its own process against the emulator, stopped with real signals while an
 * interaction is in flight: Discord's latency fault holds the deferred answer's PATCH @original.
 */
describe('graceful shutdown of a running bot', () => {
  let emu: Emulator;
  let bot: BotProcess;
  let tmp: ReturnType<typeof tempDir>;
  let dbPath = '';

  async function start(extraEnv: Record<string, string> = {}) {
    tmp = tempDir();
    dbPath = join(tmp.dir, 'rollcall.sqlite');
    emu = await startEmulator({ heartbeatIntervalMs: 500 });
    const env = {
      DISCORD_APPLICATION_ID: emu.applicationId,
      DISCORD_PUBLIC_KEY: emu.publicKey,
      DISCORD_TOKEN: emu.token,
      DISCORD_API_URL: emu.api,
      DATABASE_PATH: dbPath,
      LOG_LEVEL: 'info',
    };
    bot = await startBotProcess({ ...env, ...extraEnv }, await freePort());
    emu.setInteractionsUrl(`${bot.url}/interactions`);
    const registered = await admin(['register', '--guild', emu.fixture.guildId], { env });
    expect(registered.code, registered.stderr).toBe(0);
    const deadline = Date.now() + 20_000;
    while ((await fetch(`${bot.url}/readyz`)).status !== 200) {
      if (Date.now() > deadline) throw new Error(`never ready:\n${bot.output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** /stats always defers; its answer is then held `latencyMs` by the emulator. */
  async function slowInteraction(latencyMs: number) {
    emu.injectFault({ method: 'PATCH', route: '/webhooks/:id/:token/messages/:id', latencyMs });
    const result = await emu.runCommand(emu.fixture.members.alice.id, 'stats', [{ name: 'me', options: [] }]);
    expect(result.status).toBe(200);
    expect((result.response as { type: number }).type).toBe(5); // deferred: the answer is still to come
    return result;
  }

  afterEach(async () => {
    if (bot?.child.exitCode === null) bot.child.kill('SIGKILL');
    await emu?.close();
    tmp?.cleanup();
  });

  // On PGlite the bot's process has its own database, which this one cannot read.
  it.skipIf(sharedAcrossProcesses.missing)(
    sharedAcrossProcesses.title('SIGTERM: the in-flight answer still arrives, voice stays are closed, the WAL is checkpointed, exit 0'),
    async () => {
      await start();
      const carol = emu.fixture.members.carol.id;
      await emu.joinVoice(carol, emu.fixture.channels.squadA);
      // A second connection, as an operator's sqlite3 or a backup would have: the bot is then not the
      // last one to close the file, so only its own checkpoint empties the -wal. (On PostgreSQL: the
      // bot's schema on the server, as an operator's psql would see it.)
      const reader = TEST_DB === 'sqlite' ? new SQLite(dbPath) : undefined;
      const server = TEST_DB === 'sqlite' ? undefined : openTestDatabase(dbPath);
      const count = async (ended: boolean): Promise<number> => {
        const where = ended ? 'ended_at is not null' : 'ended_at is null';
        if (reader) return reader.prepare(`select count(*) from voice_stays where user_id = ? and ${where}`).pluck().get(carol) as number;
        const { rows } = await sql<{ n: number }>`select count(*) as n from voice_stays where user_id = ${carol} and ${sql.raw(where)}`.execute(server!.db);
        return Number(rows[0]!.n);
      };
      try {
        const openStays = () => count(false);
        const deadline = Date.now() + 10_000;
        while ((await openStays()) !== 1) {
          if (Date.now() > deadline) throw new Error(`the join was not recorded:\n${bot.output()}`);
          await new Promise((r) => setTimeout(r, 100));
        }

        const result = await slowInteraction(1_500);
        const exit = exitOf(bot);
        const signalledAt = Date.now();
        bot.child.kill('SIGTERM');

        const final = await result.final(15_000);
        // The answer /stats edited into the deferral (a chart, or the words saying there is none yet).
        expect(final.author?.id).toBe(emu.fixture.botUserId);
        expect(`${final.content ?? ''}${JSON.stringify(final.embeds ?? [])}${JSON.stringify(final.attachments ?? [])}`).not.toBe('[][]');
        const { code, at } = await exit;
        expect(code, bot.output()).toBe(0);
        expect(at - signalledAt).toBeGreaterThanOrEqual(1_000); // it waited for the answer
        expect(bot.output()).toMatch(/"msg":"shutting down"/);
        expect(bot.output()).toMatch(/"msg":"stopped"/);

        expect(await openStays()).toBe(0);
        expect(await count(true)).toBe(1);
        const wal = `${dbPath}-wal`;
        if (reader) expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
      } finally {
        reader?.close();
        await server?.close();
      }
    },
    60_000,
  );

  it('a second signal of another kind exits 1 at once', async () => {
    await start();
    await slowInteraction(10_000);
    const exit = exitOf(bot);
    bot.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    const secondAt = Date.now();
    bot.child.kill('SIGINT');
    const { code, at } = await exit;
    expect(code).toBe(1);
    expect(at - secondAt).toBeLessThan(1_000);
    expect(bot.output()).toMatch(/"msg":"second signal during shutdown: exiting now"/);
  }, 60_000);

  it('a stop that hangs past the timeout exits 1 with a line saying so', async () => {
    await start({ STOP_TIMEOUT_MS: '1000' });
    await slowInteraction(10_000);
    const exit = exitOf(bot);
    const signalledAt = Date.now();
    bot.child.kill('SIGTERM');
    const { code, at } = await exit;
    expect(code).toBe(1);
    expect(at - signalledAt).toBeGreaterThanOrEqual(900);
    expect(at - signalledAt).toBeLessThan(5_000);
    expect(bot.output()).toMatch(/"msg":"shutdown did not finish within 1 s: exiting"/);
  }, 60_000);
});
