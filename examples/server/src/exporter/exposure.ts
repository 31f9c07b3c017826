import { ErrorCodes, type Logger, monitorError } from '@ispmonitor/core';
import type { ServerConfig } from '../server-config.js';

/** Whether a listen address is reachable from this machine only. */
export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * The metrics port lists every router's address and labels (`/sd/devices`) and the fleet's
 * state: on an address other machines reach it needs a token, unless the operator says
 * `server.metrics.anonymous: true` (then a warning at every start). Throws a config error naming
 * both ways out.
 */
export function checkMetricsExposure(host: string, metrics: ServerConfig['metrics'], logger: Logger): void {
  if (isLoopback(host) || metrics.token) return;
  if (metrics.anonymous) {
    logger.warn('metrics port open without a token on a non-loopback address (server.metrics.anonymous)', {
      host,
    });
    return;
  }
  throw monitorError(
    ErrorCodes.CONFIG_INVALID,
    `metrics.host: "${host}" is not a loopback address and the metrics port has no token: set ` +
      'server.metrics.token (env ISPM_METRICS_TOKEN) and give it to Prometheus, or set ' +
      'server.metrics.anonymous: true to serve it to anyone who reaches it',
  );
}
