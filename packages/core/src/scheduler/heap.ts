/** Something with a due time and a slot in the heap. */
export interface HeapItem {
  due: number;
  /** Position in the heap; -1 when not in it. */
  heapIndex: number;
}

/**
 * A binary min-heap on `due`, with O(log n) update and removal of any item: one timer serves
 * every device, however many there are.
 */
export class DueHeap<T extends HeapItem> {
  readonly #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    item.heapIndex = this.#items.length;
    this.#items.push(item);
    this.#up(item.heapIndex);
  }

  pop(): T | undefined {
    const top = this.#items[0];
    if (top) this.remove(top);
    return top;
  }

  remove(item: T): void {
    const i = item.heapIndex;
    if (i < 0 || this.#items[i] !== item) return;
    const last = this.#items.pop() as T;
    item.heapIndex = -1;
    if (last === item) return;
    this.#items[i] = last;
    last.heapIndex = i;
    this.#down(i);
    this.#up(last.heapIndex);
  }

  /** Moves an item to a new due time (inserting it when absent). */
  update(item: T, due: number): void {
    item.due = due;
    if (item.heapIndex < 0) {
      this.push(item);
      return;
    }
    this.#up(item.heapIndex);
    this.#down(item.heapIndex);
  }

  clear(): void {
    for (const item of this.#items) item.heapIndex = -1;
    this.#items.length = 0;
  }

  #swap(a: number, b: number): void {
    const items = this.#items;
    const x = items[a] as T;
    const y = items[b] as T;
    items[a] = y;
    items[b] = x;
    y.heapIndex = a;
    x.heapIndex = b;
  }

  #up(i: number): void {
    const items = this.#items;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((items[parent] as T).due <= (items[i] as T).due) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(i: number): void {
    const items = this.#items;
    const n = items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < n && (items[l] as T).due < (items[min] as T).due) min = l;
      if (r < n && (items[r] as T).due < (items[min] as T).due) min = r;
      if (min === i) return;
      this.#swap(i, min);
      i = min;
    }
  }
}
