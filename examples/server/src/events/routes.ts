import type { FastifyInstance } from 'fastify';
import { alertChanges } from '../alerts/changes.js';
import { HttpError, ServerErrors } from '../http/errors.js';
import { overloadTracker } from './overload.js';

/** Seconds between keep-alive comments, so proxies do not close an idle stream. */
const HEARTBEAT_MS = 15_000;
/** A `counts` event follows status and inventory changes after this delay, coalescing bursts. */
const COUNTS_DELAY_MS = 500;

/**
 * `/api/v1/events`: server-sent events of device status changes, inventory changes and alerts
 * for the UI (on an API replica: the status changes the pollers recorded, seen at each sync
 * round). Each client gets its own listeners, removed when it disconnects.
 *
 * Counts by status: `hello` carries them when the stream opens, and `counts` after changes (at
 * most one per 500 ms). Both are whole snapshots in stream order, so a page shows true totals
 * without adding up deltas against a snapshot it fetched at some other moment. Alert totals work
 * the same way (`hello.alerts`, then `alerts:counts`), and so does the monitor's own overload
 * (`hello.overload`, then `monitor:overloaded` on each change).
 *
 * Alert changes users make reach every open stream: `alert:acknowledged`, `alert:unacknowledged`,
 * `silence:created`, `silence:expired` (see `alerts/changes.ts` for their data).
 */
export async function eventRoutes(app: FastifyInstance): Promise<void> {
  const open = new Set<() => void>();
  // Streams per principal (user or API key): each holds a socket and bus listeners until closed.
  const perPrincipal = new Map<string, number>();
  const { eventStreamsPerUser: maxStreamsPerUser, eventStreams: maxStreams } = app.serverConfig.limits;
  const alertHub = alertChanges(app.alerts, app.monitor.bus);
  // Followed from registration on, so a stream opened later still learns the state.
  const overload = overloadTracker(app.monitor.bus);
  // Streams never end by themselves: close them so the server can shut down.
  app.addHook('preClose', async () => {
    for (const close of [...open]) close();
  });
  app.addHook('onClose', async () => overload.close());
  app.get(
    '/api/v1/events',
    { schema: { tags: ['events'], summary: 'Server-sent events' } },
    async (req, reply) => {
      const who = req.principal?.id ?? 'anonymous';
      const mine = perPrincipal.get(who) ?? 0;
      if (mine >= maxStreamsPerUser) {
        throw new HttpError(
          ServerErrors.TOO_MANY_STREAMS,
          `too many open event streams for ${who}: ${mine} (server.limits.eventStreamsPerUser); close another tab or client first`,
        );
      }
      if (open.size >= maxStreams) {
        throw new HttpError(
          ServerErrors.TOO_MANY_STREAMS,
          `the server has ${open.size} event streams open (server.limits.eventStreams): try again later`,
        );
      }
      // Counted before the first await, so a burst of requests cannot all pass the check.
      perPrincipal.set(who, mine + 1);
      let counted = true;
      const uncount = () => {
        if (!counted) return;
        counted = false;
        const left = (perPrincipal.get(who) ?? 1) - 1;
        if (left > 0) perPrincipal.set(who, left);
        else perPrincipal.delete(who);
      };
      // Read first: everything from here to `hello` is synchronous, so no event precedes the snapshot.
      const alertCounts = await alertHub.counts().catch(() => undefined);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      let id = 0;
      const send = (event: string, data: unknown) => {
        id += 1;
        // Back-pressure: a client that does not read is dropped instead of growing memory.
        if (res.writableLength > 1_000_000) return close();
        res.write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      // Counting walks every device: one snapshot per burst of changes, not one per change.
      let countsTimer: NodeJS.Timeout | undefined;
      const countsSoon = () => {
        countsTimer ??= setTimeout(() => {
          countsTimer = undefined;
          send('counts', { counts: app.devices.counts() });
        }, COUNTS_DELAY_MS);
      };
      // Status and inventory changes move the counts: a snapshot follows them.
      const changed = (event: string, data: unknown) => {
        send(event, data);
        countsSoon();
      };
      const bus = app.monitor.bus;
      // An API replica polls nothing: its status changes are the ones the pollers recorded, seen at
      // each sync round; elsewhere they are this process's own polls.
      const onStatus = app.devices.onStatusChange?.bind(app.devices);
      const offs = [
        onStatus
          ? onStatus((c) => changed('device:status', c))
          : bus.on('device:status', (e) =>
              changed('device:status', {
                device: e.device.id,
                previous: e.previous,
                status: e.status,
                ts: e.ts,
                reason: e.reason,
              }),
            ),
        bus.on('device:added', (e) => changed('device:added', { device: e.device.id })),
        bus.on('device:changed', (e) => send('device:changed', { device: e.device.id })),
        bus.on('device:removed', (e) => changed('device:removed', { device: e.device.id })),
        bus.on('alert:firing', (e) => send('alert:firing', e.alert)),
        bus.on('alert:resolved', (e) => send('alert:resolved', e.alert)),
        alertHub.on((c) => send(c.event, c.data)),
        bus.on('monitor:overloaded', (e) =>
          send('monitor:overloaded', {
            overloaded: e.overloaded,
            lagMs: e.lagMs,
            backlog: e.backlog,
            reason: e.reason,
            ts: e.ts,
          }),
        ),
      ];
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      let closed = false;
      function close() {
        if (closed) return;
        closed = true;
        uncount();
        open.delete(close);
        clearInterval(heartbeat);
        clearTimeout(countsTimer);
        for (const off of offs) off();
        res.end();
      }
      open.add(close);
      req.raw.on('close', close);
      // A client gone while the counts were read has already sent its 'close': nothing follows.
      if (res.destroyed || req.raw.socket?.destroyed === true) return close();
      const hello = { counts: app.devices.counts(), alerts: alertCounts, overload: overload.current() };
      res.write(`retry: 5000\nevent: hello\ndata: ${JSON.stringify(hello)}\n\n`);
    },
  );
}
