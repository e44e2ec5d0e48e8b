/**
 * graphology's packages are CommonJS with `export default` typings: under NodeNext, TypeScript
 * types a default import as the module object, while Node hands over `module.exports` itself.
 * Importing the namespace and taking `.default` is right for both (tsx, vitest and compiled dist).
 */
import * as graphologyModule from 'graphology';
import * as louvainModule from 'graphology-communities-louvain';
import * as forceAtlas2Module from 'graphology-layout-forceatlas2';

// TypeScript sees `default` nested twice (module object → its `export default`); Node, once.
type DefaultOf<M> = M extends { default: infer D } ? (D extends { default: infer E } ? E : D) : M;

function interop<M>(mod: M): DefaultOf<M> {
  const inner = (mod as { default?: unknown }).default;
  // A CJS module seen through two interop layers can nest `default` once more.
  const value = inner && typeof inner === 'object' && 'default' in inner ? (inner as { default: unknown }).default : (inner ?? mod);
  return value as DefaultOf<M>;
}

export const Graph = interop(graphologyModule);
export type Graph = InstanceType<typeof Graph>;
export const louvain = interop(louvainModule);
export const forceAtlas2 = interop(forceAtlas2Module);
