import { connect } from 'node:net';
import { catalog, defineDriver, type PollResult } from '@ispmonitor/core';
import { z } from 'zod';

/** Settings under `device.tcp`. */
export const tcpSettingsSchema = z
  .object({
    /** Ports to try, in order; the first that accepts counts. Default [22]. */
    ports: z.array(z.number().int().min(1).max(65535)).min(1).default([22]),
  })
  .strict();

/** The parsed settings a poll receives. */
export type TcpSettings = z.output<typeof tcpSettingsSchema>;

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
 *
 * `settings` is `device.tcp` as parsed by `tcpSettingsSchema` — core did it once, when the device
 * was added, and refused the device then if the settings were invalid — so `poll` reads
 * `settings.ports` typed, with the default filled in.
 */
export function reachabilityDriver() {
  return defineDriver({
    kind: 'tcp',
    settings: tcpSettingsSchema,
    async poll(device, settings, { signal }): Promise<PollResult> {
      const errors: string[] = [];
      for (const port of settings.ports) {
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
  });
}
