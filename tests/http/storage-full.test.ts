import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORAGE_FAILURE_REPLY, storageFailure } from '../../src/shared/errors.js';
import { command, str } from '../helpers/interactions.js';
import { startHarness, type Harness } from '../helpers/server.js';

/**
 * A database that cannot be written (full disk, read-only file; here SQLite's `query_only`, which
 * fails every write as a read-only file does): members get a clear ephemeral answer instead of
 * "something went wrong", the log gets one line for the outage instead of one stack per request,
 * and everything works again once it can be written, with nothing committed before lost.
 */
describe('interactions while the database cannot be written', () => {
  let h: Harness;
  const lines: string[] = [];
  beforeAll(async () => {
    h = await startHarness({ logTo: (line) => lines.push(line) });
    await h.listen();
  });
  afterAll(() => h.close());

  const reply = async (interaction: unknown) => {
    const res = await h.post(interaction);
    expect(res.status).toBe(200);
    expect(res.json.data.flags).toBe(64);
    return res.json.data.content as string;
  };

  it('answers a clear ephemeral error, logs one line, and recovers with nothing lost', async () => {
    expect(await reply(command('config', 'post-time', [str('time', '08:15')]))).toContain('08:15');
    h.app.sqlite.pragma('query_only = 1');
    try {
      for (const time of ['09:00', '10:00', '11:00']) expect(await reply(command('config', 'post-time', [str('time', time)]))).toBe(STORAGE_FAILURE_REPLY);
      // Reading still works meanwhile.
      expect(await reply(command('config', 'show'))).toContain('08:15');
    } finally {
      h.app.sqlite.pragma('query_only = 0');
    }
    const storageLines = lines.filter((l) => l.includes('cannot be written'));
    expect(storageLines).toHaveLength(1);
    expect(JSON.parse(storageLines[0]!)).toMatchObject({ code: 'SQLITE_READONLY' });
    expect(lines.filter((l) => l.includes('handler failed'))).toHaveLength(0);
    expect(await reply(command('config', 'post-time', [str('time', '12:30')]))).toContain('12:30');
    expect((await h.app.db.selectFrom('guild_config').select('post_time').executeTakeFirstOrThrow()).post_time).toBe('12:30');
  });

  it('recognises the codes of a full disk, a read-only file and an I/O error, also as a cause', () => {
    for (const code of ['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_READONLY_DBMOVED', 'SQLITE_IOERR_WRITE', 'SQLITE_CANTOPEN']) {
      expect(storageFailure(Object.assign(new Error('x'), { code }))).toBe(code);
      expect(storageFailure(new Error('wrapped', { cause: Object.assign(new Error('x'), { code }) }))).toBe(code);
    }
    expect(storageFailure(Object.assign(new Error('x'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }))).toBeNull();
    expect(storageFailure(new Error('plain'))).toBeNull();
  });
});
