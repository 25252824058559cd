import { ConfigError, loadConfig } from '@kob/config';
import { refuseUnwiredEventStore } from './platform';

describe('the event store a process opens', () => {
  it('refuses EVENT_STORE=eventstoredb until the service is wired to it, naming the variable', () => {
    const config = loadConfig({
      APP_ENV: 'test',
      EVENT_STORE: 'eventstoredb',
      EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false',
    });
    expect(() => refuseUnwiredEventStore(config)).toThrow(ConfigError);
    expect(() => refuseUnwiredEventStore(config)).toThrow(
      /EVENT_STORE eventstoredb is not selectable yet/,
    );
    expect(() => refuseUnwiredEventStore(loadConfig({ APP_ENV: 'test' }))).not.toThrow();
  });
});
