import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileRule, compileTemplate, loadRuleFile, RuleError } from '../src/index.js';
import { compileMatcher, parseSelector } from '../src/selector.js';
import { SeriesBuffer } from '../src/series.js';

describe('template engine', () => {
  const data = {
    labels: { device: 'r1', ifName: 'ether1', alertname: 'X', severity: 'critical' },
    value: 0.9312,
    threshold: 0.8,
  };
  it('renders variables and filters', () => {
    expect(compileTemplate('{{ device }} {{ labels.ifName }} at {{ value | percent }}')(data)).toBe(
      'r1 ether1 at 93.12%',
    );
    expect(compileTemplate('{{value|humanize}}')({ ...data, value: 1_234_567 })).toBe('1.235M');
    expect(compileTemplate('{{ value | bytes }}')({ ...data, value: 3 * 1024 ** 3 })).toBe('3 GiB');
    expect(compileTemplate('{{ value | duration }}')({ ...data, value: 3725 })).toBe('1h2m5s');
    expect(compileTemplate('{{ severity | upper }} over {{ threshold }}')(data)).toBe('CRITICAL over 0.8');
    expect(compileTemplate('{{ labels.missing }}|')(data)).toBe('|');
  });
  it('refuses unknown variables, filters, property walks and broken braces at compile time', () => {
    expect(() => compileTemplate('{{ process.env }}')).toThrow(/unknown variable "process.env"/);
    expect(() => compileTemplate('{{ value | shout }}')).toThrow(/unknown filter "shout"/);
    expect(() => compileTemplate('{{ labels }}')).toThrow(/labels.NAME/);
    expect(() => compileTemplate('{{ labels.a.b }}')).toThrow();
    expect(() => compileTemplate('{{ value ')).toThrow(/unclosed/);
    expect(() => compileTemplate('value }}')).toThrow(/unmatched/);
  });
});

describe('selectors', () => {
  it('parses every matcher type', () => {
    const s = parseSelector(
      'interface_in_octets_total{ifName=~"ether.*", role!="lab", site="BEY", x!~"a|b"}',
    );
    expect(s.metric).toBe('interface_in_octets_total');
    expect(s.matchers.map((m) => m.type)).toEqual(['=~', '!=', '=', '!~']);
  });
  it('rejects bad selectors', () => {
    expect(() => parseSelector('1bad')).toThrow(/bad metric name/);
    expect(() => parseSelector('m{a="b"')).toThrow(/closing/);
    expect(() => parseSelector('m{a=b}')).toThrow(/bad label matcher/);
    expect(() => parseSelector('m{a=~"("}')).toThrow(/invalid regex/);
  });
});

describe('regex matchers (RE2: linear time)', () => {
  it('match whole values as Prometheus does', () => {
    const m = compileMatcher({ name: 'ifName', type: '=~', value: 'ether[0-9]+|sfp.*' });
    expect(['ether1', 'ether12', 'sfp-sfpplus1'].map((v) => m.test(v))).toEqual([true, true, true]);
    expect(['xether1', 'ether1x', 'wlan1', undefined].map((v) => m.test(v))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(compileMatcher({ name: 'x', type: '!~', value: 'a|b' }).test('c')).toBe(true);
  });

  it("an operator's catastrophic pattern against a router-supplied value ends, with the right answer", () => {
    // (a+)+$ against a long run of a's and one other character: exponential on a backtracking
    // engine (a backtracking RegExp would not return within this test's timeout), linear here.
    const m = compileMatcher({ name: 'ifAlias', type: '=~', value: '(a+)+' });
    expect(m.test(`${'a'.repeat(20_000)}!`)).toBe(false);
    expect(m.test('a'.repeat(20_000))).toBe(true);
  });

  it('refuses what RE2 does not have (backreferences, lookaround), naming the matcher', () => {
    expect(() => compileMatcher({ name: 'ifName', type: '=~', value: '(a)\\1' })).toThrow(
      /invalid regex .* ifName/,
    );
    expect(() => compileMatcher({ name: 'ifName', type: '=~', value: '(?=a)a' })).toThrow(/invalid regex/);
  });
});

describe('series ring buffer', () => {
  const fill = (points: Array<[number, number | bigint]>, cap = 16) => {
    const b = new SeriesBuffer(cap);
    for (const [t, v] of points) b.push(t * 1000, v);
    return b;
  };
  it('computes rate and increase across a 32-bit wrap, never negative', () => {
    const b = fill([
      [0, 2 ** 32 - 1000],
      [10, 2 ** 32 - 100],
      [20, 400],
    ]);
    expect(b.evaluate('increase', 60_000, 20_000)).toBe(1400);
    expect(b.evaluate('rate', 60_000, 20_000)).toBeCloseTo(70);
  });
  it('treats a drop of a large counter as a reset (reboot): the new value counts, not a negative', () => {
    const b = fill([
      [0, 5_000_000_000n],
      [10, 5_000_001_000n],
      [20, 300n],
    ]);
    expect(b.evaluate('increase', 60_000, 20_000)).toBe(1300);
    const small = fill([
      [0, 100],
      [10, 1000],
      [20, 50],
    ]);
    // 1000 → 50 would be a wrap of ~4.29e9: implausible, so it is a reset.
    expect(small.evaluate('increase', 60_000, 20_000)).toBe(900 + 50);
  });
  it('applies window functions only over the window', () => {
    const b = fill([
      [0, 100],
      [60, 1],
      [70, 3],
      [80, 2],
    ]);
    expect(b.evaluate('avg', 30_000, 80_000)).toBe(2);
    expect(b.evaluate('max', 30_000, 80_000)).toBe(3);
    expect(b.evaluate('min', 100_000, 80_000)).toBe(1);
    expect(b.evaluate('changes', 100_000, 80_000)).toBe(3);
    expect(b.evaluate('resets', 100_000, 80_000)).toBe(2);
    expect(b.evaluate('drop_ratio', 100_000, 80_000)).toBeCloseTo(0.98);
    expect(b.evaluate('value', 1, 80_000)).toBe(2);
    expect(b.evaluate('absent', 30_000, 80_000)).toBe(0);
    expect(b.evaluate('absent', 30_000, 200_000)).toBe(1);
  });
  it('keeps memory bounded: the oldest points fall out of the ring', () => {
    const b = new SeriesBuffer(4);
    for (let i = 0; i < 100; i++) b.push(i * 1000, i);
    expect(b.size).toBe(4);
    expect(b.evaluate('min', 1e9, 99_000)).toBe(96);
    expect(b.push(50_000, 1)).toBe(false);
  });
});

describe('rule loading', () => {
  it('names the rule for a bad template, selector, threshold or duration', () => {
    expect(() =>
      compileRule(
        { name: 'Cpu', metric: 'device_cpu_load_ratio', annotations: { s: '{{ vaule }}' } },
        'rules[0]',
      ),
    ).toThrow(/alert rule "Cpu" \(rules\[0\]\): annotation s: unknown variable "vaule"/);
    expect(() => compileRule({ name: 'Sel', metric: 'x{a=~"("}' }, 'code')).toThrow(
      /alert rule "Sel" \(code\): invalid regex/,
    );
    expect(() => compileRule({ name: 'Fn', metric: 'x', fn: 'median' }, 'code')).toThrow(
      /alert rule "Fn" \(code\).*fn/,
    );
    expect(() => compileRule({ name: 'For', metric: 'x', for: 'soon' }, 'code')).toThrow(
      /alert rule "For" \(code\): for: invalid duration/,
    );
    expect(() =>
      compileRule({ name: 'Hys', metric: 'x', op: '>', threshold: 5, resolveThreshold: 6 }, 'code'),
    ).toThrow(/healthy side/);
    expect(() => compileRule({ metric: 'x' }, 'code')).toThrow(RuleError);
    // A misspelt field is an error, not a silently defaulted threshold of 0.
    expect(() => compileRule({ name: 'Typo', metric: 'x', treshold: 5 }, 'code')).toThrow(
      /alert rule "Typo".*treshold/,
    );
  });
  it('loads YAML rule files and points at the file and line of a bad rule', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'alerts-rules-'));
    try {
      const good = join(dir, 'good.yaml');
      await writeFile(
        good,
        'groups:\n  - name: core\n    rules:\n      - alert: HighCpu\n        metric: device_cpu_load_ratio{role="core"}\n        fn: avg\n        window: 5m\n        op: ">"\n        threshold: 0.9\n        resolve_threshold: 0.8\n        keep_firing_for: 2m\n        annotations:\n          summary: "CPU {{ value | percent }} on {{ device }}"\n',
      );
      const [rule] = await loadRuleFile(good);
      expect(rule?.name).toBe('HighCpu');
      expect(rule?.keepFiringForMs).toBe(120_000);
      expect(rule?.holds(0.85)).toBe(true);
      expect(rule?.breach(0.85)).toBe(false);
      const bad = join(dir, 'bad.yaml');
      await writeFile(
        bad,
        'rules:\n  - alert: Fine\n    metric: device_up\n  - alert: Broken\n    metric: device_up\n    annotations:\n      summary: "{{ value | nope }}"\n',
      );
      await expect(loadRuleFile(bad)).rejects.toThrow(
        new RegExp(`alert rule "Broken" \\(${bad}:4\\).*unknown filter "nope"`),
      );
      const notYaml = join(dir, 'broken.yaml');
      await writeFile(notYaml, 'rules: [\n');
      await expect(loadRuleFile(notYaml)).rejects.toThrow(/broken.yaml/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
