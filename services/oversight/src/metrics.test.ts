import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Decision } from '@firewall/core';
import { createOversightMetrics } from './metrics.js';
import { instrumentEvaluator } from './service.js';
import { policyData, systems } from './test-support.js';

const decisionOf = (over: Partial<Decision> & { agency?: string; basisType?: string; dryRun?: boolean }): Decision => ({
  requestId: over.requestId ?? 'r-1', decidedAt: over.decidedAt ?? '2026-11-02T10:00:00.250Z', decision: over.decision ?? 'DENY',
  fields: [], released: [], withheld: [], rules: over.rules ?? [{ id: 'R1', title: 't', sources: [] }, { id: 'R25', title: 't', sources: [] }],
  decisive: [], reasons: [], alerts: [], councilReport: false, openQuestions: [], policy: { revision: 'rev', digest: 'd' }, failure: null,
  context: { agency: over.agency ?? 'ICE_ERO', purpose: 'P', basisType: over.basisType ?? 'ADMIN_WARRANT_I200', channel: 'RECORD_REQUEST', system: 'municipal_id', selection: 'NAMED', count: 1, dryRun: over.dryRun ?? false },
});

function setup() {
  const registry = new Registry();
  const metrics = createOversightMetrics(registry, {
    policyData, systems, now: () => Date.parse('2026-11-02T11:00:00Z'),
    ledgerStats: () => ({ entries: 42, lastCheckpointAt: '2026-11-02T10:59:00Z', checkpointedEntries: 40 }),
  });
  return { registry, metrics };
}

describe('oversight metrics', () => {
  it('when decisions arrive, then they are counted by closed-vocabulary labels only, once per request, dry runs apart', async () => {
    const { registry, metrics } = setup();
    metrics.observeRequest({ requestId: 'r-1', receivedAt: '2026-11-02T10:00:00Z', requester: { agency: 'ICE_ERO', verified: true }, purpose: { code: 'P' }, system: 'municipal_id', fields: [] });
    metrics.observeDecision(decisionOf({}));
    metrics.observeDecision(decisionOf({})); // redelivered
    metrics.observeDecision(decisionOf({ requestId: 'r-2', agency: 'JOHN_SMITH_AGENCY', basisType: 'JOHN_SMITH_1980', rules: [{ id: 'JOHN_RULE', title: 'x', sources: [] }] }));
    metrics.observeDecision(decisionOf({ requestId: 'r-3', dryRun: true }));
    metrics.observeDecision(decisionOf({ requestId: 'r-4', decision: 'REVIEW', rules: [{ id: 'R5', title: 't', sources: [] }] }));
    const text = await registry.metrics();
    expect(text).toContain('firewall_decisions_total{decision="DENY",agency_class="enforcement",system="municipal_id",basis_type="ADMIN_WARRANT_I200"} 1');
    expect(text).toContain('firewall_decisions_total{decision="DENY",agency_class="unknown",system="municipal_id",basis_type="other"} 1');
    expect(text).toContain('firewall_decision_rules_total{decision="DENY",rule="R1"} 1');
    expect(text).toContain('firewall_decision_rules_total{decision="DENY",rule="other"} 1');
    expect(text).toContain('firewall_dry_runs_total{decision="DENY"} 1');
    expect(text).toContain('firewall_decision_latency_seconds_bucket{le="0.25",decision="DENY"} 1');
    expect(text).toContain('firewall_review_backlog 1');
    expect(text).toContain('firewall_review_oldest_age_seconds 3599.75');
    expect(text).toContain('firewall_ledger_entries 42');
    expect(text).toContain('firewall_ledger_last_checkpoint_age_seconds 60');
    expect(text).not.toMatch(/JOHN|ICE_ERO|r-1|r-2/);
  });

  it('when refusals and dead letters arrive, then they are counted by reason code, unknown codes as "other"', async () => {
    const { registry, metrics } = setup();
    metrics.observeRejection({ rejectionId: 'x', rejectedAt: '2026-11-02T10:00:00Z', code: 'PF_REQ_SCHEMA', status: 400, agency: 'FBI', paths: [] });
    metrics.observeRejection({ rejectionId: 'y', rejectedAt: '2026-11-02T10:00:00Z', code: 'Jane Doe', status: 400, agency: null, paths: [] });
    metrics.observeDeadLetter({ sourceTopic: 'firewall.requests.v1', partition: 0, offset: '1', key: 'k', code: 'PF_BUS_UNDECODABLE', consumer: 'c', payload: Buffer.from('x'), deadLetteredAt: '' });
    const text = await registry.metrics();
    expect(text).toContain('firewall_rejected_inputs_total{reason="PF_REQ_SCHEMA"} 1');
    expect(text).toContain('firewall_rejected_inputs_total{reason="other"} 1');
    expect(text).toContain('firewall_dead_letters_total{topic="requests",reason="PF_BUS_UNDECODABLE"} 1');
    expect(text).toContain('firewall_consumer_lag_messages{consumer="ledger",topic="rejections"} 2');
    expect(text).not.toContain('Jane');
  });

  it('when the evaluator is instrumented, then each evaluation is timed and its result unchanged', async () => {
    const { registry, metrics } = setup();
    class Evaluator {
      readonly #secret = 7;
      readonly bundle = { revision: 'r' };
      evaluate(input: Record<string, unknown>) {
        return { n: this.#secret, input };
      }
    }
    const timed = instrumentEvaluator(new Evaluator(), metrics);
    expect(timed.evaluate({ a: 1 })).toEqual({ n: 7, input: { a: 1 } });
    expect(timed.bundle.revision).toBe('r');
    expect(await registry.metrics()).toContain('firewall_policy_evaluation_seconds_count 1');
  });

  it('every metric the Grafana dashboard queries is served on /metrics', async () => {
    const { registry } = setup();
    const served = new Set([...(await registry.metrics()).matchAll(/^# TYPE (\S+) (\S+)/gm)].flatMap(([, name, type]) => (type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name!])));
    const dashboard = JSON.parse(readFileSync(join(import.meta.dirname, '../../../deploy/grafana/dashboards/firewall.json'), 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
    const used = new Set(dashboard.panels.flatMap((p) => p.targets ?? []).flatMap((t) => [...t.expr.matchAll(/\bfirewall_[a-z_]+/g)].map((m) => m[0])));
    expect(used.size).toBeGreaterThan(8);
    expect([...used].filter((m) => !served.has(m))).toEqual([]);
  });
});
