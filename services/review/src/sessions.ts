import { randomBytes } from 'node:crypto';
import { AuthError } from '@firewall/core';
import type { Requester } from '@firewall/http';
import type { Reviewer } from './desk.js';

/** Token roles that may resolve held requests. */
export const reviewerRoles = ['CITY_ATTORNEY', 'DATA_PRACTICES_REVIEWER'] as const;

/**
 * The issuer reviewers' tokens must come from: the city attorney's data-practices office. It is registered in the
 * agency registry (keys) but deliberately absent from the policy's agency data, so as a requester it is granted
 * nothing (R26); and no requesting agency — including the city attorney's criminal division, which asks for
 * records — can resolve held requests, whatever role its token claims.
 */
export const reviewerAgency = 'CITY_ATTORNEY_DATA_PRACTICES';

export interface ReviewerPolicy {
  readonly agencies: readonly string[];
  readonly roles: readonly string[];
}

export const defaultReviewerPolicy: ReviewerPolicy = { agencies: [reviewerAgency], roles: reviewerRoles };

/** Admits a verified requester as a reviewer, or throws PF_AUTH_FORBIDDEN (403). */
export function asReviewer(requester: Requester, policy: ReviewerPolicy = defaultReviewerPolicy): Reviewer {
  if (!policy.agencies.includes(requester.agency) || requester.role === null || !policy.roles.includes(requester.role)) {
    throw new AuthError('PF_AUTH_FORBIDDEN', `Review is for the city attorney's data-practices office: a token from ${policy.agencies.join(' or ')} with role ${policy.roles.join(' or ')}.`);
  }
  return { agency: requester.agency, role: requester.role };
}

export const SESSION_COOKIE = 'pf_review_session';
export const SESSION_TTL_MS = 30 * 60 * 1000;

/**
 * Short server-side reviewer sessions: a single-use token is exchanged once for a random 256-bit session id,
 * carried in an HttpOnly, SameSite=Strict cookie. Sessions expire 30 minutes after sign-in (no sliding) and live
 * in memory only: a restart signs everyone out.
 */
export class ReviewerSessions {
  readonly #sessions = new Map<string, { reviewer: Reviewer; expiresAt: number }>();
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #capacity: number;

  constructor(options: { ttlMs?: number; now?: () => number; capacity?: number } = {}) {
    this.#ttlMs = options.ttlMs ?? SESSION_TTL_MS;
    this.#now = options.now ?? Date.now;
    this.#capacity = options.capacity ?? 1000;
  }

  get ttlMs(): number {
    return this.#ttlMs;
  }

  create(reviewer: Reviewer): { id: string; expiresAt: Date } {
    this.#sweep();
    if (this.#sessions.size >= this.#capacity) this.#sessions.delete(this.#sessions.keys().next().value!);
    const id = randomBytes(32).toString('base64url');
    const expiresAt = this.#now() + this.#ttlMs;
    this.#sessions.set(id, { reviewer, expiresAt });
    return { id, expiresAt: new Date(expiresAt) };
  }

  lookup(id: string): Reviewer | undefined {
    return this.session(id)?.reviewer;
  }

  /** The live session with that id (an expired one is forgotten). */
  session(id: string): { reviewer: Reviewer; expiresAt: Date } | undefined {
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.#now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return { reviewer: session.reviewer, expiresAt: new Date(session.expiresAt) };
  }

  end(id: string): void {
    this.#sessions.delete(id);
  }

  #sweep(): void {
    const now = this.#now();
    for (const [id, s] of this.#sessions) if (s.expiresAt <= now) this.#sessions.delete(id);
  }
}

/** The value of one cookie from a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
