import { Counter, Gauge, type Registry } from 'prom-client';
import type { Readiness } from '@firewall/core';

/**
 * Why the firewall is not ready, for Prometheus: `firewall_ready` (1/0), `firewall_readiness_check{check}` (1 ok,
 * 0 failing) and `firewall_readiness_failures_total{check,code}` (how often a check started failing, and why).
 * Names and codes only.
 */
export function registerReadinessMetrics(registry: Registry, readiness: Readiness): void {
  const failures = new Counter({ name: 'firewall_readiness_failures_total', help: 'Times a readiness check started failing, by check and code', labelNames: ['check', 'code'] as const, registers: [registry] });
  new Gauge({
    name: 'firewall_ready', help: '1 while every readiness check is ok (what /readyz answers)', registers: [registry],
    collect() {
      this.set(readiness.report().ready ? 1 : 0);
    },
  });
  new Gauge({
    name: 'firewall_readiness_check', help: 'Readiness checks: 1 ok, 0 failing (ledger writable, Kafka reachable, consumers running, bundle loaded)', labelNames: ['check'] as const, registers: [registry],
    collect() {
      for (const check of readiness.checks) this.set({ check: check.name }, check.status.ok ? 1 : 0);
    },
  });
  readiness.onFail((status) => failures.inc({ check: status.name, code: status.code ?? 'unknown' }));
}
