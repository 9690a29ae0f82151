// Disjoint sets over 0..n-1: records that share any key end up in one group, however long the chain.

export class UnionFind {
  private readonly parent: number[];

  constructor(size: number) {
    this.parent = Array.from({ length: size }, (_, index) => index);
  }

  find(index: number): number {
    let root = index;
    while (this.parent[root] !== root) root = this.parent[root] ?? root;
    // Path compression keeps later finds short.
    let current = index;
    while (current !== root) {
      const next = this.parent[current] ?? root;
      this.parent[current] = root;
      current = next;
    }
    return root;
  }

  /** Joins the two sets; the smaller index stays the root so groups keep input order. */
  union(a: number, b: number): void {
    const rootA = this.find(a);
    const rootB = this.find(b);
    if (rootA === rootB) return;
    if (rootA < rootB) this.parent[rootB] = rootA;
    else this.parent[rootA] = rootB;
  }

  /** Joins every pair of items that share a key. */
  unionByKeys(keysOf: ReadonlyArray<Iterable<string>>): void {
    const firstWithKey = new Map<string, number>();
    keysOf.forEach((keys, index) => {
      for (const key of keys) {
        const first = firstWithKey.get(key);
        if (first === undefined) firstWithKey.set(key, index);
        else this.union(first, index);
      }
    });
  }

  /** The groups as lists of indexes, each in input order, ordered by their first member. */
  groups(): number[][] {
    const byRoot = new Map<number, number[]>();
    for (let index = 0; index < this.parent.length; index++) {
      const root = this.find(index);
      const group = byRoot.get(root);
      if (group) group.push(index);
      else byRoot.set(root, [index]);
    }
    return [...byRoot.values()];
  }
}
