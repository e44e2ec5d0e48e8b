import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatewayRefusal } from '../../src/gateway/sidecar.js';
import { openDatabase } from '../../src/shared/db/database.js';
import { tempDir } from '../helpers/app.js';

const mode = (path: string) => (statSync(path).mode & 0o7777).toString(8).padStart(4, '0');
const isRoot = process.getuid?.() === 0;

describe('the database files and who may write them', () => {
  it('are created 0660 whatever the umask: the database, its -wal and -shm (the service and deploy users share the group)', async () => {
    const tmp = tempDir();
    const umask = process.umask(0o077);
    try {
      const path = join(tmp.dir, 'data', 'rollcall.sqlite');
      const db = openDatabase(path);
      db.sqlite.exec('create table t (a)');
      for (const f of [path, `${path}-wal`, `${path}-shm`]) expect(mode(f), f).toBe('0660');
      await db.close();
    } finally {
      process.umask(umask);
      tmp.cleanup();
    }
  });

  it('an existing file this process owns gets the group write bit back (a database an older deploy left 0640)', async () => {
    const tmp = tempDir();
    try {
      const path = join(tmp.dir, 'rollcall.sqlite');
      writeFileSync(path, '');
      chmodSync(path, 0o640);
      const db = openDatabase(path);
      expect(mode(path)).toBe('0660');
      await db.close();
    } finally {
      tmp.cleanup();
    }
  });

  it.skipIf(!isRoot)(`${isRoot ? '' : '(skipped: needs root, to run the bot as another user) '}a start that cannot write the database says so in one line naming the file, its owner and mode`, () => {
    const tmp = tempDir();
    try {
      chmodSync(tmp.dir, 0o755);
      const path = join(tmp.dir, 'rollcall.sqlite');
      writeFileSync(path, '');
      chownSync(path, 0, 65534);
      chmodSync(path, 0o640); // readable by the group, as SQLite made it under a 0027 umask
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: '/tmp',
        DISCORD_APPLICATION_ID: '123456789012345678',
        DISCORD_PUBLIC_KEY: 'ab'.repeat(32),
        DISCORD_TOKEN: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.secret-part-of-the-token',
        DATABASE_PATH: path,
        HTTP_PORT: '0',
      };
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/http/main.ts'], { env, encoding: 'utf8', timeout: 30_000, uid: 65534, gid: 65534 });
      expect(run.status, run.stderr).toBe(78);
      const group = spawnSync('getent', ['group', '65534'], { encoding: 'utf8' }).stdout.split(':')[0] || '65534';
      const user = spawnSync('getent', ['passwd', '65534'], { encoding: 'utf8' }).stdout.split(':')[0] || '65534';
      expect(run.stderr.trim().split('\n')).toEqual([
        `rollcall: configuration error: DATABASE_PATH (${path}) cannot be written by ${user} (uid 65534): the file is owned by root:${group} 0640; make it writable for the group the service runs in (sudo chgrp rollcall ${path} && sudo chmod 0660 ${path})`,
      ]);
    } finally {
      tmp.cleanup();
    }
  });
});

describe('what Discord refuses for good (the process stops with one line instead of retrying)', () => {
  it('a wrong token: 401 on GET /gateway/bot, or gateway close 4004', () => {
    expect(gatewayRefusal({ status: 401 })).toMatch(/^DISCORD_TOKEN was refused by Discord \(401 Unauthorized on GET \/gateway\/bot\)/);
    expect(gatewayRefusal({ closeCode: 4004 })).toMatch(/^DISCORD_TOKEN was refused by Discord \(gateway close 4004: authentication failed\)/);
    expect(gatewayRefusal({ closeCode: 4014 })).toMatch(/intents/);
  });

  it('a network problem or an ordinary close is retried, not a refusal', () => {
    expect(gatewayRefusal({ status: 503 })).toBeNull();
    expect(gatewayRefusal({ closeCode: 1006 })).toBeNull();
    expect(gatewayRefusal({ closeCode: 4000 })).toBeNull();
    expect(gatewayRefusal({})).toBeNull();
  });
});
