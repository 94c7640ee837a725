import { describe, expect, it } from 'vitest';
import { loadCatalog } from '@firewall/core';
import { aggregateRecords, defaultSmallCellK, mergeCells, smallCellK, suppressSmallCells } from './aggregate.js';
import { planFromDecision } from './redaction.js';
import { makeDecision, makeRequest } from './test-support.js';

const catalog = loadCatalog();
const request = makeRequest({ system: 'service_requests', fields: ['service_type', 'location_address', 'caller_name'], subjects: { count: 0, selection: 'AGGREGATE' } });
const plan = planFromDecision(makeDecision(request, { service_type: 'release', location_address: 'transform' }), request.fields, catalog, 'service_requests');

describe('aggregates', () => {
  it('group on delivered values only (transformed values generalised first), never on withheld fields', () => {
    const records = [
      { service_type: 'POTHOLE', location_address: '1210 Lake St', caller_name: 'a' },
      { service_type: 'POTHOLE', location_address: '1290 Lake St', caller_name: 'b' },
      { service_type: 'POTHOLE', location_address: '1300 Lake St', caller_name: 'c' },
    ];
    expect(aggregateRecords(records, plan)).toEqual([
      { values: { service_type: 'POTHOLE', location_address: '1200 block of Lake St' }, count: 2 },
      { values: { service_type: 'POTHOLE', location_address: '1300 block of Lake St' }, count: 1 },
    ]);
  });

  it('merge adapter cells that become equal after redaction', () => {
    const cells = [{ values: { service_type: 'NOISE', location_address: '101 A St', caller_name: 'x' }, count: 6 }, { values: { service_type: 'NOISE', location_address: '150 A St' }, count: 5 }];
    expect(mergeCells(cells, plan)).toEqual([{ values: { service_type: 'NOISE', location_address: '100 block of A St' }, count: 11 }]);
  });

  it('suppress cells under k and say how many, not which', () => {
    const cells = [{ values: { a: 1 }, count: 9 }, { values: { a: 2 }, count: 10 }, { values: { a: 3 }, count: 1 }];
    expect(suppressSmallCells(cells, 10)).toEqual({ cells: [{ values: { a: 2 }, count: 10 }], suppressed: 2 });
  });

  it('take k from the policy data, falling back to the default', () => {
    expect(smallCellK({ thresholds: { small_cell_k: 11 } })).toBe(11);
    expect(smallCellK({ thresholds: { small_cell_k: 'ten' } })).toBe(defaultSmallCellK);
    expect(smallCellK(undefined)).toBe(defaultSmallCellK);
  });
});
