// Tokenizes .loss text with this folder's grammar and the engine VS Code uses (vscode-textmate over Oniguruma).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import oniguruma from 'vscode-oniguruma';
import textmate from 'vscode-textmate';

const require = createRequire(import.meta.url);
const grammarPath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'syntaxes', 'loss.tmLanguage.json');

const onigLib = oniguruma.loadWASM(fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer).then(() => ({
  createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
  createOnigString: (text) => new oniguruma.OnigString(text),
}));
const registry = new textmate.Registry({
  onigLib,
  loadGrammar: async (scopeName) =>
    scopeName === 'source.loss' ? textmate.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath) : null,
});
const grammar = await registry.loadGrammar('source.loss');

/** Every token of a text of one or more lines: its text and its scopes (outermost first). */
export function tokenize(text) {
  let stack = textmate.INITIAL;
  const tokens = [];
  for (const line of text.split('\n')) {
    const result = grammar.tokenizeLine(line, stack);
    for (const token of result.tokens) {
      tokens.push({ text: line.slice(token.startIndex, token.endIndex), scopes: token.scopes });
    }
    stack = result.ruleStack;
  }
  return tokens;
}
