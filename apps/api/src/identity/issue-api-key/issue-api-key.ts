/**
 * Issues a key: draws `koba_<6 hex>.<secret>`, reserves the prefix in the same atomic append as
 * `apikey.issued.v1` (a collision draws again, a bounded number of times), stores only the HMAC.
 * The append of the issue-api-key handler (`POST /apikeys` and the first-start bootstrap).
 */
import { apiKeyDecider } from '@kob/domain';
import { type GeneratedKey, generateApiKey, hashApiKey } from '@kob/auth';
import { DomainError, type Scope } from '@kob/kernel';
import type { Position } from '@kob/event-store';
import type { CommandMetadata, Platform, ReservationClaim } from '@kob/platform';
import { apiKeyStream } from '../shared/identity-streams';

const PREFIX_DRAWS_MAX = 5;

export interface IssuedKey {
  keyId: string;
  prefix: string;
  key: string;
  position: Position | null;
}

class PrefixTaken extends DomainError {
  constructor() {
    super('APIKEY_PREFIX_TAKEN', 'the drawn key prefix is already in use', 'conflict');
  }
}

export interface KeySpec {
  name: string;
  scope: Scope;
  userId: string | null;
  expiresAt: string | null;
  /** a given key (BOOTSTRAP_ADMIN_API_KEY), never redrawn */
  key?: string;
  /** reservations claimed in the same append (the bootstrap's) */
  claims?: ReservationClaim[];
  /** issued by email login (the key lives while its user's role maps to its scope) */
  session?: boolean;
}

export async function issueApiKey(
  platform: Pick<Platform, 'commands' | 'config'>,
  metadata: CommandMetadata,
  spec: KeySpec,
  drawKey: () => GeneratedKey = generateApiKey,
): Promise<IssuedKey> {
  for (let draw = 1; ; draw++) {
    const material = spec.key ? { key: spec.key, prefix: spec.key.split('.')[0]! } : drawKey();
    try {
      const result = await platform.commands.executeWithDerivedId({
        decider: apiKeyDecider,
        metadata,
        targetStream: apiKeyStream,
        command: (id) => ({
          type: 'IssueApiKey' as const,
          keyId: id,
          name: spec.name,
          prefix: material.prefix,
          scope: spec.scope,
          userId: spec.userId,
          keyHash: hashApiKey(material.key, platform.config.apiKeySecret),
          expiresAt: spec.expiresAt,
          ...(spec.session ? { session: true as const } : {}),
          now: metadata.now.toISOString(),
        }),
        claims: (id) => [
          ...(spec.claims ?? []),
          {
            streamId: `apikey-prefix-${material.prefix}`,
            owner: `apikey:${id}`,
            taken: () => new PrefixTaken(),
          },
        ],
      });
      return {
        keyId: result.id,
        prefix: material.prefix,
        key: material.key,
        position: result.position,
      };
    } catch (err) {
      // A given key cannot be redrawn; a drawn one can, a bounded number of times.
      if (!(err instanceof PrefixTaken) || spec.key || draw >= PREFIX_DRAWS_MAX) throw err;
    }
  }
}
