import type { PairTime } from '../shared/algorithms/copresence.js';
import { forceAtlas2, Graph, louvain } from './graphology.js';

/** A member placed on the community graph. */
export interface CommunityNode {
  userId: string;
  x: number;
  y: number;
  /** Louvain community, 0 = the largest. */
  community: number;
  /** Hours spent with anyone on the graph (weighted degree). */
  hours: number;
}

export interface CommunityLayout {
  nodes: CommunityNode[];
  edges: { a: string; b: string; hours: number }[];
  /** Members per community, index = community number. */
  sizes: number[];
  modularity: number;
}

/** Links kept per member (the strongest); a pair is kept when it is among either member's strongest. */
export const STRONGEST_PER_MEMBER = 12;

/** A small seeded PRNG (mulberry32) so the same data gives the same picture. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Builds the co-presence graph (one node per member, edge weight = hours together), finds
 * communities with Louvain and lays it out with ForceAtlas2, both seeded so reruns are stable.
 * Pairs under `minMs` together are dropped before anything else; `pairs` must be sorted, most first.
 */
export function communityLayout(pairs: readonly PairTime[], minMs: number, strongestPerMember = STRONGEST_PER_MEMBER): CommunityLayout {
  const graph = new Graph({ type: 'undirected' });
  // Keep each member's strongest links only: a dense year of play links almost everyone to
  // everyone, which hides the groups and makes the layout quadratic. Pairs are sorted, most first.
  const kept = new Map<string, number>();
  for (const p of pairs) {
    if (p.ms < minMs) break;
    const ka = kept.get(p.a) ?? 0;
    const kb = kept.get(p.b) ?? 0;
    if (ka >= strongestPerMember && kb >= strongestPerMember) continue;
    kept.set(p.a, ka + 1);
    kept.set(p.b, kb + 1);
    graph.mergeNode(p.a);
    graph.mergeNode(p.b);
    graph.mergeEdge(p.a, p.b, { weight: p.ms / 3_600_000 });
  }
  if (graph.order === 0) return { nodes: [], edges: [], sizes: [], modularity: 0 };

  const detailed = louvain.detailed(graph, { getEdgeWeight: 'weight', rng: seeded(7) });
  // Renumber communities by size, largest first, so colours are stable and meaningful.
  const raw = new Map<number, number>();
  for (const c of Object.values(detailed.communities)) raw.set(c, (raw.get(c) ?? 0) + 1);
  const bySize = [...raw.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0]);
  const renumber = new Map(bySize.map(([c], i) => [c, i]));
  const sizes = bySize.map(([, n]) => n);

  // Start each community on its own spot of a circle, jittered, so ForceAtlas2 converges quickly.
  const rng = seeded(42);
  const k = sizes.length;
  graph.forEachNode((node) => {
    const c = renumber.get(detailed.communities[node]!)!;
    const angle = (2 * Math.PI * c) / k;
    graph.mergeNodeAttributes(node, { x: 100 * Math.cos(angle) + 20 * (rng() - 0.5), y: 100 * Math.sin(angle) + 20 * (rng() - 0.5), community: c });
  });
  const settings = { ...forceAtlas2.inferSettings(graph), edgeWeightInfluence: 1, barnesHutOptimize: graph.order > 200 };
  forceAtlas2.assign(graph, { iterations: graph.order > 200 ? 80 : 300, settings, getEdgeWeight: 'weight' });

  const nodes: CommunityNode[] = [];
  graph.forEachNode((node, attrs) => {
    let hours = 0;
    graph.forEachEdge(node, (_e, e) => (hours += e.weight as number));
    nodes.push({ userId: node, x: attrs.x as number, y: attrs.y as number, community: attrs.community as number, hours });
  });
  const edges: CommunityLayout['edges'] = [];
  graph.forEachEdge((_e, attrs, a, b) => edges.push({ a, b, hours: attrs.weight as number }));
  return { nodes, edges, sizes, modularity: detailed.modularity };
}
