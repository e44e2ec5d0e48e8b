import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Row } from './report.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Where a frame's code lives: an npm package, node's internals, or our own file. */
function owner(url: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node (internals)';
  if (url === '') return '(native/gc/idle)';
  const ours = /\/(dist\/.*)$/.exec(url);
  return ours ? ours[1]! : url;
}

/**
 * Summarises the `.cpuprofile` files `node --cpu-prof` wrote into `dir`: self time by function and
 * by owner (package / node / our file), heaviest first. Idle time is left out of the percentages.
 */
export function summariseProfiles(dir: string, top = 15): { functions: Row[]; owners: Row[] } {
  const self = new Map<string, number>();
  const byOwner = new Map<string, number>();
  let total = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: ProfileNode[] };
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0;
      const { functionName, url, lineNumber } = node.callFrame;
      if (hits === 0 || functionName === '(idle)' || functionName === '(program)') continue;
      total += hits;
      const where = url.startsWith('node:') ? url : owner(url);
      const key = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
      self.set(key, (self.get(key) ?? 0) + hits);
      const o = functionName === '(garbage collector)' ? '(gc)' : owner(url);
      byOwner.set(o, (byOwner.get(o) ?? 0) + hits);
    }
  }
  const rows = (m: Map<string, number>, label: string) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => ({ [label]: k, 'self %': Math.round((1000 * v) / total) / 10 }));
  return { functions: rows(self, 'function'), owners: rows(byOwner, 'owner') };
}
