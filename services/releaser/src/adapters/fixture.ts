import type { FetchOptions, FetchQuery, RecordSystemAdapter, SourceRecord } from '../adapter.js';
import { defaultFixtureSeed, fictionalRecords, fixtureIdField, type FixtureSystem } from './fictional.js';

export interface FixtureAdapterOptions {
  readonly seed?: number;
  /** Records to serve instead of the generated ones (tests). */
  readonly records?: readonly SourceRecord[];
  /** The field named subjects are matched on (default: the system's identifier, see fixtureIdField). */
  readonly idField?: string;
}

/**
 * The fixture record system: generated fictional residents, served from memory. NAMED requests get the records
 * whose identifier is among the subject ids (in the order named); ATTRIBUTE and ALL the first `count` records;
 * AGGREGATE every record (the releaser counts them and suppresses small cells).
 */
export function createFixtureAdapter(system: FixtureSystem, options: FixtureAdapterOptions = {}): RecordSystemAdapter {
  const records = options.records ?? fictionalRecords(system, options.seed ?? defaultFixtureSeed);
  const idField = options.idField ?? fixtureIdField[system];
  const byId = new Map(records.map((r) => [String(r[idField]), r]));
  return {
    system,
    async fetch(query: FetchQuery, { signal }: FetchOptions): Promise<SourceRecord[]> {
      signal.throwIfAborted();
      let found: readonly SourceRecord[];
      if (query.selection === 'NAMED') {
        found = query.subjectIds.map((id) => byId.get(id)).filter((r): r is SourceRecord => r !== undefined).slice(0, query.count);
      } else if (query.selection === 'AGGREGATE') found = records;
      else found = records.slice(0, query.count);
      // Copies: nothing downstream can change the fixture.
      return found.map((r) => structuredClone(r));
    },
  };
}
