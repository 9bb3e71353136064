// The one way a file or folder name is made from data (principal names, account ids, anything an
// account, a trail or a config file controls). Whatever the input, the result is one plain path
// segment: never empty, `.` or `..`, no separator, no control or non-ASCII character, no leading
// or trailing dot or space, at most MAX_NAME_BYTES bytes. Names stay apart by kind (a user and a
// role of the same name) and by case (case-insensitive file systems: macOS, Windows):
//
//   <kind>-<name>                  when the name is already lower-case and plain: role-kiro-agent
//   <kind>-<escaped>~<hash12>      otherwise: role-AWSReservedSSO_Admin~3f2a1b9c0d4e, role-_..~9e1c…
//
// `escaped` replaces every character outside [A-Za-z0-9+=,.@_-] with `_` (and leading/trailing
// dots) and is cut to fit; `hash12` is the first 12 hex digits of SHA-256 over kind and the exact
// name. `~` never appears in the plain form, and the plain form has no upper-case letter, so two
// different (kind, name) pairs never share a folder, even when compared case-insensitively, short
// of a 48-bit hash collision — which the writers refuse anyway (a second write to a folder name
// already used in the same run is an error, not an overwrite).
import { hash } from 'node:crypto';

/** Longest file name (in bytes) every common file system accepts. */
export const MAX_NAME_BYTES = 255;
/** Room kept for suffixes writers add (`.leash-tmp-…-<pid>-<random>`). */
const MAX_BASE = 120;

const PLAIN = /^[a-z0-9+=,@_-](?:[a-z0-9+=,.@_-]*[a-z0-9+=,@_-])?$/;
const KIND = /^[a-z][a-z0-9-]{0,15}$/;

export function nameHash(kind: string, name: string): string {
  return hash('sha256', `${kind}\u0000${name}`, 'hex').slice(0, 12);
}

/**
 * A safe, deterministic file or folder name for `name` of a `kind` (role, user, account, export…).
 * The kind is leash's own word, not data, and is checked.
 */
export function safeName(kind: string, name: string): string {
  return `${kind}-${safePart(kind, name)}`;
}

/**
 * The same rule without the kind prefix, for names that already sit in a context of their own
 * (`leash-<account>-<principal>.json` exports): `<name>` or `<escaped>~<hash12>`.
 */
export function safePart(kind: string, name: string): string {
  if (!KIND.test(kind)) throw new Error(`safeName: ${JSON.stringify(kind)} is not a kind`);
  if (name.length <= MAX_BASE && PLAIN.test(name)) return name;
  const escaped = name.replace(/[^A-Za-z0-9+=,.@_-]/g, '_').slice(0, MAX_BASE).replace(/^\.|\.$/g, '_');
  return `${escaped}~${nameHash(kind, name)}`;
}

/** True when `segment` is a name safeName could have produced for some kind (used before deleting). */
export function isSafeSegment(segment: string): boolean {
  return (
    segment.length > 0 &&
    Buffer.byteLength(segment) <= MAX_NAME_BYTES &&
    /^[A-Za-z0-9+=,.@_~-]+$/.test(segment) &&
    segment !== '.' &&
    segment !== '..' &&
    !segment.startsWith('.') &&
    !segment.endsWith('.')
  );
}
