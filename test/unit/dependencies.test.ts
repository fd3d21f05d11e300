/**
 * Folders depend one way. `events/` (the contracts) imports nothing from `functions/`; no function imports another
 * function's folder; the use cases and the domain speak to the outside world only through ports (no AWS SDK, no
 * adapters but the logger, no DynamoDB transaction vocabulary); the domain imports neither use cases nor adapters.
 *
 * Reads the sources with the TypeScript parser, so comments that name a path or a DynamoDB term do not count, and
 * every form of import does: `import`, `export ... from`, `import type`, `import()` and `require()`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const FUNCTIONS = join(ROOT, 'functions');

/** The package.json `imports` aliases. */
const ALIASES: Record<string, string> = {
  '#domain/': 'functions/domain/',
  '#adapters/': 'functions/adapters/',
  '#events/': 'events/',
};

/** Repository-relative, `/`-separated. */
const rel = (abs: string) => relative(ROOT, abs).split(sep).join('/');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(c|m)?tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out.sort();
}

interface Parsed {
  /** Each import: as written, and resolved (repository-relative for local files, the package name otherwise). */
  imports: Array<{ spec: string; target: string; line: number }>;
  /** Identifiers and string literals, with their lines: what the code says, without its comments. */
  words: Array<{ text: string; line: number }>;
}

const cache = new Map<string, Parsed>();

function parse(file: string): Parsed {
  const cached = cache.get(file);
  if (cached) return cached;
  const text = readFileSync(join(ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const parsed: Parsed = { imports: [], words: [] };
  const addImport = (node: ts.Node | undefined) => {
    if (!node || !ts.isStringLiteralLike(node)) return;
    const spec = node.text;
    const alias = Object.keys(ALIASES).find((a) => spec.startsWith(a));
    const target = spec.startsWith('.')
      ? rel(resolve(join(ROOT, dirname(file)), spec))
      : alias ? ALIASES[alias] + spec.slice(alias.length) : spec;
    parsed.imports.push({ spec, target, line: lineOf(node) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) addImport(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) addImport(node.moduleReference.expression);
    else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) addImport(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) addImport(node.argument.literal);
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) parsed.words.push({ text: node.text, line: lineOf(node) });
    else if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) parsed.words.push({ text: node.text, line: lineOf(node) });
    ts.forEachChild(node, visit);
  };
  visit(source);
  cache.set(file, parsed);
  return parsed;
}

/** `file:line imports 'spec'` for every import of `files` that `bad` picks out. */
function importsWhere(files: string[], bad: (target: string, file: string) => boolean): string[] {
  return files.flatMap((file) => parse(file).imports.filter((i) => bad(i.target, file)).map((i) => `${file}:${i.line} imports '${i.spec}'`));
}

const within = (target: string, folder: string) => target === folder || target.startsWith(`${folder}/`);

/** Folders under functions/ that are a function (they hold its handler.ts). */
const functionFolders = readdirSync(FUNCTIONS, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(FUNCTIONS, e.name, 'handler.ts')))
  .map((e) => `functions/${e.name}`);

const events = sourceFiles('events');
const handlers = functionFolders.flatMap((folder) => sourceFiles(folder));
const usecases = sourceFiles('functions/usecases');
const domain = sourceFiles('functions/domain');

describe('the scan itself', () => {
  it('finds the folders and reads their imports', () => {
    expect(events).toContain('events/schemas.ts');
    expect(functionFolders).toEqual(expect.arrayContaining(['functions/graph-webhook', 'functions/graph-changes', 'functions/hr-events']));
    expect(usecases.length).toBeGreaterThan(3);
    expect(domain.length).toBeGreaterThan(3);
    // Relative, aliased, type-only and re-exported imports all resolve.
    expect(parse('functions/graph-changes/handler.ts').imports.map((i) => i.target)).toEqual(
      expect.arrayContaining(['events/graph.ts', 'functions/usecases/deps.ts', 'functions/adapters/logger.ts', 'aws-lambda']),
    );
    expect(parse('functions/domain/model.ts').imports.map((i) => i.target)).toContain('events/values.ts');
  });

  it('ignores comments but sees code', () => {
    // usecases/deps.ts names functions/adapters/deps.ts only in a comment.
    expect(parse('functions/usecases/deps.ts').imports.some((i) => within(i.target, 'functions/adapters'))).toBe(false);
    expect(parse('functions/adapters/dynamo-store.ts').words.map((w) => w.text)).toContain('ConditionExpression');
  });
});

describe('folders depend one way', () => {
  it('events/ (the contracts) imports nothing from functions/', () => {
    expect(importsWhere(events, (t) => within(t, 'functions'))).toEqual([]);
  });

  it('no function imports another function\'s folder', () => {
    expect(importsWhere(handlers, (t, file) => functionFolders.some((f) => within(t, f) && !within(file, f)))).toEqual([]);
  });

  it('use cases and the domain import no AWS SDK', () => {
    expect(importsWhere([...usecases, ...domain], (t) => t.startsWith('@aws-sdk/'))).toEqual([]);
  });

  it('use cases and the domain import no adapter but the logger', () => {
    expect(importsWhere([...usecases, ...domain], (t) => within(t, 'functions/adapters') && t !== 'functions/adapters/logger.ts')).toEqual([]);
  });

  it('use cases and the domain do not speak DynamoDB transactions', () => {
    const terms = new Set(['TransactItem', 'TransactWriteCommand', 'ConditionExpression']);
    const found = [...usecases, ...domain].flatMap((file) =>
      parse(file).words.filter((w) => [...terms].some((t) => w.text.includes(t))).map((w) => `${file}:${w.line} says ${w.text}`),
    );
    expect(found).toEqual([]);
  });

  it('the domain imports neither use cases nor adapters', () => {
    expect(importsWhere(domain, (t) => within(t, 'functions/usecases') || within(t, 'functions/adapters'))).toEqual([]);
  });
});
