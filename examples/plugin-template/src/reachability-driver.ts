import { connect } from 'node:net';
import { catalog, type Driver, type PollResult } from '@ispmonitor/core';
import { z } from 'zod';

/** Settings under `device.tcp`. */
export const tcpSettingsSchema = z
  .object({
    /** Ports to try, in order; the first that accepts counts. Default [22]. */
    ports: z.array(z.number().int().min(1).max(65535)).min(1).default([22]),
  })
  .strict();

/** Connects to one port; resolves with the connect time in ms, rejects with the socket error. */
function connectOnce(host: string, port: number, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect({ host, port });
    const finish = (err?: Error) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve(performance.now() - started);
    };
    const onAbort = () => finish(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish());
    socket.once('error', (err) => finish(err));
  });
}

/**
 * A driver that checks a device answers on TCP and measures how long the handshake takes. It
 * never throws: a refused or silent port is a result with `error`.
 */
export function reachabilityDriver(): Driver {
  return {
    kind: 'tcp',
    settingsSchema: tcpSettingsSchema,
    async poll(device, { signal }): Promise<PollResult> {
      const { ports } = tcpSettingsSchema.parse(device.tcp ?? {});
      const errors: string[] = [];
      for (const port of ports) {
        try {
          const ms = await connectOnce(device.host, port, signal);
          return {
            samples: [
              {
                name: 'tcp_connect_seconds',
                labels: { port: String(port) },
                value: ms / 1000,
                ts: Date.now(),
              },
              { name: catalog.deviceUp.name, labels: { probe: 'tcp' }, value: 1, ts: Date.now() },
            ],
          };
        } catch (err) {
          errors.push(`${port}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
          if (signal.aborted) break;
        }
      }
      return {
        samples: [],
        error: { code: 'TCP_UNREACHABLE', message: `no port answered (${errors.join(', ')})` },
      };
    },
  };
}
