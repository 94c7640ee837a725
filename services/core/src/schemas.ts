import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { schemasDir } from './paths.js';
import { topics, type TopicName } from './topics.js';
import type { AccessEvent, AuditEntry, DeadLetter, Decision, RecordRequest, RejectedInput, Release, ReviewResolution } from './generated/messages.js';

export type AvroType = avro.Type;

function loadSchema(file: string): avro.Type {
  const schema = JSON.parse(readFileSync(join(schemasDir, 'firewall', file), 'utf8')) as avro.Schema;
  return avro.Type.forSchema(schema, { wrapUnions: false });
}

/** The Avro types, parsed once from schemas/ (the single definition of every message). */
export const messageTypes = {
  recordRequest: loadSchema('record-request.avsc'),
  decision: loadSchema('decision.avsc'),
  deadLetter: loadSchema('dead-letter.avsc'),
  rejectedInput: loadSchema('rejected-input.avsc'),
  auditEntry: loadSchema('audit-entry.avsc'),
  release: loadSchema('release.avsc'),
  reviewResolution: loadSchema('review-resolution.avsc'),
  accessEvent: loadSchema('access-event.avsc'),
} as const;

/** What travels on each topic. */
export interface TopicMessages {
  [topics.requests]: RecordRequest;
  [topics.decisions]: Decision;
  [topics.rejections]: RejectedInput;
  [topics.deadLetters]: DeadLetter;
  [topics.audit]: AuditEntry;
  [topics.releases]: Release;
  [topics.reviews]: ReviewResolution;
  [topics.access]: AccessEvent;
}

export const topicTypes: { [T in TopicName]: avro.Type } = {
  [topics.requests]: messageTypes.recordRequest,
  [topics.decisions]: messageTypes.decision,
  [topics.rejections]: messageTypes.rejectedInput,
  [topics.deadLetters]: messageTypes.deadLetter,
  [topics.audit]: messageTypes.auditEntry,
  [topics.releases]: messageTypes.release,
  [topics.reviews]: messageTypes.reviewResolution,
  [topics.access]: messageTypes.accessEvent,
};

/**
 * Fills absent optional record fields with their declared defaults (JSON bodies omit keys; Avro wants them),
 * without touching anything else, so validation reports only real problems.
 */
export function withDefaults(type: avro.Type, value: unknown): unknown {
  if (type.typeName === 'record' && isPlainObject(value)) {
    const out: Record<string, unknown> = { ...value };
    for (const field of (type as avro.types.RecordType).fields) {
      const current = out[field.name];
      if (current === undefined && field.defaultValue() !== undefined) out[field.name] = field.defaultValue();
      else if (current !== undefined) out[field.name] = withDefaults(field.type, current);
    }
    return out;
  }
  if (type.typeName.startsWith('union') && value !== null && value !== undefined) {
    const branch = (type as avro.types.UnwrappedUnionType).types.find((t) => t.typeName !== 'null');
    return branch ? withDefaults(branch, value) : value;
  }
  if (type.typeName === 'array' && Array.isArray(value)) {
    return value.map((v) => withDefaults((type as avro.types.ArrayType).itemsType, v));
  }
  return value;
}

/** Validates a value against an Avro type; returns the paths that are wrong (empty when valid). */
export function invalidPaths(type: avro.Type, value: unknown): string[] {
  const paths: string[] = undeclaredPaths(type, value, []);
  type.isValid(value, {
    errorHook: (path: string[]) => {
      paths.push(path.length ? path.join('.') : '(root)');
    },
  });
  return [...new Set(paths)];
}

/** Keys the schema does not declare: reported by path, since avsc only says "the root is invalid". */
function undeclaredPaths(type: avro.Type, value: unknown, at: string[]): string[] {
  if (type.typeName === 'record' && isPlainObject(value)) {
    const fields = new Map((type as avro.types.RecordType).fields.map((f) => [f.name, f.type]));
    return Object.keys(value).flatMap((key) => {
      const fieldType = fields.get(key);
      return fieldType ? undeclaredPaths(fieldType, value[key], [...at, key]) : [[...at, key].join('.')];
    });
  }
  if (type.typeName.startsWith('union') && value !== null && value !== undefined) {
    const branch = (type as avro.types.UnwrappedUnionType).types.find((t) => t.typeName !== 'null');
    return branch ? undeclaredPaths(branch, value, at) : [];
  }
  return [];
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON Schema for an Avro type (for the OpenAPI document): nullable unions become optional properties. */
export function jsonSchemaOf(type: avro.Type): Record<string, unknown> {
  switch (type.typeName) {
    case 'record': {
      const fields = (type as avro.types.RecordType).fields;
      const properties = Object.fromEntries(fields.map((f) => [f.name, jsonSchemaOf(f.type)]));
      const required = fields.filter((f) => !f.type.typeName.startsWith('union') && f.defaultValue() === undefined).map((f) => f.name);
      return { type: 'object', additionalProperties: false, properties, ...(required.length ? { required } : {}) };
    }
    case 'array': return { type: 'array', items: jsonSchemaOf((type as avro.types.ArrayType).itemsType) };
    case 'enum': return { type: 'string', enum: (type as avro.types.EnumType).symbols };
    case 'union:unwrapped':
    case 'union:wrapped': {
      // A null branch is written as null in JSON, and the validator takes it: the schema says so.
      const all = (type as avro.types.UnwrappedUnionType).types;
      const branches = all.filter((t) => t.typeName !== 'null');
      const nullable = branches.length < all.length;
      const single = branches.length === 1 ? jsonSchemaOf(branches[0]!) : undefined;
      if (single && nullable && typeof single.type === 'string') return { ...single, type: [single.type, 'null'] };
      const options = branches.map(jsonSchemaOf);
      return single && !nullable ? single : { anyOf: nullable ? [...options, { type: 'null' }] : options };
    }
    // The validator's bounds: a 32-bit int, and a long as avsc takes it (one short of 2^53 either way).
    case 'int': return { type: 'integer', minimum: -(2 ** 31), maximum: 2 ** 31 - 1 };
    case 'long': return { type: 'integer', minimum: -(2 ** 53 - 2), maximum: 2 ** 53 - 2 };
    case 'float': case 'double': return { type: 'number' };
    case 'boolean': return { type: 'boolean' };
    case 'bytes': return { type: 'string', contentEncoding: 'base64' };
    default: return { type: 'string' };
  }
}
