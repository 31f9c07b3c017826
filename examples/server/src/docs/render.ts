/**
 * The OpenAPI document as one readable HTML page, rendered on the server: no script, no CDN, every
 * text escaped. Operations are grouped by tag, each with its parameters, request body and
 * responses; schemas are shown as indented JSON inside `<details>` (long ones stay folded).
 */

/** The parts of an OpenAPI 3 document this page reads (everything else is ignored). */
interface OpenApiDoc {
  info?: { title?: string; version?: string; description?: string };
  components?: {
    securitySchemes?: Record<
      string,
      { type?: string; scheme?: string; in?: string; name?: string; description?: string }
    >;
  };
  paths?: Record<string, Record<string, Operation | undefined>>;
}
interface Parameter {
  name?: string;
  in?: string;
  required?: boolean;
  description?: string;
  schema?: Record<string, unknown>;
}
interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head'] as const;

/** Escapes text for HTML content and attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const anchor = (s: string) =>
  s
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();

/** A schema as indented JSON, folded when long. */
function schemaBlock(label: string, schema: unknown): string {
  if (schema === undefined) return '';
  const json = JSON.stringify(schema, null, 2) ?? '';
  const open = json.split('\n').length <= 12 ? ' open' : '';
  return `<details${open}><summary>${esc(label)}</summary><pre>${esc(json)}</pre></details>`;
}

/** A parameter's type in a few words: `string`, `integer ≤ 1000`, `one of a, b`. */
function typeOf(schema: Record<string, unknown> | undefined): string {
  if (!schema) return '';
  const parts = [String(schema.type ?? '')];
  if (Array.isArray(schema.enum)) parts.push(`one of ${schema.enum.map(String).join(', ')}`);
  if (schema.default !== undefined) parts.push(`default ${JSON.stringify(schema.default)}`);
  if (typeof schema.maximum === 'number') parts.push(`≤ ${schema.maximum}`);
  return parts.filter(Boolean).join(', ');
}

function operation(method: string, path: string, op: Operation): string {
  const id = anchor(`${method} ${path}`);
  const params = (op.parameters ?? [])
    .map(
      (p) =>
        `<tr><td><code>${esc(p.name)}</code>${p.required ? ' <span class="req">required</span>' : ''}</td>` +
        `<td>${esc(p.in)}</td><td>${esc(typeOf(p.schema))}</td><td>${esc(p.description ?? p.schema?.description ?? '')}</td></tr>`,
    )
    .join('');
  const body = Object.entries(op.requestBody?.content ?? {})
    .map(([type, c]) => schemaBlock(`Request body (${type})`, c.schema))
    .join('');
  const responses = Object.entries(op.responses ?? {})
    .map(([code, r]) => {
      const schemas = Object.entries(r.content ?? {})
        .map(([type, c]) => schemaBlock(type, c.schema))
        .join('');
      return `<li><strong>${esc(code)}</strong> ${esc(r.description ?? '')}${schemas}</li>`;
    })
    .join('');
  return `<article class="op" id="${esc(id)}">
<h3><span class="method ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
${op.summary ? `<p class="summary">${esc(op.summary)}</p>` : ''}${op.description ? `<p>${esc(op.description)}</p>` : ''}
${params ? `<table><thead><tr><th>Parameter</th><th>In</th><th>Type</th><th>Description</th></tr></thead><tbody>${params}</tbody></table>` : ''}
${body}${responses ? `<h4>Responses</h4><ul class="responses">${responses}</ul>` : ''}
</article>`;
}

/** The whole page. */
export function renderApiDocs(doc: OpenApiDoc): string {
  const byTag = new Map<string, string[]>();
  let count = 0;
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item?.[method];
      if (!op) continue;
      count++;
      const tag = op.tags?.[0] ?? 'other';
      const list = byTag.get(tag) ?? [];
      list.push(operation(method, path, op));
      byTag.set(tag, list);
    }
  }
  const tags = [...byTag.keys()].sort((a, b) => a.localeCompare(b));
  const auth = Object.entries(doc.components?.securitySchemes ?? {})
    .map(
      ([name, s]) =>
        `<li><strong>${esc(name)}</strong>: ${esc(s.description ?? [s.type, s.scheme ?? s.in, s.name].filter(Boolean).join(' '))}</li>`,
    )
    .join('');
  const title = `${doc.info?.title ?? 'API'} ${doc.info?.version ?? ''}`.trim();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark light"><title>${esc(title)} · API docs</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml"><script src="/theme-init.js"></script>
<style>${CSS}</style></head>
<body><header><a href="/">← ISP Monitor</a><h1>${esc(title)}</h1>
<p>${count} operations. Every route needs credentials: a session (this browser's login) or an API key.
The machine-readable document is <a href="/api/openapi.json">/api/openapi.json</a>.</p>
${auth ? `<ul>${auth}</ul>` : ''}
<nav aria-label="Tags">${tags.map((t) => `<a href="#${esc(anchor(`tag ${t}`))}">${esc(t)}</a>`).join(' ')}</nav></header>
<main>${tags.map((t) => `<section id="${esc(anchor(`tag ${t}`))}"><h2>${esc(t)}</h2>${(byTag.get(t) ?? []).join('\n')}</section>`).join('\n')}</main>
</body></html>`;
}

// The UI's palette (theme.css): dark by default, light from the system or the stored choice.
const CSS = `
:root{color-scheme:dark;--bg:#0d1117;--surface:#151b23;--border:#2b3440;--text:#e6edf3;--muted:#9ba8b5;--accent:#58a6ff;--ok:#56d364;--warn:#e3b341;--bad:#ff7b72}
@media (prefers-color-scheme:light){:root:not([data-theme=dark]){color-scheme:light;--bg:#f4f6f9;--surface:#fff;--border:#d5dbe3;--text:#1a2230;--muted:#505c6b;--accent:#0a5bd3;--ok:#116329;--warn:#7a4e00;--bad:#a40e26}}
:root[data-theme=light]{color-scheme:light;--bg:#f4f6f9;--surface:#fff;--border:#d5dbe3;--text:#1a2230;--muted:#505c6b;--accent:#0a5bd3;--ok:#116329;--warn:#7a4e00;--bad:#a40e26}
body{margin:0;background:var(--bg);color:var(--text);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header,main{max-width:1100px;margin:0 auto;padding:16px}
a{color:var(--accent)}nav a{display:inline-block;margin:2px 10px 2px 0}
h2{border-bottom:1px solid var(--border);padding-bottom:4px;margin-top:32px;text-transform:capitalize}
.op{background:var(--surface);border:1px solid var(--border);border-radius:10px;padding:12px 16px;margin:12px 0;overflow-wrap:anywhere}
.op h3{margin:0;font-size:1rem}.summary{margin:6px 0;font-weight:600}
.method{display:inline-block;min-width:4.5em;font:700 .8rem ui-monospace,monospace;color:var(--ok)}
.method.post,.method.put,.method.patch{color:var(--warn)}.method.delete{color:var(--bad)}
code,pre{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.85rem}
pre{background:var(--bg);border:1px solid var(--border);border-radius:6px;padding:8px;overflow:auto;max-height:420px}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{text-align:left;border-bottom:1px solid var(--border);padding:4px 8px;vertical-align:top}
th{color:var(--muted);font-weight:600}.req{color:var(--bad);font-size:.8rem}
summary{cursor:pointer;color:var(--muted)}.responses{padding-left:18px}
@media (max-width:600px){table,tbody,tr,td{display:block}thead{display:none}td{border:0;padding:2px 0}tr{border-bottom:1px solid var(--border);padding:4px 0}}
`;
