// Tokenizes .havre files with the TextMate grammar as VS Code does (vscode-textmate on Oniguruma) and fails on
// any unmatched region: a visible character with no scope of its own, or a region still open at the end of a file.
// Usage: node test/tokenize.js FILE_OR_FOLDER...
"use strict";
const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const GRAMMAR = path.join(__dirname, "..", "syntaxes", "havre.tmLanguage.json");

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, "utf8"), GRAMMAR),
  });
  return registry.loadGrammar("source.havre");
}

function files(paths) {
  const found = [];
  for (const p of paths) {
    if (fs.statSync(p).isDirectory()) {
      for (const entry of fs.readdirSync(p).sort()) {
        found.push(...files([path.join(p, entry)]));
      }
    } else if (p.endsWith(".havre")) {
      found.push(p);
    }
  }
  return found;
}

function problems(grammar, file) {
  const out = [];
  let stack = vsctm.INITIAL;
  const lines = fs.readFileSync(file, "utf8").split("\n");
  lines.forEach((line, i) => {
    const result = grammar.tokenizeLine(line, stack);
    for (const token of result.tokens) {
      const text = line.slice(token.startIndex, token.endIndex);
      if (token.scopes.length < 2 && text.trim() !== "") {
        out.push(`${file}:${i + 1}:${token.startIndex + 1}: no scope for ${JSON.stringify(text)}`);
      }
    }
    stack = result.ruleStack;
  });
  if (stack.depth > 1) {
    out.push(`${file}:${lines.length}: a region is still open at the end of the file`);
  }
  return out;
}

async function main() {
  const grammar = await loadGrammar();
  const all = files(process.argv.slice(2));
  const found = all.flatMap((file) => problems(grammar, file));
  for (const line of found) {
    console.log(line);
  }
  console.log(`${all.length} files tokenized, ${found.length} unmatched regions`);
  process.exit(found.length === 0 && all.length > 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
