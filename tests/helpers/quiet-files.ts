/**
 * Files that measure time on the wall clock (an exit within 1 s, an event loop never blocked for 250 ms,
 * a deferral raced against Discord's 3 s, audio paced in real time): they run last, one per core, with
 * the machine to themselves (vitest.config.ts). Listed longest first, the order they start in
 * (tests/helpers/sequencer.ts): the group then ends about when its longest file does.
 */
export const QUIET = [
  'tests/greeting/voice-server.test.ts',
  'tests/ops/shutdown.test.ts',
  'tests/http/deadline.test.ts',
  'tests/greeting/speech.test.ts',
  'tests/http/deferred-delivery.test.ts',
  'tests/stats/charts.test.ts',
  'tests/greeting/speaker.test.ts',
];
