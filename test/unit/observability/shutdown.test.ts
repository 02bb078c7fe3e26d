import {EventEmitter} from 'node:events';

import {installShutdown, Readiness} from '../../../src/observability';

function setup(deadlineMs = 1000) {
  const signals = new EventEmitter();
  const exits: number[] = [];
  const logs: string[] = [];
  const logger = {
    info: (_: object, msg: string) => logs.push(`info ${msg}`),
    warn: (_: object, msg: string) => logs.push(`warn ${msg}`),
    error: (_: object, msg: string) => logs.push(`error ${msg}`),
  };
  const readiness = new Readiness();
  const shutdown = installShutdown({
    deadlineMs,
    logger,
    exit: (code) => exits.push(code),
    signalSource: signals,
    onBegin: () => readiness.block('shutdown', 'shutting down'),
  });
  return {signals, exits, logs, readiness, shutdown};
}

describe('installShutdown', () => {
  it('on SIGTERM marks not ready, runs closers in order once, then exits 0', async () => {
    const {signals, exits, readiness, shutdown} = setup();
    const order: string[] = [];
    shutdown.register('scheduler', async () => {
      expect(readiness.check().ready).toBe(false);
      await new Promise((r) => setTimeout(r, 10));
      order.push('scheduler');
    });
    shutdown.register('producer', () => {
      order.push('producer');
    });
    shutdown.register('http', () => {
      order.push('http');
    });
    signals.emit('SIGTERM', 'SIGTERM');
    signals.emit('SIGINT', 'SIGINT');
    const code = await shutdown.trigger('again');
    expect(code).toBe(0);
    expect(order).toEqual(['scheduler', 'producer', 'http']);
    expect(exits).toEqual([0]);
    expect(readiness.check().reasons).toEqual(['shutdown: shutting down']);
    expect(signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('exits 1 when the deadline passes', async () => {
    const {exits, logs, shutdown} = setup(50);
    let later = false;
    shutdown.register('stuck', () => new Promise<void>(() => undefined));
    shutdown.register('after', () => {
      later = true;
    });
    expect(await shutdown.trigger('SIGTERM')).toBe(1);
    expect(exits).toEqual([1]);
    expect(later).toBe(false);
    expect(logs).toContain('error shutdown deadline passed');
  });

  it('keeps closing after a failing closer and exits 1', async () => {
    const {exits, shutdown} = setup();
    const closed: string[] = [];
    shutdown.register('broken', () => {
      throw new Error('boom');
    });
    shutdown.register('next', () => {
      closed.push('next');
    });
    expect(await shutdown.trigger()).toBe(1);
    expect(closed).toEqual(['next']);
    expect(exits).toEqual([1]);
  });

  it('dispose removes the signal handlers', () => {
    const {signals, shutdown} = setup();
    expect(signals.listenerCount('SIGINT')).toBe(1);
    shutdown.dispose();
    expect(signals.listenerCount('SIGINT')).toBe(0);
    expect(shutdown.started).toBe(false);
  });
});
