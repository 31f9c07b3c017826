import { createFakeLogger } from '@ispmonitor/core/testing';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../src/assemble.js';
import { checkMetricsExposure, isLoopback } from '../src/exporter/exposure.js';
import { parseServerConfig } from '../src/server-config.js';

const metrics = (section: Record<string, unknown>, env: Record<string, string> = {}) =>
  parseServerConfig({ metrics: section }, env).metrics;

describe('listen addresses and the metrics token', () => {
  it('binds both ports to 127.0.0.1 unless told otherwise (API_HOST, METRICS_HOST)', async () => {
    const { config } = (await readConfig(undefined, {})).loaded;
    expect(config.api.host).toBe('127.0.0.1');
    expect(config.metrics.host).toBe('127.0.0.1');
    const wide = (await readConfig(undefined, { API_HOST: '0.0.0.0', METRICS_HOST: '::' })).loaded;
    expect(wide.config.api.host).toBe('0.0.0.0');
    expect(wide.config.metrics.host).toBe('::');
  });

  it('tells loopback addresses from the others', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.88.1', '127.0.0.1.example', 'example.net']) {
      expect(isLoopback(h), h).toBe(false);
    }
  });

  it('refuses a non-loopback metrics port without a token, names both ways out, and warns when anonymous', () => {
    const logger = createFakeLogger();
    expect(() => checkMetricsExposure('0.0.0.0', metrics({}), logger)).toThrow(
      /metrics\.host: "0\.0\.0\.0".*ISPM_METRICS_TOKEN.*anonymous: true/,
    );
    // A token (from the config or ISPM_METRICS_TOKEN) or loopback: fine, nothing logged.
    checkMetricsExposure('0.0.0.0', metrics({}, { ISPM_METRICS_TOKEN: 'prometheus-scrape-token-1' }), logger);
    checkMetricsExposure('127.0.0.1', metrics({}), logger);
    expect(logger.records).toEqual([]);
    checkMetricsExposure('0.0.0.0', metrics({ anonymous: true }), logger);
    expect(logger.records).toEqual([expect.objectContaining({ level: 'warn', fields: { host: '0.0.0.0' } })]);
  });
});
