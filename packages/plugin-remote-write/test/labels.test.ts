import { catalog } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';
import { labelName, metricName, readBackLabels, seriesLabels, wireSeries } from '../src/labels.js';

const wire = (name: string, labels: Record<string, string>, external: Record<string, string> = {}) =>
  Object.fromEntries(seriesLabels(name, labels, external).map((l) => [l.name, l.value]));

describe('name and label sanitising (the README table)', () => {
  it.each([
    ['interface_in_octets_total', 'interface_in_octets_total'],
    ['ns:rule_name', 'ns:rule_name'],
    ['cpu.load-1m', 'cpu_load_1m'],
    ['1st_metric', '_1st_metric'],
    ['température', 'temp_rature'],
    ['', '_'],
  ])('metric name %j → %j', (raw, out) => expect(metricName(raw)).toBe(out));

  // The rule of the server's /metrics/devices (examples/server/src/exporter/device-metrics.ts).
  it.each([
    ['ifName', 'if_name'],
    ['if_name', 'if_name'],
    ['ifHCInOctets', 'if_hcin_octets'],
    ['Zone', 'zone'],
    ['if:name', 'if_name'],
    ['sensor-id', 'sensor_id'],
    ['9lives', 'l_9lives'],
    ['__meta', 'l___meta'],
    ['_private', '_private'],
    ['_9', '_9'],
    ['', '_'],
  ])('label name %j → %j', (raw, out) => expect(labelName(raw)).toBe(out));

  it('sorts labels by name in byte order, with __name__ among them', () => {
    const labels = seriesLabels('m', { device: 'r1', Zone: 'a', ifName: 'ether1', _9: 'x' }, {});
    expect(labels.map((l) => l.name)).toEqual(['_9', '__name__', 'device', 'if_name', 'zone']);
  });

  it('keeps values as they are, leaves empty ones out, ignores a __name__ label', () => {
    expect(wire('m', { device: 'r1', descr: 'Ünïcødé "q" \\n', empty: '', __name__: 'other' })).toEqual({
      __name__: 'm',
      device: 'r1',
      descr: 'Ünïcødé "q" \\n',
    });
  });

  it('joins the values of labels that sanitise to one name, in name order', () => {
    expect(wire('m', { 'a-b': '2', a_b: '1', 'a.b': '3' })).toEqual({ __name__: 'm', a_b: '2;3;1' });
    expect(wire('m', { ifName: 'b', if_name: 'a' })).toEqual({ __name__: 'm', if_name: 'b;a' });
  });

  it('adds external labels the series lacks; its own value wins', () => {
    expect(wire('m', { device: 'r1', site: 'BEY' }, { site: 'ignored', cluster: 'eu-1' })).toEqual({
      __name__: 'm',
      cluster: 'eu-1',
      device: 'r1',
      site: 'BEY',
    });
  });
});

describe('the send path (wireSeries)', () => {
  it('gives the labels of seriesLabels, and one hash whatever the key order', () => {
    const cases: Array<[string, Record<string, string>, Record<string, string>]> = [
      ['interface_in_octets_total', { device: 'r1', ifName: 'ether1', Site: 'BEY' }, {}],
      ['m', { ifName: 'x', device: 'r1', empty: '', __name__: 'n' }, { cluster: 'eu', device: 'ignored' }],
      ['m', { 'a-b': '2', a_b: '1' }, {}],
    ];
    for (const [name, labels, external] of cases) {
      const a = wireSeries(name, labels, external);
      expect(a.labels).toEqual(seriesLabels(name, labels, external));
      const reversed = Object.fromEntries(Object.entries(labels).reverse());
      expect(wireSeries(name, reversed, external).hash).toBe(a.hash);
    }
    expect(wireSeries('m', { device: 'r1' }, {}).hash).not.toBe(wireSeries('m', { device: 'r2' }, {}).hash);
  });
});

describe('reading back (readBackLabels)', () => {
  it('gives the catalogue labels and the asked ones their sample names again; others stay as written', () => {
    expect(readBackLabels({ device: 'r1', if_name: 'ether1', site: 'BEY', vrf_name: 'x' })).toEqual({
      device: 'r1',
      ifName: 'ether1',
      site: 'BEY',
      vrf_name: 'x',
    });
    expect(readBackLabels({ device: 'r1', vrf_name: 'x' }, ['vrfName', 'device'])).toEqual({
      device: 'r1',
      vrfName: 'x',
    });
  });

  it('reads back every catalogue label name it wrote', () => {
    for (const def of Object.values(catalog)) {
      for (const k of ['device', ...def.labels]) {
        expect(readBackLabels({ [labelName(k)]: 'v' })).toEqual({ [k]: 'v' });
      }
    }
  });
});
