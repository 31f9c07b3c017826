/**
 * Doc comments of schema fields, read from a package's TypeScript sources. Our schemas document
 * each field with a `/** … *\/` comment on the property (STYLE.md), which zod cannot see, so the
 * options tables take descriptions from here when a schema has no `.describe()`/`.meta()`.
 *
 * Only syntax is read (no type checking): every property assignment with a doc comment is
 * recorded with the name of what encloses it (the property or variable holding its object).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ts from 'typescript';

async function* sourceFiles(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

/** The property or variable whose value (eventually) holds this node, and which of the two it is. */
function enclosing(node) {
  for (let n = node.parent; n; n = n.parent) {
    if ((ts.isPropertyAssignment(n) || ts.isVariableDeclaration(n)) && n.name && ts.isIdentifier(n.name)) {
      return { parent: n.name.text, isVar: ts.isVariableDeclaration(n) };
    }
  }
  return { parent: '', isVar: true };
}

function docText(node) {
  const docs = node.jsDoc ?? [];
  const last = docs[docs.length - 1];
  if (!last) return '';
  const text =
    typeof last.comment === 'string' ? last.comment : (ts.getTextOfJSDocComment(last.comment) ?? '');
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Reads every `.ts` file under `srcDir` and returns a lookup `(path) → description`, where `path`
 * is the field's path in the schema (e.g. `['pool', 'max']`). A field is matched by its name and
 * its parent: a nested field by the property holding its object (`pool: z.object(…)`) or a
 * variable named after it (`poolSchema`); a top-level field by a schema variable (`rootName`
 * first). Anything ambiguous returns nothing rather than a wrong description.
 */
export async function sourceDocs(srcDir) {
  const byName = new Map();
  // Property name → variables its value mentions (`oids: z.array(customOidSchema)`), so fields
  // documented on a schema held in a variable are found under the property that uses it.
  const aliases = new Map();
  for await (const file of sourceFiles(srcDir)) {
    const text = await readFile(file, 'utf8');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name)) {
        const names = aliases.get(node.name.text.toLowerCase()) ?? new Set();
        const collect = (n) => {
          if (ts.isIdentifier(n)) names.add(n.text.toLowerCase());
          ts.forEachChild(n, collect);
        };
        collect(node.initializer);
        aliases.set(node.name.text.toLowerCase(), names);
        const doc = docText(node);
        if (doc) {
          const list = byName.get(node.name.text) ?? [];
          list.push({ ...enclosing(node), doc });
          byName.set(node.name.text, list);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return (path, rootName) => {
    const list = byName.get(path[path.length - 1]) ?? [];
    const docs = (pred) => [...new Set(list.filter(pred).map((e) => e.doc))];
    if (path.length === 1) {
      const own = docs((e) => e.isVar && e.parent === rootName);
      if (own.length === 1) return own[0];
      const anyVar = docs((e) => e.isVar);
      return anyVar.length === 1 ? anyVar[0] : '';
    }
    const parent = path[path.length - 2].toLowerCase();
    const via = aliases.get(parent) ?? new Set();
    const found = docs((e) => {
      const p = e.parent.toLowerCase();
      return p === parent || (e.isVar && (p.startsWith(parent) || via.has(p)));
    });
    return found.length === 1 ? found[0] : '';
  };
}
