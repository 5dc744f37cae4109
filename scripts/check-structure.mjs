// Structure check for the workspace's TypeScript sources, run in CI.
//
// Why it exists: the compiler accepts import cycles, deep imports into another
// package's dist/ or src/, and ever-growing files, yet each one makes the code
// harder to read, to refactor and to publish (a deep import breaks as soon as
// the other package moves a file). This script turns those three rules into a
// failing check:
//   a. no import cycle among the files of packages/*/src and benchmarks/src
//      (type-only imports count too: they are cycles for a reader);
//   b. no reach-in: a package uses another one only through its exports map,
//      never by a relative path out of its own directory nor by a deep subpath;
//   c. no file under packages/*/src longer than 400 lines.
//
// Usage: node scripts/check-structure.mjs [root]   (root defaults to the repo)
// Exit 0 when clean, 1 with one line per finding otherwise.
import { createRequire } from 'node:module';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ts = createRequire(join(repo, 'package.json'))('typescript');
const root = resolve(process.argv[2] ?? repo);
const MAX_LINES = 400;

const rel = (file) => relative(root, file).split(sep).join('/');
const isInside = (dir, file) => file === dir || file.startsWith(dir + sep);

// The package directories: packages/* and benchmarks, with their names and exports.
const packageDirs = [
  ...(existsSync(join(root, 'packages')) ? readdirSync(join(root, 'packages')).sort().map((d) => join(root, 'packages', d)) : []),
  join(root, 'benchmarks'),
].filter((dir) => existsSync(join(dir, 'src')));
const workspace = new Map(); // package name -> its exports' subpaths ('.', './mask', …)
for (const dir of packageDirs.filter((d) => existsSync(join(d, 'package.json')))) {
  const { name, exports } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const keys = Object.keys(exports ?? {}).filter((k) => k.startsWith('.'));
  if (name) workspace.set(name, new Set(keys.length > 0 ? keys : ['.']));
}

// Every source file, with the package directory it belongs to.
const files = new Map(); // absolute path -> package dir
for (const dir of packageDirs) {
  for (const entry of readdirSync(join(dir, 'src'), { recursive: true })) {
    if (/\.(m|c)?tsx?$/.test(entry) && !entry.split(sep).includes('node_modules')) files.set(join(dir, 'src', entry), dir);
  }
}
const sorted = [...files.keys()].sort();

// `./x.js` -> the source file it names (`./x.ts`), if it is one of ours.
function sourceOf(from, specifier) {
  const target = resolve(dirname(from), specifier);
  const candidates = [target.replace(/\.(m|c)?js(x?)$/, '.$1ts$2'), target, `${target}.ts`, join(target, 'index.ts')];
  return candidates.find((c) => files.has(c));
}

// `new URL('../…', import.meta.url)`: a relative path the module reads at run time.
function urlSpecifiers(source) {
  const found = [];
  const visit = (node) => {
    if (ts.isNewExpression(node) && node.expression.getText(source) === 'URL' && node.arguments?.length === 2
        && ts.isStringLiteralLike(node.arguments[0]) && node.arguments[1].getText(source) === 'import.meta.url') {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const findings = [];
const edges = new Map(); // file -> sorted files it imports

for (const file of sorted) {
  const text = readFileSync(file, 'utf8');
  const pkgDir = files.get(file);
  const targets = new Set();

  const specifiers = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  const urls = text.includes('import.meta.url') ? urlSpecifiers(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)) : [];
  for (const specifier of [...specifiers, ...urls]) {
    if (specifier.startsWith('.')) {
      if (!isInside(pkgDir, resolve(dirname(file), specifier))) {
        findings.push(`reaches into another package: ${rel(file)}: ${specifier}`);
      } else if (specifiers.includes(specifier)) {
        const target = sourceOf(file, specifier);
        if (target) targets.add(target);
      }
      continue;
    }
    // A bare specifier of a workspace package must be one of its exports ('@wstack/x/dist/…' is not).
    const parts = specifier.split('/');
    const name = parts.slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
    const subpath = ['.', ...parts.slice(name.split('/').length)].join('/');
    if (workspace.has(name) && !workspace.get(name).has(subpath)) {
      findings.push(`reaches into another package: ${rel(file)}: ${specifier}`);
    }
  }
  edges.set(file, [...targets].sort());

  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (isInside(join(root, 'packages'), file) && lines > MAX_LINES) {
    findings.push(`too long: ${rel(file)} (${lines} lines, at most ${MAX_LINES})`);
  }
}

// Tarjan's strongly connected components of the import graph.
const components = [];
{
  let counter = 0;
  const index = new Map(), low = new Map(), stack = [], onStack = new Set();
  const connect = (v) => {
    index.set(v, counter); low.set(v, counter); counter++;
    stack.push(v); onStack.add(v);
    for (const w of edges.get(v)) {
      if (!index.has(w)) { connect(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do { w = stack.pop(); onStack.delete(w); component.push(w); } while (w !== v);
      components.push(component.sort());
    }
  };
  for (const v of sorted) if (!index.has(v)) connect(v);
}

// Shortest import path from `from` to a file of `goals`, inside the component (`previous`, a Map,
// is also the breadth-first queue: its iteration visits the entries added while it runs).
function pathTo(from, goals, members) {
  const previous = new Map([[from, null]]);
  for (const v of previous.keys()) {
    for (const w of edges.get(v)) {
      if (goals.has(w)) return [...unwind(v, previous), w];
      if (members.has(w) && !previous.has(w)) previous.set(w, v);
    }
  }
}
const unwind = (v, previous) => (v === null ? [] : [...unwind(previous.get(v), previous), v]);

// Each component is shown as a walk along real imports through all its files, back to the first.
const cycles = [];
for (const component of components) {
  const [first] = component;
  if (component.length === 1 && !edges.get(first).includes(first)) continue;
  const members = new Set(component), unseen = new Set(component.slice(1));
  const walk = [first];
  while (unseen.size > 0) for (const v of pathTo(walk.at(-1), unseen, members).slice(1)) { walk.push(v); unseen.delete(v); }
  walk.push(...pathTo(walk.at(-1), new Set([first]), members).slice(1));
  cycles.push(`cycle: ${walk.map(rel).join(' → ')}`);
}

const all = [...cycles.sort(), ...findings];
for (const finding of all) console.log(finding);
if (all.length > 0) {
  console.log(`structure: ${all.length} finding(s) in ${files.size} files`);
  process.exit(1);
}
console.log(`structure: ${files.size} files, no cycles, no reach-ins, none over ${MAX_LINES} lines`);
