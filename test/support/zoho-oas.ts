import fs from 'node:fs';
import path from 'node:path';

/**
 * Zoho's published v8 OpenAPI files (test/reference/zoho-crm-oas-v8/, copied from shared/reference so a clone anywhere has them) as a contract for the
 * requests the client makes: the operation exists (path and method), its required parameters are
 * there, no undeclared query parameter is sent, and the body fits the request schema.
 *
 * A small checker rather than a full validator, for what Zoho's files need: `$ref`s (into the same
 * file, or into a sibling file by its raw GitHub address), `oneOf` read as `anyOf` (Zoho's
 * alternatives overlap), OpenAPI 3.0's `nullable`. Zoho reuses one schema for the record it answers
 * and the one it takes (notes.json's Note requires `id` and `Created_Time`), so in request bodies
 * `required` is checked on the wrapper only; below it, types, enums and nulls are. The wrapper is read
 * as closed: a key its schema does not declare (a `trigger` sent to Notes) is a finding.
 */

export const OAS_DIR = path.resolve(__dirname, '../reference/zoho-crm-oas-v8');
const FILES = ['record.json', 'notes.json', 'module_search.json', 'convert_lead.json', 'fields.json', 'users.json'] as const;

type Schema = Record<string, unknown>;
type Doc = Schema & { paths: Record<string, Record<string, Schema>> };

const docs = new Map<string, Doc>();
function doc(file: string): Doc | undefined {
  if (!docs.has(file) && fs.existsSync(path.join(OAS_DIR, file))) docs.set(file, JSON.parse(fs.readFileSync(path.join(OAS_DIR, file), 'utf8')) as Doc);
  return docs.get(file);
}

function at(node: unknown, pointer: string): unknown {
  for (const key of pointer.replace(/^#?\//, '').split('/')) node = (node as Record<string, unknown> | undefined)?.[key];
  return node;
}

/** The schema a `$ref` names, with the file it lives in; undefined for a file not shipped here. */
function deref(file: string, ref: string): { file: string; schema: Schema } | undefined {
  const [where, pointer = ''] = ref.split('#');
  const target = where ? path.basename(where) : file;
  const d = doc(target);
  const schema = d && (at(d, pointer) as Schema | undefined);
  return schema ? { file: target, schema } : undefined;
}

export function violations(file: string, schema: Schema, value: unknown, where = '$', mode: 'answer' | 'request' = 'answer'): string[] {
  if (typeof schema.$ref === 'string') {
    const target = deref(file, schema.$ref);
    if (!target) return typeof value === 'object' && value !== null ? [] : [`${where}: expected an object for ${schema.$ref}`];
    return violations(target.file, target.schema, value, where, mode);
  }
  if (value === null) return schema.nullable === true ? [] : [`${where}: null is not allowed`];
  if (Array.isArray(schema.oneOf)) {
    const each = (schema.oneOf as Schema[]).map((s) => violations(file, s, value, where, mode));
    return each.some((v) => v.length === 0) ? [] : [`${where}: matches none of oneOf`, ...each.flat()];
  }
  const actual = Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (typeof schema.type === 'string' && schema.type !== actual && !(schema.type === 'number' && actual === 'integer')) {
    return [`${where}: expected ${schema.type}, got ${actual}`];
  }
  const problems: string[] = [];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) problems.push(`${where}: ${JSON.stringify(value)} is not one of the enum`);
  if (typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const checkRequired = mode === 'answer' || where === '$';
    if (checkRequired) for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in obj)) problems.push(`${where}.${key}: required`);
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [key, sub] of Object.entries(props)) if (key in obj) problems.push(...violations(file, sub, obj[key], `${where}.${key}`, mode));
    if (mode === 'request' && where === '$' && schema.properties) {
      for (const key of Object.keys(obj)) if (!(key in props)) problems.push(`${where}.${key}: not taken by this operation`);
    }
  }
  if (Array.isArray(value) && schema.items) value.forEach((item, i) => problems.push(...violations(file, schema.items as Schema, item, `${where}[${i}]`, mode)));
  return problems;
}

interface Operation {
  file: string;
  template: string;
  op: Schema;
  parameters: Schema[];
}

/** The operations a request names: the most literal path templates that match it, in every file. */
export function operationsFor(method: string, requestPath: string): Operation[] {
  const found: Array<Operation & { literal: number }> = [];
  for (const file of FILES) {
    const d = doc(file);
    for (const [template, item] of Object.entries(d?.paths ?? {})) {
      const op = item[method.toLowerCase()];
      if (!op) continue;
      const segments = template.split('/');
      const actual = requestPath.split('/');
      if (segments.length !== actual.length) continue;
      if (!segments.every((s, i) => (s.startsWith('{') ? actual[i] !== '' : s === actual[i]))) continue;
      const resolve = (p: Schema) => (typeof p.$ref === 'string' ? (deref(file, p.$ref)?.schema ?? p) : p);
      const parameters = [...((item.parameters as Schema[] | undefined) ?? []), ...((op.parameters as Schema[] | undefined) ?? [])].map(resolve);
      found.push({ file, template, op, parameters, literal: segments.filter((s) => !s.startsWith('{')).length });
    }
  }
  const most = Math.max(...found.map((f) => f.literal));
  return found.filter((f) => f.literal === most);
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
}

/** What is wrong with one request by Zoho's files; empty when it conforms to every operation it matches. */
export function requestProblems(req: LoggedRequest): string[] {
  const name = `${req.method} ${req.path}`;
  const ops = operationsFor(req.method, req.path);
  if (ops.length === 0) return [`${name}: no such operation in Zoho's files`];
  const problems: string[] = [];
  const declared = new Set(ops.flatMap((o) => o.parameters.filter((p) => p.in === 'query').map((p) => p.name as string)));
  for (const key of Object.keys(req.query)) if (!declared.has(key)) problems.push(`${name}: query parameter ${key} is not declared`);
  for (const { file, template, op, parameters } of ops) {
    for (const p of parameters.filter((x) => x.in === 'query')) {
      const value = req.query[p.name as string];
      if (value === undefined) {
        if (p.required === true) problems.push(`${name}: ${file} ${template} requires the query parameter ${String(p.name)}`);
        continue;
      }
      const schema = (p.schema as Schema | undefined) ?? {};
      if (schema.type === 'integer' && !/^-?\d+$/.test(String(value))) problems.push(`${name}: ${String(p.name)} must be an integer`);
      if (Array.isArray(schema.enum) && !schema.enum.includes(value)) problems.push(`${name}: ${String(p.name)}=${String(value)} is not one of ${schema.enum.join(', ')}`);
    }
    const body = op.requestBody as Schema | undefined;
    // convert_lead.json documents its body with no schema: only its presence can be checked.
    const schema = (body?.content as Record<string, Schema> | undefined)?.['application/json']?.schema as Schema | undefined;
    if (body?.required === true && req.body === undefined) problems.push(`${name}: ${file} requires a body`);
    if (schema && req.body !== undefined) problems.push(...violations(file, schema, req.body, '$', 'request').map((v) => `${name} body (${file}): ${v}`));
  }
  return problems;
}
