import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type Factory = (...args: unknown[]) => unknown;

/** Fastify's own compilers, required from Fastify's directory (they are its dependencies, not ours). */
const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));

/**
 * Fastify's schema compilers (Ajv for validation, fast-json-stringify for serialization), loaded
 * the first time a route declares a schema instead of when the server is built. rollcall's routes
 * declare none (the interaction body is raw bytes, checked by verify.ts and shape.ts), and Ajv with
 * its dependencies is about 1.5 MiB of heap that an idle bot would otherwise carry (issue 22).
 * @see https://fastify.dev/docs/latest/Reference/Server/#schemacontroller
 */
export function lazySchemaCompilers(): CompilersFactory {
  const lazy = (pkg: string): Factory => {
    let build: Factory | undefined;
    return (...args) => {
      build ??= (fromFastify(pkg) as () => Factory)();
      return build(...args);
    };
  };
  return { buildValidator: lazy('@fastify/ajv-compiler'), buildSerializer: lazy('@fastify/fast-json-stringify-compiler') } as CompilersFactory;
}
