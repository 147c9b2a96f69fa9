/**
 * ESLint's Node API in a plain Node process, for test/unit/lint-layers.test.ts: Jest's module sandbox
 * cannot load eslint.config.mjs (an ES module) without --experimental-vm-modules.
 *
 *   node test/support/lint-text.mjs --layers   prints the layer table of eslint.config.mjs
 *   node test/support/lint-text.mjs < cases    lints [{ filePath, code }] (paths from the repository root)
 *                                              and prints each case's messages as [{ ruleId, message }]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

if (process.argv.includes('--layers')) {
  const { LAYERS, LOCAL_ONLY } = await import('../../eslint.config.mjs');
  process.stdout.write(JSON.stringify({ layers: LAYERS, localOnly: LOCAL_ONLY }));
} else {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const eslint = new ESLint({ cwd: root });
  const results = [];
  for (const { filePath, code } of JSON.parse(input)) {
    const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
    results.push(result.messages.map(({ ruleId, message }) => ({ ruleId, message })));
  }
  process.stdout.write(JSON.stringify(results));
}
