import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/', 'artifacts/', 'src/sandbox/web/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // The emulator is Discord, not the bot: it must never import the bot's code.
    files: ['src/sandbox/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/shared/**', '**/http/**', '**/gateway/**'] }],
    },
  },
  {
    // Commands and the router serve both transports: they never know which one delivered an
    // interaction (the webhook in src/http, INTERACTION_CREATE in src/gateway).
    files: ['src/interactions/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['fastify', '@discordjs/ws', 'ws', '**/http/**', '**/gateway/**', '**/sandbox/**'],
              message: 'Interactions never know their transport: src/http and src/gateway import them, not the other way.',
            },
          ],
        },
      ],
    },
  },
  {
    // Services hold the rules; they never see HTTP or WebSocket types.
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['fastify', '@discordjs/ws', 'ws', '**/http/**', '**/gateway/**', '**/sandbox/**'] }],
    },
  },
  {
    // Nor Discord's: the REST façade (src/shared/discord) hands them plain shapes and domain errors
    // (discord/errors.ts). This block replaces the one above for services, so it repeats its patterns.
    files: ['src/shared/services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['fastify', 'ws', '**/http/**', '**/gateway/**', '**/sandbox/**'], message: 'Services never see HTTP or WebSocket types.' },
            {
              group: ['discord-api-types', 'discord-api-types/*', '@discordjs/*'],
              message: 'Services get plain shapes and domain errors from src/shared/discord (rest.ts, errors.ts), never Discord types.',
            },
          ],
        },
      ],
    },
  },
);
