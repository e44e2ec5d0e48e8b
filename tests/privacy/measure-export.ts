/**
 * Not a test: how long `/privacy show`, `export` and `erase` take on the benchmark's generated year
 * (500 members, 200 000 stays, 12 channels). Run: `npx tsx tests/privacy/measure-export.ts`.
 * The last line is one JSON object.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/shared/db/database.js';
import { migrateToLatest } from '../../src/shared/db/migrate.js';
import { createLogger } from '../../src/shared/logger.js';
import type { DailyPostService } from '../../src/shared/services/daily-post.js';
import { PrivacyService } from '../../src/shared/services/privacy.js';
import { seedSyntheticGuild, syntheticUserId } from '../../bench/lib/synthetic.js';

const dir = mkdtempSync(join(tmpdir(), 'rollcall-privacy-measure-'));
const database = openDatabase(join(dir, 'rollcall.sqlite'));
try {
  await migrateToLatest(database.db);
  const now = Date.now();
  const guildId = '1';
  const seeded = seedSyntheticGuild(database.sqlite, { guildId, zone: 'Europe/Paris', members: 500, stays: 200_000, channels: 12, now, days: 365, seed: 2026 });
  const posts = { current: async () => undefined, touch: () => {} } as unknown as DailyPostService;
  const privacy = new PrivacyService({
    db: database.db,
    clock: { now: () => now },
    log: createLogger('silent'),
    posts,
    availability: { eraseMember: async () => 0, eraseSeen: async () => 0 },
    reactions: { withdraw: async () => 0 },
  });
  const rows = [];
  for (const i of [0, 1, 250]) {
    const userId = syntheticUserId(i);
    let t = performance.now();
    await privacy.summary(guildId, userId);
    const showMs = performance.now() - t;
    t = performance.now();
    const data = await privacy.export(guildId, userId);
    const exportMs = performance.now() - t;
    const bytes = Buffer.byteLength(JSON.stringify(data, null, 2));
    t = performance.now();
    await privacy.erase(guildId, userId);
    const eraseMs = performance.now() - t;
    const row = { member: i, stays: data.voice_stays.length, pairs: data.co_presence.length, bytes, showMs: Math.round(showMs), exportMs: Math.round(exportMs), eraseMs: Math.round(eraseMs) };
    console.error(row);
    rows.push(row);
  }
  console.log(JSON.stringify({ stays: seeded.stays, members: rows }));
} finally {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
}
