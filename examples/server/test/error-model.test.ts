/**
 * One error model (issue 22, point 5): every package declares its codes in its own `errors.ts`
 * as `{ code, message, status }`, raises them as MonitorErrors, and the server answers any
 * MonitorError with the status its package gave it — without a table of its own.
 */
import { CoreErrors, type ErrorTable, MonitorError, monitorError } from '@ispmonitor/core';
import { AlertsErrors } from '@ispmonitor/plugin-alerts';
import { ClusterErrors } from '@ispmonitor/plugin-cluster';
import { MikrotikError, MikrotikErrors } from '@ispmonitor/plugin-mikrotik';
import { RemoteWriteErrors } from '@ispmonitor/plugin-remote-write';
import { SnmpError, SnmpErrors } from '@ispmonitor/plugin-snmp';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { ReplicaNameInUse } from '../../../packages/plugin-cluster/src/session.js';
import { PostgresErrors } from '../../../packages/plugin-postgres/src/errors.js';
import { HttpError, installErrorHandler, ServerErrors, sendError } from '../src/http/errors.js';

const TABLES: Record<string, ErrorTable> = {
  core: CoreErrors,
  alerts: AlertsErrors,
  cluster: ClusterErrors,
  mikrotik: MikrotikErrors,
  postgres: PostgresErrors,
  'remote-write': RemoteWriteErrors,
  snmp: SnmpErrors,
  server: ServerErrors,
};

describe("every package's error table", () => {
  it('has one shape: a code, a sentence, an HTTP status; codes are unique across packages', () => {
    const seen = new Map<string, string>();
    for (const [pkg, table] of Object.entries(TABLES)) {
      for (const [name, spec] of Object.entries(table)) {
        expect(spec.code, `${pkg}.${name}`).toMatch(/^[A-Z][A-Z0-9_]+$/);
        expect(spec.message.length, `${pkg}.${name}`).toBeGreaterThan(3);
        expect(spec.status >= 400 && spec.status <= 599, `${pkg}.${name}: ${spec.status}`).toBe(true);
        expect(seen.get(spec.code), `${spec.code} in ${pkg} and ${seen.get(spec.code)}`).toBeUndefined();
        seen.set(spec.code, pkg);
      }
    }
  });

  it("drivers' own error classes are MonitorErrors with their table's status", () => {
    const snmp = new SnmpError(SnmpErrors.TIMEOUT.code, 'no answer');
    expect(snmp).toBeInstanceOf(MonitorError);
    expect([snmp.code, snmp.status, snmp.plugin, snmp.name]).toEqual([
      'SNMP_TIMEOUT',
      504,
      'snmp',
      'SnmpError',
    ]);
    const mt = new MikrotikError(MikrotikErrors.AUTH.code, 'refused');
    expect([mt.status, mt.plugin]).toEqual([502, 'mikrotik']);
    const replica = new ReplicaNameInUse('replica name "a" is used');
    expect([replica.code, replica.status]).toEqual([ClusterErrors.REPLICA_NAME_IN_USE.code, 409]);
  });

  it("a spec gives monitorError its status and, when none is given, its message; a core code finds core's status", () => {
    const e = monitorError(PostgresErrors.DB_NOT_READY);
    expect([e.code, e.message, e.status]).toEqual(['ISPM_DB_NOT_READY', 'The database is not ready.', 503]);
    expect(monitorError(CoreErrors.DEVICE_NOT_FOUND.code, 'no r1').status).toBe(404);
    expect(monitorError('ISPM_SOMETHING_ELSE', 'x').status).toBe(500);
  });
});

describe('the server maps any MonitorError by its status hint', () => {
  const app = Fastify();
  installErrorHandler(app);
  const errors: Record<string, Error> = {
    alerts: monitorError(AlertsErrors.NOT_FOUND, 'no active alert with fingerprint abc', {
      plugin: 'alerts',
    }),
    snmp: new SnmpError(SnmpErrors.TIMEOUT.code, 'no answer from 127.0.0.1:161'),
    cluster: new ReplicaNameInUse('replica name "a" is used by another live process'),
    postgres: monitorError(PostgresErrors.DB_NOT_READY, 'database is not ready: connecting'),
    core: monitorError(CoreErrors.DEVICE_READ_ONLY.code, 'r1 comes from the config file'),
    http: new HttpError(418, 'short and stout', 'ISPM_TEAPOT'),
    server: new HttpError(ServerErrors.TOO_MANY_STREAMS, 'the server has 3 event streams open'),
    fault: monitorError(CoreErrors.PLUGIN_SETUP_FAILED.code, 'secret internals'),
    plain: new Error('also internal'),
  };
  app.get('/:which', async (req) => {
    throw errors[(req.params as { which: string }).which];
  });

  it.each([
    ['alerts', 404, 'ISPM_ALERTS_NOT_FOUND'],
    ['snmp', 504, 'SNMP_TIMEOUT'],
    ['cluster', 409, 'ISPM_CLUSTER_REPLICA_NAME_IN_USE'],
    ['postgres', 503, 'ISPM_DB_NOT_READY'],
    ['core', 409, 'ISPM_DEVICE_READ_ONLY'],
    ['http', 418, 'ISPM_TEAPOT'],
    ['server', 429, 'ISPM_TOO_MANY_STREAMS'],
  ])('%s → %i with its code and message', async (which, status, code) => {
    const res = await app.inject({ url: `/${which}` });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({ error: code, message: (errors[which] as Error).message });
  });

  it.each(['fault', 'plain'])('%s (a fault: status 500) is answered without internals', async (which) => {
    const res = await app.inject({ url: `/${which}` });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'ISPM_INTERNAL', message: 'internal error' });
  });

  it("an HttpError made from a spec has the spec's status and code, and its message unless given one", () => {
    const e = new HttpError(ServerErrors.NO_STORAGE);
    expect([e.status, e.statusCode, e.code, e.message, e.plugin]).toEqual([
      501,
      501,
      'ISPM_NO_STORAGE',
      ServerErrors.NO_STORAGE.message,
      'server',
    ]);
    expect(new HttpError(CoreErrors.DEVICE_NOT_FOUND, 'no router "r1"').status).toBe(404);
  });

  it('a hook that answers itself (sendError) gives the body and status a thrown error gets', async () => {
    const hooked = Fastify();
    installErrorHandler(hooked);
    hooked.get('/sent', async (_req, reply) => sendError(reply, ServerErrors.FORBIDDEN, 'needs admin'));
    hooked.get('/thrown', async () => {
      throw new HttpError(ServerErrors.FORBIDDEN, 'needs admin');
    });
    const [sent, thrown] = await Promise.all([
      hooked.inject({ url: '/sent' }),
      hooked.inject({ url: '/thrown' }),
    ]);
    expect([sent.statusCode, sent.json()]).toEqual([
      403,
      { error: 'ISPM_FORBIDDEN', message: 'needs admin' },
    ]);
    expect([thrown.statusCode, thrown.json()]).toEqual([sent.statusCode, sent.json()]);
    await hooked.close();
  });
});
