/**
 * Tables as cards on phones. Under 600 px wide `styles.css` shows every `table.tbl` row as a card
 * of "label: value" lines, the label taken from each cell's `data-label` attribute. Tables built
 * with `components/ui.ts#table` already carry it; this fills it in, from the column headers, for
 * tables a page builds by hand, so no page has to repeat its headers on every cell.
 */

/** The header text of each column of `table`, by column index (colspans counted). */
function headerLabels(table: HTMLTableElement): string[] {
  const row = table.tHead?.rows[0];
  if (!row) return [];
  const labels: string[] = [];
  for (const th of Array.from(row.cells)) {
    // A header that is only an icon or a checkbox may name itself with aria-label.
    const text = (th.getAttribute('aria-label') ?? th.textContent ?? '').trim();
    for (let i = 0; i < th.colSpan; i++) labels.push(text);
  }
  return labels;
}

/** Labels the cells of one body row that have no `data-label` yet. */
function labelRow(row: HTMLTableRowElement, labels: string[]): void {
  let col = 0;
  for (const cell of Array.from(row.cells)) {
    if (!cell.hasAttribute('data-label') && cell.tagName === 'TD') {
      cell.setAttribute('data-label', labels[col] ?? '');
    }
    col += cell.colSpan;
  }
}

/**
 * Gives every body cell of `table` that lacks one a `data-label` with its column's header text.
 * Cells of a column with an empty header (a column of buttons) get an empty label: the card then
 * shows them without a label.
 */
export function labelCells(table: HTMLTableElement): void {
  const labels = headerLabels(table);
  if (labels.length === 0) return;
  for (const body of Array.from(table.tBodies)) {
    for (const row of Array.from(body.rows)) labelRow(row, labels);
  }
}

/** Every `table.tbl` in or at `node` (the node itself included). */
function tablesIn(node: Element): HTMLTableElement[] {
  const found = Array.from(node.querySelectorAll<HTMLTableElement>('table.tbl'));
  if (node instanceof HTMLTableElement && node.classList.contains('tbl')) found.push(node);
  const owner = node.closest('table.tbl');
  // A row or a cell added to a table already on the page: label that table again.
  if (owner instanceof HTMLTableElement && owner !== node) found.push(owner);
  return found;
}

/**
 * Labels the tables under `root` now and whenever pages add tables or rows later (a
 * MutationObserver; work is done once per batch of changes). Returns a function that stops it.
 */
export function watchTables(root: HTMLElement): () => void {
  for (const t of tablesIn(root)) labelCells(t);
  const observer = new MutationObserver((records) => {
    const pending = new Set<HTMLTableElement>();
    for (const r of records) {
      for (const n of Array.from(r.addedNodes)) {
        if (n instanceof Element) for (const t of tablesIn(n)) pending.add(t);
      }
    }
    for (const t of pending) labelCells(t);
  });
  observer.observe(root, { childList: true, subtree: true });
  return () => observer.disconnect();
}
