import {
  consume, isPlainObject, topics,
  type Bus, type Codec, type Decision, type FieldCatalog, type Logger, type RecordRequest, type ReviewResolution, type Subscription,
} from '@firewall/core';
import type { Jwks, Signer } from '@firewall/ledger';
import type { PolicyEvaluator } from '@firewall/policy';
import {
  caseRequestOf, openCase, openQuestionTexts, opensCase, requestedFields,
  type CaseRequest, type CaseStatus, type ReviewCase,
} from './case.js';
import { ReviewError } from './errors.js';
import { parseFindings, verifiedFactNames, type LegalFindings } from './findings.js';
import { reviewJwks } from './keys.js';
import { checkAgainstRedecision, redecide, type Redecision } from './redecision.js';
import { parseResolutionInput, signResolution } from './resolution.js';
import type { CaseStore } from './store.js';

export interface ReviewDeskDeps {
  readonly bus: Bus;
  readonly codec: Codec;
  readonly logger: Logger;
  readonly store: CaseStore;
  /** Signs resolution notes (loadOrCreateReviewKey in services, createMemorySigner in tests). */
  readonly signer: Signer;
  /** The policy the decider runs: a reviewer's findings re-decide the held request through it (decide()). */
  readonly evaluator: PolicyEvaluator;
  /** The field catalog: findings may list only fields of the request's system. */
  readonly catalog: FieldCatalog;
  /** The policy data's `open_questions` object (evaluator.bundle.data.open_questions), for the questions' texts. */
  readonly openQuestions?: unknown;
  /** Consumer group prefix (default `firewall-review`): `.requests` and `.decisions` are appended. */
  readonly group?: string;
  /** How many requests to remember while their decision is on its way (oldest forgotten first). */
  readonly pendingCapacity?: number;
  readonly now?: () => Date;
}

/** Who resolves: the verified token's issuer and role. Only the role enters the resolution and the ledger. */
export interface Reviewer {
  readonly agency: string;
  readonly role: string;
}

export interface ReviewDesk {
  readonly subscriptions: readonly Subscription[];
  readonly kid: string;
  get(caseId: string): ReviewCase | undefined;
  list(status?: CaseStatus): ReviewCase[];
  /**
   * Resolves an OPEN case: validates the reviewer's input against the requested fields, signs the note, stores the
   * case as RESOLVED (durable), then publishes the ReviewResolution on firewall.reviews.v1. A second resolution
   * of the same case is refused (PF_REVIEW_ALREADY_RESOLVED, 409).
   */
  resolveCase(caseId: string, input: unknown, reviewer: Reviewer): Promise<ReviewCase>;
  /**
   * What the policy decides for an OPEN case with these findings (`{ findings }`) in place of the request's legal
   * facts, without resolving anything: the re-decision a resolution with the same findings is held to.
   */
  previewFindings(caseId: string, input: unknown): { findings: LegalFindings; redecision: Redecision };
  /** The JWKS that verifies this desk's notes. */
  jwks(): Jwks;
  close(): Promise<void>;
}

/**
 * The review desk: follows requests and decisions, opens a case for each REVIEW decision that is not a dry run,
 * and turns a reviewer's resolution into a signed ReviewResolution on firewall.reviews.v1 — a new decision that
 * the ledger audits as a REVIEW entry and the releaser acts on once that entry is durable.
 */
export async function startReviewDesk(deps: ReviewDeskDeps): Promise<ReviewDesk> {
  const log = deps.logger.child({ component: 'review-desk' });
  const now = deps.now ?? (() => new Date());
  const questions = openQuestionTexts(deps.openQuestions);
  const capacity = deps.pendingCapacity ?? 10_000;
  const pending = new Map<string, CaseRequest>();
  let serial: Promise<unknown> = Promise.resolve();
  /** One mutation at a time: request, decision and resolution handlers never interleave on a case. */
  const exclusive = <T>(task: () => Promise<T>): Promise<T> => {
    const run = serial.then(task);
    serial = run.catch(() => undefined);
    return run;
  };

  const onRequest = (request: RecordRequest) => exclusive(async () => {
    if (request.dryRun) return;
    const existing = deps.store.get(request.requestId);
    if (existing) {
      // The decision came first: complete the case with what the reviewer needs from the request.
      if (existing.request === null) await deps.store.put({ ...existing, request: caseRequestOf(request) });
      return;
    }
    pending.set(request.requestId, caseRequestOf(request));
    if (pending.size > capacity) pending.delete(pending.keys().next().value!);
  });

  const onDecision = (decision: Decision) => exclusive(async () => {
    const request = pending.get(decision.requestId) ?? null;
    pending.delete(decision.requestId);
    if (!opensCase(decision) || deps.store.get(decision.requestId)) return; // not for review, or redelivered
    const opened = openCase(decision, request, now(), questions);
    await deps.store.put(opened);
    log.info({ caseId: opened.caseId, agency: decision.context.agency, rules: decision.decisive }, 'review case opened');
  });

  const publish = async (resolution: ReviewResolution): Promise<void> => {
    await deps.bus.publish(topics.reviews, resolution.requestId, await deps.codec.encode(topics.reviews, resolution));
  };
  const markPublished = (caseId: string) => exclusive(async () => {
    const current = deps.store.get(caseId);
    if (current?.resolution && !current.resolution.published) await deps.store.put({ ...current, resolution: { ...current.resolution, published: true } });
  });

  /** The findings a resolution or preview carries (null: none) and the re-decision they give. */
  const applyFindings = (open: ReviewCase, given: unknown): { findings: LegalFindings; redecision: Redecision } | null => {
    if (given === undefined || given === null) return null;
    const findings = parseFindings(given, deps.catalog, open.request?.system ?? open.decision.context.system);
    return { findings, redecision: redecide(deps.evaluator, open, findings, now) };
  };
  const openCaseOf = (caseId: string): ReviewCase => {
    const open = deps.store.get(caseId);
    if (!open) throw new ReviewError('PF_REVIEW_NOT_FOUND', 'No review case with that id.');
    if (open.status !== 'OPEN') throw new ReviewError('PF_REVIEW_ALREADY_RESOLVED', 'This case is already resolved; a resolution cannot be changed.');
    return open;
  };

  const group = deps.group ?? 'firewall-review';
  const common = { bus: deps.bus, codec: deps.codec, logger: deps.logger, fromBeginning: true } as const;
  const subscriptions = [
    await consume({ ...common, topic: topics.requests, group: `${group}.requests`, handle: onRequest }),
    await consume({ ...common, topic: topics.decisions, group: `${group}.decisions`, handle: onDecision }),
  ];

  // A resolution stored but not published (a crash or a bus failure in between) is published now.
  for (const unpublished of deps.store.list('RESOLVED').filter((c) => c.resolution && !c.resolution.published)) {
    await publish(unpublished.resolution!.message);
    await markPublished(unpublished.caseId);
    log.warn({ caseId: unpublished.caseId }, 'unpublished review resolution published on start');
  }

  return {
    subscriptions,
    kid: deps.signer.kid,
    get: (caseId) => deps.store.get(caseId),
    list: (status) => deps.store.list(status),
    jwks: () => reviewJwks(deps.signer),

    async resolveCase(caseId, input, reviewer) {
      const resolved = await exclusive(async () => {
        const open = openCaseOf(caseId);
        const parsed = parseResolutionInput(input, requestedFields(open));
        const body = input as Record<string, unknown>; // an object: parseResolutionInput refuses anything else
        const applied = applyFindings(open, body.findings);
        if (applied) checkAgainstRedecision(parsed, applied.redecision, Array.isArray(body.fields) ? body.fields : []);
        const { outcome, fields, note } = parsed;
        const payload = {
          requestId: caseId, resolvedAt: now().toISOString(), reviewerRole: reviewer.role, reviewerKid: deps.signer.kid, outcome, fields,
          ...(applied ? { findings: applied.findings } : {}), note,
        };
        const message = await signResolution(payload, deps.signer);
        const next: ReviewCase = { ...open, status: 'RESOLVED', resolution: { message, noteText: note, published: false, redecision: applied?.redecision ?? null } };
        await deps.store.put(next);
        return next;
      });
      try {
        await publish(resolved.resolution!.message);
      } catch (cause) {
        log.error({ caseId, err: cause }, 'review resolution stored but not published; it is published on the next start');
        throw new ReviewError('PF_REVIEW_PUBLISH_FAILED', 'The resolution is recorded but could not be published yet; it will be published when the desk restarts.', { cause });
      }
      await markPublished(caseId);
      const { outcome, fields, findings } = resolved.resolution!.message;
      log.info({
        caseId, outcome, fieldCount: fields?.length ?? 0, reviewerRole: reviewer.role,
        verifiedFacts: findings ? verifiedFactNames(findings as LegalFindings) : undefined, redecision: resolved.resolution!.redecision?.decision,
      }, 'review case resolved');
      return deps.store.get(caseId) ?? resolved;
    },

    previewFindings(caseId, input) {
      const open = openCaseOf(caseId);
      if (!isPlainObject(input) || Object.keys(input).some((k) => k !== 'findings') || input.findings === undefined || input.findings === null) {
        throw new ReviewError('PF_REVIEW_INVALID', 'Send a JSON object { findings }: the legal facts verified on the paper.', { details: ['(root)'] });
      }
      const applied = applyFindings(open, input.findings)!;
      log.info({ caseId, verifiedFacts: verifiedFactNames(applied.findings), redecision: applied.redecision.decision }, 'review findings previewed');
      return applied;
    },

    async close() {
      await Promise.all(subscriptions.map((s) => s.close()));
      await serial;
      await deps.store.close();
    },
  };
}
