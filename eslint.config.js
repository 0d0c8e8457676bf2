import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/*
 * Layers. src/domain, src/render, src/gitops (planning) and src/validate are
 * pure: values in, values out. They take I/O and time as inputs (ports,
 * templates, `now`), so they may not import the file system, threads,
 * processes, the network, a database client, or an adapter, and may not read
 * the clock. test/lint/layers.test.ts proves these rules bite.
 */
export const PURE_FOLDERS = ['src/domain/**', 'src/render/**', 'src/gitops/**', 'src/validate/**'];
const IO_MODULES = [
  'fs',
  'fs/promises',
  'worker_threads',
  'child_process',
  'net',
  'http',
  'https',
  'http2',
  'dgram',
  'dns',
  'tls',
  'os',
  'cluster',
  'timers',
  'timers/promises',
  'readline',
];
const pureImports = {
  paths: [
    ...IO_MODULES.flatMap((name) => [name, `node:${name}`]).map((name) => ({
      name,
      message: 'Pure layer: take I/O through a port or an input; node I/O modules belong in src/adapters.',
    })),
    ...['mongodb', 'better-sqlite3', 'isomorphic-git', '@hono/node-server', 'hono', 'pino', 'pyodide', 'prom-client'].map((name) => ({
      name,
      message: 'Pure layer: clients, servers and loggers are wired in src/compose.ts and reached through ports.',
    })),
  ],
  patterns: [
    {
      group: [
        '**/adapters/**',
        '**/http/**',
        '**/jobs/**',
        '**/services/**',
        '**/cli/**',
        '**/auth/**',
        '**/secrets/**',
        '**/starters/**',
        '**/compose.js',
        '**/main.js',
        '**/config.js',
        '**/package-paths.js',
      ],
      message: 'Pure layer: may import src/domain, src/render, src/gitops, src/validate, src/ports, src/store types and src/errors only.',
    },
  ],
};
const clock = [
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Pure layer: take the time as an input (a `now` option), not from the clock.' },
  {
    selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
    message: 'Pure layer: take the time as an input (a `now` option), not from the clock.',
  },
  { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'Pure layer: take randomness as an input.' },
  { selector: 'CallExpression[callee.name=/^(setTimeout|setInterval|setImmediate)$/]', message: 'Pure layer: timers belong to adapters and jobs.' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.berth/**', 'runner/**', 'test/fixtures/**', 'templates/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration in src/config.ts only.' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    files: PURE_FOLDERS,
    rules: { 'no-restricted-imports': ['error', pureImports], 'no-restricted-syntax': ['error', ...clock] },
  },
  {
    files: ['src/config.ts', 'src/main.ts', 'src/cli/**', 'test/**', 'bench/**', 'scripts/**', 'vitest.config.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
