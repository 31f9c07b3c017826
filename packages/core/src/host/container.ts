import { type DependencyContainer, instanceCachingFactory, container as rootContainer } from 'tsyringe';
import { ErrorCodes, monitorError } from '../errors.js';
import type { Provider, ResolveContext, Token } from '../types.js';

/**
 * One tsyringe child container per monitor (never the global one), with the small surface
 * plugins use: provide a value or a factory, resolve one, resolve all. Records who provided what.
 */
export class MonitorContainer implements ResolveContext {
  readonly #container: DependencyContainer = rootContainer.createChildContainer();
  readonly #provided = new Map<string, string[]>();

  provide<T>(token: Token<T>, provider: Provider<T>, by = 'core'): void {
    if (typeof provider === 'function') {
      const factory = provider as (ctx: ResolveContext) => T;
      this.#container.register(token, { useFactory: instanceCachingFactory(() => factory(this)) });
    } else {
      this.#container.register(token, { useValue: provider });
    }
    const list = this.#provided.get(by) ?? [];
    list.push(token.description ?? 'token');
    this.#provided.set(by, list);
  }

  has(token: Token<unknown>): boolean {
    return this.#container.isRegistered(token, true);
  }

  /** The last provider of a token. */
  resolve<T>(token: Token<T>): T {
    if (!this.has(token)) {
      throw monitorError(
        ErrorCodes.TOKEN_NOT_PROVIDED,
        `nothing provides ${token.description ?? 'this token'}: add the plugin that provides it`,
      );
    }
    return this.#container.resolve<T>(token);
  }

  /** Every provider of a token, in registration order; empty when none. */
  resolveAll<T>(token: Token<T>): T[] {
    return this.has(token) ? this.#container.resolveAll<T>(token) : [];
  }

  /** Token names each plugin provided. */
  providedBy(plugin: string): string[] {
    return [...(this.#provided.get(plugin) ?? [])];
  }

  dispose(): void {
    this.#container.clearInstances();
    this.#container.reset();
  }
}
