import { Bus } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';

describe('Bus', () => {
  it('keeps emitting to the other listeners when one throws or rejects, and reports each failure', async () => {
    const failures: string[] = [];
    const bus = new Bus((event, err) => failures.push(`${event}:${(err as Error).message}`));
    const got: string[] = [];
    bus.on('device:added', () => {
      throw new Error('sync');
    });
    bus.on('device:added', async () => {
      throw new Error('async');
    });
    bus.on('device:added', (e) => void got.push(e.device.id));
    bus.emit('device:added', { device: { id: 'r1', host: 'h', driver: 'x' } });
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual(['r1']);
    expect(failures).toEqual(['device:added:sync', 'device:added:async']);
  });

  it('off() and the returned unsubscribe remove a listener; one listener may serve two events', () => {
    const bus = new Bus(() => {});
    let n = 0;
    const listener = () => void n++;
    const offAdded = bus.on('device:added', listener);
    bus.on('device:removed', listener);
    offAdded();
    bus.emit('device:added', { device: { id: 'a', host: 'h', driver: 'x' } });
    bus.emit('device:removed', { device: { id: 'a', host: 'h', driver: 'x' } });
    expect(n).toBe(1);
    bus.off('device:removed', listener);
    bus.emit('device:removed', { device: { id: 'a', host: 'h', driver: 'x' } });
    expect(n).toBe(1);
  });
});
