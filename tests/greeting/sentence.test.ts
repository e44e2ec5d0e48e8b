import { describe, expect, it } from 'vitest';
import { slotsFor } from '../../src/shared/time/slots.js';
import { greetingSentence, speakableName, spokenTime } from '../../src/voice/sentence.js';

const NY = 'America/New_York';

/** Facts for the evening of `date` in `zone`, slots first→last; comers as [name, hour]. */
function facts(options: { date?: string; zone?: string; first?: number; last?: number; now: string; name?: string | null; comers: [string | null, number][] }) {
  const date = options.date ?? '2026-11-23';
  const zone = options.zone ?? NY;
  const slots = slotsFor(date, zone, options.first ?? 18, options.last ?? 2);
  return {
    name: options.name === undefined ? 'Alice' : options.name,
    zone,
    date,
    at: Date.parse(options.now),
    comers: options.comers.map(([name, hour]) => ({ name, slotStart: slots.find((s) => s.hour === hour)!.unix * 1000 })),
  };
}

describe('the spoken greeting', () => {
  it('says names and times as people do, grouping members of one hour', () => {
    // 19:30 in New York.
    const text = greetingSentence(
      facts({
        now: '2026-11-24T00:30:00Z',
        comers: [
          ['Bob', 21],
          ['Carol', 22],
          ['Dan', 22],
        ],
      }),
    );
    expect(text).toBe('Hi Alice. Tonight: Bob at 9, Carol and Dan at 10.');
  });

  it('one name alone, three in a row with "and" before the last', () => {
    expect(greetingSentence(facts({ now: '2026-11-24T00:30:00Z', comers: [['Bob', 20]] }))).toBe('Hi Alice. Tonight: Bob at 8.');
    expect(
      greetingSentence(
        facts({
          now: '2026-11-24T00:30:00Z',
          comers: [
            ['Bob', 20],
            ['Carol', 20],
            ['Dan', 20],
          ],
        }),
      ),
    ).toBe('Hi Alice. Tonight: Bob, Carol and Dan at 8.');
  });

  it('puts slots after midnight in their own part while it is still evening; midnight itself is "tonight"', () => {
    const text = greetingSentence(
      facts({
        now: '2026-11-24T02:10:00Z',
        comers: [
          ['Bob', 23],
          ['Carol', 0],
          ['Dan', 1],
          ['Eve', 2],
        ],
      }),
    );
    expect(text).toBe('Hi Alice. Tonight: Bob at 11, Carol at midnight. After midnight: Dan at 1, Eve at 2.');
  });

  it('once past midnight, the remaining slots are simply "tonight"', () => {
    // 00:20 on the 24th in New York, message of the 23rd.
    const text = greetingSentence(
      facts({
        now: '2026-11-24T05:20:00Z',
        comers: [
          ['Dan', 1],
          ['Eve', 2],
        ],
      }),
    );
    expect(text).toBe('Hi Alice. Tonight: Dan at 1, Eve at 2.');
  });

  it('on the spring-forward night there is no 2 am slot to say; 1 and 3 after midnight are said as such', () => {
    // 8 March 2026: New York skips 02:00 → 03:00, so the message of the 7th (slots 22 → 3) has no 2 am.
    expect(slotsFor('2026-03-07', NY, 22, 3).map((s) => s.hour)).toEqual([22, 23, 0, 1, 3]);
    const f = facts({
      date: '2026-03-07',
      first: 22,
      last: 3,
      now: '2026-03-08T04:00:00Z',
      comers: [
        ['Bob', 1],
        ['Carol', 3],
        ['Dan', 3],
      ],
    });
    expect(greetingSentence(f)).toBe('Hi Alice. After midnight: Bob at 1, Carol and Dan at 3.');
  });

  it('on the fall-back night 1 am is the first 1 am, said once', () => {
    // 1 November 2026: New York repeats 01:00. Message of 31 October, slots 22 → 2.
    const f = facts({
      date: '2026-10-31',
      first: 22,
      last: 2,
      now: '2026-11-01T02:30:00Z',
      comers: [
        ['Bob', 23],
        ['Carol', 1],
        ['Dan', 2],
      ],
    });
    expect(greetingSentence(f)).toBe('Hi Alice. Tonight: Bob at 11. After midnight: Carol at 1, Dan at 2.');
  });

  it('in a zone with a half-hour offset the hour is still the local hour', () => {
    const f = facts({ zone: 'Asia/Kolkata', first: 20, last: 23, now: '2026-11-23T14:00:00Z', comers: [['Bob', 21]] });
    expect(greetingSentence(f)).toBe('Hi Alice. Tonight: Bob at 9.');
  });

  it('shortens a long list: a few names per hour, a few hours, the rest counted', () => {
    const many: [string, number][] = [
      ...['Bob', 'Carol', 'Dan', 'Eve', 'Frank'].map((n) => [n, 20] as [string, number]),
      ['Gina', 21],
      ['Hugo', 21],
      ['Ivy', 22],
      ['Jack', 22],
      ['Kim', 23],
      ['Lou', 0],
      ['Max', 1],
    ];
    const text = greetingSentence(facts({ now: '2026-11-23T23:30:00Z', comers: many }));
    expect(text).toBe('Hi Alice. Tonight: Bob, Carol, Dan and 2 more at 8, Gina and Hugo at 9, Ivy and one more at 10, and 3 more later.');
    expect(text.split(/[ ,.]+/).filter(Boolean).length).toBeLessThan(30);
  });

  it('counts one extra as "one more" and a single unnamed member as "someone"', () => {
    expect(
      greetingSentence(
        facts({
          now: '2026-11-23T23:30:00Z',
          comers: [
            ['Bob', 20],
            ['Carol', 20],
            ['Dan', 20],
            ['Eve', 20],
          ],
        }),
      ),
    ).toBe('Hi Alice. Tonight: Bob, Carol, Dan and one more at 8.');
    expect(
      greetingSentence(
        facts({
          now: '2026-11-23T23:30:00Z',
          comers: [
            ['🎮', 20],
            [null, 21],
            [null, 21],
          ],
        }),
      ),
    ).toBe('Hi Alice. Tonight: someone at 8, 2 people at 9.');
  });

  it('with nobody else it says so; an unknown greeted member is "there"', () => {
    expect(greetingSentence(facts({ now: '2026-11-23T23:30:00Z', comers: [] }))).toBe('Hi Alice. Nobody else has signed up yet.');
    expect(greetingSentence(facts({ now: '2026-11-23T23:30:00Z', name: null, comers: [['Bob', 20]] }))).toBe('Hi there. Tonight: Bob at 8.');
  });

  it('speaks display names without emoji or markdown', () => {
    expect(speakableName('🔥 Bob')).toBe('Bob');
    expect(speakableName('**Caz**_the_~great~')).toBe('Caz the great');
    expect(speakableName('👩🏽‍🚀')).toBeNull();
    expect(speakableName('Zoë 🇫🇷')).toBe('Zoë');
    expect(speakableName('Player 2')).toBe('Player 2');
    expect(speakableName('x'.repeat(80))).toHaveLength(32);
    expect(greetingSentence(facts({ now: '2026-11-23T23:30:00Z', name: '⭐ Alice ⭐', comers: [['🎧 Bob', 20]] }))).toBe('Hi Alice. Tonight: Bob at 8.');
  });

  it('says times naturally', () => {
    expect(spokenTime(21)).toBe('9');
    expect(spokenTime(21, 30)).toBe('9:30');
    expect(spokenTime(9, 5)).toBe('9:05');
    expect(spokenTime(0)).toBe('midnight');
    expect(spokenTime(0, 30)).toBe('12:30');
    expect(spokenTime(12)).toBe('noon');
    expect(spokenTime(13)).toBe('1');
  });
});
