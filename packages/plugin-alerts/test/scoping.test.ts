/**
 * Rules are scoped like everything else (issue 20, point 6): a device-status rule takes the label
 * matchers metric rules take, and an option a rule's kind does not read is an error naming the
 * rule and the option instead of being ignored.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AlertsErrors, compileRule, compileTemplate, RuleError, TemplateError } from '../src/index.js';
import { baseOptions, type Harness, harness } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const devices = [
  { id: 'core-1', host: '127.0.0.1', driver: 'test', labels: { site: 'north', role: 'core' } },
  { id: 'cpe-1', host: '127.0.0.1', driver: 'test', labels: { site: 'north', role: 'cpe' } },
  { id: 'core-2', host: '127.0.0.1', driver: 'test', labels: { site: 'south', role: 'core' } },
];

describe('device-status rules take label matchers', () => {
  it('alerts only for the devices the matchers select (device labels and the device id)', async () => {
    h = await harness(
      baseOptions({
        rules: [
          { name: 'CoreDown', kind: 'device_status', matchers: '{role="core",site=~"n.*"}' },
          { name: 'OneDown', kind: 'device_status', matchers: [{ name: 'device', value: 'cpe-1' }] },
        ],
      }),
      { devices },
    );
    for (const d of devices) h.status(d.id, 'unreachable');
    const firing = h.api.list({ state: 'firing' }).map((a) => `${a.rule}:${a.labels.device}`);
    expect(firing.sort()).toEqual(['CoreDown:core-1', 'OneDown:cpe-1']);
  });

  it("a device's alert resolves once the device leaves the rule's matchers", async () => {
    h = await harness(
      baseOptions({ rules: [{ name: 'CoreDown', kind: 'device_status', matchers: '{role="core"}' }] }),
      {
        devices,
      },
    );
    h.status('core-1', 'unreachable');
    expect(h.api.list({ state: 'firing' }).map((a) => a.labels.device)).toEqual(['core-1']);
    const moved = { id: 'core-1', host: '127.0.0.1', driver: 'test', labels: { site: 'north', role: 'cpe' } };
    h.monitor.bus.emit('device:status', {
      device: moved,
      previous: 'unreachable',
      status: 'unreachable',
      ts: h.clock.now(),
    });
    expect(h.api.list({ state: 'firing' })).toEqual([]);
  });

  it('a metric rule takes matchers on top of its selector', async () => {
    h = await harness(
      baseOptions({
        rules: [{ name: 'HotCpu', metric: 'cpu{unit="0"}', matchers: '{site="north"}', threshold: 0.5 }],
      }),
    );
    h.samples('a', [{ name: 'cpu', value: 0.9, labels: { unit: '0', site: 'north' } }]);
    h.samples('b', [{ name: 'cpu', value: 0.9, labels: { unit: '0', site: 'south' } }]);
    h.samples('c', [{ name: 'cpu', value: 0.9, labels: { unit: '1', site: 'north' } }]);
    expect(h.api.list({ state: 'firing' }).map((a) => a.labels.device)).toEqual(['a']);
  });
});

describe('an option the rule kind ignores is an error naming the rule and the option', () => {
  it.each([
    [
      { name: 'Down', kind: 'device_status', metric: 'up{site="x"}' },
      /"Down".*"metric" does not apply to a device_status rule.*matchers/,
    ],
    [
      { name: 'Down', kind: 'device_status', threshold: 1, op: '<' },
      /"Down".*"op", "threshold" do not apply to a device_status rule/,
    ],
    [{ name: 'Hot', metric: 'cpu', status: ['offline'] }, /"Hot".*"status" does not apply to a metric rule/],
    [
      { name: 'Busy', kind: 'monitor', matchers: '{a="b"}' },
      /"Busy".*"matchers" does not apply to a monitor rule/,
    ],
    [
      { name: 'Busy', kind: 'monitor', deviceDown: true },
      /"Busy".*"deviceDown" does not apply to a monitor rule/,
    ],
  ])('%j', (rule, message) => {
    expect(() => compileRule(rule, 'rules[0]')).toThrow(message);
    expect(() => compileRule(rule, 'rules[0]')).toThrow(RuleError);
  });

  it('a bad matcher names the rule', () => {
    expect(() =>
      compileRule({ name: 'Down', kind: 'device_status', matchers: '{a=~"("}' }, 'x.yaml:3'),
    ).toThrow(/alert rule "Down" \(x\.yaml:3\): invalid regex/);
  });

  it('the options each kind reads still load', () => {
    for (const rule of [
      {
        name: 'A',
        kind: 'device_status',
        status: ['offline'],
        for: '1m',
        keepFiringFor: '1m',
        deviceDown: true,
      },
      { name: 'B', kind: 'monitor', for: '1m', severity: 'warning', labels: { team: 'noc' } },
      { name: 'C', metric: 'x', fn: 'rate', window: '1m', op: '<', threshold: 1, resolveThreshold: 2 },
    ])
      expect(compileRule(rule, 'code').name).toBe(rule.name);
  });
});

describe("the plugin's errors", () => {
  it('a bad template is a TemplateError with its code; in a rule, a RuleError naming the rule', () => {
    expect(() => compileTemplate('{{ nope }}')).toThrow(TemplateError);
    try {
      compileTemplate('{{ nope }}');
    } catch (err) {
      expect([(err as TemplateError).code, (err as TemplateError).status]).toEqual([
        AlertsErrors.TEMPLATE_INVALID.code,
        400,
      ]);
    }
    expect(() => compileRule({ name: 'T', metric: 'x', annotations: { s: '{{ nope }}' } }, 'code')).toThrow(
      /alert rule "T" \(code\): annotation s: unknown variable "nope"/,
    );
  });
});
