import type { Server } from 'node:http';
import { join } from 'node:path';
import express from 'express';
import { HealthState, Readiness, consume, topics, type Bus, type Codec, type FieldCatalog, type Logger, type Subscription } from '@firewall/core';
import { createGatewayRouter, followDecisions, gatewayOpenApiDocument, notFound, PendingOutcomes } from '@firewall/gateway';
import {
  MemoryReplayGuard, RateLimiter, callerOf, createAuthenticator, createEdge, edgeRefusals, errorResponses, firewallRoles, methodNotAllowed, requireRole,
  type AgencyRegistry, type CredentialVerifier, type Edge, type Rate, type ReplayGuard,
} from '@firewall/http';
import { JWKS_FILE, KafkaLedger, KeySet, WitnessFeed, loadOrCreateSigningKey, loadOrCreateSubjectKey, startLedgerService, type LedgerService } from '@firewall/ledger';
import { startDecider, type PolicyEvaluator } from '@firewall/policy';
import {
  createReviewRouter, loadOrCreateReviewKey, openFileCaseStore, reviewOpenApiPaths, reviewSecuritySchemes, startReviewDesk, type ReviewDesk,
} from '@firewall/review';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { createOversightMetrics, instrumentEvaluator, oversightOpenApiPaths, registerReadinessMetrics, startOversight, type RuleCatalog } from '@firewall/oversight';
import {
  PendingReleases, createRecordSystems, embeddedRecordSystems, followReleases, startReleaser,
  type RecordSystems, type RecordSystemsConfig, type Releaser,
} from '@firewall/releaser';
import { appendRequestArchive } from './replay.js';
import { auditOpenApiPaths, createAuditRouter, type AuditApiDeps } from './audit-api.js';
import { openFolderWitness } from './witness.js';

export interface FirewallDeps {
  readonly bus: Bus;
  readonly codec: Codec;
  readonly catalog: FieldCatalog;
  readonly evaluator: PolicyEvaluator;
  readonly registry: AgencyRegistry;
  readonly logger: Logger;
  readonly ledgerDir: string;
  readonly ledgerKeyPath: string;
  /** Where accepted requests are archived for `firewall replay` (the ledger process keeps it). */
  readonly dataDir: string;
  readonly decisionTimeoutMs: number;
  /** Where spent agency tokens are remembered (default: this process's memory; Kafka mode with several gateways: PostgreSQL). */
  readonly replayGuard?: ReplayGuard;
  /** The longest an agency token may live (default 3600 s). */
  readonly maxTokenLifetimeSeconds?: number;
  /** Request rates per source address (before authentication) and per agency (after). */
  readonly limits?: { readonly perSource?: Rate; readonly perAgency?: Rate };
  /** Verifies legal-process credentials against the registry of legal issuers; without it no legal fact is believed. */
  readonly credentials?: CredentialVerifier;
  /** Which services this process runs (all three by default; one each in a scaled Kafka deployment). */
  readonly roles?: readonly Role[];
  /** Kafka mode: the ledger chains onto firewall.audit.v1 with a fenced transactional writer instead of files. */
  readonly kafkaLedger?: { readonly brokers: readonly string[]; readonly onFatal: (err: unknown) => void; readonly namespace?: string | undefined };
  /** Signed tree heads at least every `every` entries and `intervalMs` ms while entries arrive, and at stop. */
  readonly checkpoints?: { readonly every: number; readonly intervalMs: number };
  /** A folder witness outside the ledger (another disk or machine): every new tree head goes there with its proof. */
  readonly witnessDir?: string;
  /** Key of the keyed hash of subject identifiers in the ledger; embedded default $dataDir/keys/subject-hash.key (generated); Kafka mode: none unless set. */
  readonly subjectKeyPath?: string;
  /** Rule titles and sources for the oversight pages (from the bundle's annotations). */
  readonly ruleCatalog?: RuleCatalog;
  /** The review desk's signing key; default $dataDir/keys/review-signing.key.pem, generated when missing. */
  readonly review?: { readonly keyPath: string; readonly createKey: boolean };
  /** The releaser: record systems (default: the fictional fixtures and the ledger aggregate) and its bounds. */
  readonly release?: {
    readonly recordSystems?: RecordSystemsConfig;
    /** Bound on each record-system call (default 5 s): past it the release fails, nothing released. */
    readonly adapterTimeoutMs?: number;
    /** Gateway wait for the records after an ALLOW (default 15 s), and the releaser's deadline. */
    readonly timeoutMs?: number;
    /** The ledger's public JWKS, when the ledger runs elsewhere: the releaser acts only on entries it signed. */
    readonly ledgerJwksPath?: string;
  };
}

export const roles = ['gateway', 'decider', 'ledger', 'review', 'releaser'] as const;
export type Role = (typeof roles)[number];

export interface RunningFirewall {
  readonly app: express.Express;
  /** The OpenAPI document `app` serves at /openapi.json: every route it mounts, every status each answers. */
  readonly openApi: FirewallOpenApi;
  /** The one HTTP edge (authentication, limits, the error middleware) for routers mounted beside `app`. */
  readonly edge: Edge;
  /** Only GET /metrics, unauthenticated: for an internal listener that only Prometheus reaches. */
  readonly metricsApp: express.Express;
  readonly ledger: LedgerService | undefined;
  readonly kafkaLedger: KafkaLedger | undefined;
  readonly review: ReviewDesk | undefined;
  readonly oversight: Oversight | undefined;
  readonly releaser: Releaser | undefined;
  /** What /readyz reports: every check (ledger, bus, policy, startup), live. */
  readonly readiness: Readiness;
  /** Stops consumers first (no new work), then the ledger (flushes and signs a last checkpoint). */
  close(server?: Server): Promise<void>;
}

/**
 * Wires gateway, decider and ledger onto one bus. The embedded mode passes the in-process bus; the Kafka mode
 * passes a KafkaBus — same services, same codecs, same handlers.
 */
export async function startFirewall(deps: FirewallDeps): Promise<RunningFirewall> {
  // Readiness is the live state of what answering needs, not a flag: each service brings its checks.
  const started = new HealthState('startup', 'PF_GATEWAY_NOT_READY');
  const policy = new HealthState('policy', deps.evaluator.bundle ? undefined : 'PF_POLICY_BUNDLE_MISSING');
  const readiness = new Readiness([started, policy, ...(deps.bus.health ?? [])]);
  // Every answer waits for the ledger's durable entry of its decision (firewall.audit.v1).
  const pending = new PendingOutcomes({ awaitLedger: true });
  const runs = (role: Role) => (deps.roles ?? roles).includes(role);
  // Every ledger instance must hash with the same key: generated only in the embedded mode, the operator's otherwise.
  const subjectKeyPath = deps.subjectKeyPath ?? (deps.kafkaLedger ? undefined : join(deps.dataDir, 'keys', 'subject-hash.key'));
  const subjectKey = runs('ledger') && subjectKeyPath ? await loadOrCreateSubjectKey(subjectKeyPath, { create: !deps.kafkaLedger }) : undefined;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const cadence = deps.checkpoints ? { checkpointEvery: deps.checkpoints.every, checkpointIntervalMs: deps.checkpoints.intervalMs } : {};
  // The witness trusts the published ledger JWKS where there is one, else the keys of the writer beside it.
  let writerKeys: () => Promise<KeySet> = () => KeySet.from({ keys: [] });
  const publishedJwks = deps.release?.ledgerJwksPath;
  const witness = runs('ledger') && deps.witnessDir
    ? await openFolderWitness(deps.witnessDir, () => (publishedJwks ? KeySet.fromFile(publishedJwks) : writerKeys()), deps.logger, registry)
    : undefined;
  // The ledger starts first so that it is positioned before anything it must chain is published.
  const ledger = runs('ledger') && !deps.kafkaLedger
    ? await startLedgerService({ bus: deps.bus, codec: deps.codec, logger: deps.logger, dir: deps.ledgerDir, keyPath: deps.ledgerKeyPath, createKey: true, options: cadence, ...(subjectKey ? { subjectKey } : {}), ...(witness ? { witness: witness.witness, onWitness: witness.onWitness } : {}) })
    : undefined;
  if (ledger) readiness.add(...ledger.health);
  if (ledger) writerKeys = () => KeySet.from(ledger.ledger.jwks());
  let kafkaLedger: KafkaLedger | undefined;
  let kafkaFeed: WitnessFeed | undefined;
  if (runs('ledger') && deps.kafkaLedger) {
    // Outside the embedded mode the ledger key is the operator's: it must exist, it is never generated here.
    const signer = await loadOrCreateSigningKey(deps.ledgerKeyPath, { create: false });
    writerKeys = () => KeySet.from({ keys: [signer.publicJwk] });
    const feed = witness ? new WitnessFeed({ witness: witness.witness, readLeaves: (from, to) => kafkaLedger!.readLeaves(from, to), onOutcome: witness.onWitness }) : undefined;
    kafkaFeed = feed;
    kafkaLedger = new KafkaLedger({
      brokers: deps.kafkaLedger.brokers, signer, logger: deps.logger, onFatal: deps.kafkaLedger.onFatal, ...cadence,
      ...(subjectKey ? { subjectKey } : {}), ...(deps.kafkaLedger.namespace ? { namespace: deps.kafkaLedger.namespace } : {}),
      ...(feed ? { onAppend: (lines) => feed.appended(lines), onCheckpoint: (line) => feed.submit(line), onActive: (size) => void feed.attach(size) } : {}),
    });
    await kafkaLedger.start();
  }
  // Oversight (metrics, dashboard, report) runs where the ledger runs, so each decision is counted once.
  registerReadinessMetrics(registry, readiness);
  const policyData = deps.evaluator.bundle.data;
  const oversight = runs('ledger')
    ? await startOversight({
      bus: deps.bus, codec: deps.codec, logger: deps.logger, registry, policyData,
      ...(ledger ? { ledgerDir: deps.ledgerDir } : {}), ...(deps.ruleCatalog ? { ruleCatalog: deps.ruleCatalog } : {}),
    })
    : undefined;
  const metrics = oversight?.metrics ?? createOversightMetrics(registry, { policyData, systems: Object.keys(deps.catalog.systems) });
  const evaluator = instrumentEvaluator(deps.evaluator, metrics);
  const subscriptions: Subscription[] = [];
  // The request archive for `firewall replay` is kept beside the file ledger (embedded mode): in Kafka mode the
  // requests topic itself is the record.
  if (ledger) {
    subscriptions.push(await consume({
      bus: deps.bus, codec: deps.codec, logger: deps.logger, topic: topics.requests, group: 'firewall-request-archive', fromBeginning: true,
      handle: async (request) => (request.dryRun ? undefined : appendRequestArchive(deps.dataDir, request)),
    }));
  }
  if (runs('decider')) subscriptions.push(await startDecider({ bus: deps.bus, codec: deps.codec, logger: deps.logger, evaluator }));
  if (runs('gateway')) subscriptions.push(await followDecisions({ bus: deps.bus, codec: deps.codec, logger: deps.logger, pending }));
  const releaseTimeoutMs = deps.release?.timeoutMs ?? 15_000;
  const releases = runs('gateway') ? new PendingReleases() : undefined;
  if (releases) subscriptions.push(await followReleases({ bus: deps.bus, codec: deps.codec, logger: deps.logger, pending: releases }));
  let recordSystems: RecordSystems | undefined;
  let releaser: Releaser | undefined;
  if (runs('releaser')) {
    recordSystems = await createRecordSystems(deps.release?.recordSystems ?? embeddedRecordSystems, { bus: deps.bus, codec: deps.codec, logger: deps.logger });
    // Acts only on entries the ledger signed: its published JWKS, or the folder of the file ledger running here.
    const jwksPath = deps.release?.ledgerJwksPath ?? (ledger ? join(deps.ledgerDir, JWKS_FILE) : undefined);
    releaser = await startReleaser({
      bus: deps.bus, codec: deps.codec, logger: deps.logger, catalog: deps.catalog, registry: deps.registry,
      policyData: deps.evaluator.bundle.data, adapters: recordSystems.adapters,
      timeoutMs: deps.release?.adapterTimeoutMs ?? 5_000, releaseDeadlineMs: releaseTimeoutMs,
      ...(jwksPath ? { ledgerKeys: () => KeySet.fromFile(jwksPath) } : {}),
    });
  }
  // One edge for every router: a token's jti is spent once across all of them.
  const auth = createAuthenticator(deps.registry, {
    replay: deps.replayGuard ?? new MemoryReplayGuard(),
    perAgency: new RateLimiter(deps.limits?.perAgency ?? { perSecond: 200, burst: 400 }),
    ...(deps.maxTokenLifetimeSeconds ? { maxLifetimeSeconds: deps.maxTokenLifetimeSeconds } : {}),
  });
  const edge = createEdge({ auth, bus: deps.bus, codec: deps.codec, logger: deps.logger, ...(deps.limits?.perSource ? { perSource: deps.limits.perSource } : {}) });
  const review = runs('review') ? await startReviewDesk({
    bus: deps.bus, codec: deps.codec, logger: deps.logger,
    store: await openFileCaseStore(join(deps.dataDir, 'reviews')),
    signer: await loadOrCreateReviewKey(deps.review?.keyPath ?? join(deps.dataDir, 'keys', 'review-signing.key.pem'), { create: deps.review?.createKey ?? true }),
    openQuestions: (deps.evaluator.bundle.data as { open_questions?: unknown }).open_questions,
    // Findings re-decide a held request through the decider's own evaluator and the gateway's catalog.
    evaluator, catalog: deps.catalog,
  }) : undefined;
  const gateway = createGatewayRouter({
    bus: deps.bus, codec: deps.codec, catalog: deps.catalog, pending, logger: deps.logger,
    edge, decisionTimeoutMs: deps.decisionTimeoutMs, readiness,
    ...(deps.credentials ? { credentials: deps.credentials } : {}),
    ...(releases ? { releases: { pending: releases, timeoutMs: releaseTimeoutMs } } : {}),
  });
  const openApi = firewallOpenApiDocument(deps.catalog, { review: Boolean(review), oversight: Boolean(oversight), audit: Boolean(ledger && subjectKey) });
  const app = composeApp(gateway, openApi, { review, oversight, registry, edge, logger: deps.logger, ...(ledger && subjectKey ? { audit: { ledger: ledger.ledger, edge, subjectKey, checkpoint: ledger.latestCheckpoint } } : {}) });
  await Promise.all([
    ...subscriptions, ...(ledger?.subscriptions ?? []), ...(review?.subscriptions ?? []), ...(recordSystems?.subscriptions ?? []), ...(releaser?.subscriptions ?? []),
  ].map((s) => s.ready));
  started.ok();
  return {
    app,
    openApi,
    edge,
    metricsApp: metricsOnly(registry),
    ledger,
    kafkaLedger,
    review,
    oversight,
    releaser,
    readiness,
    async close(server) {
      started.fail('PF_GATEWAY_NOT_READY');
      if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(subscriptions.map((s) => s.close()));
      await edge.close(); // chains the refusals still being counted, while the ledger still runs
      await releaser?.close();
      await recordSystems?.close();
      await review?.close();
      await oversight?.close();
      await ledger?.close();
      await kafkaLedger?.stop();
      await kafkaFeed?.idle(); // the last tree head reaches the witness before the process ends
      await witness?.close();
    },
  };
}

/** /openapi.json of a firewall process: the gateway's document with the paths of every part this process runs. */
export function firewallOpenApiDocument(catalog: FieldCatalog, runs: { review: boolean; oversight: boolean; audit: boolean }) {
  const gateway = gatewayOpenApiDocument(catalog);
  return {
    ...gateway,
    paths: {
      ...gateway.paths, ...metricsOpenApiPaths, ...(runs.oversight ? oversightOpenApiPaths : {}),
      ...(runs.review ? reviewOpenApiPaths : {}), ...(runs.audit ? auditOpenApiPaths : {}),
    } as Record<string, Record<string, unknown>>,
    components: { ...gateway.components, securitySchemes: { ...gateway.components.securitySchemes, ...(runs.review ? reviewSecuritySchemes : {}) } },
  };
}
export type FirewallOpenApi = ReturnType<typeof firewallOpenApiDocument>;

/**
 * One server: the oversight pages, the review desk and the attorney's audit API (where this process runs them)
 * beside the gateway, all behind the one edge; /openapi.json documents them all, and a method a documented path
 * does not have answers 405.
 */
function composeApp(gateway: express.Router, document: FirewallOpenApi, parts: {
  review: ReviewDesk | undefined; oversight: Oversight | undefined; registry: Registry; audit?: AuditApiDeps; edge: Edge; logger: Logger;
}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.get('/openapi.json', (_req, res) => void res.json(document));
  // Exact counts (small cells included) are for operators only; the public sees the suppressed oversight figures.
  app.get('/metrics', parts.edge.stamp, parts.edge.authenticate, async (_req, res) => {
    requireRole(callerOf(res), firewallRoles.operator, 'The exact metrics');
    res.set('Content-Type', parts.registry.contentType).send(await parts.registry.metrics());
  });
  if (parts.oversight) app.use(parts.oversight.router);
  if (parts.review) app.use(createReviewRouter({ desk: parts.review, edge: parts.edge, logger: parts.logger }));
  if (parts.audit) app.use(createAuditRouter(parts.audit));
  app.use(gateway);
  app.use(methodNotAllowed(document.paths));
  app.use(notFound);
  app.use(parts.edge.errors);
  return app;
}

function metricsOnly(registry: Registry): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', async (_req, res) => void res.set('Content-Type', registry.contentType).send(await registry.metrics()));
  return app;
}

const metricsOpenApiPaths = {
  '/metrics': {
    get: {
      summary: 'Exact Prometheus metrics, for operators (a token whose agency the registry grants role OPERATOR); Prometheus scrapes the internal listener (FIREWALL_METRICS_PORT) instead',
      security: [{ agencyToken: [] }],
      responses: {
        200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } },
        ...errorResponses({
          401: edgeRefusals.unauthenticated,
          403: `Not an operator (PF_AUTH_FORBIDDEN), or ${edgeRefusals.roleNotGranted}`,
          429: edgeRefusals.rateLimited,
          503: edgeRefusals.replayUnavailable,
        }),
      },
    },
  },
};

type Oversight = Awaited<ReturnType<typeof startOversight>>;
