import { randomUUID } from 'node:crypto';
import { isFirewallError, topics, type Bus, type Codec, type Logger } from '@firewall/core';
import type { Requester } from './auth.js';
import { auditedStatuses } from './status.js';

/**
 * Refusals are audited without amplification. A refusal of an authenticated caller is its own ledger entry (code,
 * status, agency, schema paths — never the body). A refusal before authentication (no token, a bad one, a
 * replay, a flood from one address) is only counted, and chained once per reason per interval with its count:
 * an anonymous sender cannot make the ledger sign and fsync an entry per request.
 */
export class RejectionAudit {
  readonly #deps: { bus: Bus; codec: Codec; logger: Logger };
  readonly #counts = new Map<string, { status: number; count: number }>();
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> = Promise.resolve();

  constructor(deps: { bus: Bus; codec: Codec; logger: Logger; intervalMs: number }) {
    this.#deps = deps;
    this.#timer = setInterval(() => void this.flush(), deps.intervalMs);
    this.#timer.unref();
  }

  async record(refusal: { status: number; code: string; requester: Requester | undefined; err: unknown }): Promise<void> {
    if (!auditedStatuses.has(refusal.status)) return;
    if (!refusal.requester) {
      const counted = this.#counts.get(refusal.code) ?? { status: refusal.status, count: 0 };
      counted.count += 1;
      this.#counts.set(refusal.code, counted);
      return;
    }
    // An unknown field name is the requester's text, so only "fields" is kept of such paths.
    const paths = isFirewallError(refusal.err) ? [...new Set(refusal.err.details.map((d) => (d.startsWith('fields.') ? 'fields' : d)))].slice(0, 20) : [];
    await this.#publish({ code: refusal.code, status: refusal.status, agency: refusal.requester.agency, paths, count: 1 });
  }

  /** Chains one entry per reason counted since the last flush. */
  flush(): Promise<void> {
    const counted = [...this.#counts];
    this.#counts.clear();
    this.#flushing = this.#flushing.then(async () => {
      for (const [code, { status, count }] of counted) await this.#publish({ code, status, agency: null, paths: [], count });
    });
    return this.#flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }

  async #publish(rejection: { code: string; status: number; agency: string | null; paths: string[]; count: number }): Promise<void> {
    const rejectionId = randomUUID();
    try {
      const value = await this.#deps.codec.encode(topics.rejections, { rejectionId, rejectedAt: new Date().toISOString(), ...rejection });
      await this.#deps.bus.publish(topics.rejections, rejectionId, value);
    } catch (err) {
      this.#deps.logger.error({ err, code: rejection.code }, 'could not audit a refusal');
    }
  }
}
