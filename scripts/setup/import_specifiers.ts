/**
 * Finds the module specifiers a TypeScript source refers to, with their line numbers, without a
 * compiler: a small lexer drops comments and reads string, template and regex literals whole, then
 * four token patterns pick out the specifiers.
 *
 * - `import "x"`, `import … from "x"` (including `import type`);
 * - `export … from "x"` (`export { … }`, `export type { … }`, `export *`, `export * as n`);
 * - `import("x")`, dynamic or in a type position;
 * - `new URL("x", import.meta.url)` (how workers and subprocess entry points are named).
 *
 * Specifiers built at run time (template substitutions, variables) are not seen.
 *
 * @module
 */

/** One specifier and the 1-based line of its string literal. */
export interface SpecifierRef {
  readonly specifier: string;
  readonly line: number;
  readonly kind: "static" | "dynamic" | "url";
}

interface Token {
  readonly kind: "word" | "string" | "template" | "regex" | "punct";
  readonly text: string;
  readonly line: number;
}

/** Words after which a `/` starts a regular expression rather than dividing. */
const BEFORE_REGEX = new Set([
  "return",
  "typeof",
  "case",
  "do",
  "else",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "instanceof",
  "yield",
  "await",
]);

const WORD_START = /[\p{ID_Start}$_]/u;
const WORD_PART = /[\p{ID_Continue}$\u200c\u200d]/u;

/** Splits `source` into tokens, dropping whitespace and comments. */
function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  /** For each open `${`, the brace depth at which its `}` resumes the template. */
  const templateDepths: number[] = [];
  let depth = 0;
  let line = 1;
  let i = 0;
  const n = source.length;

  const countLines = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (source.charCodeAt(k) === 10) line++;
  };
  /** Reads template text from `i` (just after a backtick or a substitution's `}`). */
  const readTemplate = (startLine: number, text: string) => {
    let value = text;
    while (i < n) {
      const c = source[i]!;
      if (c === "\\") {
        value += source.slice(i, i + 2);
        countLines(i, i + 2);
        i += 2;
      } else if (c === "`") {
        i++;
        tokens.push({
          kind: value.startsWith("`") ? "string" : "template",
          text: value.slice(1),
          line: startLine,
        });
        return;
      } else if (c === "$" && source[i + 1] === "{") {
        i += 2;
        templateDepths.push(depth);
        depth++;
        tokens.push({ kind: "template", text: value, line: startLine });
        return;
      } else {
        if (c === "\n") line++;
        value += c;
        i++;
      }
    }
  };

  while (i < n) {
    const c = source[i]!;
    if (c === "\n") {
      line++;
      i++;
    } else if (c === " " || c === "\t" || c === "\r" || c === "\f" || c === "\v" || c === "\ufeff") {
      i++;
    } else if (c === "/" && source[i + 1] === "/") {
      while (i < n && source[i] !== "\n") i++;
    } else if (c === "/" && source[i + 1] === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end === -1 ? n : end + 2;
      countLines(i, stop);
      i = stop;
    } else if (c === "'" || c === '"') {
      const startLine = line;
      i++;
      let value = "";
      while (i < n && source[i] !== c && source[i] !== "\n") {
        if (source[i] === "\\") {
          countLines(i, i + 2);
          value += source[i + 1] ?? "";
          i += 2;
        } else value += source[i++];
      }
      i++;
      tokens.push({ kind: "string", text: value, line: startLine });
    } else if (c === "`") {
      i++;
      readTemplate(line, "`");
    } else if (c === "/" && regexAllowed(tokens.at(-1))) {
      const start = i++;
      let inClass = false;
      while (i < n && source[i] !== "\n") {
        const r = source[i]!;
        if (r === "\\") i++;
        else if (r === "[") inClass = true;
        else if (r === "]") inClass = false;
        else if (r === "/" && !inClass) break;
        i++;
      }
      i++;
      while (i < n && WORD_PART.test(source[i]!)) i++;
      tokens.push({ kind: "regex", text: source.slice(start, i), line });
    } else if (WORD_START.test(c) || (c >= "0" && c <= "9")) {
      const start = i++;
      while (i < n && WORD_PART.test(source[i]!)) i++;
      tokens.push({ kind: "word", text: source.slice(start, i), line });
    } else if (c === "}" && templateDepths.at(-1) === depth - 1) {
      templateDepths.pop();
      depth--;
      i++;
      readTemplate(line, "}");
    } else {
      if (c === "{") depth++;
      else if (c === "}") depth--;
      tokens.push({ kind: "punct", text: c, line });
      i++;
    }
  }
  return tokens;
}

function regexAllowed(previous: Token | undefined): boolean {
  if (previous === undefined) return true;
  switch (previous.kind) {
    case "word":
      return BEFORE_REGEX.has(previous.text);
    case "punct":
      return previous.text !== ")" && previous.text !== "]" && previous.text !== "}";
    default:
      return false;
  }
}

/** Tokens allowed between `import` and `from` in an import declaration. */
function isImportClauseToken(t: Token): boolean {
  return t.kind === "word" || (t.kind === "punct" && (t.text === "{" || t.text === "}" ||
    t.text === "," || t.text === "*"));
}

/** Every specifier `source` refers to, in source order. */
export function findSpecifiers(source: string): SpecifierRef[] {
  const tokens = tokenize(source);
  const refs: SpecifierRef[] = [];
  const at = (k: number): Token | undefined => tokens[k];
  const is = (k: number, text: string) => at(k)?.text === text && at(k)?.kind !== "string";
  /** The string after `from` when the clause from `k` reaches one, else undefined. */
  const fromClause = (k: number): Token | undefined => {
    for (let j = k; j < tokens.length; j++) {
      const t = tokens[j]!;
      if (t.kind === "word" && t.text === "from" && at(j + 1)?.kind === "string") return at(j + 1);
      if (!isImportClauseToken(t)) return undefined;
    }
    return undefined;
  };

  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind !== "word" || is(k - 1, ".")) continue;
    if (t.text === "import") {
      const next = at(k + 1);
      if (next?.kind === "string") refs.push({ specifier: next.text, line: next.line, kind: "static" });
      else if (is(k + 1, "(")) {
        const arg = at(k + 2);
        if (arg?.kind === "string" && (is(k + 3, ")") || is(k + 3, ","))) {
          refs.push({ specifier: arg.text, line: arg.line, kind: "dynamic" });
        }
      } else if (!is(k + 1, ".")) {
        const spec = fromClause(k + 1);
        if (spec) refs.push({ specifier: spec.text, line: spec.line, kind: "static" });
      }
    } else if (t.text === "export") {
      const start = is(k + 1, "type") ? k + 2 : k + 1;
      if (is(start, "{") || is(start, "*")) {
        const spec = fromClause(start);
        if (spec) refs.push({ specifier: spec.text, line: spec.line, kind: "static" });
      }
    } else if (t.text === "new" && is(k + 1, "URL") && is(k + 2, "(")) {
      const arg = at(k + 3);
      if (
        arg?.kind === "string" && is(k + 4, ",") && is(k + 5, "import") && is(k + 6, ".") &&
        is(k + 7, "meta") && is(k + 8, ".") && is(k + 9, "url")
      ) {
        refs.push({ specifier: arg.text, line: arg.line, kind: "url" });
      }
    }
  }
  return refs;
}
