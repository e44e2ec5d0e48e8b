import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/cli/start-sandbox.js';
import { databaseUrlFor } from '../helpers/engine.js';
import { needs } from '../helpers/programs.js';

/**
 * An evening played in the sandbox page, in Debian's Chromium, as a newcomer would: click a
 * reaction, set a schedule through the select menus, join voice, jump the clock to tomorrow's
 * post, get refused /config as a non-admin, and (last) turn on the voice greeting as an admin and play
 * what the bot said from the ▶ under the channel. Screenshots of each state go to artifacts/e2e/.
 */
const CHROMIUM = '/usr/bin/chromium';
const chromiumNeed = needs('chromium');

const ZONE = 'America/New_York';
/** Monday 23 November 2026, 21:10 in the guild's zone: inside the evening's 21:00 slot. */
const START = DateTime.fromISO('2026-11-23T21:10', { zone: ZONE }).toMillis();
const SHOTS = join(process.cwd(), 'artifacts', 'e2e');
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe.skipIf(chromiumNeed.missing)(chromiumNeed.title('the sandbox page in Chromium'), () => {
  let sandbox: Sandbox | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let profile: string;

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
  const messages = () => page.locator('#messages > li.message');
  const daily = (day: string) => messages().filter({ hasText: `Who's playing tonight? ${day}` });
  /** The line of a daily message for a slot, e.g. `9:00 PM` (the viewer is in New York). */
  const slotLine = (message: Locator, time: string) => message.locator('p.md-line').filter({ has: page.locator('time.timestamp', { hasText: new RegExp(`^${time}$`) }) });
  const actAs = async (key: string) => {
    await page.getByLabel('Act as').selectOption(key);
    await expect.poll(() => page.locator('#me-name').textContent()).not.toBe('—');
  };
  const runCommand = async (text: string) => {
    const input = page.getByRole('combobox', { name: 'Slash command' });
    await input.fill(text);
    await input.press('Escape');
    await input.press('Enter');
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), 'rollcall-e2e-chromium-'));
    sandbox = await startSandbox({ port: 0, ...databaseUrlFor(':memory:'), startAt: START, logLevel: 'silent' });
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1280, height: 800 },
      timezoneId: ZONE,
      locale: 'en-US',
      timeout: 20_000,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(10_000);
    await page.goto(`${sandbox.pageUrl}?as=bob`);
    await page.locator('body[data-ready="true"]').waitFor({ state: 'attached' });
  }, 60_000);

  afterAll(async () => {
    try {
      await context?.close();
    } finally {
      await sandbox?.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }, 30_000);

  it("shows the guild, today's message with its slot reactions, and the wire", async () => {
    await expect.poll(() => daily('Monday 23 November').count()).toBe(1);
    await expect(page.getByRole('button', { name: /^Join voice channel Squad A/ }).isVisible()).resolves.toBe(true);
    await expect.poll(() => page.locator('#wire-log .wire-row.rest').count()).toBeGreaterThan(0);
    await expect(page.locator('#wire-log').textContent()).resolves.toMatch(/remaining \d+\/\d+/);
    await shot('1-start');
  });

  it('lists the endpoints `npm run sandbox` no longer prints (control, wire log, REST, gateway, the bot, its key) under a fold', async () => {
    const endpoint = (name: string) => page.locator(`#endpoint-list dd[data-endpoint="${name}"]`);
    await expect(endpoint('Control').isVisible()).resolves.toBe(false);
    await page.getByText('Endpoints, for scripts').click();
    const origin = sandbox!.pageUrl.replace(/\/$/, '');
    await expect(endpoint('Control').textContent()).resolves.toBe(`${origin}/control`);
    await expect(endpoint('Wire log (SSE)').textContent()).resolves.toBe(`${origin}/control/events`);
    await expect(endpoint('REST').textContent()).resolves.toBe(sandbox!.emu.api);
    await expect(endpoint('Gateway').textContent()).resolves.toBe(sandbox!.emu.gatewayUrl);
    await expect(endpoint('Bot').textContent()).resolves.toBe(`${sandbox!.botUrl}/interactions`);
    await expect(endpoint('Public key').textContent()).resolves.toBe(sandbox!.emu.publicKey);
    const health = await endpoint('Bot health').textContent();
    expect((await fetch(health!)).status).toBe(200);
    await page.locator('.wire').screenshot({ path: join(SHOTS, '1b-endpoints.png') });
    await page.getByText('Endpoints, for scripts').click();
    await expect(endpoint('Control').isVisible()).resolves.toBe(false);
  });

  it('acting as Bob, clicking 🕘 puts Bob on the 9 pm line', async () => {
    await actAs('bob');
    const today = daily('Monday 23 November');
    await today.getByRole('button', { name: /^🕘 1 / }).click();
    await slotLine(today, '9:00 PM').filter({ hasText: 'Bob' }).waitFor();
    await expect(today.getByRole('button', { name: /^🕘 2 — rollcall, Bob/ }).getAttribute('aria-pressed')).resolves.toBe('true');
    await shot('2-reaction');
  });

  it('Bob sets a schedule (Tuesdays, 20:00 and 21:00) through the select menus', async () => {
    const input = page.getByRole('combobox', { name: 'Slash command' });
    await input.fill('/sch');
    await page.getByRole('option', { name: /\/schedule/ }).waitFor();
    await input.press('Tab');
    await expect(input.inputValue()).resolves.toBe('/schedule ');
    await input.pressSequentially('se');
    await page.getByRole('option', { name: /^set/ }).waitFor();
    await input.press('Tab');
    await input.press('Enter');
    const editor = messages().filter({ hasText: 'Your weekly schedule' });
    await editor.waitFor();
    await expect(editor.textContent()).resolves.toContain('Only you can see this');

    await editor.getByRole('button', { name: /^Which evenings\?/ }).click();
    await editor.getByRole('checkbox', { name: 'Tuesday' }).check();
    await shot('3-select-open');
    await editor.getByRole('button', { name: 'Done' }).click();
    await editor.filter({ hasText: 'Evenings: Tuesday' }).waitFor();

    await editor.getByRole('button', { name: /^Which hours\?/ }).click();
    await editor.getByRole('checkbox', { name: '20:00' }).check();
    await editor.getByRole('checkbox', { name: '21:00' }).check();
    await editor.getByRole('button', { name: 'Done' }).click();
    await editor.filter({ hasText: 'Hours: 20:00, 21:00' }).waitFor();

    await editor.getByRole('button', { name: 'Save' }).click();
    await messages().filter({ hasText: "✅ Saved. You're on the list every Tuesday at 20:00, 21:00" }).waitFor();
    await shot('4-schedule-saved');
  });

  it('Carol joins Squad A, shows up in it, and is added to the 9 pm line as seen in voice', async () => {
    await actAs('carol');
    await page.getByRole('button', { name: /^Join voice channel Squad A/ }).click();
    await page.getByRole('list', { name: 'In Squad A' }).filter({ hasText: 'Caz' }).waitFor();
    await slotLine(daily('Monday 23 November'), '9:00 PM').filter({ hasText: 'Caz 🎧' }).waitFor();
    await page.getByRole('button', { name: 'Deafen' }).click();
    await page.getByRole('list', { name: 'In Squad A' }).getByLabel('deafened').waitFor();
    await expect(page.locator('#me-voice').textContent()).resolves.toContain('deafened');
    await shot('5-voice');
  });

  it('Carol moves to Squad B, undeafens and mutes: the channel lists follow and the muted icon shows', async () => {
    const inA = page.getByRole('list', { name: 'In Squad A' });
    const inB = page.getByRole('list', { name: 'In Squad B' });
    await page.getByRole('button', { name: /^Join voice channel Squad B/ }).click();
    await inB.filter({ hasText: 'Caz' }).waitFor();
    await inA.waitFor({ state: 'detached' });
    await expect(page.getByRole('button', { name: 'Squad B: you are here' }).isDisabled()).resolves.toBe(true);
    // A move keeps the member's flags, as in Discord.
    await inB.getByLabel('deafened').waitFor();
    await expect(page.locator('#me-voice').textContent()).resolves.toBe('In 🔊 Squad B · deafened');

    await page.getByRole('button', { name: 'Undeafen' }).click();
    await inB.getByLabel('deafened').waitFor({ state: 'detached' });
    await expect(page.locator('#me-voice').textContent()).resolves.toBe('In 🔊 Squad B');
    await page.getByRole('button', { name: 'Mute', exact: true }).click();
    const muted = inB.getByLabel('muted', { exact: true });
    await muted.waitFor();
    await expect(muted.isVisible()).resolves.toBe(true);
    await expect(muted.textContent()).resolves.toBe('🚫🎙');
    await expect(inB.getByLabel('deafened').count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: 'Unmute' }).getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(page.locator('#me-voice').textContent()).resolves.toBe('In 🔊 Squad B · muted');
    await page.locator('.sidebar').screenshot({ path: join(SHOTS, '5b-voice-moved-muted.png') });
  });

  it('Next hour moves the clock to 10 PM, where auto-add puts Carol (still in voice) on the 10 pm line; Advance adds N minutes', async () => {
    const today = daily('Monday 23 November');
    await expect(slotLine(today, '10:00 PM').textContent()).resolves.not.toContain('Caz');
    await page.getByRole('button', { name: 'Next hour' }).click();
    await expect.poll(() => page.locator('#clock-now').textContent(), { timeout: 10_000 }).toMatch(/^Mon, Nov 23, 10:0\d PM$/);
    await slotLine(today, '10:00 PM').filter({ hasText: 'Caz 🎧' }).waitFor();

    await page.getByLabel('Minutes').fill('30');
    await page.getByRole('button', { name: 'Advance' }).click();
    await expect.poll(() => page.locator('#clock-now').textContent(), { timeout: 10_000 }).toMatch(/^Mon, Nov 23, 10:3\d PM$/);
    await expect.poll(() => page.locator('#clock-zone').textContent()).toMatch(/^\(your time · 10:3\d PM in America\/New_York\)$/);
    // Still the 10 pm hour: nothing new to add, and the buttons are usable again.
    // (The page re-enables them once its move request has answered, which may be just after the clock redraws.)
    await expect.poll(() => page.getByRole('button', { name: 'Advance' }).isEnabled(), { timeout: 10_000 }).toBe(true);
    await shot('5c-clock-moved');
  });

  it("moving the clock to the next post time posts Tuesday's message, carrying Bob's schedule", async () => {
    await page.getByRole('button', { name: 'Next post time (07:00)' }).click();
    const tuesday = daily('Tuesday 24 November');
    await tuesday.waitFor();
    await slotLine(tuesday, '8:00 PM').filter({ hasText: 'Bob 📅' }).waitFor();
    await slotLine(tuesday, '9:00 PM').filter({ hasText: 'Bob 📅' }).waitFor();
    await expect(slotLine(tuesday, '10:00 PM').textContent()).resolves.not.toContain('Bob');
    await expect.poll(() => page.locator('#clock-now').textContent(), { timeout: 10_000 }).toMatch(/^Tue, Nov 24, 7:0\d AM$/);
    await expect.poll(() => tuesday.locator('.message-time').textContent(), { timeout: 5_000 }).toMatch(/^Today at 7:0\d AM$/);
    await shot('6-next-day');
  });

  it('survives injected 429s: the counter goes up and a reaction still reaches the message', async () => {
    await actAs('dan');
    await page.getByRole('button', { name: 'Next 3 REST calls → 429' }).click();
    const tuesday = daily('Tuesday 24 November');
    await tuesday.getByRole('button', { name: /^🕙 1 / }).click();
    await expect.poll(async () => Number(await page.locator('[data-counter="429s"]').textContent()), { timeout: 10_000 }).toBeGreaterThan(0);
    await slotLine(tuesday, '10:00 PM').filter({ hasText: 'Dan' }).waitFor({ timeout: 20_000 });
  }, 30_000);

  it('survives an injected 500: the wire shows it, and the bot retries until the reaction reaches the message', async () => {
    await actAs('erin');
    const tuesday = daily('Tuesday 24 November');
    const fives = page.locator('#wire-log .wire-row.rest').filter({ has: page.locator('.wire-status', { hasText: /^500$/ }) });
    await expect(fives.count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Next REST call → 500' }).click();
    await page.locator('#status', { hasText: 'The next REST call will get 500' }).waitFor();
    await tuesday.getByRole('button', { name: /^🕚 1 / }).click();
    await fives.first().waitFor({ timeout: 15_000 });
    await expect(fives.first().locator('.wire-detail.fault').textContent()).resolves.toMatch(/500/);
    await slotLine(tuesday, '11:00 PM').filter({ hasText: 'Erin' }).waitFor({ timeout: 20_000 });
    await expect(tuesday.getByRole('button', { name: /^🕚 2 — rollcall, Erin/ }).getAttribute('aria-pressed')).resolves.toBe('true');
    await shot('6b-500-survived');
  }, 30_000);

  it('dropping the gateway shows the close and the bot resuming', async () => {
    await page.getByRole('button', { name: 'Drop the gateway' }).click();
    await page.locator('#wire-log .wire-row.gateway.close').first().waitFor();
    await page.locator('#wire-log .wire-row.gateway', { hasText: 'RESUMED' }).first().waitFor({ timeout: 15_000 });
  }, 20_000);

  it('/stats answers with a chart, shown as an image', async () => {
    await actAs('carol');
    await runCommand('/stats me');
    const chart = page.locator('#messages img[alt^="Attachment "]').last();
    // The chart is drawn in a worker: seconds alone, more when the machine is busy with other tests.
    await chart.waitFor({ timeout: 60_000 });
    await expect.poll(() => chart.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), { timeout: 10_000 }).toBeGreaterThan(100);
    await chart.scrollIntoViewIfNeeded();
    await shot('7-stats-chart');
    // The README's picture (docs/sandbox.png is a copy): today's message from its header down, the chart under it.
    const tuesday = daily('Tuesday 24 November');
    await tuesday.evaluate((el) => (el as unknown as { scrollIntoView(o: object): void }).scrollIntoView({ block: 'start' }));
    const header = tuesday.locator('strong', { hasText: "Who's playing tonight?" });
    const top = await page.locator('#messages').boundingBox();
    await expect.poll(async () => (await header.boundingBox())?.y ?? -1).toBeGreaterThanOrEqual(top!.y);
    await expect.poll(async () => (await tuesday.locator('.message-head').boundingBox())?.y ?? -1).toBeGreaterThanOrEqual(top!.y);
    await shot('10-readme');
  }, 90_000);

  it('a non-admin does not see /config, and running it anyway is refused', async () => {
    await actAs('dan');
    const input = page.getByRole('combobox', { name: 'Slash command' });
    await input.fill('/');
    await page.getByRole('option', { name: /\/schedule/ }).waitFor();
    await expect(page.getByRole('option', { name: /\/config/ }).count()).resolves.toBe(0);
    await runCommand('/config show');
    await messages().filter({ hasText: "You don't have permission to use /config" }).waitFor();
    await shot('8-config-refused');
  });

  it('an admin runs /config show and gets the settings, only for her', async () => {
    await actAs('alice');
    await runCommand('/config show');
    const reply = messages().filter({ hasText: 'rollcall settings' });
    await reply.waitFor();
    await expect(reply.textContent()).resolves.toContain('Only you can see this');
    // `<#id>` is drawn as Discord draws a channel mention.
    await expect(reply.locator('.mention').first().textContent()).resolves.toBe('#tonight');
    await expect(reply.locator('strong').first().textContent()).resolves.toBe('rollcall settings');
    await actAs('bob');
    await expect.poll(() => messages().filter({ hasText: 'rollcall settings' }).count()).toBe(0);
  });

  it('a foreign emoji is taken off again and explained by DM, which the member can open', async () => {
    await actAs('frank');
    const tuesday = daily('Tuesday 24 November');
    await tuesday.getByRole('button', { name: 'Add a reaction' }).click();
    await tuesday.getByRole('button', { name: 'React with 👍' }).click();
    await page.getByRole('button', { name: '@rollcall' }).click();
    await messages().filter({ hasText: 'Only the clock reactions count' }).waitFor();
    await expect(page.locator('#channel-title').textContent()).resolves.toBe('@rollcall — direct messages');
    await page.getByRole('button', { name: 'tonight', exact: true }).click();
    await expect.poll(() => daily('Tuesday 24 November').getByRole('button', { name: /^👍/ }).count()).toBe(0);
  });

  it('when the bot does not answer, the page says so as Discord would', async () => {
    const url = sandbox!.emu.interactionsUrl;
    sandbox!.emu.setInteractionsUrl('http://127.0.0.1:9/interactions');
    try {
      await runCommand('/schedule show');
      await messages().filter({ hasText: 'The application did not respond' }).waitFor();
    } finally {
      sandbox!.emu.setInteractionsUrl(url);
    }
  });

  it('reads on a phone-width screen without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(200);
    // A string, evaluated in the page: the test project has no DOM types.
    await expect(page.evaluate('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(SHOTS, '9-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it("plays the bot's greeting: Alice turns it on, joins Squad A alone, and the ▶ under the channel plays audio", async () => {
    await actAs('alice');
    await runCommand('/config voice-greeting state:on');
    await messages().filter({ hasText: 'Voice greeting: on' }).waitFor();
    // Carol is in Squad B; Bob, Dan and Erin said when they play tonight: Alice is alone and has news.
    await page.getByRole('button', { name: /^Join voice channel Squad A/ }).click();
    const inA = page.getByRole('list', { name: 'In Squad A' });
    await inA.filter({ hasText: 'Al' }).waitFor();
    // The delay (10 s) runs on the bot's clock: a minute later the bot joins and speaks.
    await page.getByLabel('Minutes').fill('1');
    await page.getByRole('button', { name: 'Advance' }).click();
    // The green ring is round the bot while the emulator hears it.
    await inA.locator('.voice-member.speaking', { hasText: 'rollcall' }).waitFor({ timeout: 15_000 });
    await shot('11-greeting-speaking');
    const play = page.getByRole('button', { name: /^Play what rollcall said \(\d+\.\d s\)$/ });
    await play.waitFor({ timeout: 20_000 });

    // What the page's Audio elements do, as a listener's browser would report it (a string: no DOM types here).
    await page.evaluate(`(() => {
      const Real = window.Audio;
      window.heard = [];
      window.Audio = function (src) {
        const audio = new Real(src);
        for (const type of ['playing', 'timeupdate', 'ended', 'error'])
          audio.addEventListener(type, () => window.heard.push({ type, duration: audio.duration, currentTime: audio.currentTime, error: audio.error && audio.error.message }));
        return audio;
      };
    })()`);
    const wav = page.waitForResponse((r) => /\/control\/voice\/utterances\/\d+\.wav$/.test(r.url()));
    await play.click();
    const response = await wav;
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('audio/wav');
    const body = await response.body();
    // 48 kHz, stereo, 16-bit: 192 000 bytes a second, after the 44-byte header.
    expect((body.length - 44) / 192_000).toBeGreaterThan(1);

    type Heard = { type: string; duration: number; currentTime: number; error: string | null };
    const heard = () => page.evaluate('window.heard') as Promise<Heard[]>;
    // Playing, and the playhead moving: Chromium decoded the WAV and is rendering it, not just holding it.
    await expect.poll(async () => (await heard()).some((e) => e.type === 'timeupdate' && e.currentTime > 0.5), { timeout: 10_000 }).toBe(true);
    const events = await heard();
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    const playing = events.find((e) => e.type === 'playing');
    expect(playing?.duration).toBeGreaterThanOrEqual(1);
    expect(playing!.duration).toBeCloseTo((body.length - 44) / 192_000, 1);
    // The bot left once it had said it.
    await expect.poll(() => inA.getByText('rollcall').count()).toBe(0);
  }, 40_000);
});

describe('npm run sandbox', () => {
  it('prints exactly one URL, the page, and the page is served there', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/sandbox.ts', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    try {
      const started = Date.now();
      while (!out.includes('Ctrl+C to stop')) {
        if (Date.now() - started > 30_000 || child.exitCode !== null) throw new Error(`sandbox did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const urls = out.match(/https?:\/\/\S+/g) ?? [];
      expect(urls).toHaveLength(1);
      const pageUrl = urls[0]!;
      expect(pageUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const html = await (await fetch(pageUrl)).text();
      expect(html).toContain('<title>rollcall sandbox</title>');
      const script = await fetch(new URL('/sandbox/app.js', pageUrl));
      expect(script.headers.get('content-type')).toContain('text/javascript');
      // Nothing more is printed once the page is in use.
      expect(out.match(/https?:\/\/\S+/g)).toEqual([pageUrl]);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }, 45_000);
});
