/**
 * `@Dispatches(XCommand)` on a route (or a scheduler job's class) names the commands it sends
 * through the CommandBus. It documents the slice and lets a test check that every route that
 * changes state dispatches a command some handler handles, and every handler is reached from a
 * route or a job (test/http/command-routes.test.ts).
 */
import { SetMetadata, type Type } from '@nestjs/common';

export const DISPATCHES_METADATA = 'kobatela:dispatches';

export const Dispatches = (...commands: Type[]) => SetMetadata(DISPATCHES_METADATA, commands);
