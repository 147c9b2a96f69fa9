import { Server, ServerCredentials, status, type Metadata, type ServiceDefinition, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection } from '@temporalio/worker';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../config';
import { temporalConnectionOptions } from '../../integrations/temporal/connection';

/**
 * The connection options of integrations/temporal/connection.ts against a real TLS handshake: a gRPC
 * server speaking Temporal's GetSystemInfo (what both connections call first) over TLS, with
 * certificates made here by openssl. With a client certificate it requires and verifies one (mTLS, as
 * Temporal Cloud's mTLS endpoints do); with an API key it checks the bearer token and the namespace
 * header (as Cloud's API-key endpoints do). Both the client's Connection (grpc-js) and the worker's
 * NativeConnection (the Rust core) connect; without the client certificate, or with a wrong key, they
 * do not. The Temporal CLI's dev server has no TLS option, hence this stand-in.
 */
const dir = mkdtempSync(join(tmpdir(), 'seguimiento-tls-'));
const path = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

function certificates(): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=Seguimiento test CA');
  const issue = (name: string, subject: string, extensions: string) => {
    writeFileSync(path(`${name}.ext`), extensions);
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`);
  };
  issue('server', '/CN=temporal.test', 'subjectAltName=DNS:temporal.test\nextendedKeyUsage=serverAuth\n');
  issue('client', '/CN=seguimiento-worker', 'extendedKeyUsage=clientAuth\n');
}

const { GetSystemInfoRequest, GetSystemInfoResponse } = temporal.api.workflowservice.v1;
const seen: { authorization?: string; namespace?: string }[] = [];
const service: ServiceDefinition = {
  GetSystemInfo: {
    path: '/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo',
    requestStream: false,
    responseStream: false,
    requestSerialize: (m: temporal.api.workflowservice.v1.IGetSystemInfoRequest) => Buffer.from(GetSystemInfoRequest.encode(m).finish()),
    requestDeserialize: (b: Buffer) => GetSystemInfoRequest.decode(b),
    responseSerialize: (m: temporal.api.workflowservice.v1.IGetSystemInfoResponse) => Buffer.from(GetSystemInfoResponse.encode(m).finish()),
    responseDeserialize: (b: Buffer) => GetSystemInfoResponse.decode(b),
  },
};

async function serve({ requireClientCertificate, apiKey }: { requireClientCertificate: boolean; apiKey?: string }): Promise<{ port: number; stop: () => void }> {
  const server = new Server();
  server.addService(service, {
    GetSystemInfo: (call: ServerUnaryCall<unknown, unknown>, done: sendUnaryData<unknown>) => {
      const header = (m: Metadata, key: string) => m.get(key)[0]?.toString();
      seen.push({ authorization: header(call.metadata, 'authorization'), namespace: header(call.metadata, 'temporal-namespace') });
      if (apiKey && header(call.metadata, 'authorization') !== `Bearer ${apiKey}`) return done({ code: status.UNAUTHENTICATED, details: 'bad API key' });
      done(null, { serverVersion: 'tls-stand-in', capabilities: {} });
    },
  });
  const credentials = ServerCredentials.createSsl(readFileSync(path('ca.pem')), [{ cert_chain: readFileSync(path('server.pem')), private_key: readFileSync(path('server.key')) }], requireClientCertificate);
  const port = await new Promise<number>((ok, fail) => server.bindAsync('127.0.0.1:0', credentials, (err, p) => (err ? fail(err) : ok(p))));
  return { port, stop: () => server.forceShutdown() };
}

beforeAll(certificates);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('mTLS: the client certificate from TEMPORAL_TLS_CERT/KEY is presented, and both connections reach the server; without it, neither does', async () => {
  const server = await serve({ requireClientCertificate: true });
  const env = { TEMPORAL_ADDRESS: `127.0.0.1:${server.port}`, TEMPORAL_TLS_CA: path('ca.pem'), TEMPORAL_TLS_SERVER_NAME: 'temporal.test' };
  try {
    const options = temporalConnectionOptions(parseConfig({ ...env, TEMPORAL_TLS_CERT: path('client.pem'), TEMPORAL_TLS_KEY: path('client.key') }));
    const client = await Connection.connect({ ...options, connectTimeout: '10s' });
    expect((await client.workflowService.getSystemInfo({})).serverVersion).toBe('tls-stand-in');
    await client.close();
    const worker = await NativeConnection.connect(options);
    await worker.close();

    const withoutCertificate = temporalConnectionOptions(parseConfig(env));
    await expect(Connection.connect({ ...withoutCertificate, connectTimeout: '5s' })).rejects.toThrow();
    await expect(NativeConnection.connect(withoutCertificate)).rejects.toThrow();
  } finally {
    server.stop();
  }
}, 60_000);

test('an API key: TLS, the key as bearer token and the namespace header on every call; a wrong key is refused', async () => {
  const server = await serve({ requireClientCertificate: false, apiKey: 'cloud-api-key' });
  const env = { TEMPORAL_ADDRESS: `127.0.0.1:${server.port}`, TEMPORAL_NAMESPACE: 'seguimiento.a1b2c', TEMPORAL_TLS_CA: path('ca.pem'), TEMPORAL_TLS_SERVER_NAME: 'temporal.test' };
  try {
    seen.length = 0;
    const options = temporalConnectionOptions(parseConfig({ ...env, TEMPORAL_API_KEY: 'cloud-api-key' }));
    const client = await Connection.connect({ ...options, connectTimeout: '10s' });
    await client.close();
    const worker = await NativeConnection.connect(options);
    await worker.close();
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const call of seen) expect(call).toEqual({ authorization: 'Bearer cloud-api-key', namespace: 'seguimiento.a1b2c' });

    const wrong = temporalConnectionOptions(parseConfig({ ...env, TEMPORAL_API_KEY: 'another-key' }));
    await expect(Connection.connect({ ...wrong, connectTimeout: '5s' })).rejects.toThrow(/Failed to connect/);
    // Refused by the server for its key, over a TLS connection that worked.
    expect(seen.at(-1)).toEqual({ authorization: 'Bearer another-key', namespace: 'seguimiento.a1b2c' });
  } finally {
    server.stop();
  }
}, 60_000);
