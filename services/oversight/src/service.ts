import { randomUUID } from 'node:crypto';
import type { RequestHandler, Router } from 'express';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { consume, topics, type Bus, type Codec, type Logger, type Subscription } from '@firewall/core';
import { fromAuditMessage } from './ledger-source.js';
import { createOversightMetrics, type OversightMetrics } from './metrics.js';
import { learnRules, type RuleCatalog } from './rule-catalog.js';
import { createOversightRouter } from './router.js';
import { OversightStore, type OversightStoreOptions } from './store.js';

export interface MetricsServiceDeps {
  readonly bus: Bus;
  readonly codec: Codec;
  readonly logger: Logger;
  readonly metrics: OversightMetrics;
  /** Consumer group prefix (one group per topic). Default `firewall-oversight`. */
  readonly group?: string;
  readonly fromBeginning?: boolean;
  /** Learns each cited rule's title and sources from live decisions. */
  readonly ruleCatalog?: RuleCatalog;
}

/**
 * Feeds the metrics from the bus, each topic under its own consumer group: requests (for latency), decisions,
 * refusals, dead letters, review resolutions and the audit topic (for the ledger's lag).
 */
export async function startMetricsService(deps: MetricsServiceDeps): Promise<Subscription[]> {
  const group = deps.group ?? 'firewall-oversight';
  const m = deps.metrics;
  const common = { bus: deps.bus, codec: deps.codec, logger: deps.logger, fromBeginning: deps.fromBeginning ?? false };
  return Promise.all([
    consume({ ...common, topic: topics.requests, group: `${group}.requests`, handle: async (r) => m.observeRequest(r) }),
    consume({ ...common, topic: topics.decisions, group: `${group}.decisions`, handle: async (d) => {
      if (deps.ruleCatalog) learnRules(deps.ruleCatalog, d.rules);
      m.observeDecision(d);
    } }),
    consume({ ...common, topic: topics.rejections, group: `${group}.rejections`, handle: async (r) => m.observeRejection(r) }),
    consume({ ...common, topic: topics.deadLetters, group: `${group}.dead-letters`, handle: async (l) => m.observeDeadLetter(l) }),
    consume({ ...common, topic: topics.reviews, group: `${group}.reviews`, handle: async (r) => m.observeReviewResolution(r) }),
    consume({ ...common, topic: topics.audit, group: `${group}.audit`, handle: async (a) => {
      const entry = fromAuditMessage(a);
      if (entry) m.observeAuditEntry(entry);
    } }),
  ]);
}

/** Wraps a policy evaluator so each evaluation is timed; the wrapped one is used exactly as the original. */
export function instrumentEvaluator<T extends { evaluate(input: Record<string, unknown>): unknown }>(evaluator: T, metrics: Pick<OversightMetrics, 'observePolicyEvaluation'>): T {
  const timed = Object.create(evaluator) as T;
  timed.evaluate = ((input: Record<string, unknown>) => {
    const start = process.hrtime.bigint();
    try {
      return evaluator.evaluate(input);
    } finally {
      metrics.observePolicyEvaluation(Number(process.hrtime.bigint() - start) / 1e9);
    }
  }) as T['evaluate'];
  return timed;
}

export interface OversightDeps extends Omit<OversightStoreOptions, 'ledgerDir'> {
  readonly bus: Bus;
  readonly codec: Codec;
  readonly logger: Logger;
  /** The ledger folder when this process has it (embedded mode); otherwise the ledger is read from firewall.audit.v1. */
  readonly ledgerDir?: string;
  /** Default: a new registry with the process's default metrics. */
  readonly registry?: Registry;
  readonly group?: string;
}

export interface RunningOversight {
  readonly store: OversightStore;
  readonly metrics: OversightMetrics;
  readonly registry: Registry;
  /** GET /oversight, /v1/oversight/summary, /v1/oversight/report. */
  readonly router: Router;
  /** GET /metrics in the Prometheus text format. */
  readonly metricsHandler: RequestHandler;
  readonly subscriptions: readonly Subscription[];
  close(): Promise<void>;
}

/**
 * Everything oversight runs in one process: the ledger index, the metrics and their consumers, the router.
 * Run it in one process per deployment (the one with the ledger), so decisions are counted once.
 */
export async function startOversight(deps: OversightDeps): Promise<RunningOversight> {
  const registry = deps.registry ?? new Registry();
  if (!deps.registry) collectDefaultMetrics({ register: registry });
  const ruleCatalog = deps.ruleCatalog ?? new Map();
  const store = new OversightStore({ ...deps, ruleCatalog });
  const synced = async () => {
    await store.sync();
    return store;
  };
  const metrics = createOversightMetrics(registry, {
    vocabulary: store.index.vocabulary,
    reviewBacklog: async () => (await synced()).index.reviewBacklog(),
    ledgerStats: async () => {
      const { ledger } = await synced();
      return { entries: ledger.entries, lastCheckpointAt: ledger.checkpoint?.time ?? null, checkpointedEntries: ledger.checkpoint?.size ?? 0 };
    },
  });
  const subscriptions = await startMetricsService({ bus: deps.bus, codec: deps.codec, logger: deps.logger, metrics, ruleCatalog, ...(deps.group ? { group: deps.group } : {}) });
  if (!deps.ledgerDir) {
    // No ledger folder here: the index is rebuilt from the whole audit topic at each start (a fresh group).
    subscriptions.push(await consume({
      bus: deps.bus, codec: deps.codec, logger: deps.logger, topic: topics.audit, group: `${deps.group ?? 'firewall-oversight'}.index.${randomUUID()}`, fromBeginning: true,
      handle: async (a) => {
        const entry = fromAuditMessage(a);
        if (entry) store.ingest([entry]);
      },
    }));
  }
  const metricsHandler: RequestHandler = async (_req, res) => {
    try {
      res.set('Content-Type', registry.contentType).send(await registry.metrics());
    } catch (err) {
      deps.logger.error({ err }, 'metrics could not be collected');
      res.status(500).json({ error: 'Metrics could not be collected.', code: 'PF_INTERNAL' });
    }
  };
  return {
    store, metrics, registry, metricsHandler, subscriptions,
    router: createOversightRouter({ ...deps, store }),
    async close() {
      await Promise.all(subscriptions.map((s) => s.close()));
    },
  };
}
