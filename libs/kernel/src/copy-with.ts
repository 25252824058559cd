/**
 * `{ ...base, ...extra }`, built so that V8 shares its hidden class.
 *
 * On V8 11 (Node 20), an object literal that starts with a spread and then adds a property the
 * spread source lacks (`{ ...metadata, prevHash }`) gets a hidden class (map) of its own every
 * time the optimised code runs it: 49,991 distinct maps for 50,000 such objects, where `{ ...m }`,
 * `{ p, ...m }` or a literal with a conditional spread after plain properties share one. Maps
 * are allocated in the old generation, so each such object cost a few hundred bytes there (more
 * when its keys are listed: `Object.keys` then builds a key cache for the new map, also old), and
 * every inline cache that met those objects went megamorphic. `copyWith` copies onto a fresh
 * empty object (Object.assign), whose maps come from the shared transition tree.
 *
 * Same result as the spread: own enumerable properties of `base` then of `extra` (symbols
 * included, getters read once), later ones winning. The one difference Object.assign would have,
 * an own `__proto__` property set as the prototype instead of copied, is handled by falling back
 * to the spread for such objects (only JSON.parse and defineProperty make them).
 */
export function copyWith<A extends object, B extends object>(
  base: A,
  extra: B,
): Omit<A, keyof B> & B {
  if (Object.hasOwn(base, '__proto__') || Object.hasOwn(extra, '__proto__')) {
    return { ...base, ...extra };
  }
  return Object.assign({}, base, extra);
}
