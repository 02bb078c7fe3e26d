import {
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSConnectionError,
  KafkaJSGroupCoordinatorNotFound,
} from 'kafkajs';

import {describeError, hasErrorType, isFencingError, kafkajsRetriable} from '../../../src/kafka/kafka-errors';

/** kafkajs' retrier wraps a bailed error like this (its typings omit the options argument). */
const nonRetriable = (cause: Error): Error =>
  new (KafkaJSNonRetriableError as unknown as new (e: Error, o: {cause: Error}) => Error)(cause, {cause});

const protocol = (type: string, code: number, retriable: boolean) =>
  new KafkaJSProtocolError({type, code, retriable, message: `${type} happened`} as never);

describe('kafka error classification', () => {
  it('recognises fencing however kafkajs wraps it', () => {
    const epoch = protocol('INVALID_PRODUCER_EPOCH', 47, false);
    expect(isFencingError(epoch)).toBe(true);
    expect(isFencingError(nonRetriable(epoch))).toBe(true);
    const aggregate = Object.assign(new Error('many'), {
      errors: [protocol('NOT_LEADER_FOR_PARTITION', 6, true), epoch],
    });
    expect(isFencingError(aggregate)).toBe(true);
    // PRODUCER_FENCED (90) is unknown to kafkajs 2.2.4: it surfaces as "Unknown error code 90".
    expect(isFencingError(protocol('KAFKAJS_UNKNOWN_ERROR_CODE', -99, false))).toBe(false);
    expect(
      isFencingError(
        new KafkaJSProtocolError({
          type: 'KAFKAJS_UNKNOWN_ERROR_CODE',
          code: -99,
          retriable: false,
          message: 'Unknown error code 90',
        } as never)
      )
    ).toBe(true);
    expect(isFencingError(new Error('Producer is fenced by a newer instance'))).toBe(true);
  });

  it('does not mistake other FENCED_* errors or ordinary failures for producer fencing', () => {
    expect(isFencingError(protocol('FENCED_LEADER_EPOCH', 74, true))).toBe(false);
    expect(isFencingError(protocol('MESSAGE_TOO_LARGE', 10, false))).toBe(false);
    expect(isFencingError(new Error('Connection closed'))).toBe(false);
    expect(isFencingError(undefined)).toBe(false);
  });

  it('takes the root cause retriable flag, not the always-final "retries exceeded" wrapper', () => {
    const network = new KafkaJSConnectionError('Connection timeout');
    const exceeded = new KafkaJSNumberOfRetriesExceeded(network, {
      retryCount: 5,
      retryTime: 1000,
      cause: network,
    } as never);
    expect(exceeded.retriable).toBe(false);
    expect(kafkajsRetriable(exceeded)).toBe(true);
    const tooLarge = protocol('MESSAGE_TOO_LARGE', 10, false);
    expect(kafkajsRetriable(nonRetriable(tooLarge))).toBe(false);
    expect(kafkajsRetriable(new Error('plain'))).toBe(false);
  });

  it('takes "Failed to find group coordinator" (no broker answered in time) for transient, whatever its flag', () => {
    // kafkajs' typings omit the message argument its constructor takes.
    const notFound = new (
      KafkaJSGroupCoordinatorNotFound as unknown as new (m: string) => Error & {
        retriable: boolean;
      }
    )('Failed to find group coordinator');
    expect(notFound.retriable).toBe(false);
    expect(kafkajsRetriable(notFound)).toBe(true);
    expect(kafkajsRetriable(nonRetriable(notFound))).toBe(true);
  });

  it('finds a protocol type anywhere in the chain and describes the chain once per message', () => {
    const exists = protocol('TOPIC_ALREADY_EXISTS', 36, false);
    const wrapped = nonRetriable(exists);
    expect(hasErrorType(wrapped, 'TOPIC_ALREADY_EXISTS')).toBe(true);
    expect(hasErrorType(wrapped, 'UNKNOWN_TOPIC_OR_PARTITION')).toBe(false);
    expect(describeError(wrapped)).toBe(
      'TOPIC_ALREADY_EXISTS happened <- TOPIC_ALREADY_EXISTS happened [TOPIC_ALREADY_EXISTS]'
    );
    const cyclic: {message: string; cause?: unknown} = {message: 'loop'};
    cyclic.cause = cyclic;
    expect(describeError(cyclic)).toBe('loop');
  });
});
