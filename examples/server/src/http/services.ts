import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from '../server-config.js';
import type { ServerContext } from '../server-context.js';

/** The server's services as route plugins read them: the context, with `config` as `serverConfig`. */
export interface ServerServices extends Omit<ServerContext, 'config'> {
  /** The validated `server` config section. */
  serverConfig: ServerConfig;
}

declare module 'fastify' {
  /** What every route plugin reads from its instance: set once at the root by `decorateServices`. */
  interface FastifyInstance extends ServerServices {}
}

/**
 * Decorates the root instance with the server's services, so every route plugin registered below
 * it (each in its own encapsulated scope) reads `app.monitor`, `app.accounts`… instead of taking
 * a context parameter. Called once, before any route plugin is registered.
 */
export function decorateServices(app: FastifyInstance, ctx: ServerContext): void {
  app.decorate('monitor', ctx.monitor);
  app.decorate('devices', ctx.devices);
  app.decorate('serverConfig', ctx.config);
  app.decorate('accounts', ctx.accounts);
  app.decorate('audit', ctx.audit);
  app.decorate('license', ctx.license);
  app.decorate('inventory', ctx.inventory);
  app.decorate('facts', ctx.facts);
  app.decorate('alerts', ctx.alerts);
  app.decorate('store', () => ctx.store());
  app.decorate('samples', () => ctx.samples());
  app.decorate('recentErrors', ctx.recentErrors);
  app.decorate('security', ctx.security);
  app.decorate('persistentState', ctx.persistentState);
}
