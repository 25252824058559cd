/**
 * The routes the API's Nest controllers declare, read from their decorators without starting
 * anything. Jest names its tests before any `beforeAll` runs, so the authorization matrix needs
 * the route list synchronously to give each route and role a test of its own; this walks the
 * module graph of `AppModule.forRoot` (the options are only carried, never used, when the module
 * is described) and reads Nest's path and method metadata. The matrix checks this list against
 * the routes the running app registered, and exercises any route registered outside a Nest
 * controller in a test of its own, so a gap here cannot hide a route.
 */
import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import type { Logger } from 'pino';
import type { PaymentServices } from '../../apps/api/src/payments/shared';
import type { Platform } from '@kob/platform';
import type { ProofServices } from '../../apps/api/src/proofs/shared';
import { AppModule } from '../../apps/api/src/app.module';
import type { RequestBudgets } from '../../apps/api/src/http/rate-limits';
import { DISPATCHES_METADATA } from '../../apps/api/src/http/dispatches.decorator';

export interface DeclaredRoute {
  method: string;
  /** Fastify syntax, as the app registers it: `/users/:id`. */
  url: string;
  controller: string;
  /** The commands or queries the route declares it sends (`@Dispatches`). */
  dispatches: Type[];
}

/** A module graph is small; a bound on the walk in case of a cycle the `seen` set misses. */
const MODULES_MAX = 1000;

type ModuleRef =
  Type | { module: Type; imports?: unknown[]; controllers?: Type[]; providers?: unknown[] };

/** Every route of every controller reachable from `AppModule.forRoot`, sorted. */
export function controllerRoutes(): DeclaredRoute[] {
  const routes = [...appModuleGraph().controllers].flatMap(routesOf);
  return routes.sort((a, b) => `${a.url} ${a.method}`.localeCompare(`${b.url} ${b.method}`));
}

/** The controllers and the provider classes of every module reachable from `AppModule.forRoot`. */
export function appModuleGraph(): { controllers: Set<Type>; providers: Set<Type> } {
  const root = AppModule.forRoot({
    platform: {} as Platform,
    logger: {} as Logger,
    payments: {} as PaymentServices,
    proofs: {} as ProofServices,
    budgets: {} as RequestBudgets,
  }) as ModuleRef;
  const controllers = new Set<Type>();
  const providers = new Set<Type>();
  const seen = new Set<unknown>();
  const queue: unknown[] = [root];
  while (queue.length > 0) {
    if (seen.size > MODULES_MAX) throw new Error(`more than ${MODULES_MAX} modules: a cycle?`);
    const ref = unwrapForwardRef(queue.shift());
    if (!ref || seen.has(ref)) continue;
    seen.add(ref);
    const dynamic = typeof ref === 'object' ? (ref as { module: Type } & ModuleRef) : null;
    const moduleClass = dynamic ? dynamic.module : (ref as Type);
    const imports = [
      ...((Reflect.getMetadata(MODULE_METADATA.IMPORTS, moduleClass) as unknown[]) ?? []),
      ...(dynamic && 'imports' in dynamic ? (dynamic.imports ?? []) : []),
    ];
    const declared = [
      ...((Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, moduleClass) as Type[]) ?? []),
      ...(dynamic && 'controllers' in dynamic ? (dynamic.controllers ?? []) : []),
    ];
    for (const c of declared) controllers.add(c);
    const provided = [
      ...((Reflect.getMetadata(MODULE_METADATA.PROVIDERS, moduleClass) as unknown[]) ?? []),
      ...(dynamic && 'providers' in dynamic ? (dynamic.providers ?? []) : []),
    ];
    for (const p of provided) if (typeof p === 'function') providers.add(p as Type);
    queue.push(...imports);
  }
  return { controllers, providers };
}

function unwrapForwardRef(ref: unknown): unknown {
  if (ref && typeof ref === 'object' && 'forwardRef' in ref) {
    return (ref as { forwardRef: () => unknown }).forwardRef();
  }
  return ref;
}

function routesOf(controller: Type): DeclaredRoute[] {
  const prefixes = asList(Reflect.getMetadata(PATH_METADATA, controller));
  const routes: DeclaredRoute[] = [];
  for (const name of methodNames(controller.prototype as object)) {
    const handler = (controller.prototype as Record<string, unknown>)[name];
    if (typeof handler !== 'function') continue;
    const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
    if (paths === undefined) continue;
    const methodCode = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod;
    const method = RequestMethod[methodCode];
    for (const prefix of prefixes) {
      for (const p of asList(paths)) {
        routes.push({
          method,
          url: joinPath(prefix, p),
          controller: controller.name,
          dispatches: (Reflect.getMetadata(DISPATCHES_METADATA, handler) as Type[]) ?? [],
        });
      }
    }
  }
  return routes;
}

/** Own and inherited method names, as Nest's metadata scanner walks them. */
function methodNames(prototype: object): string[] {
  const names = new Set<string>();
  for (let p = prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object) {
    for (const n of Object.getOwnPropertyNames(p)) if (n !== 'constructor') names.add(n);
  }
  return [...names];
}

function asList(value: unknown): string[] {
  if (value === undefined) return [''];
  return Array.isArray(value) ? (value as string[]) : [String(value)];
}

function joinPath(prefix: string, path: string): string {
  const parts = [prefix, path].flatMap((s) => s.split('/')).filter((s) => s !== '');
  return `/${parts.join('/')}`;
}
