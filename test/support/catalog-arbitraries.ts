// Generators over the real action catalog, for properties that hold expansion (catalog ids) to
// pattern matching (actionMatches): policy patterns as written, odd ones included, and asked
// actions the catalog knows (in any case) or does not.
import fc from 'fast-check';
import { catalog } from '../../src/iam/catalog.js';
import { ACTION_PATTERNS, SERVICE_WILDCARD_PATTERNS } from './arbitraries.js';

const keys = catalog().actions.map((a) => a.key);
export const randomCase = (s: string) => fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((flips) => [...s].map((ch, i) => (flips[i] ? ch.toUpperCase() : ch.toLowerCase())).join(''));
export const catalogKeyArb = fc.constantFrom(...keys);

/** Patterns from real actions (some characters wildcarded), odd spellings, and junk without a colon. */
export const oddActionPatternArb = fc.oneof(
  fc.constantFrom(...ACTION_PATTERNS, ...SERVICE_WILDCARD_PATTERNS, 's3*', 'iam', ':*', 's3:', '*:*', 'S3:GET*', 'ec2:*:x'),
  catalogKeyArb.chain(randomCase),
  fc.tuple(catalogKeyArb, fc.nat(), fc.constantFrom('*', '?')).map(([k, i, w]) => { const at = 1 + (i % (k.length - 1)); return k.slice(0, at) + w + k.slice(at + (w === '?' ? 1 : 0)); }),
  fc.stringMatching(/^[a-zA-Z0-9:*?-]{0,10}$/),
);

/** An asked action: a catalog action (any case), or a name the catalog does not know. */
export const askedActionArb = fc.oneof(catalogKeyArb, catalogKeyArb.chain(randomCase), fc.constantFrom('iam:CreateUser', 'ec2:TerminateInstances', 's3:DeleteBucket', 's3:*', 'made:Up', 'nocolon'), fc.stringMatching(/^[a-z0-9:*-]{0,10}$/));
