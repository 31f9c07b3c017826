import { definePlugin, monitorError, tokens } from '@ispmonitor/core';
import { RemoteWriteErrors } from './errors.js';
import { createMetrics } from './metrics.js';
import { optionsSchema, targetName } from './options.js';
import { PromSampleQuery } from './promql/sample-query.js';
import { TargetSink } from './target.js';
import { VERSION } from './version.js';

/**
 * Sends every sample to one or more Prometheus-compatible receivers by remote write 1.0
 * (Prometheus, VictoriaMetrics, Grafana Mimir, Thanos Receive, Cortex): one sink per target
 * (`remote-write:<target>`), so each target has its own buffer, spool and retries and a target
 * that is down never holds up another. Poll timestamps are kept. With `query`, the monitor's
 * sample reads are answered from the receiver's PromQL API (`PromSampleQuery`). A health check per target
 * (not critical: polling goes on while a receiver is down) and `ispmonitor_remote_write_*` metrics.
 */
export const remoteWrite = definePlugin({
  name: 'remote-write',
  version: VERSION,
  optionsSchema,
  setup(ctx, options) {
    const names = options.targets.map(targetName);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) {
      // A configuration the schema cannot catch: two targets with one name.
      throw monitorError(
        RemoteWriteErrors.CONFIG,
        `two remote-write targets are named ${twice}: give each a name`,
        {
          plugin: 'remote-write',
        },
      );
    }
    const metrics = createMetrics(ctx.metrics);
    const q = options.query;
    if (q) {
      const reader = new PromSampleQuery({
        url: q.url,
        headers: q.headers,
        auth: q.auth,
        ca: q.ca,
        timeoutMs: q.timeout,
        pollInterval: q.pollInterval,
        clock: ctx.clock,
      });
      ctx.provide(tokens.SampleQuery, reader);
      ctx.onStop(() => reader.close());
    }
    for (const target of options.targets) {
      const sink = new TargetSink(target, options, ctx.clock, ctx.logger, metrics);
      ctx.provide(tokens.Sink, sink);
      ctx.health({
        name: `remote-write:${sink.target}`,
        critical: false,
        check() {
          const { failures, lastError } = sink.state;
          if (failures === 0) return { status: 'pass' };
          return {
            status: 'warn',
            message: `${failures} failed requests in a row; last: ${lastError?.message ?? ''}`,
            details: { failures, lastErrorAt: lastError?.at },
          };
        },
      });
    }
  },
});
