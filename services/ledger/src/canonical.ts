import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

// canonicalize is CommonJS whose typings declare an ES default export; requiring it avoids the
// default-interop mismatch under NodeNext and gives the exact function the package exports.
const serialize = createRequire(import.meta.url)('canonicalize') as (input: unknown) => string | undefined;

/** RFC 8785 (JCS) canonical JSON text of a JSON value. Throws a TypeError for values JSON cannot hold. */
export function canonicalJson(value: unknown): string {
  const text = serialize(value);
  if (text === undefined) throw new TypeError('value has no JSON representation');
  return text;
}

/** UTF-8 bytes of the canonical JSON text. */
export function canonicalBytes(value: unknown): Uint8Array {
  return Buffer.from(canonicalJson(value), 'utf8');
}

/** SHA-256 of bytes (or of a string's UTF-8 bytes). */
export function sha256(data: Uint8Array | string): Buffer {
  return createHash('sha256').update(data).digest();
}

/** Lower-case hex SHA-256. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Digest of an event as stored in an entry's `eventDigest`: hex SHA-256 over its canonical JSON. */
export function digestEvent(event: unknown): string {
  return sha256Hex(canonicalJson(event));
}

const HEX64 = /^[0-9a-f]{64}$/;

export function isHex64(value: unknown): value is string {
  return typeof value === 'string' && HEX64.test(value);
}
