import { Connection } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { status } from '@grpc/grpc-js';
import { msToTs } from '@temporalio/common/lib/time';
import { LEAD_SEARCH_ATTRIBUTES } from '../../domain/search-attributes';

const RETENTION_DAYS = 180;

const INDEXED_TYPE: Record<string, proto.api.enums.v1.IndexedValueType> = {
  KEYWORD: proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  DATETIME: proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  TEXT: proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  INT: proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  KEYWORD_LIST: proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** Adds whichever lead search attributes the namespace lacks. */
export async function registerSearchAttributes({ connection, namespace }: { connection: Connection; namespace: string }): Promise<void> {
  const { customAttributes } = await connection.operatorService
    .listSearchAttributes({ namespace })
    // The time-skipping test server cannot list, only add: treat everything as missing there.
    .catch((err: { code?: number }) => {
      if (err.code === status.UNIMPLEMENTED) return { customAttributes: {} };
      throw err;
    });
  const missing = LEAD_SEARCH_ATTRIBUTES.filter((k) => !(k.name in (customAttributes ?? {})));
  if (missing.length) {
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((k) => [k.name, INDEXED_TYPE[k.type]!])),
      });
    } catch (err) {
      // Another process registering the same attributes at the same moment is fine.
      if ((err as { code?: number }).code !== status.ALREADY_EXISTS) throw err;
    }
  }
}

/**
 * Registers the lead search attributes and a long retention on the namespace. Safe to run on every
 * start: the dev server ignores its start-up flags once its database exists, so this is what keeps an
 * existing data folder up to date.
 */
export async function setupNamespace({ connection, namespace }: { connection: Connection; namespace: string }): Promise<void> {
  await registerSearchAttributes({ connection, namespace });
  await connection.workflowService.updateNamespace({
    namespace,
    config: { workflowExecutionRetentionTtl: msToTs(`${RETENTION_DAYS} days`) },
  });
}

/**
 * Temporal Cloud does not let an app's API key or certificate change its namespace (search attributes,
 * retention): those are set once with `tcld` or in the Cloud UI (docs/operations.md, "Temporal Cloud").
 */
export class NamespaceNotWritable extends Error {
  override name = 'NamespaceNotWritable';
}

/** One-shot entry point (docker-compose's `temporal-setup` step). */
async function main(): Promise<void> {
  const { loadConfig } = await import('../../config');
  const { temporalConnectionOptions } = await import('./connection');
  const config = loadConfig();
  const options = temporalConnectionOptions(config);
  // The server may still be starting when this runs: keep trying for a while.
  for (let attempt = 1; ; attempt++) {
    try {
      const connection = await Connection.connect(options);
      try {
        await setupNamespace({ connection, namespace: config.TEMPORAL_NAMESPACE });
      } catch (err) {
        const code = (err as { code?: number }).code;
        if (code === status.PERMISSION_DENIED || code === status.UNIMPLEMENTED) {
          throw new NamespaceNotWritable(
            `${config.TEMPORAL_NAMESPACE} cannot be changed with these credentials (${(err as Error).message}). On Temporal Cloud, add the lead ` +
              `search attributes (${LEAD_SEARCH_ATTRIBUTES.map((k) => `${k.name}=${k.type}`).join(', ')}) and the retention with tcld or in the Cloud UI, and do not run this step (docs/operations.md).`,
          );
        }
        throw err;
      } finally {
        await connection.close();
      }
      process.stdout.write(`Search attributes and ${RETENTION_DAYS}-day retention set on ${config.TEMPORAL_NAMESPACE}\n`);
      return;
    } catch (err) {
      if (err instanceof NamespaceNotWritable || attempt >= 60) throw err;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`Temporal setup failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
