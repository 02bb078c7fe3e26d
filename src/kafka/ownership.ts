import {randomUUID} from 'node:crypto';
import {hostname} from 'node:os';

import {FencedError} from '../errors';
import type {ChangelogReader, KafkaLogger, OutgoingMessage, TransactionalIdOwnership} from './types';

/**
 * This process as an owner of transactional ids: a token drawn once per process, and the ids it has claimed. It
 * outlives pipeline reopens (a reopen must check its claim, not claim again: that would take the id back from a
 * newer instance).
 */
export class OwnerIdentity {
  readonly token = randomUUID();
  readonly startedAt = new Date().toISOString();
  private readonly claimed = new Set<string>();

  hasClaimed(claimKey: Buffer): boolean {
    return this.claimed.has(claimKey.toString('hex'));
  }

  markClaimed(claimKey: Buffer): void {
    this.claimed.add(claimKey.toString('hex'));
  }
}

/** The value of a claim record: who claimed, when and from where (for the operator reading the error). */
export interface OwnerClaim {
  readonly owner: string;
  readonly startedAt: string;
  readonly host: string;
  readonly pid: number;
}

const CLAIM_FORMAT = 1;

export function encodeOwnerClaim(claim: OwnerClaim): Buffer {
  return Buffer.concat([Buffer.from([CLAIM_FORMAT]), Buffer.from(JSON.stringify(claim), 'utf8')]);
}

/** The claim in a record value, or undefined for a tombstone or a format this build does not know. */
export function decodeOwnerClaim(value: Buffer | null): OwnerClaim | undefined {
  if (value === null || value[0] !== CLAIM_FORMAT) return undefined;
  try {
    const parsed = JSON.parse(value.toString('utf8', 1)) as Partial<OwnerClaim>;
    return typeof parsed.owner === 'string'
      ? {
          owner: parsed.owner,
          startedAt: String(parsed.startedAt),
          host: String(parsed.host),
          pid: Number(parsed.pid),
        }
      : undefined;
  } catch {
    return undefined;
  }
}

export interface StateTopicOwnershipDeps {
  /** A plain (non-transactional) acknowledged write, visible at once to read_committed readers. */
  append(message: OutgoingMessage): Promise<void>;
  reader: ChangelogReader;
  logger: KafkaLogger;
  /** The compacted topic holding the claims (the state changelog). */
  topic: string;
  /** The claim's record key: compaction keeps the newest claim of the id. */
  claimKey: Buffer;
  transactionalId: string;
  owner: OwnerIdentity;
}

/**
 * Ownership of one transactional id recorded in a compacted topic. A starting process appends its claim BEFORE
 * its InitProducerId fences the older holder, so when the older one's transaction is aborted and it checks before
 * initialising a new producer, the newer claim is already there: it stops (FencedError). A process whose
 * transaction the broker aborted on timeout finds its own claim still the newest and goes on. If an older process
 * fences the newer one in between (it checked just before the newer claim), the newer one finds its own claim
 * newest and takes the id back: the newest claim always ends up the only writer, and no two epochs ever commit at
 * once (Kafka's fencing). The check reads the claim's partition of the topic, only after a failed transaction.
 */
export class StateTopicOwnership implements TransactionalIdOwnership {
  constructor(private readonly deps: StateTopicOwnershipDeps) {}

  async acquire(): Promise<void> {
    const {owner, claimKey, transactionalId, logger} = this.deps;
    if (!owner.hasClaimed(claimKey)) {
      await this.claim();
      logger.info({transactionalId, owner: owner.token}, 'Claimed the transactional id');
      return;
    }
    const newest = await this.newestClaim();
    if (newest === undefined) {
      // Our claim is gone (the topic was deleted and created again): nobody newer has claimed since.
      await this.claim();
      logger.warn({transactionalId, owner: owner.token}, 'Ownership claim was missing; claimed again');
      return;
    }
    if (newest.owner === owner.token) {
      logger.info({transactionalId}, 'Ownership confirmed: this process still owns the transactional id');
      return;
    }
    throw new FencedError(
      `another instance took transactional id ${transactionalId}: process ${newest.pid} on ${newest.host}, ` +
        `started ${newest.startedAt}, claimed it after this one (started ${owner.startedAt}); this process must stop`
    );
  }

  private async claim(): Promise<void> {
    const {owner, claimKey, topic} = this.deps;
    const claim: OwnerClaim = {
      owner: owner.token,
      startedAt: owner.startedAt,
      host: hostname(),
      pid: process.pid,
    };
    await this.deps.append({topic, key: claimKey, value: encodeOwnerClaim(claim)});
    owner.markClaimed(claimKey);
  }

  /**
   * Reads the claim's partition only, uncommitted: claims are written outside transactions, and a committed read
   * would wait for this process's own transaction left open by the failure being recovered from (until the
   * broker's timeout aborts it), where the next InitProducerId would abort it at once. The claim partition's
   * last stable offset is past this process's own claim, which precedes all its transactions, so the read
   * reaches every later claim.
   */
  private async newestClaim(): Promise<OwnerClaim | undefined> {
    let newest: OwnerClaim | undefined;
    const options = {partitionOfKey: this.deps.claimKey, readUncommitted: true};
    for await (const record of this.deps.reader.readToEnd(this.deps.topic, options)) {
      if (record.key.equals(this.deps.claimKey)) newest = decodeOwnerClaim(record.value);
    }
    return newest;
  }
}
