import type { SourceRecord } from '../adapter.js';

/**
 * Generated, clearly fictional residents for the fixture record systems (the embedded mode's default and the
 * tests' data). Deterministic: the same seed always gives the same records. Names are invented surnames,
 * streets are invented, phone numbers are in the 555-01xx range reserved for fiction, and every record says
 * it is fictional (`source_note`). Some records deliberately carry class A fields (marked `CLASS-A-FIXTURE`)
 * so the minimisation alert (CLASS_A_IN_SOURCE) is exercised.
 */
export const fixtureSystems = ['municipal_id', 'service_requests', 'summons', 'parking'] as const;
export type FixtureSystem = (typeof fixtureSystems)[number];

/** The identifier field a named request's subjectIds are matched against, per fixture system. */
export const fixtureIdField: Readonly<Record<FixtureSystem, string>> = {
  municipal_id: 'card_number',
  service_requests: 'request_id',
  summons: 'citation_id',
  parking: 'plate_read',
};

export const defaultFixtureSeed = 20261201;
export const FICTIONAL_NOTE = 'FICTIONAL RECORD: generated test data, no real person';
/** Every class A value in the fixtures starts with this, so a test can prove none is ever delivered. */
export const CLASS_A_MARKER = 'CLASS-A-FIXTURE';

const sizes: Readonly<Record<FixtureSystem, number>> = { municipal_id: 150, service_requests: 200, summons: 150, parking: 60 };

const firstNames = ['Avery', 'Blake', 'Casey', 'Devon', 'Emery', 'Finley', 'Harper', 'Jordan', 'Kendall', 'Logan', 'Morgan', 'Quinn', 'Reese', 'Rowan', 'Sage', 'Taylor'];
const surnames = ['Fictionsen', 'Samplewood', 'Examplar', 'Testerly', 'Placeholdt', 'Mockridge', 'Dummond', 'Fablewright', 'Inventada', 'Nonesuch', 'Madeupson', 'Pretendle'];
const streets = ['Example St', 'Imaginary Ave', 'Sample Blvd', 'Fable Ln', 'Placeholder Pkwy', 'Testing Way', 'Storybook Rd', 'Makebelieve Ct'];
const languages = ['en', 'es', 'so', 'hmn', 'om', 'vi'];
const serviceTypes = ['POTHOLE', 'GRAFFITI', 'STREETLIGHT_OUT', 'ABANDONED_VEHICLE', 'NOISE', 'SNOW_EMERGENCY', 'DEAD_ANIMAL', 'RODENTS'];
const offenses = [
  ['Disorderly conduct', 'Minn. Stat. 609.72'], ['Trespass', 'Minn. Stat. 609.605'], ['Theft (misdemeanor)', 'Minn. Stat. 609.52'],
  ['Driving after suspension', 'Minn. Stat. 171.24'], ['Open bottle', 'Minn. Stat. 169A.35'], ['Littering', 'Mpls. Code 225.10'],
] as const;

/** mulberry32: a small, fast, seedable PRNG; good enough for test data, never for secrets. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Draw {
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  date(fromYear: number, toYear: number): string;
  coordinate(base: number): number;
}

function drawFrom(random: () => number): Draw {
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  return {
    int,
    pick: (items) => items[int(0, items.length - 1)]!,
    date: (fromYear, toYear) => `${int(fromYear, toYear)}-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`,
    coordinate: (base) => Math.round((base + random() * 0.1) * 1e6) / 1e6,
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const address = (d: Draw, unit: boolean) => `${d.int(100, 4999)} ${d.pick(streets)}${unit ? `, Apt ${d.int(1, 40)}` : ''}, Minneapolis MN 554${pad(d.int(1, 19), 2)}`;
const name = (d: Draw) => `${d.pick(firstNames)} ${d.pick(surnames)}`;
const phone = (i: number) => `612-555-01${pad(i % 100, 2)}`;

function municipalId(d: Draw, i: number): SourceRecord {
  const card = `MID-${100001 + i}`;
  const record: SourceRecord = {
    card_number: card, full_name: name(d), preferred_name: d.pick(firstNames), gender: d.pick(['F', 'M', 'X']),
    date_of_birth: d.date(1940, 2005), residential_address: address(d, i % 3 === 0), phone: phone(i), photo: `fixture://photos/${card}.jpg`,
    card_status: d.pick(['ACTIVE', 'ACTIVE', 'ACTIVE', 'EXPIRED']), issue_date: d.date(2019, 2025), expiry_date: d.date(2026, 2030),
    preferred_language: d.pick(languages), emergency_contact: `${name(d)}, ${phone(i + 50)}`, birth_country: null,
    library_account_id: `LIB-${pad(i + 1, 6)}`, transit_card_id: `TRN-${pad(i + 1, 6)}`, transit_tap_history: `fixture: ${d.int(0, 90)} taps in 30 days`,
    source_note: FICTIONAL_NOTE,
  };
  // Legacy enrolment records that kept the identity document: the ordinance says they should not exist.
  if (i % 7 === 3) Object.assign(record, { identity_document_type: `${CLASS_A_MARKER}:PASSPORT`, identity_document_number: `${CLASS_A_MARKER}:${pad(i, 9)}` });
  return record;
}

function serviceRequest(d: Draw, i: number): SourceRecord {
  const created = `2026-${pad(d.int(1, 11), 2)}-${pad(d.int(1, 28), 2)}T${pad(d.int(6, 21), 2)}:${pad(d.int(0, 59), 2)}:00Z`;
  const closed = d.int(0, 3) > 0;
  const record: SourceRecord = {
    request_id: `SR-2026-${pad(i + 1, 6)}`, service_type: d.pick(serviceTypes), description: `Fixture report #${i + 1}`,
    status: closed ? 'closed' : 'open', location_address: address(d, false), latitude: d.coordinate(44.9), longitude: d.coordinate(-93.3),
    created_at: created, closed_at: closed ? created.replace(/T\d\d/, 'T23') : null, media_url: null,
    caller_name: name(d), caller_phone: phone(i), caller_email: `caller${i + 1}@example.invalid`, caller_device_id: `device-${pad(i, 5)}`,
    caller_language: d.pick(languages), source_note: FICTIONAL_NOTE,
  };
  // A stray column from a legacy import: class A in another system's catalog, caught all the same.
  if (i % 50 === 7) record.immigration_status = `${CLASS_A_MARKER}:LEGACY_IMPORT`;
  return record;
}

function summons(d: Draw, i: number): SourceRecord {
  const [offense, statute] = d.pick(offenses);
  const record: SourceRecord = {
    citation_id: `CIT-${500001 + i}`, full_name: name(d), date_of_birth: d.date(1950, 2006), sex: d.pick(['F', 'M', 'X']),
    height: `${d.int(150, 200)} cm`, residential_address: address(d, i % 4 === 0), phone: phone(i), employer: d.pick(['Fixture Foods', 'Sample Logistics', null]),
    drivers_license_number: `FIC${pad(i + 1, 9)}`, offense, statute,
    offense_datetime: `2026-${pad(d.int(1, 11), 2)}-${pad(d.int(1, 28), 2)}T${pad(d.int(0, 23), 2)}:00:00Z`, offense_location: address(d, false),
    vehicle_plate: i % 3 === 0 ? `FIC-${pad(i, 4)}` : null, court_date: d.date(2026, 2027), court_location: 'Fixture County Courthouse, Room 1',
    disposition: d.pick(['PENDING', 'DISMISSED', 'CONVICTED']), custody_status: d.pick(['NOT_IN_CUSTODY', 'RELEASED']), release_date: null,
    interpreter_language: d.pick([null, null, ...languages]), source_note: FICTIONAL_NOTE,
  };
  // How identity was established: class A, recorded on some citations although the ordinance forbids it.
  if (i % 4 === 1) record.identification_method = `${CLASS_A_MARKER}:CONSULAR_ID`;
  return record;
}

function parking(d: Draw, i: number): SourceRecord {
  return {
    plate_read: `FIC-${pad(i + 1, 4)}`, ramp_access_log: `Fixture Ramp ${d.int(1, 5)}: ${d.int(1, 30)} entries in 30 days`,
    camera_footage: `fixture://footage/ramp-${pad(i + 1, 4)}.mp4`, source_note: FICTIONAL_NOTE,
  };
}

const makers: Readonly<Record<FixtureSystem, (d: Draw, i: number) => SourceRecord>> = { municipal_id: municipalId, service_requests: serviceRequest, summons, parking };

/** The fictional records of one system, generated from the seed (each system has its own stream). */
export function fictionalRecords(system: FixtureSystem, seed: number = defaultFixtureSeed): SourceRecord[] {
  const d = drawFrom(prng(seed ^ hashName(system)));
  return Array.from({ length: sizes[system] }, (_, i) => makers[system](d, i));
}

function hashName(text: string): number {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

export function isFixtureSystem(system: string): system is FixtureSystem {
  return (fixtureSystems as readonly string[]).includes(system);
}
