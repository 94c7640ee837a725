import type avro from 'avsc';
import type { AccessAction, AccessOutcome } from './generated/messages.js';
import { messageTypes } from './schemas.js';

function symbolsOf(field: string): readonly string[] {
  const type = (messageTypes.accessEvent as avro.types.RecordType).field(field)?.type;
  if (type?.typeName !== 'enum') throw new TypeError(`AccessEvent.${field} is not an enum`);
  return Object.freeze([...(type as avro.types.EnumType).symbols]);
}

/**
 * Every action an ACCESS ledger entry can name: the symbols of AccessEvent.action in
 * schemas/firewall/access-event.avsc, read from the schema so the list has one definition.
 */
export const accessActions = symbolsOf('action') as readonly AccessAction[];

/** GRANTED or REFUSED (AccessEvent.outcome). */
export const accessOutcomes = symbolsOf('outcome') as readonly AccessOutcome[];
