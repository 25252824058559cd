/**
 * Issue 13: every route that changes state is a slice whose controller dispatches a command
 * through the CommandBus to its handler, and every handler is reached from a route or a job. Read
 * from the declarations (`@Dispatches`, `@CommandHandler`, `@QueryHandler`) of the module graph
 * the app is built from, so a route or handler added without the other fails here.
 */
import type { Type } from '@nestjs/common';
import {
  COMMAND_HANDLER_METADATA,
  QUERY_HANDLER_METADATA,
} from '@nestjs/cqrs/dist/decorators/constants';
import { DISPATCHES_METADATA } from '../../apps/api/src/http/dispatches.decorator';
import { appModuleGraph, controllerRoutes } from '../authz/controller-routes';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const { providers } = appModuleGraph();
const routes = controllerRoutes();

/** command or query class → the handler classes that handle it */
function handlersBy(metadata: string): Map<Type, Type[]> {
  const by = new Map<Type, Type[]>();
  for (const p of providers) {
    const handled = Reflect.getMetadata(metadata, p) as Type | undefined;
    if (handled) by.set(handled, [...(by.get(handled) ?? []), p]);
  }
  return by;
}
const commandHandlers = handlersBy(COMMAND_HANDLER_METADATA);
const queryHandlers = handlersBy(QUERY_HANDLER_METADATA);

/** What the jobs (providers declaring `@Dispatches` on their class) send. */
const jobDispatches = [...providers].flatMap(
  (p) => (Reflect.getMetadata(DISPATCHES_METADATA, p) as Type[] | undefined) ?? [],
);

describe('routes and handlers (issue 13)', () => {
  it('finds the routes and handlers of the app', () => {
    expect(routes.length).toBeGreaterThan(50);
    expect(commandHandlers.size).toBeGreaterThan(0);
  });

  it('every route that changes state dispatches a command that exactly one handler handles', () => {
    const problems = routes
      .filter((r) => MUTATING.has(r.method))
      .flatMap((r) => {
        const name = `${r.method} ${r.url} (${r.controller})`;
        const commands = r.dispatches.filter((c) => !queryHandlers.has(c));
        if (commands.length === 0) return [`${name}: dispatches no command`];
        return commands
          .filter((c) => (commandHandlers.get(c) ?? []).length !== 1)
          .map((c) => `${name}: ${c.name} has ${(commandHandlers.get(c) ?? []).length} handlers`);
      });
    expect(problems).toEqual([]);
  });

  it('every command handler is reached from a route or a job', () => {
    const sent = new Set([...routes.flatMap((r) => r.dispatches), ...jobDispatches]);
    const unreached = [...commandHandlers]
      .filter(([command]) => !sent.has(command))
      .map(([command, handlers]) => `${handlers.map((h) => h.name).join(', ')} (${command.name})`);
    expect(unreached).toEqual([]);
  });

  it('every query handler is reached from a route, and a route dispatches only what is handled', () => {
    const sent = new Set(routes.flatMap((r) => r.dispatches));
    const unreached = [...queryHandlers]
      .filter(([query]) => !sent.has(query))
      .map(([query, handlers]) => `${handlers.map((h) => h.name).join(', ')} (${query.name})`);
    expect(unreached).toEqual([]);
    const unhandled = routes.flatMap((r) =>
      r.dispatches
        .filter((c) => !commandHandlers.has(c) && !queryHandlers.has(c))
        .map((c) => `${r.method} ${r.url}: ${c.name}`),
    );
    expect(unhandled).toEqual([]);
  });
});
