import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import type { LoggerInterface } from 'vega-util';
import { compile, type TopLevelSpec } from 'vega-lite';

const require = createRequire(import.meta.url);

/**
 * Vega-Lite, once imported, gives every Set a `toJSON()` returning a string (its hash of specs relies
 * on it). @vladfrangu/async_event_emitter — under @discordjs/rest and @discordjs/ws — calls each
 * zero-argument Set method once when it is imported, and fails on that string ("Cannot use 'in'
 * operator to search for 'Symbol(Symbol.iterator)' in Set()"): a process that drew a chart before
 * loading the Discord clients could not load them. The same function, declared with the `key`
 * argument JSON.stringify passes it anyway, is left alone there and answers the same everywhere else.
 */
function keepSetsLoadable(): void {
  const patched = Object.getOwnPropertyDescriptor(Set.prototype, 'toJSON');
  if (typeof patched?.value !== 'function' || patched.value.length > 0) return;
  const toJSON = patched.value as (this: Set<unknown>) => string;
  Object.defineProperty(Set.prototype, 'toJSON', {
    ...patched,
    value: function (this: Set<unknown>, _key?: string): string {
      return toJSON.call(this);
    },
  });
}
keepSetsLoadable();

/**
 * Inter, shipped through npm, is the only font the renderer loads: charts look the same on a
 * Raspberry Pi with no fonts installed as on a desktop.
 */
export const FONT_FILES = ['400Regular/Inter_400Regular.ttf', '600SemiBold/Inter_600SemiBold.ttf', '700Bold/Inter_700Bold.ttf'].map((f) => require.resolve(`@expo-google-fonts/inter/${f}`));

/** Vega-Lite's notes about specs go nowhere: the specs are ours and tested; errors still throw. */
const quiet: LoggerInterface = {
  level: () => 0,
  warn: () => quiet,
  info: () => quiet,
  debug: () => quiet,
  error: (...args: readonly unknown[]) => {
    throw new Error(args.map(String).join(' '));
  },
} as unknown as LoggerInterface;

/**
 * Pixels per SVG unit in the PNG: 1.5 keeps 11–12 px labels crisp when Discord scales the image
 * (2 would cost almost twice the rasterising and encoding for little visible gain).
 */
export const PNG_SCALE = 1.5;

export interface Rendered {
  svg: string;
  png: Uint8Array;
  width: number;
  height: number;
}

/**
 * Vega-Lite → Vega → SVG (headless view, `renderer: 'none'`) → PNG (resvg with the bundled font).
 * CPU-bound: call it from the render worker, not the thread that answers interactions.
 */
export async function renderSpec(spec: TopLevelSpec): Promise<Rendered> {
  const view = new vega.View(vega.parse(compile(spec, { logger: quiet }).spec), { renderer: 'none', logLevel: vega.Error });
  try {
    const svg = await view.toSVG();
    const resvg = new Resvg(svg, {
      background: 'white',
      fitTo: { mode: 'zoom', value: PNG_SCALE },
      font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: 'Inter' },
    });
    const image = resvg.render();
    return { svg, png: image.asPng(), width: image.width, height: image.height };
  } finally {
    view.finalize();
  }
}
