/**
 * A tiny, safe template engine for annotations: `{{ path | filter }}` and nothing else. Templates
 * are compiled when rules load, so an unknown variable or filter is an error at load (naming the
 * rule), never at evaluation. No `eval`, no property access beyond the known roots.
 */
import { formatDuration, MonitorError } from '@ispmonitor/core';
import { AlertsErrors } from './errors.js';

/** What a template can read. */
export interface TemplateData {
  labels: Record<string, string>;
  value: number | undefined;
  threshold: number | undefined;
}

type Part = string | ((data: TemplateData) => string);
/** A compiled template: call it with data, get text. */
export type Template = (data: TemplateData) => string;

const ROOTS = new Set(['value', 'threshold', 'labels', 'device', 'alertname', 'severity']);

/** Divides `v` by `base` while it is that large and a bigger unit is left; the number and its unit. */
function scaled(v: number, base: number, units: readonly string[]): string {
  let i = 0;
  let n = v;
  while (Math.abs(n) >= base && i < units.length - 1) {
    n /= base;
    i++;
  }
  return `${Number(n.toPrecision(4))}${units[i]}`;
}

function humanize(v: number): string {
  const abs = Math.abs(v);
  if (abs !== 0 && abs < 1) return Number(v.toPrecision(3)).toString();
  return scaled(v, 1000, ['', 'k', 'M', 'G', 'T', 'P']);
}

function bytes(v: number): string {
  return scaled(v, 1024, [' B', ' KiB', ' MiB', ' GiB', ' TiB', ' PiB']);
}

/** Filters take the value (string or number) and return text. */
const FILTERS: Record<string, (v: string | number | undefined) => string> = {
  humanize: (v) => (typeof v === 'number' ? humanize(v) : String(v ?? '')),
  bytes: (v) => (typeof v === 'number' ? bytes(v) : String(v ?? '')),
  percent: (v) => (typeof v === 'number' ? `${Number((v * 100).toPrecision(4))}%` : String(v ?? '')),
  duration: (v) => (typeof v === 'number' ? formatDuration(v * 1000) : String(v ?? '')),
  round: (v) => (typeof v === 'number' ? String(Math.round(v)) : String(v ?? '')),
  upper: (v) => String(v ?? '').toUpperCase(),
  lower: (v) => String(v ?? '').toLowerCase(),
};

/** Thrown for a template that cannot compile; the message says what and where. */
export class TemplateError extends MonitorError {
  override readonly name: string = 'TemplateError';
  constructor(message: string) {
    const spec = AlertsErrors.TEMPLATE_INVALID;
    super(spec.code, message, { plugin: 'alerts', status: spec.status });
  }
}

function compileExpression(expr: string, source: string): (data: TemplateData) => string {
  const [head = '', ...filterNames] = expr.split('|').map((s) => s.trim());
  const path = head.split('.');
  const root = path[0] ?? '';
  if (!ROOTS.has(root) || !/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(head)) {
    throw new TemplateError(
      `unknown variable "${head}" in template "${source}" (use value, threshold, device, alertname, severity or labels.NAME)`,
    );
  }
  if (root === 'labels' && path.length !== 2) {
    throw new TemplateError(`"${head}" in template "${source}": write labels.NAME`);
  }
  if (root !== 'labels' && path.length !== 1) {
    throw new TemplateError(`"${head}" in template "${source}": ${root} has no fields`);
  }
  const filters = filterNames.map((name) => {
    const fn = FILTERS[name];
    if (!fn) {
      throw new TemplateError(
        `unknown filter "${name}" in template "${source}" (known: ${Object.keys(FILTERS).join(', ')})`,
      );
    }
    return fn;
  });
  const read = (d: TemplateData): string | number | undefined => {
    if (root === 'value') return d.value;
    if (root === 'threshold') return d.threshold;
    if (root === 'labels') return d.labels[path[1] as string];
    return d.labels[root];
  };
  return (d) => {
    let v: string | number | undefined = read(d);
    for (const f of filters) v = f(v);
    if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
    return v ?? '';
  };
}

/** Compiles a template; throws a TemplateError for unknown variables, filters or unclosed braces. */
export function compileTemplate(source: string): Template {
  const parts: Part[] = [];
  let rest = source;
  for (;;) {
    const open = rest.indexOf('{{');
    if (open < 0) {
      if (rest.includes('}}')) throw new TemplateError(`unmatched "}}" in template "${source}"`);
      if (rest) parts.push(rest);
      break;
    }
    const close = rest.indexOf('}}', open + 2);
    if (close < 0) throw new TemplateError(`unclosed "{{" in template "${source}"`);
    if (open > 0) parts.push(rest.slice(0, open));
    parts.push(compileExpression(rest.slice(open + 2, close).trim(), source));
    rest = rest.slice(close + 2);
  }
  if (parts.every((p) => typeof p === 'string')) {
    const text = parts.join('');
    return () => text;
  }
  return (data) => {
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p(data);
    return out;
  };
}
