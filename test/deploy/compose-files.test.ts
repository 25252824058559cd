/**
 * The deployment files (docker/), which no Docker engine runs here: both compose files parse;
 * every variable they give the service's containers is one its configuration reads, and the
 * values are accepted (after compose's interpolation from docker/example.env); images are
 * pinned; the Dockerfile is multi-stage and runs as a non-root user; the entry point runs the
 * built processes; README's Deployment section names the images and ports the files use.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { loadConfig } from '@kob/config';
import { imageEnvironment } from '../../bench/lib/api-process';

const ROOT = path.resolve(__dirname, '../..');
const read = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');
const VERSION = JSON.parse(read('package.json')).version as string;
const OUR_IMAGE = `kobatela-ledger:${VERSION}`;

/** docker/example.env as compose reads an env file. */
function exampleEnv(): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of read('docker/example.env').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) vars[m[1]!] = m[2]!;
  }
  return vars;
}

/** Compose's interpolation: `${X}`, `${X:-default}`, `${X:?error}` and `$$`. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\$|\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (all, name, op, arg) => {
    if (all === '$$') return '$';
    const v = vars[name as string];
    if (op === '?' && (v === undefined || v === ''))
      throw new Error(`${name as string} is required: ${arg as string}`);
    if (op === '-' && (v === undefined || v === '')) return arg as string;
    if (v === undefined) throw new Error(`${name as string} is not in docker/example.env`);
    return v;
  });
}

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  deploy?: { replicas?: number };
  healthcheck?: { test?: string[]; disable?: boolean };
}

function compose(file: string): Record<string, Service> {
  const doc = YAML.parse(read(file), { merge: true }) as { services: Record<string, Service> };
  return doc.services;
}

/** Loads the configuration from `env` and answers the names it read. */
function configReads(env: Record<string, string>, apiKeys: boolean) {
  const names = new Set<string>();
  const recorded = new Proxy(env, {
    get(target, key) {
      if (typeof key === 'string') names.add(key);
      return target[key as string];
    },
  });
  return { config: loadConfig(recorded, { apiKeys }), names };
}

describe.each(['docker/docker-compose.yml', 'docker/docker-compose.cluster.yml'])('%s', (file) => {
  const services = compose(file);
  const vars = exampleEnv();

  it('runs our image for two API replicas and two projector workers', () => {
    for (const [name, command] of [
      ['api', 'api'],
      ['projector', 'projector'],
    ] as const) {
      const s = services[name]!;
      expect(s.image).toBe(OUR_IMAGE);
      expect(s.build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile' });
      expect(s.command).toEqual([command]);
      expect(s.deploy?.replicas).toBe(2);
    }
  });

  it.each([
    ['api', true],
    ['projector', false],
  ] as const)('gives %s only variables its configuration reads and accepts', (name, apiKeys) => {
    const raw = services[name]!.environment!;
    const env = Object.fromEntries(
      Object.entries(raw).map(([k, v]) => [k, interpolate(String(v), vars)]),
    );
    const { config, names } = configReads(env, apiKeys);
    expect(Object.keys(env).filter((k) => !names.has(k))).toEqual([]);
    expect(config).toMatchObject({
      appEnv: 'production',
      eventStore: 'eventstoredb',
      projectionsMode: 'worker',
    });
    expect(config.databaseUrl).toMatch(/^postgres:\/\/kobatela_service:/);
    expect(config.eventStoreConnectionString).toBe(env.EVENTSTORE_CONNECTION_STRING);
    if (name === 'api') expect(config.databaseOwnerUrl).toMatch(/^postgres:\/\/kobatela_owner:/);
  });

  it('refuses to start without the secrets (compose stops on a missing one)', () => {
    const { API_KEY_SECRET: _dropped, ...without } = vars;
    expect(() =>
      Object.values(services.api!.environment!).map((v) => interpolate(String(v), without)),
    ).toThrow('API_KEY_SECRET is required');
  });

  it('pins every image and checks the health of the stores and the API', () => {
    for (const [name, s] of Object.entries(services)) {
      expect({ name, image: s.image }).toEqual({
        name,
        image: expect.stringMatching(/^[a-z0-9./-]+:[0-9][A-Za-z0-9._-]*$/),
      });
    }
    const stores = Object.entries(services).filter(([, s]) => /kurrentdb|postgres:/.test(s.image!));
    for (const [, s] of [...stores, ['api', services.api!] as const])
      expect(s.healthcheck?.test?.length).toBeGreaterThan(0);
  });

  it('is described in README (images and published ports)', () => {
    const readme = read('README.md');
    const section = readme.slice(readme.indexOf('## Deployment (docker/)'));
    const deployment = section.slice(0, section.indexOf('\n## ', 5));
    for (const s of Object.values(services)) {
      const image = s.image!;
      expect({ image, named: deployment.includes(image) || image === OUR_IMAGE }).toEqual({
        image,
        named: true,
      });
    }
    expect(deployment).toContain(OUR_IMAGE);
    expect(services.api!.ports).toEqual(['3000-3001:3000']);
    expect(deployment).toContain('host ports\n  3000 and 3001');
  });
});

describe('the KurrentDB cluster', () => {
  const services = compose('docker/docker-compose.cluster.yml');
  const nodes = Object.entries(services).filter(([, s]) => s.image?.includes('/kurrentdb:'));

  it('has three nodes that seed each other, all named in the connection string', () => {
    expect(nodes.map(([n]) => n)).toEqual(['node1', 'node2', 'node3']);
    for (const [name, s] of nodes) {
      expect(s.environment?.KURRENTDB_CLUSTER_SIZE).toBe('3');
      const seeds = s.environment!.KURRENTDB_GOSSIP_SEED!.split(',').map((x) => x.split(':')[0]);
      expect(seeds.sort()).toEqual(nodes.map(([n]) => n).filter((n) => n !== name));
    }
    const connection = services.api!.environment!.EVENTSTORE_CONNECTION_STRING!;
    expect(connection).toMatch(/^esdb:\/\/node1:2113,node2:2113,node3:2113\?tls=true&/);
  });
});

describe('docker/Dockerfile and its entry point', () => {
  const dockerfile = read('docker/Dockerfile');

  it('is multi-stage with pinned bases and runs as a non-root user', () => {
    const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]!);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const f of froms) expect(f).toMatch(/^node:\d+\.\d+\.\d+-[a-z]+-slim$/);
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const user = /^USER (\S+)/m.exec(finalStage)?.[1];
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(finalStage).toMatch(/^ENTRYPOINT \["kobatela"\]/m);
  });

  it('runs the processes with two glibc arenas, and the benchmarks run the API so', () => {
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(finalStage).toMatch(/^\s*MALLOC_ARENA_MAX=2\s*\\?$/m);
    expect(imageEnvironment()).toEqual({ MALLOC_ARENA_MAX: '2' });
  });

  it('starts the processes the build makes', () => {
    const entry = read('docker/entrypoint.sh');
    execFileSync('sh', ['-n', path.join(ROOT, 'docker/entrypoint.sh')]);
    const scripts = [...entry.matchAll(/exec node \/app\/(dist\/\S+\.js)/g)].map((m) => m[1]!);
    expect(scripts).toEqual([
      'dist/apps/api/src/main.js',
      'dist/apps/projector/src/main.js',
      'dist/apps/cli/src/main.js',
    ]);
    for (const s of scripts) expect(existsSync(path.join(ROOT, s))).toBe(true);
  });
});
