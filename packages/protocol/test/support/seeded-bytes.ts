/** Byte strings from a seeded linear congruential generator: the same "random" inputs on every run. */
export function seededBytes(seed: number): (length: number) => Uint8Array {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state & 0xff;
  };
  return (length) => Uint8Array.from({ length }, next);
}
