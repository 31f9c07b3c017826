/**
 * `@ispmonitor/plugin-remote-write`: samples to Prometheus-compatible time-series databases by
 * remote write 1.0, and a PromQL reader that answers the server's chart queries from them.
 */

export { REMOTE_WRITE_CONFIG, RemoteWriteErrorCodes, RemoteWriteErrors } from './errors.js';
export { parseRetryAfter } from './http.js';
export { labelName, metricName, seriesLabels } from './labels.js';
export type { RemoteWriteMetrics } from './metrics.js';
export {
  optionsSchema,
  RESERVED_HEADERS,
  type RemoteWriteOptions,
  type RemoteWriteOptionsInput,
  type RemoteWriteTarget,
  targetName,
  targetSchema,
} from './options.js';
export { remoteWrite } from './plugin.js';
export {
  PromClient,
  type PromQueryTarget,
  type PromSeries,
  promDuration,
  promString,
  selector,
} from './promql/client.js';
export { PromSampleQuery, type PromSampleQueryOptions } from './promql/sample-query.js';
export {
  decodeWriteRequest,
  encodeWriteRequest,
  type WireLabel,
  type WireSample,
  type WireSeries,
} from './proto.js';
export { TargetSink, type TargetState } from './target.js';
export { VERSION } from './version.js';
