/**
 * @firewall/releaser: delivers what a durable decision allowed, and only that, encrypted to the requester.
 *
 *   firewall.requests.v1 ─┐
 *   firewall.decisions.v1 ┼─> ReleaseGate (release only with a matching DECISION / REVIEW ledger entry)
 *   firewall.reviews.v1 ──┤        │
 *   firewall.audit.v1 ────┘        v
 *                      record system adapter (fixture | Open311 | SQL | ledger aggregates), bounded wait
 *                                  │  redaction: withheld absent, transforms applied, nothing unrequested,
 *                                  │  CLASS_A_IN_SOURCE alert, small cells suppressed
 *                                  v
 *                      firewall.releases.v1: Release { outcome, fields, alerts, payload: JWE to the agency }
 *                                  │
 *                      gateway (PendingReleases) ──> requester decrypts
 */
export * from './errors.js';
export * from './adapter.js';
export * from './adapters/fictional.js';
export * from './adapters/fixture.js';
export * from './adapters/open311.js';
export * from './adapters/open311-server.js';
export * from './adapters/sql.js';
export * from './adapters/ledger-aggregate.js';
export * from './aggregate.js';
export * from './redaction.js';
export * from './jwe.js';
export * from './audit-entry.js';
export * from './gate.js';
export * from './release.js';
export * from './releaser.js';
export * from './pending-releases.js';
export * from './config.js';
export * from './env.js';
