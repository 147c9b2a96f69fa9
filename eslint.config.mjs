import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/**
 * The layers: what each product folder may import besides itself. This table is the source of truth;
 * docs/architecture.md draws it and test/unit/lint-layers.test.ts proves the rules below follow it.
 * `types`: folders the layer may import types from only (`import type`), never values.
 */
export const LAYERS = {
  domain: { imports: [] },
  workflows: { imports: ['domain'], types: ['activities'] },
  lib: { imports: [] },
  config: { imports: ['domain', 'lib'] },
  integrations: { imports: ['domain', 'lib', 'config'] },
  activities: { imports: ['integrations', 'domain', 'lib', 'config'] },
  services: { imports: ['integrations', 'domain', 'lib', 'config'] },
  presentation: { imports: ['services', 'domain', 'lib', 'config'] },
  api: { imports: ['presentation', 'services', 'integrations', 'domain', 'lib', 'config'], types: ['workflows'] },
  workers: { imports: ['activities', 'workflows', 'services', 'presentation', 'integrations', 'domain', 'lib', 'config'] },
};

/** Local stand-ins, tests and benchmarks: they may import anything, and no product folder imports them. */
export const LOCAL_ONLY = ['dev', 'test', 'bench'];

/** Workflow and domain code runs in Temporal's deterministic sandbox (or on both sides of the wire). */
const SANDBOXED = ['workflows', 'domain'];

// Our imports are relative, so a folder is reached as `../folder`, `../../folder/x` and so on.
const reaching = (folders) => `^(\\.\\./)+(${folders.join('|')})(/|$)`;
const list = (folders) => folders.map((f) => `${f}/`).join(', ');

function layerImportRule(layer, { imports, types = [] }) {
  const others = Object.keys(LAYERS).filter((f) => f !== layer && !imports.includes(f));
  const forbidden = others.filter((f) => !types.includes(f));
  const allowed = `${imports.length ? `only ${list(imports)}` : 'nothing else of ours'}${types.length ? ` (and types from ${list(types)})` : ''}`;
  const patterns = [
    { regex: reaching(LOCAL_ONLY), message: 'Product code never imports dev/, test/ or bench/: those never ship.' },
    ...(forbidden.length
      ? [{ regex: reaching(forbidden), message: `${layer}/ imports ${allowed}; see eslint.config.mjs and docs/architecture.md.` }]
      : []),
    ...types.map((f) => ({ regex: reaching([f]), allowTypeImports: true, message: `${layer}/ imports ${f}/ as types only (import type).` })),
  ];
  const paths = SANDBOXED.includes(layer)
    ? nodeBuiltins.map((name) => ({ name, message: 'Node built-ins are not allowed in workflows/ and domain/.' }))
    : [];
  return { files: [`${layer}/**/*.ts`], rules: { 'no-restricted-imports': ['error', { paths, patterns }] } };
}

const sandboxRules = {
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
  ...Object.entries(LAYERS).map(([layer, rule]) => layerImportRule(layer, rule)),
  {
    files: Object.keys(LAYERS).filter((f) => f !== 'config').map((f) => `${f}/**/*.ts`),
    rules: { 'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Only config/ reads the environment.' }] },
  },
  { files: SANDBOXED.map((f) => `${f}/**/*.ts`), rules: sandboxRules },
);
