import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'public' ? [] : files(path);
    return /\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every relative import of a file under src/, type-only ones included, as src-relative paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"](\.[^'"]+)['"]/g)) {
    const target = resolve(dirname(file), match[1]!.replace(/\.js$/, '.ts'));
    out.push(relative(SRC, target));
  }
  return out;
}

const graph = new Map(files(SRC).map((f) => [relative(SRC, f), importsOf(f)]));

/** The cycles of the import graph (each once, as the path that closes it). */
function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

describe('the shape of src/', () => {
  it('has no import cycle, type-only imports included', () => {
    expect(cycles().map((c) => c.join(' → '))).toEqual([]);
  });

  it('keeps the parts apart: shared imports no other part; stats only shared; the emulator nothing of the bot; the two transports not each other', () => {
    const partOf = (file: string) => (file.includes('/') ? file.split('/')[0]! : 'root');
    const allowed: Record<string, string[]> = {
      shared: ['shared'],
      stats: ['stats', 'shared'],
      sandbox: ['sandbox'],
      // Commands and the router never know whether the webhook or the gateway delivered an interaction.
      interactions: ['interactions', 'shared', 'stats', 'voice', 'root'],
      http: ['http', 'interactions', 'shared', 'root'],
      gateway: ['gateway', 'interactions', 'shared', 'voice', 'root'],
    };
    const crossings = [...graph].flatMap(([file, imports]) =>
      imports.filter((target) => graph.has(target) && allowed[partOf(file)] && !allowed[partOf(file)]!.includes(partOf(target))).map((target) => `${file} → ${target}`),
    );
    expect(crossings).toEqual([]);
  });

  it('keeps every file under 400 lines', () => {
    const long = [...graph.keys()].map((f) => [f, readFileSync(join(SRC, f), 'utf8').split('\n').length] as const).filter(([, n]) => n > 400);
    expect(long).toEqual([]);
  });

  it('writes the availability table ("who is coming") from one service file', () => {
    const writers = [...graph.keys()].filter((f) => /(insertInto|updateTable|deleteFrom)\(\s*'availability'/.test(readFileSync(join(SRC, f), 'utf8')));
    expect(writers).toEqual(['shared/services/availability.ts']);
  });
});
