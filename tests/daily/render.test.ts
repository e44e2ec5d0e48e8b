import { describe, expect, it } from 'vitest';
import { renderDailyMessage, type SlotMember } from '../../src/shared/render/daily-message.js';
import { slotsFor } from '../../src/shared/time/slots.js';

const slots = slotsFor('2026-11-24', 'America/New_York', 20, 23);
const m = (userId: string, declared: SlotMember['declared'] = 'reaction', seenInVoice = false): SlotMember => ({ userId, declared, seenInVoice });

describe('the daily message text', () => {
  it('has a dated header and one line per slot with Discord timestamps and who is coming', () => {
    const text = renderDailyMessage({
      date: '2026-11-24',
      zone: 'America/New_York',
      slots,
      members: new Map([
        [20, [m('1'), m('2', 'schedule'), m('3', 'out')]],
        [21, [m('4', null, true)]],
      ]),
      labels: new Map([
        ['1', 'Alice'],
        ['2', '🏆 Bob'],
        ['4', 'Dan'],
      ]),
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe("**Who's playing tonight?** Tuesday 24 November");
    expect(lines[3]).toBe(`🕗 <t:${slots[0]!.unix}:t> — **2**: Alice, 🏆 Bob 📅`);
    expect(lines[4]).toBe(`🕘 <t:${slots[1]!.unix}:t> — **1**: Dan 🎧`);
    expect(lines[5]).toBe(`🕙 <t:${slots[2]!.unix}:t> — ·`);
    expect(lines).toHaveLength(7);
  });

  it('falls back to a mention when a name is unknown', () => {
    const text = renderDailyMessage({ date: '2026-11-24', zone: 'America/New_York', slots, members: new Map([[22, [m('77')]]]), labels: new Map() });
    expect(text).toContain('— **1**: <@77>');
  });

  it('stays under 2000 characters with 300 members in every slot, saying how many more', () => {
    const many = Array.from({ length: 300 }, (_, i) => m(String(1000 + i)));
    const labels = new Map(many.map((x) => [x.userId, `A rather long display name ${x.userId}`]));
    const text = renderDailyMessage({
      date: '2026-11-24',
      zone: 'America/New_York',
      slots: slotsFor('2026-11-24', 'America/New_York', 15, 2),
      members: new Map(Array.from({ length: 24 }, (_, h) => [h, many])),
      labels,
    });
    expect(text.length).toBeLessThanOrEqual(2000);
    expect(text).toMatch(/\*\*300\*\*/);
    expect(text.split('\n').filter((l) => l.includes('<t:'))).toHaveLength(12);
  });

  it('adds the forecast to each line that has members, rounded to whole members, and explains it once', () => {
    const base = { date: '2026-11-24', zone: 'America/New_York', slots, labels: new Map([['1', 'Alice']]) };
    const members = new Map([
      [20, [m('1'), m('2'), m('3'), m('4'), m('5')]],
      [21, [m('1')]],
    ]);
    const text = renderDailyMessage({
      ...base,
      members,
      likely: new Map([
        [20, 3.4],
        [21, 0.5],
        [22, 0],
      ]),
    });
    const lines = text.split('\n');
    expect(lines[1]).toContain('likely N: how many will be in voice, from who showed up when they said so before');
    expect(lines[3]).toBe(`🕗 <t:${slots[0]!.unix}:t> — **5**: Alice, <@2>, <@3>, <@4>, <@5> · likely 3`);
    expect(lines[4]).toBe(`🕘 <t:${slots[1]!.unix}:t> — **1**: Alice · likely 1`);
    expect(lines[5]).toBe(`🕙 <t:${slots[2]!.unix}:t> — ·`); // nobody declared: nothing to forecast
    // Without history there is no forecast: the message reads as before.
    expect(renderDailyMessage({ ...base, members })).not.toContain('likely');
  });

  it('keeps the forecast when names give way to counts', () => {
    const many = Array.from({ length: 300 }, (_, i) => m(String(1000 + i)));
    const text = renderDailyMessage({
      date: '2026-11-24',
      zone: 'America/New_York',
      slots: slotsFor('2026-11-24', 'America/New_York', 15, 2),
      members: new Map(Array.from({ length: 24 }, (_, h) => [h, many])),
      labels: new Map(many.map((x) => [x.userId, `A rather long display name ${x.userId}`])),
      likely: new Map(Array.from({ length: 24 }, (_, h) => [h, 212.6])),
    });
    expect(text.length).toBeLessThanOrEqual(2000);
    expect(text.split('\n').filter((l) => l.endsWith(' · likely 213'))).toHaveLength(12);
  });
});
