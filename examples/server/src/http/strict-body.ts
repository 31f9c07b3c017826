import type { FastifyInstance } from 'fastify';
import { HttpError, ServerErrors } from './errors.js';

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: unknown;
};

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function accepts(schema: JsonSchema, v: unknown): boolean {
  if (!schema.type) return true;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const t = typeOf(v);
  return types.includes(t) || (t === 'integer' && types.includes('number'));
}

/** The first field (two levels deep) whose JSON type differs from the schema's, as `body/a/b`. */
function wrongType(schema: JsonSchema, value: unknown, path: string, depth: number): string | undefined {
  if (!schema.properties || !value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  for (const [key, sub] of Object.entries(schema.properties)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    if (!accepts(sub, v)) return `${path}/${key} must be ${[sub.type].flat().join(' or ')}, not ${typeOf(v)}`;
    if (depth > 0) {
      const inner = wrongType(sub, v, `${path}/${key}`, depth - 1);
      if (inner) return inner;
    }
  }
  return undefined;
}

/**
 * Query strings need type coercion (`?page=2` is text), so the validator coerces; for JSON bodies
 * that would turn `{"port": "80"}` or `{"enabled": 1}` into valid input. This hook runs before
 * validation and refuses a body field whose JSON type is not the declared one.
 */
export function strictBodies(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const schema = request.routeOptions.schema?.body as JsonSchema | undefined;
    if (!schema || request.body === undefined) return;
    const problem = wrongType(schema, request.body, 'body', 1);
    if (problem) throw new HttpError(ServerErrors.BAD_REQUEST, problem);
  });
}
