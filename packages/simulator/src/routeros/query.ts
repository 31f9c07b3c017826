/**
 * `print` queries as the API documentation describes them: each `?` word pushes a boolean on a
 * stack (`?name=v`, `?=name=v`, `?<name=v`, `?>name=v`, `?name` has, `?-name` lacks), `?#` applies
 * operations to the stack (`|` or, `&` and, `!` not, `.` duplicate top, digits copy an element),
 * and a row matches when every value left on the stack is true.
 */

export type Row = Record<string, string>;

const compare = (a: string, b: string): number => {
  const x = Number(a);
  const y = Number(b);
  if (a !== '' && b !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
};

function test(word: string, row: Row): boolean {
  const body = word.slice(1);
  const op = body[0];
  if (op === '<' || op === '>') {
    const eq = body.indexOf('=');
    if (eq < 0) return false;
    const value = row[body.slice(1, eq)];
    if (value === undefined) return false;
    const c = compare(value, body.slice(eq + 1));
    return op === '<' ? c < 0 : c > 0;
  }
  if (op === '-') return !(body.slice(1) in row);
  const text = op === '=' ? body.slice(1) : body;
  const eq = text.indexOf('=');
  if (eq < 0) return text in row;
  return row[text.slice(0, eq)] === text.slice(eq + 1);
}

/** Whether `row` matches the query words (no words: every row matches). */
export function matches(query: readonly string[], row: Row): boolean {
  if (query.length === 0) return true;
  const stack: boolean[] = [];
  for (const word of query) {
    if (!word.startsWith('?#')) {
      stack.push(test(word, row));
      continue;
    }
    for (const op of word.slice(2)) {
      if (op === '|' || op === '&') {
        const b = stack.pop() ?? false;
        const a = stack.pop() ?? false;
        stack.push(op === '|' ? a || b : a && b);
      } else if (op === '!') {
        stack.push(!(stack.pop() ?? false));
      } else if (op === '.') {
        stack.push(stack.at(-1) ?? false);
      } else if (op >= '0' && op <= '9') {
        stack.push(stack[Number(op)] ?? false);
      }
    }
  }
  return stack.every(Boolean);
}
