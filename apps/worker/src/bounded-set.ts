/**
 * A set of keys that remembers at most `max`, forgetting the oldest first: for facts that matter for minutes (a
 * chain round claimed or signed, a refusal already logged) and must not grow with what peers send.
 */
export class BoundedSet {
  private readonly keys = new Set<string>();

  constructor(private readonly max: number) {}

  /** Adds `key`; false when it was there already. */
  addFirst(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.max) this.keys.delete(this.keys.values().next().value as string);
    return true;
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  get size(): number {
    return this.keys.size;
  }
}
