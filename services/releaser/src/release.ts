import type { FieldCatalog, Release } from '@firewall/core';
import { withTimeout, type AggregateCell, type FetchQuery, type RecordSystemAdapter, type SourceRecord } from './adapter.js';
import { aggregateRecords, mergeCells, suppressSmallCells } from './aggregate.js';
import { ReleaseError, isReleaseError, type ReleaseErrorCode } from './errors.js';
import type { ReleaseJob } from './gate.js';
import { encryptPayload, encryptionKeyOf, type AgencyKeys } from './jwe.js';
import { alertCodes, classAFieldsIn, planFromDecision, planFromResolution, redactRecord, type Authority, type ReleasePlan } from './redaction.js';

/** What the requester decrypts from Release.payload. */
export interface ReleasePayload {
  readonly requestId: string;
  readonly system: string;
  readonly authority: Authority;
  readonly releasedAt: string;
  /** `records`: one object per record; `aggregate`: one object per cell, the grouped fields plus `count`. */
  readonly kind: 'records' | 'aggregate';
  /** Fields delivered raw. */
  readonly fields: readonly string[];
  /** Fields delivered transformed, with the transform applied. */
  readonly transformed: readonly { readonly name: string; readonly transform: string }[];
  /** Requested fields not delivered. */
  readonly withheld: readonly string[];
  readonly records: readonly Record<string, unknown>[];
  /** Aggregates only: cells under the threshold, left out, and the threshold. */
  readonly suppressedCells?: number;
  readonly smallCellK?: number;
}

export interface ReleaseContext {
  readonly adapters: ReadonlyMap<string, RecordSystemAdapter>;
  readonly registry: AgencyKeys;
  readonly catalog: FieldCatalog;
  readonly smallCellK: number;
  /** Record-level requests get at most this many records. */
  readonly maxRecords: number;
  readonly timeoutMs: number;
  /** DECISION releases not ready by request.receivedAt + this are FAILED (PF_RELEASE_EXPIRED); unset = no deadline. */
  readonly releaseDeadlineMs?: number;
  readonly now: () => Date;
}

/** What happened, for the service's log line: codes, counts and field names only. */
export interface ReleaseOutcome {
  readonly release: Release;
  readonly classAFields: readonly string[];
}

/**
 * Performs one due release: checks the decision belongs to the request, finds the requester's encryption key,
 * fetches from the system's adapter within the bound, applies the plan (withheld fields absent, transforms
 * applied, nothing unrequested), raises CLASS_A_IN_SOURCE, encrypts. Never throws: any failure is a FAILED
 * Release with a code and no payload, so nothing is released and the failure is audited.
 */
export async function performRelease(job: ReleaseJob, ctx: ReleaseContext): Promise<ReleaseOutcome> {
  try {
    return await release(job, ctx);
  } catch (err) {
    const code: ReleaseErrorCode = isReleaseError(err) ? err.code : 'PF_RELEASE_FAILED';
    return { release: failed(job, ctx, code), classAFields: [] };
  }
}

async function release(job: ReleaseJob, ctx: ReleaseContext): Promise<ReleaseOutcome> {
  const { request, decision } = job;
  const system = request.system;
  if (decision.context.system !== system || decision.context.agency !== request.requester.agency || decision.requestId !== request.requestId) {
    throw new ReleaseError('PF_RELEASE_INCONSISTENT', 'The decision does not match the request it names.');
  }
  const recipient = encryptionKeyOf(ctx.registry, request.requester.agency);
  if (!recipient) throw new ReleaseError('PF_RELEASE_NO_KEY', 'The requesting agency has no registered encryption key.');
  const adapter = ctx.adapters.get(system);
  if (!adapter) throw new ReleaseError('PF_ADAPTER_MISSING', 'No record system adapter is configured for this system.', { details: [system] });
  const plan = job.authority === 'REVIEW' && job.resolution
    ? planFromResolution(job.resolution, request.fields, ctx.catalog, system)
    : planFromDecision(decision, request.fields, ctx.catalog, system);
  const query = queryOf(job, plan, ctx);
  checkDeadline(job, ctx);

  const aggregate = query.selection === 'AGGREGATE';
  let sources: SourceRecord[] = [];
  let cells: AggregateCell[] | undefined;
  if (plan.fields.length > 0) {
    if (aggregate && adapter.aggregate) cells = await withTimeout(system, ctx.timeoutMs, (o) => adapter.aggregate!(query, o));
    else sources = await withTimeout(system, ctx.timeoutMs, (o) => adapter.fetch(query, o));
    if (!Array.isArray(sources) || (cells !== undefined && !Array.isArray(cells))) {
      throw new ReleaseError('PF_ADAPTER_FAILED', 'The adapter did not return a list.', { details: [system] });
    }
  }
  const classAFields = [...new Set(sources.flatMap((s) => classAFieldsIn(s, ctx.catalog, system)))].sort();
  const alerts = [...plan.alerts, ...(classAFields.length ? [alertCodes.classAInSource] : [])];

  let records: Record<string, unknown>[];
  let suppression: { suppressedCells: number; smallCellK: number } | undefined;
  if (aggregate) {
    const merged = cells ? mergeCells(cells, plan) : aggregateRecords(sources, plan);
    const kept = suppressSmallCells(merged, ctx.smallCellK);
    records = kept.cells.map((c) => ({ ...c.values, count: c.count }));
    suppression = { suppressedCells: kept.suppressed, smallCellK: ctx.smallCellK };
  } else {
    records = sources.slice(0, query.count).map((s) => redactRecord(s, plan));
  }
  checkDeadline(job, ctx);

  const releasedAt = ctx.now().toISOString();
  const fields = plan.fields.filter((f) => f.action === 'release').map((f) => f.name);
  const transformed = plan.fields.filter((f) => f.action === 'transform').map((f) => ({ name: f.name, transform: f.transform! }));
  const payload: ReleasePayload = {
    requestId: request.requestId, system, authority: job.authority, releasedAt, kind: aggregate ? 'aggregate' : 'records',
    fields, transformed, withheld: [...plan.withheld], records, ...suppression,
  };
  return {
    classAFields,
    release: {
      requestId: request.requestId, releasedAt, authority: job.authority, authorityDigest: job.digest, outcome: 'RELEASED', failure: null,
      recordCount: records.length, fields, transformed: transformed.map((t) => t.name), alerts,
      payload: await encryptPayload(payload, recipient),
    },
  };
}

/** The adapter query: delivered fields only, subjects as the policy counted them, record count capped. */
function queryOf(job: ReleaseJob, plan: ReleasePlan, ctx: ReleaseContext): FetchQuery {
  const { request } = job;
  const selection = request.subjects?.selection ?? 'NAMED';
  const decidedCount = request.subjects?.count ?? 1;
  const subjectIds = selection === 'NAMED' ? [...new Set(request.subjectIds ?? [])] : [];
  if (subjectIds.length > decidedCount) {
    throw new ReleaseError('PF_RELEASE_SUBJECTS_EXCEED_COUNT', 'The request names more subjects than the count the policy decided on.');
  }
  const count = selection === 'NAMED' ? subjectIds.length : Math.min(Math.max(decidedCount, 0), ctx.maxRecords);
  return { subjectIds, fields: plan.fields.map((f) => f.name), selection, count };
}

function checkDeadline(job: ReleaseJob, ctx: ReleaseContext): void {
  if (job.authority !== 'DECISION' || ctx.releaseDeadlineMs === undefined) return;
  const received = Date.parse(job.request.receivedAt);
  if (Number.isFinite(received) && ctx.now().getTime() > received + ctx.releaseDeadlineMs) {
    throw new ReleaseError('PF_RELEASE_EXPIRED', 'The records were ready after the requester stopped waiting.');
  }
}

function failed(job: ReleaseJob, ctx: ReleaseContext, code: ReleaseErrorCode): Release {
  return {
    requestId: job.request.requestId, releasedAt: ctx.now().toISOString(), authority: job.authority, authorityDigest: job.digest,
    outcome: 'FAILED', failure: code, recordCount: 0, fields: [], transformed: [], alerts: [], payload: null,
  };
}
