import express, { type RequestHandler } from 'express';
import { AuthError, type Logger } from '@firewall/core';
import type { Edge } from '@firewall/http';
import { caseStatuses, caseView, type CaseStatus } from './case.js';
import type { Reviewer, ReviewDesk } from './desk.js';
import { ReviewError } from './errors.js';
import { pageCsp, reviewPage } from './page.js';
import { ReviewerSessions, SESSION_COOKIE, asReviewer, cookieValue, defaultReviewerPolicy, type ReviewerPolicy } from './sessions.js';

/** Every state-changing call must carry this header (CSRF: a cross-site form cannot set it; fetch would need CORS). */
export const REVIEW_HEADER = 'x-firewall-review';

export interface ReviewRouterDeps {
  readonly desk: ReviewDesk;
  /** The shared HTTP edge (its authenticator spends a token's jti once across every router). */
  readonly edge: Edge;
  readonly logger: Logger;
  readonly reviewers?: ReviewerPolicy;
  readonly sessions?: ReviewerSessions;
}

const CASE_ID = /^[\x21-\x7e]{1,200}$/;

/**
 * The review API and page, as an express Router to mount in front of the gateway app (same server):
 *   GET  /review                          the reviewer page
 *   GET  /v1/reviews/jwks.json            public key(s) that verify resolution notes
 *   POST /v1/reviews/session              Bearer reviewer token → session cookie (201); DELETE ends it;
 *                                         GET says whether this browser is signed in (always 200)
 *   GET  /v1/reviews?status=OPEN|RESOLVED cases (session cookie or Bearer token)
 *   GET  /v1/reviews/{id}                 one case
 *   POST /v1/reviews/{id}/findings:preview { findings } → the policy's re-decision with them, nothing resolved (200)
 *   POST /v1/reviews/{id}/resolution      { outcome, fields, note, findings? } → the resolved case (200)
 * Errors go to the edge's one error middleware (mounted after every router): `{ error, code, requestId, details }`.
 */
export function createReviewRouter(deps: ReviewRouterDeps): express.Router {
  const log = deps.logger.child({ component: 'review-api' });
  const policy = deps.reviewers ?? defaultReviewerPolicy;
  const sessions = deps.sessions ?? new ReviewerSessions();
  const router = express.Router();
  const { edge } = deps;
  const stamp = edge.stamp;
  const requireHeader: RequestHandler = (req, _res, next) => {
    if (req.header(REVIEW_HEADER) !== '1') throw new ReviewError('PF_REVIEW_HEADER_REQUIRED', `Send the header "${REVIEW_HEADER}: 1" with every change.`);
    next();
  };

  /** The reviewer behind a call: the session cookie, else a single-use Bearer token with a reviewer role. */
  const requireReviewer: RequestHandler = async (req, res, next) => {
    const sessionId = cookieValue(req.header('cookie'), SESSION_COOKIE);
    const fromSession = sessionId ? sessions.lookup(sessionId) : undefined;
    if (fromSession) {
      edge.admit(res, fromSession);
      res.locals.reviewer = fromSession;
      return next();
    }
    if (sessionId && !req.header('authorization')) throw new AuthError('PF_AUTH_INVALID', 'Your review session has ended: sign in again.');
    const requester = await edge.auth.authenticate(req.header('authorization'));
    edge.admit(res, requester);
    res.locals.reviewer = asReviewer(requester, policy);
    next();
  };

  router.get('/review', stamp, (_req, res) => {
    res.set({
      'content-security-policy': pageCsp, 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer',
    });
    res.type('html').send(reviewPage);
  });

  router.get('/v1/reviews/jwks.json', stamp, (_req, res) => void res.set('cache-control', 'max-age=300').json(deps.desk.jwks()));

  router.post('/v1/reviews/session', stamp, edge.accessed('REVIEW_SIGN_IN'), requireHeader, async (req, res) => {
    const requester = await edge.auth.authenticate(req.header('authorization'));
    edge.admit(res, requester);
    const reviewer = asReviewer(requester, policy);
    await edge.granted(res, {}, 201);
    const { id, expiresAt } = sessions.create(reviewer);
    res.cookie(SESSION_COOKIE, id, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', maxAge: sessions.ttlMs });
    log.info({ role: reviewer.role, agency: reviewer.agency }, 'reviewer signed in');
    res.status(201).json({ role: reviewer.role, expiresAt: expiresAt.toISOString() });
  });

  /** Who is signed in on this browser: answers 200 either way, so the page can ask without an error. */
  router.get('/v1/reviews/session', stamp, (req, res) => {
    const sessionId = cookieValue(req.header('cookie'), SESSION_COOKIE);
    const session = sessionId ? sessions.session(sessionId) : undefined;
    res.json(session ? { signedIn: true, role: session.reviewer.role, expiresAt: session.expiresAt.toISOString() } : { signedIn: false });
  });

  router.delete('/v1/reviews/session', stamp, requireHeader, (req, res) => {
    const sessionId = cookieValue(req.header('cookie'), SESSION_COOKIE);
    if (sessionId) sessions.end(sessionId);
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
    res.status(204).end();
  });

  router.get('/v1/reviews', stamp, edge.accessed('REVIEW_LIST'), requireReviewer, async (req, res) => {
    // Exactly one of the documented values (a repeated parameter is not one value; no case folding).
    const status = req.query.status ?? 'OPEN';
    if (status !== 'ALL' && !caseStatuses.includes(status as CaseStatus)) {
      throw new ReviewError('PF_REVIEW_INVALID', 'status must be OPEN, RESOLVED or ALL.', { details: ['status'] });
    }
    const cases = deps.desk.list(status === 'ALL' ? undefined : (status as CaseStatus)).map(caseView);
    await edge.granted(res, { resultCount: cases.length });
    res.json({ cases });
  });

  router.get('/v1/reviews/:id', stamp, edge.accessed('REVIEW_VIEW'), requireReviewer, async (req, res) => {
    const found = findCase(String(req.params.id), res);
    await edge.granted(res);
    res.json(caseView(found));
  });

  // Authenticated before the body is even parsed. The limit holds the longest note and field list the schema allows,
  // even written as \u escapes.
  router.post('/v1/reviews/:id/resolution', stamp, edge.accessed('REVIEW_RESOLVE'), requireHeader, requireReviewer, edge.json('128kb'), async (req, res) => {
    const resolved = await deps.desk.resolveCase(findCase(String(req.params.id), res).caseId, req.body, res.locals.reviewer as Reviewer);
    await edge.granted(res);
    res.json(caseView(resolved));
  });

  // A look at what the policy would decide, audited as a view of the case (the AccessAction enum has no default,
  // so a new symbol would break older readers of firewall.access.v1).
  router.post('/v1/reviews/:id/findings\\:preview', stamp, edge.accessed('REVIEW_VIEW'), requireHeader, requireReviewer, edge.json('16kb'), async (req, res) => {
    const { caseId } = findCase(String(req.params.id), res);
    const preview = deps.desk.previewFindings(caseId, req.body);
    await edge.granted(res);
    res.json({ caseId, ...preview });
  });

  /** The case with that id; a known case's id goes into the access record (a made-up one never does). */
  function findCase(id: string, res: express.Response) {
    const found = CASE_ID.test(id) ? deps.desk.get(id) : undefined;
    if (!found) throw new ReviewError('PF_REVIEW_NOT_FOUND', 'No review case with that id.');
    edge.note(res, { requestId: found.caseId });
    return found;
  }

  return router;
}
