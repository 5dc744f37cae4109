// Public API report of the workspace's published packages, checked in CI.
//
// Why it exists: a package's public API is whatever its exports map lets a
// user import, and a refactoring that only meant to move code can silently
// add, drop or change an export. This script does what @microsoft/api-extractor's
// report does, without the dependency: it reads the built .d.ts of every entry
// of every non-private package (run `npx tsc -b` first), lists each exported
// name with its declaration as the compiler sees it, and writes it to
// packages/<dir>/api.md, so that a change to the API shows up in review.
//
// Usage: node scripts/api-report.mjs           write the reports, say which changed
//        node scripts/api-report.mjs --check   write nothing; exit 1 if a report is out of date
import { createRequire } from 'node:module';
import { existsSync, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ts = createRequire(join(root, 'package.json'))('typescript');
const check = process.argv.includes('--check');
const posix = (path) => path.split(sep).join('/');

// The published packages and the .d.ts file of each entry of their exports map.
const typesOf = (target) => typeof target === 'string' ? (target.endsWith('.d.ts') ? target : undefined)
  : target && (target.types ? typesOf(target.types) : Object.values(target).map(typesOf).find(Boolean));
const packages = readdirSync(join(root, 'packages')).sort()
  .filter((dir) => existsSync(join(root, 'packages', dir, 'package.json')))
  .map((dir) => {
    const path = realpathSync(join(root, 'packages', dir));
    const json = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8'));
    const exports = json.exports ?? { types: json.types };
    const map = typeof exports === 'object' && Object.keys(exports).every((k) => k.startsWith('.')) ? exports : { '.': exports };
    const entries = Object.entries(map).map(([entry, target]) => {
      const types = typesOf(target);
      if (!types || !existsSync(join(path, types))) throw new Error(`${json.name} ${entry}: no built .d.ts (${types}); run npx tsc -b first`);
      return { entry, specifier: posix(join(json.name, entry)), file: posix(join(path, types)) };
    });
    return { dir, path, name: json.name, private: json.private === true, entries };
  })
  .filter((pkg) => !pkg.private);

const program = ts.createProgram(packages.flatMap((pkg) => pkg.entries.map((e) => e.file)), {
  module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022,
  strict: true, skipLibCheck: true, noEmit: true, types: ['node'], typeRoots: [join(root, 'node_modules', '@types')],
});
const checker = program.getTypeChecker();
const printer = ts.createPrinter({ removeComments: true });
const packageOf = (fileName) => packages.find((pkg) => fileName.startsWith(posix(pkg.path) + '/'));

// Each entry's exports, with aliases resolved to the symbol that declares them.
for (const pkg of packages) {
  for (const entry of pkg.entries) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(entry.file));
    entry.exports = checker.getExportsOfModule(module)
      .map((symbol) => ({ name: symbol.name, target: symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}
// Where another published package exports a symbol: its first entry that does.
function publicName(pkg, symbol) {
  for (const entry of pkg.entries) {
    const found = entry.exports.find((e) => e.target === symbol);
    if (found) return { specifier: entry.specifier, name: found.name };
  }
}

const isExportModifier = (m) => m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DefaultKeyword;
// (a private constructor stays: it is what says that the class cannot be constructed)
const isPrivateMember = (member) => (member.name && ts.isPrivateIdentifier(member.name))
  || (!ts.isConstructorDeclaration(member) && (ts.getModifiers(member) ?? []).some((m) => m.kind === ts.SyntaxKind.PrivateKeyword));

// A declaration as the compiler sees it: no comments, no export modifier, no private members.
function declarationText(node) {
  const f = ts.factory;
  let printed = node;
  if (ts.isVariableDeclaration(node)) {
    const statement = node.parent.parent;
    printed = f.updateVariableStatement(statement, statement.modifiers, f.updateVariableDeclarationList(node.parent, [node]));
  } else if (ts.isClassDeclaration(node)) {
    printed = f.updateClassDeclaration(node, node.modifiers, node.name, node.typeParameters, node.heritageClauses, node.members.filter((m) => !isPrivateMember(m)));
  }
  const singleLineTuples = (n) => { if (ts.isTupleTypeNode(n)) ts.setEmitFlags(n, ts.EmitFlags.SingleLine); ts.forEachChild(n, singleLineTuples); };
  singleLineTuples(node);
  if (ts.canHaveModifiers(printed)) printed = f.replaceModifiers(printed, (ts.getModifiers(printed) ?? []).filter((m) => !isExportModifier(m)));
  return printer.printNode(ts.EmitHint.Unspecified, printed, node.getSourceFile());
}

function exportText(pkg, entry, { name, target }) {
  const declarations = target.declarations ?? [];
  const owner = declarations[0] && packageOf(declarations[0].getSourceFile().fileName);
  if (owner && owner !== pkg) {
    const other = publicName(owner, target);
    const keyword = target.flags & ts.SymbolFlags.Value ? 'export' : 'export type';
    if (other) return `${keyword} { ${other.name === name ? name : `${other.name} as ${name}`} } from '${other.specifier}';`;
  }
  if (declarations.length === 0) return `export { ${name} }; // unresolved`;
  const first = declarations[0].getSourceFile().fileName;
  if (ts.isSourceFile(declarations[0])) return `export * as ${name} from '${first.includes('/node_modules/') ? '?' : `./${posix(relative(dirname(entry.file), first)).replace(/\.d\.ts$/, '.js')}`}'; // from ${whereFrom(first)}`;
  if (!owner && first.includes('/node_modules/')) return `export { ${name} }; // from ${whereFrom(first)}`;
  // Declarations grouped by file (overloads, merged declarations), each group followed by where it comes from.
  const groups = [];
  for (const node of declarations) {
    const file = node.getSourceFile().fileName;
    if (groups.at(-1)?.file !== file) groups.push({ file, texts: [] });
    const declared = ts.getNameOfDeclaration(node)?.getText();
    const text = declarationText(node);
    groups.at(-1).texts.push(declared === name ? `export ${text}` : `${text}\nexport { ${declared} as ${name} };`);
  }
  return groups.map(({ file, texts }) => {
    if (file === entry.file) return texts.join('\n');
    return `${texts.join('\n')} // from ${whereFrom(file)}`;
  }).join('\n');
}

// `@wstack/core dist/connection.d.ts`: the package that declares it and the file in that package.
function whereFrom(file) {
  const pkg = packageOf(file);
  if (pkg) return `${pkg.name} ${posix(relative(pkg.path, file))}`;
  const inModules = file.split('/node_modules/').at(-1);
  if (inModules === file) return posix(relative(root, file));
  const parts = inModules.split('/'), length = parts[0].startsWith('@') ? 2 : 1;
  return `${parts.slice(0, length).join('/')} ${parts.slice(length).join('/')}`;
}

function report(pkg) {
  const lines = [
    `# API of ${pkg.name}`, '',
    'Generated by `node scripts/api-report.mjs` from the built .d.ts files, and checked in CI with `--check`:',
    'a change here is a change to the public API.', '',
  ];
  for (const entry of pkg.entries) {
    lines.push(`## ${entry.entry}`, '', `Import from \`${entry.specifier}\`.`, '', '```ts');
    // A blank line around every declaration that spans lines; one-liners stay together.
    const texts = entry.exports.map((e) => exportText(pkg, entry, e));
    lines.push(texts.map((text, i) => (i > 0 && (text.includes('\n') || texts[i - 1].includes('\n')) ? `\n${text}` : text)).join('\n'));
    lines.push('```', '');
  }
  return lines.join('\n');
}

// A short unified-looking diff: hunks of changed lines with two lines of context, at most `limit` changes.
function shortDiff(before, after, limit = 40) {
  const a = before.split('\n'), b = after.split('\n');
  let start = 0, endA = a.length, endB = b.length;
  while (start < endA && start < endB && a[start] === b[start]) start++;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA--; endB--; }
  const A = a.slice(start, endA), B = b.slice(start, endB);
  const lcs = Array.from({ length: A.length + 1 }, () => new Uint32Array(B.length + 1));
  for (let i = A.length - 1; i >= 0; i--) for (let j = B.length - 1; j >= 0; j--) {
    lcs[i][j] = A[i] === B[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  // ops: [mark, text, line in a, line in b]
  const ops = a.slice(0, start).map((text, k) => [' ', text, k + 1, k + 1]);
  for (let i = 0, j = 0; i < A.length || j < B.length;) {
    const [x, y] = [start + i + 1, start + j + 1];
    if (i < A.length && j < B.length && A[i] === B[j]) { ops.push([' ', A[i++], x, y]); j++; }
    else if (i < A.length && (j === B.length || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push(['-', A[i++], x, y]);
    else ops.push(['+', B[j++], x, y]);
  }
  ops.push(...a.slice(endA).map((text, k) => [' ', text, endA + k + 1, endB + k + 1]));
  const near = (k) => ops.slice(Math.max(0, k - 2), k + 3).some(([mark]) => mark !== ' ');
  const out = [];
  let changes = 0, shown = -2;
  for (let k = 0; k < ops.length && changes < limit; k++) {
    if (!near(k)) continue;
    if (shown !== k - 1) out.push(`@@ -${ops[k][2]} +${ops[k][3]} @@`);
    out.push(`${ops[k][0]} ${ops[k][1]}`);
    if (ops[k][0] !== ' ') changes++;
    shown = k;
  }
  if (changes === limit && ops.slice(shown + 1).some(([mark]) => mark !== ' ')) out.push('… (more changes)');
  return out.join('\n');
}

let stale = 0;
for (const pkg of packages) {
  const file = join(pkg.path, 'api.md');
  const shown = posix(relative(root, file));
  const next = report(pkg);
  const current = existsSync(file) ? readFileSync(file, 'utf8') : null;
  if (current === next) { console.log(`api-report: ${shown} is up to date`); continue; }
  if (!check) { writeFileSync(file, next); console.log(`api-report: ${current === null ? 'wrote' : 'updated'} ${shown}`); continue; }
  stale++;
  console.log(`api-report: the API of ${pkg.name} differs from ${shown}${current === null ? ' (missing)' : ''}`);
  console.log(`--- ${shown} (committed)\n+++ ${shown} (from the built .d.ts)\n${shortDiff(current ?? '', next)}\n`);
}
if (stale > 0) {
  console.log(`api-report: ${stale} report(s) out of date: run node scripts/api-report.mjs and review the change`);
  process.exit(1);
}
