import type { ErrorCode } from './errors.js';

/** One readiness check as /readyz shows it: a name and, while it fails, the code of why (no data). */
export interface CheckStatus {
  readonly name: string;
  readonly ok: boolean;
  readonly code?: ErrorCode;
}

/**
 * The live state of one thing the firewall needs (the ledger can write, Kafka answers, the consumers run): set
 * by whoever observes it, read by readiness at each request. Not a flag set once: it goes back and forth.
 */
export class HealthState {
  readonly name: string;
  #code: ErrorCode | undefined;
  #failures = 0;
  readonly #listeners = new Set<(status: CheckStatus) => void>();

  constructor(name: string, initial?: ErrorCode) {
    this.name = name;
    this.#code = initial;
  }

  get status(): CheckStatus {
    return this.#code === undefined ? { name: this.name, ok: true } : { name: this.name, ok: false, code: this.#code };
  }

  /** How many times this check went from ok to failing (a metric). */
  get failures(): number {
    return this.#failures;
  }

  /** Marks the check failing with `code`; true when that is a change (log it once, not per retry). */
  fail(code: ErrorCode): boolean {
    if (this.#code === code) return false;
    if (this.#code === undefined) this.#failures++;
    this.#code = code;
    this.#emit();
    return true;
  }

  /** Marks the check ok; true when it was failing. */
  ok(): boolean {
    if (this.#code === undefined) return false;
    this.#code = undefined;
    this.#emit();
    return true;
  }

  onChange(listener: (status: CheckStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(): void {
    const status = this.status;
    for (const listener of this.#listeners) listener(status);
  }
}

/**
 * The lifecycle contract of a service the composition root starts: positioned (`ready`), its live health
 * checks, and close (stop taking work, flush, release).
 */
export interface ServiceLifecycle {
  readonly ready: Promise<void>;
  readonly health: readonly HealthState[];
  close(): Promise<void>;
}

/** The firewall's readiness: ready exactly while every check is ok. */
export class Readiness {
  readonly #checks: HealthState[] = [];

  constructor(checks: readonly HealthState[] = []) {
    this.add(...checks);
  }

  add(...checks: readonly HealthState[]): void {
    this.#checks.push(...checks);
  }

  get checks(): readonly HealthState[] {
    return this.#checks;
  }

  report(): { ready: boolean; checks: CheckStatus[] } {
    const checks = this.#checks.map((c) => c.status);
    return { ready: checks.every((c) => c.ok), checks };
  }

  /** The first failing check, or undefined when ready. */
  failing(): CheckStatus | undefined {
    return this.#checks.map((c) => c.status).find((c) => !c.ok);
  }

  /** Calls `listener` whenever a check starts failing; returns the unsubscribe. */
  onFail(listener: (status: CheckStatus) => void): () => void {
    const offs = this.#checks.map((c) => c.onChange((s) => (s.ok ? undefined : listener(s))));
    return () => offs.forEach((off) => off());
  }
}

/**
 * The consumers of one process as one check: failing (PF_BUS_CONSUMER_CRASHED) while any of them has crashed
 * and not rejoined its group; ok again once every crashed one has.
 */
export class ConsumerHealth {
  readonly state = new HealthState('consumers');
  readonly #crashed = new Set<string>();

  crashed(consumer: string): void {
    this.#crashed.add(consumer);
    this.state.fail('PF_BUS_CONSUMER_CRASHED');
  }

  running(consumer: string): void {
    if (this.#crashed.delete(consumer) && this.#crashed.size === 0) this.state.ok();
  }
}
