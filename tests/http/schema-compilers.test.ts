import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { lazySchemaCompilers } from '../../src/http/schema-compilers.js';

describe("Fastify's schema compilers, loaded on first use", () => {
  it('a route that declares a schema is still validated and serialized as Fastify does by default', async () => {
    const fastify = Fastify({ schemaController: { compilersFactory: lazySchemaCompilers() } });
    fastify.get('/plain', async () => ({ ok: true, extra: 'kept' }));
    fastify.post(
      '/checked',
      {
        schema: {
          body: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } },
          response: { 200: { type: 'object', properties: { hello: { type: 'string' } } } },
        },
      },
      async (request) => ({ hello: (request.body as { name: string }).name, dropped: 'by the response schema' }),
    );
    try {
      expect((await fastify.inject({ method: 'GET', url: '/plain' })).json()).toEqual({ ok: true, extra: 'kept' });
      const bad = await fastify.inject({ method: 'POST', url: '/checked', payload: { name: '' } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().message).toBe('body/name must NOT have fewer than 1 characters');
      const good = await fastify.inject({ method: 'POST', url: '/checked', payload: { name: 'Alice' } });
      expect(good.statusCode).toBe(200);
      expect(good.json()).toEqual({ hello: 'Alice' });
    } finally {
      await fastify.close();
    }
  });
});
