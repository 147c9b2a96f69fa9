import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../config';
import { describeTemporalConnection, temporalConnectionOptions } from '../../integrations/temporal/connection';

/** The one function every Temporal connection (API, worker, health check, namespace set-up) is made with. */
const dir = mkdtempSync(join(tmpdir(), 'seguimiento-temporal-tls-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const cert = file('client.pem', '-----BEGIN CERTIFICATE-----\nclient\n-----END CERTIFICATE-----\n');
const key = file('client.key', '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n');
const ca = file('ca.pem', '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('plain, as npm start and the compose file run Temporal', () => {
  const options = temporalConnectionOptions(parseConfig({ TEMPORAL_ADDRESS: 'temporal:7233' }));
  expect(options).toEqual({ address: 'temporal:7233' });
  expect(describeTemporalConnection(options)).toBe('temporal:7233 (plain)');
  expect(temporalConnectionOptions(parseConfig({}))).toEqual({ address: 'localhost:7233' });
});

test('an API key: TLS, the key, and the namespace header Temporal Cloud routes by', () => {
  const options = temporalConnectionOptions(parseConfig({ TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233', TEMPORAL_NAMESPACE: 'seguimiento.a1b2c', TEMPORAL_API_KEY: 'cloud-api-key' }));
  expect(options).toEqual({ address: 'us-east-1.aws.api.temporal.io:7233', tls: {}, apiKey: 'cloud-api-key', metadata: { 'temporal-namespace': 'seguimiento.a1b2c' } });
  expect(describeTemporalConnection(options)).toBe('us-east-1.aws.api.temporal.io:7233 (TLS with an API key)');
  expect(describeTemporalConnection(options)).not.toContain('cloud-api-key');
});

test('mTLS: the certificate and key read from their files, with a CA and a server name when given', () => {
  const options = temporalConnectionOptions(parseConfig({
    TEMPORAL_ADDRESS: 'seguimiento.a1b2c.tmprl.cloud:7233', TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key, TEMPORAL_TLS_CA: ca, TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
  }));
  expect(options).toEqual({
    address: 'seguimiento.a1b2c.tmprl.cloud:7233',
    tls: { clientCertPair: { crt: readFileSync(cert), key: readFileSync(key) }, serverRootCACertificate: readFileSync(ca), serverNameOverride: 'temporal.internal' },
  });
  expect(describeTemporalConnection(options)).toBe('seguimiento.a1b2c.tmprl.cloud:7233 (mTLS with a client certificate)');
});

test('a CA alone: TLS to a server with a private certificate, without a client identity', () => {
  expect(temporalConnectionOptions(parseConfig({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_TLS_CA: ca }))).toEqual({ address: 'temporal:7233', tls: { serverRootCACertificate: readFileSync(ca) } });
});
