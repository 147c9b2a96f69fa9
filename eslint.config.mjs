import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

// Workflow and domain code runs in Temporal's deterministic sandbox (or on both sides of the wire):
// Node built-ins, activity implementations and the environment have no place there.
const sandboxRules = {
  'no-restricted-imports': [
    'error',
    {
      paths: nodeBuiltins.map((name) => ({ name, message: 'Node built-ins are not allowed in workflows/ and domain/.' })),
      patterns: [
        {
          group: ['**/activities', '**/activities/*', '!**/activities/types'],
          allowTypeImports: true,
          message: 'Workflows import activities as types only (import type).',
        },
      ],
    },
  ],
  'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Only config/ reads the environment.' }],
  'no-restricted-globals': ['error', { name: 'process', message: 'No process in workflows/ and domain/.' }],
  'no-restricted-syntax': [
    'error',
    { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Use workflow time.' },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules', 'dist', '.tools', '.data', 'coverage', 'test-results'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['workflows/**/*.ts', 'domain/**/*.ts'], rules: sandboxRules },
);
