/**
 * Turns a JSON Schema (from zod 4's `z.toJSONSchema`) into a Markdown table of fields: option
 * path, type, default, description. Nested objects are flattened to dotted paths (`pool.max`),
 * array items to `[]` (`receivers[].webhook[].url`); a recursive `$ref` is named, not expanded.
 */

import { hostname } from 'node:os';

const esc = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * A Markdown table with every column padded to its widest cell, as Biome formats Markdown, so
 * `npm run lint` accepts the generated pages as they are.
 */
function aligned(head, rows) {
  const len = (cell) => [...cell].length;
  const widths = head.map((h, i) => Math.max(len(h), 3, ...rows.map((r) => len(r[i]))));
  const line = (cells) => `| ${cells.map((c, i) => c + ' '.repeat(widths[i] - len(c))).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Follows a local `$ref` (`#/$defs/x`) into `defs`; returns the schema and the ref's name. */
function deref(schema, defs) {
  if (!schema?.$ref) return { schema, ref: undefined };
  const name = schema.$ref.replace(/^#\/\$defs\//, '');
  return { schema: { ...defs[name], ...schema, $ref: undefined }, ref: name };
}

/** A short type: `string`, `'a' \| 'b'`, `number \| string`, `string[]`, `object`. */
export function typeOf(schema, defs, seen = new Set()) {
  if (!schema || Object.keys(schema).length === 0) return 'any';
  // A type that contains itself (a route with child routes) is named after the first level.
  if (schema.$ref && seen.has(schema.$ref)) return 'object';
  const { schema: s } = deref(schema, defs);
  if (schema.$ref) seen = new Set([...seen, schema.$ref]);
  if (s.const !== undefined) return JSON.stringify(s.const).replace(/"/g, "'");
  if (s.enum) return s.enum.map((v) => JSON.stringify(v).replace(/"/g, "'")).join(' | ');
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return [...new Set(alts.map((a) => typeOf(a, defs, seen)))].join(' | ');
  const t = Array.isArray(s.type) ? s.type.join(' | ') : s.type;
  if (t === 'array') {
    const item = typeOf(s.items, defs, seen);
    return item.includes(' ') ? `(${item})[]` : `${item}[]`;
  }
  if (t === 'integer') return 'integer';
  if (t === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') {
    return `record of ${typeOf(s.additionalProperties, defs, seen)}`;
  }
  return t ?? 'any';
}

/**
 * A default computed from the machine at import time (a replica named `<hostname>-<pid>`) is
 * written as the placeholder, so the page is the same wherever it is generated.
 */
function machineFree(text) {
  return text.replaceAll(hostname(), '<hostname>').replaceAll(String(process.pid), '<pid>');
}

function defaultOf(s, required) {
  if (s.default !== undefined) {
    const d = machineFree(JSON.stringify(s.default));
    return `\`${d.length > 60 ? `${d.slice(0, 57)}…` : d}\``;
  }
  return required ? '**required**' : '—';
}

/** The object schema to descend into, if any (directly, or the one object alternative of anyOf). */
function objectOf(s) {
  if (s.type === 'object' && s.properties) return s;
  const alts = (s.anyOf ?? s.oneOf ?? []).filter((a) => a.type === 'object' && a.properties);
  return alts.length === 1 ? alts[0] : undefined;
}

function arrayItemObject(s, defs) {
  const arr = s.type === 'array' ? s : (s.anyOf ?? []).find((a) => a.type === 'array');
  if (!arr?.items) return {};
  const { schema: item, ref } = deref(arr.items, defs);
  return { obj: objectOf(item), ref };
}

/**
 * Renders the fields of an object schema. `docOf(path)` gives a description from the sources when
 * the schema has none. Returns the table, the number of fields and the paths left undescribed.
 */
export function renderTable(json, docOf, prefix = '') {
  const defs = json.$defs ?? {};
  const rows = [];
  const undocumented = [];
  const seenRefs = new Set();
  const walk = (objSchema, path, label) => {
    const required = new Set(objSchema.required ?? []);
    for (const [key, raw] of Object.entries(objSchema.properties ?? {})) {
      const { schema: s, ref } = deref(raw, defs);
      const fieldPath = [...path, key];
      const name = `${label}${label ? '.' : ''}${key}`;
      const description = s.description ?? docOf(fieldPath) ?? '';
      if (!description) undocumented.push(name);
      const recursive = ref && seenRefs.has(ref);
      const type = recursive ? `${ref === '__schema0' ? key : ref} (same shape, nested)` : typeOf(s, defs);
      rows.push([
        `\`${esc(name)}\``,
        esc(type),
        esc(defaultOf(s, required.has(key))),
        esc(description || '—'),
      ]);
      if (recursive) continue;
      if (ref) seenRefs.add(ref);
      const obj = objectOf(s);
      if (obj) walk(obj, fieldPath, name);
      const item = arrayItemObject(s, defs);
      if (item.obj && !(item.ref && seenRefs.has(item.ref))) {
        if (item.ref) seenRefs.add(item.ref);
        walk(item.obj, fieldPath, `${name}[]`);
        if (item.ref) seenRefs.delete(item.ref);
      }
      if (ref) seenRefs.delete(ref);
    }
  };
  walk(objectOf(json) ?? json, [], prefix);
  return {
    text: aligned(['option', 'type', 'default', 'description'], rows),
    fields: rows.length,
    undocumented,
  };
}
