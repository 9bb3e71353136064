// Usage objects are keyed by values read from log files (principal ARNs, user agents). Plain
// assignment `obj[key] = v` with the key "__proto__" sets the object's prototype instead of adding
// an entry, so the entry vanished; an own data property is written whatever the key.

/** obj[key] = value, as an own enumerable property even for "__proto__". */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
