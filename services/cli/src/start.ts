import { mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import {
  KafkaBus, MemoryBus, avroCodec, brokerList, createLogger, createRegistryCodec, loadCatalog, type Bus, type Codec, type Logger,
} from '@firewall/core';
import { PostgresReplayGuard, createCredentialVerifier, refusingReplayGuard, loadAgencyRegistry, loadIssuerRegistry } from '@firewall/http';
import { ruleCatalogFromBundleFiles } from '@firewall/oversight';
import { readBundleArchive } from '@firewall/policy';
import { loadRecordSystems } from '@firewall/releaser';
import { reviewerAgency } from '@firewall/review';
import { checkStartConfig, isEmbedded, type FirewallConfig } from './config.js';
import { ensureDevAgencies } from './dev-keys.js';
import { ensureDevIssuers } from './dev-credentials.js';
import { startFirewall } from './firewall.js';
import { loadPolicy } from './policy-source.js';

/**
 * `firewall start`: the whole firewall in this process. Without KAFKA_BROKERS it is the embedded mode (the
 * in-process bus, files for the ledger, dev keys); with it, the same services over Kafka.
 */
export async function start(config: FirewallConfig, out: (line: string) => void, onFatal: (err: unknown) => void = () => undefined): Promise<{ stop: () => Promise<void> }> {
  checkStartConfig(config);
  const logger = createLogger({ service: 'firewall', level: config.LOG_LEVEL });
  const dataDir = resolve(config.FIREWALL_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const embedded = isEmbedded(config);
  const { evaluator, note, bundlePath } = await loadPolicy(config);
  const agencyCodes = Object.keys((evaluator.bundle.data as { agencies?: Record<string, unknown> }).agencies ?? {});
  const registryPath = config.FIREWALL_AGENCY_REGISTRY ?? (embedded ? (await ensureDevAgencies(dataDir, agencyCodes)).registryPath : undefined);
  if (!registryPath) throw new Error('FIREWALL_AGENCY_REGISTRY is required outside the embedded mode');
  const issuerRegistryPath = config.FIREWALL_ISSUER_REGISTRY ?? (embedded ? (await ensureDevIssuers(dataDir)).registryPath : undefined);
  const { bus, codec } = await connect(config, logger);
  // Over Kafka, a process that is neither gateway nor desk accepts no token without the shared table: a token spent at
  // a gateway must not be spendable again at, say, the ledger's /metrics.
  const replayGuard = config.FIREWALL_REPLAY_DATABASE_URL
    ? await PostgresReplayGuard.open({ connectionString: config.FIREWALL_REPLAY_DATABASE_URL, logger })
    : embedded ? undefined : refusingReplayGuard;
  const firewall = await startFirewall({
    bus, codec, logger, evaluator,
    catalog: loadCatalog(),
    registry: loadAgencyRegistry(registryPath),
    ...(issuerRegistryPath ? { credentials: createCredentialVerifier(loadIssuerRegistry(issuerRegistryPath)) } : {}),
    ...(replayGuard ? { replayGuard } : {}),
    dataDir,
    ledgerDir: join(dataDir, 'ledger'),
    ledgerKeyPath: config.FIREWALL_LEDGER_KEY ?? join(dataDir, 'keys', 'ledger-signing.key.pem'),
    decisionTimeoutMs: config.DECISION_TIMEOUT_MS,
    checkpoints: { every: config.FIREWALL_CHECKPOINT_EVERY, intervalMs: config.FIREWALL_CHECKPOINT_INTERVAL_MS },
    ...(config.FIREWALL_WITNESS_DIR ? { witnessDir: config.FIREWALL_WITNESS_DIR } : {}),
    maxTokenLifetimeSeconds: config.TOKEN_MAX_LIFETIME_SECONDS,
    limits: { perAgency: config.RATE_LIMIT_PER_AGENCY, perSource: config.RATE_LIMIT_PER_SOURCE },
    roles: embedded ? undefined : config.FIREWALL_ROLES,
    ruleCatalog: ruleCatalogFromBundleFiles(readBundleArchive(bundlePath)),
    ...(config.FIREWALL_SUBJECT_KEY ? { subjectKeyPath: config.FIREWALL_SUBJECT_KEY } : {}),
    review: { keyPath: config.FIREWALL_REVIEW_KEY ?? join(dataDir, 'keys', 'review-signing.key.pem'), createKey: embedded },
    release: {
      ...(config.FIREWALL_RECORD_SYSTEMS ? { recordSystems: loadRecordSystems(config.FIREWALL_RECORD_SYSTEMS) } : {}),
      adapterTimeoutMs: config.ADAPTER_TIMEOUT_MS, timeoutMs: config.RELEASE_TIMEOUT_MS,
      ...(config.FIREWALL_LEDGER_JWKS ? { ledgerJwksPath: config.FIREWALL_LEDGER_JWKS } : {}),
    },
    ...(config.KAFKA_BROKERS ? { kafkaLedger: { brokers: brokerList(config.KAFKA_BROKERS), onFatal, namespace: config.FIREWALL_KAFKA_NAMESPACE } } : {}),
  });
  const server = firewall.app.listen(config.PORT, config.HOST);
  await once(server, 'listening');
  const metricsServer = config.FIREWALL_METRICS_PORT === undefined ? undefined : firewall.metricsApp.listen(config.FIREWALL_METRICS_PORT, config.FIREWALL_METRICS_HOST);
  if (metricsServer) await once(metricsServer, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  out(embedded
    ? `Sanctuary firewall (embedded mode: one process, in-process bus, ledger files, development keys — for a first look and small single-node installs).`
    : `Sanctuary firewall over Kafka at ${config.KAFKA_BROKERS}.`);
  out(`  policy: ${note}`);
  out(embedded ? `  ledger: ${join(dataDir, 'ledger')}   agencies: ${registryPath}` : `  ledger: ${firewall.kafkaLedger ? `firewall.audit.v1 (${firewall.kafkaLedger.role})` : 'run by another process'}   agencies: ${registryPath}`);
  out(`  signed tree heads: every ${config.FIREWALL_CHECKPOINT_EVERY} entries or ${config.FIREWALL_CHECKPOINT_INTERVAL_MS} ms and at stop; witness: ${config.FIREWALL_WITNESS_DIR ?? 'none (FIREWALL_WITNESS_DIR unset: a cut ledger tail is caught only by a head saved from GET /v1/audit/checkpoint)'}`);
  out(`  legal-process issuers: ${issuerRegistryPath ?? 'none (FIREWALL_ISSUER_REGISTRY unset)'}`);
  out(`  listening on http://${config.HOST}:${port}  (GET /healthz, /openapi.json${firewall.oversight ? ', /oversight (dashboard for the council)' : ''}; /metrics for an OPERATOR token)`);
  if (metricsServer) out(`  metrics for Prometheus (internal, no token): http://${config.FIREWALL_METRICS_HOST}:${config.FIREWALL_METRICS_PORT}/metrics`);
  if (firewall.releaser) out(`  records: ${config.FIREWALL_RECORD_SYSTEMS ?? 'fictional fixture residents (municipal_id, service_requests, summons, parking) and ledger counts (audit)'}`);
  if (firewall.review) out(`  review desk: http://${config.HOST}:${port}/review  (reviewer token: npx firewall token --agency ${reviewerAgency} --role CITY_ATTORNEY)`);
  if (embedded) {
    out('');
    out('Send a first request (a token is single-use; mint one per request):');
    out(`  TOKEN=$(npx firewall token --agency CITY_REGULATORY_SERVICES)`);
    out(`  curl -s -X POST http://${config.HOST}:${port}/v1/requests -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\`);
    out(`    -d '{"purpose":{"code":"CODE_ENFORCEMENT"},"system":"service_requests","fields":["service_type","location_address","caller_name"],"subjectIds":["SR-2026-000001"]}' \\`);
    out(`    | npx firewall decrypt    # the records arrive encrypted to the agency's key; this opens them with the dev key`);
  }
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    server.closeIdleConnections();
    metricsServer?.close();
    await firewall.close(server);
    await replayGuard?.close?.();
    await bus.close();
  })());
  return { stop };
}

async function connect(config: FirewallConfig, logger: Logger): Promise<{ bus: Bus; codec: Codec }> {
  const codec = config.SCHEMA_REGISTRY_URL ? await createRegistryCodec(config.SCHEMA_REGISTRY_URL) : avroCodec;
  if (!config.KAFKA_BROKERS) return { bus: new MemoryBus(), codec };
  return { bus: await KafkaBus.connect({ brokers: brokerList(config.KAFKA_BROKERS), clientId: 'sanctuary-firewall', logger, namespace: config.FIREWALL_KAFKA_NAMESPACE }), codec };
}
