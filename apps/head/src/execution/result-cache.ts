/**
 * The last N execute responses by request id, for `POST /functions/requests/result`.
 */
export class ResultCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  set(id: string, value: V): void {
    this.entries.delete(id);
    this.entries.set(id, value);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  get(id: string): V | undefined {
    return this.entries.get(id);
  }
}
