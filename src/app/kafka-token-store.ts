import {CdcError} from '../errors';
import type {ChangelogReader, RecordWriter} from '../kafka';
import {TokenStoreError, type StoredTokens, type TokenRecordStore} from '../pinterest';
import type {DecodedTokens, TokenRecordCodec} from '../pinterest';

/**
 * The newest tokens of one Pinterest connection, in the compacted token topic (`<prefix>.tokens`, one partition,
 * key = connection name, value = the token record: encrypted when a key is configured). Every process of the
 * connection reads it to the end on demand and writes it with a plain acknowledged producer: no transaction, no
 * transactional id, nothing in the state or event topics, so `check` can use it beside a running service.
 */
export class KafkaTokenStore implements TokenRecordStore {
  readonly shared = true;

  constructor(
    private readonly deps: {
      reader: ChangelogReader;
      writer: RecordWriter;
      topic: string;
      connection: string;
      codec: TokenRecordCodec;
    }
  ) {}

  async load(): Promise<StoredTokens | undefined> {
    return (await this.inspect())?.tokens;
  }

  /** The connection's record as stored (tokens, and how they are protected), or undefined. */
  async inspect(): Promise<DecodedTokens | undefined> {
    const {connection, codec, reader, topic} = this.deps;
    let latest: Buffer | null = null;
    try {
      for await (const record of reader.readToEnd(topic)) {
        if (record.key.toString('utf8') === connection) latest = record.value;
      }
    } catch (error) {
      throw new TokenStoreError(`Cannot read the token topic ${topic}: ${messageOf(error)}`, {
        retriable: error instanceof CdcError ? error.retriable : true,
      });
    }
    return latest === null ? undefined : codec.decode(connection, latest);
  }

  async save(tokens: StoredTokens): Promise<void> {
    const {connection, codec, topic, writer} = this.deps;
    try {
      await writer.write([
        {topic, key: Buffer.from(connection, 'utf8'), value: codec.encode(connection, tokens)},
      ]);
    } catch (error) {
      throw new TokenStoreError(`Cannot write the token topic ${topic}: ${messageOf(error)}`);
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
