/**
 * A least-recently-used map bounded by total weight (entry count unless a
 * weigher is given). Map iteration order is insertion order, so re-inserting
 * on every hit keeps the eldest entry first.
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, V>();
  private weight = 0;

  constructor(
    private readonly maxWeight: number,
    private readonly weigh: (value: V) => number = () => 1,
  ) {}

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const weight = this.weigh(value);
    if (weight > this.maxWeight) return;
    this.entries.set(key, value);
    this.weight += weight;
    for (const [eldestKey, eldest] of this.entries) {
      if (this.weight <= this.maxWeight) break;
      this.entries.delete(eldestKey);
      this.weight -= this.weigh(eldest);
    }
  }

  delete(key: K): void {
    const existing = this.entries.get(key);
    if (existing === undefined) return;
    this.entries.delete(key);
    this.weight -= this.weigh(existing);
  }

  clear(): void {
    this.entries.clear();
    this.weight = 0;
  }

  get size(): number {
    return this.entries.size;
  }
}
