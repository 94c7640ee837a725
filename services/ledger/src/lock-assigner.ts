import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

/** What a ledger instance tells the group when it (re)joins: whether it writes now, and since when it runs. */
export interface LockClaim {
  readonly holding: boolean;
  readonly since: number;
}

/**
 * A sticky assignor for the ledger lock's single partition: the instance that holds it keeps it across
 * rebalances (a standby joining never displaces the active writer); when no member holds it, the oldest wins.
 */
export function lockAssigner(topic: string, claim: () => LockClaim): PartitionAssigner {
  return () => ({
    name: 'FirewallLedgerLock',
    version: 1,
    protocol: ({ topics }) => ({
      name: 'FirewallLedgerLock',
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.from(JSON.stringify(claim())) }),
    }),
    async assign({ members }) {
      const claims = members.map((m) => ({ memberId: m.memberId, claim: readClaim(m.memberMetadata) }))
        .sort((a, b) => Number(b.claim.holding) - Number(a.claim.holding) || a.claim.since - b.claim.since || a.memberId.localeCompare(b.memberId));
      const winner = claims[0]?.memberId;
      return members.map((m) => ({
        memberId: m.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: m.memberId === winner ? { [topic]: [0] } : {}, userData: Buffer.alloc(0) }),
      }));
    },
  });
}

function readClaim(metadata: Buffer): LockClaim {
  try {
    const parsed = JSON.parse(AssignerProtocol.MemberMetadata.decode(metadata)?.userData.toString() ?? '{}') as Partial<LockClaim>;
    return { holding: parsed.holding === true, since: typeof parsed.since === 'number' ? parsed.since : Number.MAX_SAFE_INTEGER };
  } catch {
    return { holding: false, since: Number.MAX_SAFE_INTEGER };
  }
}
