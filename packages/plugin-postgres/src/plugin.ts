import {
  catalog,
  type Device,
  definePlugin,
  describeError,
  ErrorCodes,
  type InventoryFacts,
  monitorError,
  type PluginContext,
  type Sink,
  tokens,
} from '@ispmonitor/core';
import { DataDirLockedError } from './db/lock.js';
import type { Db } from './db/types.js';
import { PostgresErrors } from './errors.js';
import { recordFacts } from './inventory/facts.js';
import { FactsMemo } from './inventory/facts-memo.js';
import { FactsQueue } from './inventory/facts-queue.js';
import { createInventoryStore, createStateStore } from './inventory/stores.js';
import { lazyStore } from './lazy-store.js';
import { createDbMetrics, createReplicaMetrics } from './metrics.js';
import { describeTarget, openDb } from './open.js';
import { optionsSchema, type PostgresOptions } from './options.js';
import { ReadReplica } from './replica/replica.js';
import { applyMigrations } from './schema/migrate.js';
import { StatusQueue } from './status-queue.js';
import { postgresStore, Storage } from './store.js';
import { SubscriberRecorder } from './subscribers/record.js';
import { createRecorderMetrics } from './subscribers/record-metrics.js';
import { VERSION } from './version.js';

/** Least time between two `subscriber_reconnects_total` points of one router (2 minutes). */
const RECONNECT_SAMPLE_SPACING = 120_000;

/** Error code while the database is not (yet, or any more) open (`PostgresErrors.DB_NOT_READY`: 503). */
export const DB_NOT_READY = PostgresErrors.DB_NOT_READY.code;

/**
 * Storage on PostgreSQL (with `url`) or an embedded PGlite: samples (Sink), devices added
 * through the API (Inventory), durable state (StateStore), reads (SampleQuery and the
 * `postgresStore` token), inventory facts and status history from the bus, a health check and
 * `ispmonitor_db_*` self-metrics. The database is opened at start, never at import or setup.
 */
export const postgres = definePlugin({
  name: 'postgres',
  version: VERSION,
  optionsSchema,
  setup(ctx, options) {
    setupPostgres(ctx, options);
  },
});

function setupPostgres(ctx: PluginContext, options: PostgresOptions): void {
  if (options.readUrl && !options.url) {
    throw monitorError(
      ErrorCodes.CONFIG_INVALID,
      'database.readUrl (DATABASE_READ_URL) needs database.url (DATABASE_URL): a read replica streams from a PostgreSQL primary, and the embedded PGlite has none',
      { plugin: 'postgres' },
    );
  }
  const { logger, clock } = ctx;
  const target = describeTarget(options);
  let storage: Storage | undefined;
  let lastError = 'not started';
  let stopped = false;
  let timer: unknown;
  const metrics = createDbMetrics(ctx.metrics, () => storage?.db.poolStats());
  // Registered once (a database reached again makes a new Storage, not new metrics).
  const replicaReads = options.readUrl
    ? createReplicaMetrics(ctx.metrics, () => {
        const r = storage?.replicaStatus();
        return {
          lagSeconds: r?.lagSeconds ?? null,
          lagBytes: r?.lagBytes ?? null,
          serving: r?.state === 'serving',
        };
      })
    : undefined;
  const status = new StatusQueue(100_000, () => metrics.factsErrors.inc({ event: 'device:status' }));
  const factsMemo = new FactsMemo(options.facts.refresh);
  // Half the pool at most (sample ingest needs the rest); what waits is merged per device.
  const factsQueue = new FactsQueue(Math.max(1, Math.floor(options.pool.max / 2)), async (p) => {
    const s = storage;
    try {
      if (!s) throw new Error('the database is not open');
      const due = factsMemo.due(p.device.id, p.facts, p.ts);
      if (due.prints.size === 0) return;
      await recordFacts(s.db, p.device, due.facts, p.ts);
      factsMemo.commit(p.device.id, due.prints, p.ts);
    } catch (err) {
      metrics.factsErrors.inc({ event: 'facts' });
      logger.warn('could not record inventory facts', { device: p.device.id, error: describeError(err) });
    }
  });

  // Subscriber history: diffs in memory at each poll, written in batches (see subscribers/record.ts).
  const sub = options.subscribers;
  const recorder: SubscriberRecorder | undefined = sub.enabled
    ? new SubscriberRecorder(
        () => storage?.db,
        { reconnectWindowMs: sub.reconnectWindow, checkpointMs: sub.checkpoint, maxPending: sub.maxPending },
        createRecorderMetrics(ctx.metrics, () => recorder?.pending ?? 0),
        logger,
        () => clock.now(),
      )
    : undefined;
  let flushTimer: unknown;
  let kicked = false;
  let flushFailing = false;
  const flushSubscribers = async () => {
    if (!recorder) return;
    const report = await recorder.flush();
    // Once per outage, not at every flush: the changes wait (ispmonitor_db_subscriber_changes_pending).
    if (report.error && storage && !flushFailing) {
      logger.warn('subscriber history not written yet: changes are kept and retried', {
        error: report.error,
      });
    } else if (!report.error && flushFailing) {
      logger.info('subscriber history written again', { written: report.written });
    }
    flushFailing = report.error !== undefined && storage !== undefined;
  };
  function scheduleFlush(): void {
    if (stopped || !recorder) return;
    flushTimer = clock.setTimeout(async () => {
      await flushSubscribers();
      scheduleFlush();
    }, sub.flushInterval);
  }

  const need = (): Storage => {
    if (storage) return storage;
    throw monitorError(PostgresErrors.DB_NOT_READY, `database ${target} is not ready: ${lastError}`, {
      plugin: 'postgres',
    });
  };
  const needDb = async () => need().db;

  const sink: Sink = {
    name: 'postgres',
    async write(batch) {
      await need().write(batch);
    },
  };
  ctx.provide(tokens.Sink, sink);

  const inventory = createInventoryStore(needDb);
  ctx.provide(tokens.Inventory, {
    ...inventory,
    // A device added, changed or removed through the API is read back at once (the router
    // page after a PATCH): reads wait on the primary until the replica has replayed it.
    async put(device) {
      await inventory.put(device);
      await storage?.mustSeeWrites();
    },
    async remove(id) {
      await inventory.remove(id);
      await storage?.mustSeeWrites();
    },
    async list() {
      // In background start-up the monitor must start without the database; stored devices are
      // added to the registry once it is reached (see `connected`).
      if (!storage && options.startup === 'background') return [];
      return inventory.list();
    },
  });
  ctx.provide(tokens.StateStore, createStateStore(needDb));
  const store = lazyStore(need, () => storage, options.url ? 'postgres' : 'pglite');
  ctx.provide(tokens.SampleQuery, store);
  ctx.provide(postgresStore, store);

  ctx.health({
    name: 'database',
    check: async () => (storage ? storage.health() : { status: 'fail', message: `${target}: ${lastError}` }),
  });

  ctx.bus.on('facts', (e) => {
    const { pppoeSessions, dhcpLeases, wirelessClients, arp, ...inventoryFacts } = e.facts;
    if (recorder) {
      // Buffered while the database is unreachable: the recorder's queue has its own bound.
      recorder.facts(e.device, e.facts, e.ts);
      // A router seen for the first time is loaded (and its sessions written) right away, not
      // at the next flush: a newly started monitor shows its subscribers as soon as its inventory.
      if (recorder.waitingForLoad && !kicked && storage) {
        kicked = true;
        void flushSubscribers().finally(() => {
          kicked = false;
        });
      }
      if (pppoeSessions && ctx.bus.hasListeners('samples')) emitReconnects(e.device, e.ts);
    }
    if (Object.keys(inventoryFacts).length === 0) return;
    if (!storage) {
      metrics.factsErrors.inc({ event: 'facts' });
      return;
    }
    factsQueue.push(e.device, inventoryFacts as InventoryFacts, e.ts);
  });
  // The router's reconnect count as a device sample, shaped as the poll pipeline emits them (labels
  // stamped, `device` set), for the alert engine's SubscriberFlapping (increase over 1 h). At most
  // one point per RECONNECT_SAMPLE_SPACING: the engine keeps 32 points a series, so a point per
  // poll would let it see only the last 32 polls (under 3 minutes at a 5 s interval), not the hour.
  const reconnectsSentAt = new Map<string, number>();
  function emitReconnects(device: Device, ts: number): void {
    const last = reconnectsSentAt.get(device.id);
    if (last !== undefined && ts - last < RECONNECT_SAMPLE_SPACING) return;
    reconnectsSentAt.set(device.id, ts);
    const labels: Record<string, string> = { ...device.labels, device: device.id };
    const value = recorder?.reconnects(device.id) ?? 0;
    ctx.bus.emit('samples', {
      device,
      samples: [{ name: catalog.subscriberReconnects.name, labels, value, ts }],
    });
  }
  ctx.bus.on('device:removed', (e) => {
    factsQueue.forget(e.device.id);
    factsMemo.forget(e.device.id);
    recorder?.forget(e.device.id);
    reconnectsSentAt.delete(e.device.id);
  });
  ctx.bus.on('device:status', (e) => {
    if (e.status === 'offline') recorder?.offline(e.device.id, e.ts);
    status.push({ device: e.device.id, previous: e.previous, status: e.status, ts: e.ts, reason: e.reason });
    if (storage) void status.flush(storage.db);
  });

  const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));

  async function openOnce(): Promise<Storage> {
    let db: Db | undefined;
    try {
      db = await openDb({
        ...options,
        onIdleError: (err) => logger.warn('idle database connection lost', { error: describeError(err) }),
      });
      const report = await applyMigrations(db);
      if (report.applied.length) logger.info('database migrated', { target, applied: report.applied });
      const { readUrl } = options;
      const replica =
        readUrl && replicaReads
          ? await ReadReplica.open(db, { ...options, readUrl }, clock, logger, replicaReads)
          : undefined;
      return new Storage(db, options, clock, metrics, logger, replica);
    } catch (err) {
      await db?.close().catch(() => {});
      throw err;
    }
  }

  async function connect(deadline: number): Promise<void> {
    for (let backoff = 500; !stopped; backoff = Math.min(backoff * 2, 15_000)) {
      try {
        storage = await openOnce();
        lastError = '';
        await connected();
        return;
      } catch (err) {
        lastError = describeError(err).message;
        if (err instanceof DataDirLockedError || clock.now() + backoff > deadline) {
          throw monitorError(PostgresErrors.DB_NOT_READY, `cannot open database ${target}: ${lastError}`, {
            plugin: 'postgres',
            cause: err,
          });
        }
        logger.warn('database not reachable, retrying', { target, error: lastError, retryInMs: backoff });
        await sleep(backoff);
      }
    }
  }

  async function connected(): Promise<void> {
    const s = storage as Storage;
    logger.info('database ready', { target, engine: s.engine });
    // Reads go to the replica from its first good check on; until then, and whenever it is not
    // serving, to the primary. Never fails: a replica down at start is a warning, not an error.
    await s.replica?.start();
    // A database reached again may have lost writes (or been restored): write every fact anew.
    factsMemo.clear();
    await s.maintain().catch(() => {});
    await status.flush(s.db);
    schedule();
    await flushSubscribers();
    scheduleFlush();
    if (options.startup === 'background') {
      // The monitor started with none of the stored devices (`list` answered []): read them now.
      // `reload` only reads the store and schedules them; `add` would write each one back.
      await ctx.devices.reload().catch((err: unknown) => {
        logger.warn('stored devices could not be loaded', { error: describeError(err) });
      });
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = clock.setTimeout(async () => {
      // The monitor may stop (and drop `storage`) while a round runs: hold this round's own.
      const s = storage;
      if (stopped || !s) return;
      await s.maintain().catch(() => {});
      if (!stopped) await status.flush(s.db).catch(() => {});
      schedule();
    }, options.maintenance.interval);
  }

  ctx.onStart(async () => {
    const deadline = clock.now() + options.startTimeout;
    if (options.startup === 'wait') return connect(deadline);
    connect(Number.POSITIVE_INFINITY).catch((err: unknown) => {
      logger.error('database could not be opened', { target, error: describeError(err) });
    });
  });

  ctx.onStop(async () => {
    stopped = true;
    if (timer !== undefined) clock.clearTimeout(timer);
    if (flushTimer !== undefined) clock.clearTimeout(flushTimer);
    await factsQueue.drain();
    await flushSubscribers();
    const s = storage;
    storage = undefined;
    lastError = 'stopped';
    if (s) {
      await status.flush(s.db);
      await s.close();
    }
  });
}
