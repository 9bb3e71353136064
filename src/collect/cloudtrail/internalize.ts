// V8 keeps one "internalized" string per distinct text (property names are such strings). The
// aggregator's Maps and Sets are keyed by ARNs, user agents, IPs and action names; when a lookup
// walks a hash bucket past keys that are not the one sought, two internalized strings are told
// apart by identity, while two ordinary strings are compared text against text (ARNs of one
// account differ only near the end). Profiles of the ingest showed that comparison as the largest
// single cost of aggregation. Only values that repeat are internalized, once each (on a cache miss).

/**
 * The same text, as V8's internalized string: the key of a one-property object. The object is a
 * dictionary (Object.create(null) starts as one), so no hidden class is made per text: an object
 * literal with a computed key would add a transition per distinct text to the empty literal's
 * hidden class, which every `{}` that later gains a property then searches.
 */
export function internalized(s: string): string {
  const o = Object.create(null) as Record<string, 0>;
  o[s] = 0;
  for (const k in o) return k;
  return s;
}
