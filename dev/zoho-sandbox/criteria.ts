/**
 * Zoho's search `criteria` syntax: `(Field:operator:value)`, groups joined with `and` / `or`, e.g.
 * `((Email:equals:a@b.co)or(Phone:equals:123))`. Values escape `(`, `)` and `,` with a backslash.
 * Only the operators the project can plausibly use are supported; the rest are refused the way Zoho
 * refuses an unknown operator, so a client relying on one finds out here rather than in production.
 */

export type Criteria =
  | { type: 'condition'; field: string; operator: Operator; values: string[] }
  | { type: 'and'; left: Criteria; right: Criteria }
  | { type: 'or'; left: Criteria; right: Criteria };

const OPERATORS = ['equals', 'not_equal', 'starts_with', 'in'] as const;
type Operator = (typeof OPERATORS)[number];

export class CriteriaError extends Error {
  override name = 'CriteriaError';
  constructor(
    readonly reason: string,
    readonly apiName?: string,
  ) {
    super(reason);
  }
}

export function parseCriteria(source: string, knownFields: readonly string[]): Criteria {
  let pos = 0;

  const peek = () => source[pos];

  function expect(char: string): void {
    if (source[pos] !== char) throw new CriteriaError(`expected "${char}" at position ${pos}`);
    pos++;
  }

  function parseExpression(): Criteria {
    let left = parseGroup();
    for (;;) {
      const rest = source.slice(pos).toLowerCase();
      const joiner = rest.startsWith('and') ? 'and' : rest.startsWith('or') ? 'or' : undefined;
      if (!joiner) return left;
      pos += joiner.length;
      left = { type: joiner, left, right: parseGroup() };
    }
  }

  function parseGroup(): Criteria {
    expect('(');
    if (peek() === '(') {
      const inner = parseExpression();
      expect(')');
      return inner;
    }
    const start = pos;
    while (pos < source.length && source[pos] !== ')') pos += source[pos] === '\\' ? 2 : 1;
    const body = source.slice(start, pos);
    expect(')');
    return parseCondition(body);
  }

  function parseCondition(body: string): Criteria {
    const first = body.indexOf(':');
    const second = first < 0 ? -1 : body.indexOf(':', first + 1);
    if (first < 0 || second < 0) throw new CriteriaError('a condition needs field:operator:value');
    const field = body.slice(0, first).trim();
    const operator = body.slice(first + 1, second).trim();
    const raw = body.slice(second + 1);
    if (!knownFields.includes(field)) throw new CriteriaError('the api name given is invalid', field);
    if (!(OPERATORS as readonly string[]).includes(operator)) throw new CriteriaError('invalid operator found', field);
    const values = operator === 'in' ? splitUnescaped(raw) : [raw];
    return { type: 'condition', field, operator: operator as Operator, values: values.map(unescape) };
  }

  const criteria = parseExpression();
  if (pos !== source.length) throw new CriteriaError(`unexpected text at position ${pos}`);
  return criteria;
}

function splitUnescaped(raw: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i] as string;
    if (char === '\\' && i + 1 < raw.length) {
      current += char + raw[i + 1];
      i++;
    } else if (char === ',') {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

function unescape(value: string): string {
  return value.replace(/\\(.)/g, '$1');
}

/** Zoho compares text case-insensitively in search; lookups compare by id. */
function comparable(value: unknown): string | undefined {
  if (typeof value === 'string') return value.toLowerCase();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object' && value !== null && 'id' in value && typeof value.id === 'string') return value.id;
  return undefined;
}

export function matchesCriteria(record: Record<string, unknown>, criteria: Criteria): boolean {
  if (criteria.type === 'and') return matchesCriteria(record, criteria.left) && matchesCriteria(record, criteria.right);
  if (criteria.type === 'or') return matchesCriteria(record, criteria.left) || matchesCriteria(record, criteria.right);
  const actual = comparable(record[criteria.field]);
  const wanted = criteria.values.map((v) => v.toLowerCase());
  switch (criteria.operator) {
    case 'equals':
      return actual !== undefined && actual === wanted[0];
    case 'not_equal':
      return actual !== wanted[0];
    case 'starts_with':
      return actual !== undefined && actual.startsWith(wanted[0] ?? '');
    case 'in':
      return actual !== undefined && wanted.includes(actual);
  }
}
