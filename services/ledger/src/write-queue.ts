interface Job<E> {
  readonly items?: readonly E[];
  readonly run?: () => Promise<unknown>;
  /** A repair runs even after fail(); when it succeeds the queue takes jobs again. */
  readonly repair?: boolean;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/**
 * One writer, in order. Item jobs queued while a write is in flight are merged into the next write (group commit:
 * one fsync for many appends); tasks run alone, between writes. After fail(), every queued and later job is
 * rejected with that error, until a repair() succeeds.
 */
export class WriteQueue<E, R> {
  readonly #write: (items: readonly E[]) => Promise<R[]>;
  readonly #maxGroup: number;
  #jobs: Job<E>[] = [];
  #draining = false;
  #failed: Error | undefined;

  constructor(write: (items: readonly E[]) => Promise<R[]>, maxGroup = 1024) {
    this.#write = write;
    this.#maxGroup = maxGroup;
  }

  get failed(): Error | undefined {
    return this.#failed;
  }

  /** Stops the queue: the state on disk is unknown until repair() (or a reopen) recovers it. */
  fail(err: Error): void {
    this.#failed ??= err;
  }

  /**
   * Runs `run` with the writer to itself, even when the queue has failed; if it resolves, the failure is cleared
   * and later jobs run again. Jobs queued before the repair were already rejected (their callers retry).
   */
  repair(run: () => Promise<void>): Promise<void> {
    return this.#push({ run, repair: true }) as Promise<void>;
  }

  /** Writes `items` consecutively (possibly with other jobs' items, never split); resolves with their results. */
  add(items: readonly E[]): Promise<R[]> {
    return this.#push({ items }) as Promise<R[]>;
  }

  /** Runs `run` with the writer to itself. */
  task<T>(run: () => Promise<T>): Promise<T> {
    return this.#push({ run }) as Promise<T>;
  }

  #push(job: Omit<Job<E>, 'resolve' | 'reject'>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#jobs.push({ ...job, resolve, reject });
      if (!this.#draining) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#jobs.length > 0) {
        if (this.#failed !== undefined) {
          const failed = this.#failed;
          const repairs = this.#jobs.filter((j) => j.repair);
          for (const job of this.#jobs.splice(0)) if (!job.repair) job.reject(failed);
          for (const repair of repairs) {
            if (this.#failed === undefined) repair.resolve(undefined); // an earlier repair already did it
            else await (repair.run as () => Promise<unknown>)().then(() => { this.#failed = undefined; repair.resolve(undefined); }, repair.reject);
          }
          continue;
        }
        const first = this.#jobs[0] as Job<E>;
        if (first.repair) {
          this.#jobs.shift();
          first.resolve(undefined); // nothing to repair
          continue;
        }
        if (first.run !== undefined) {
          this.#jobs.shift();
          await first.run().then(first.resolve, first.reject);
          continue;
        }
        await this.#writeGroup(this.#takeGroup());
      }
    } finally {
      this.#draining = false;
    }
  }

  #takeGroup(): Job<E>[] {
    const group: Job<E>[] = [];
    let count = 0;
    for (let job = this.#jobs[0]; job?.items !== undefined; job = this.#jobs[0]) {
      if (group.length > 0 && count + job.items.length > this.#maxGroup) break;
      group.push(this.#jobs.shift() as Job<E>);
      count += job.items.length;
    }
    return group;
  }

  async #writeGroup(group: readonly Job<E>[]): Promise<void> {
    try {
      const results = await this.#write(group.flatMap((j) => j.items ?? []));
      let at = 0;
      for (const job of group) {
        const n = job.items?.length ?? 0;
        job.resolve(results.slice(at, at + n));
        at += n;
      }
    } catch (err) {
      for (const job of group) job.reject(err);
    }
  }
}
