import { ZodError } from 'zod';
import { parseIdempotencyKey, requestHash, updateIdFor } from '../../services/idempotency';

describe('idempotency keys', () => {
  test('become short update ids, one namespace per endpoint, that do not carry the key itself', () => {
    const key = 'pedido-2027-03-01-ana@example.com';
    const id = updateIdFor('outcome', key);
    expect(id).toMatch(/^outcome:[0-9a-f]{64}$/);
    expect(id).not.toContain('ana');
    expect(updateIdFor('outcome', key)).toBe(id);
    expect(updateIdFor('command', key).slice('command:'.length)).toBe(id.slice('outcome:'.length));
    expect(updateIdFor('outcome', 'x'.repeat(255)).length).toBeLessThan(1000);
  });

  test('are checked for length and characters, and the error names the field', () => {
    expect(parseIdempotencyKey(undefined, 'Idempotency-Key')).toBeUndefined();
    expect(parseIdempotencyKey('3f2a1c9e-7b4d-4e2a-9c1b-0d6f5a8e2b17', 'Idempotency-Key')).toBe('3f2a1c9e-7b4d-4e2a-9c1b-0d6f5a8e2b17');
    expect(parseIdempotencyKey('VmDcfnvV6eLaUIBccS-SLg', 'idempotencyKey')).toBe('VmDcfnvV6eLaUIBccS-SLg');
    for (const bad of ['', 'short', 'con espacios 123', 'x'.repeat(256), 'ñandú-12345678', 'a,b,c,d,e,f', 42]) {
      try {
        parseIdempotencyKey(bad, 'Idempotency-Key');
        throw new Error(`accepted ${String(bad)}`);
      } catch (err) {
        expect(err).toBeInstanceOf(ZodError);
        expect((err as ZodError).issues[0]?.path).toEqual(['Idempotency-Key']);
      }
    }
  });

  test('requests hash the same whatever the order of their fields', () => {
    expect(requestHash([{ type: 'lost', reason: 'price', note: undefined }])).toBe(requestHash([{ reason: 'price', type: 'lost' }]));
    expect(requestHash([{ type: 'lost', reason: 'price' }])).not.toBe(requestHash([{ type: 'lost', reason: 'timing' }]));
    expect(requestHash([{ changes: { firstName: 'Ana', lastName: 'Ruiz' } }])).toBe(requestHash([{ changes: { lastName: 'Ruiz', firstName: 'Ana' } }]));
  });
});
