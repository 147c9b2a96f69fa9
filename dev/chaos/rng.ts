/**
 * A seeded random source (mulberry32): the same seed gives the same leads, the same fault moments
 * and the same choices, so a chaos run that found something can be run again the same way.
 */
export class Rng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** In [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  int(min: number, maxInclusive: number): number {
    return Math.floor(this.between(min, maxInclusive + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (!items.length) throw new Error('nothing to pick from');
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** `count` moments spread over [from, to): one in each equal slice, at a random point of it. */
  spread(count: number, from: number, to: number): number[] {
    const slice = (to - from) / Math.max(1, count);
    return Array.from({ length: count }, (_, i) => from + slice * i + this.next() * slice);
  }
}
