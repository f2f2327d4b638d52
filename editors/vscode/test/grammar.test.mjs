// Tokenizes .loss text with the engine VS Code uses (vscode-textmate over Oniguruma) and checks the scopes the grammar
// gives. Run with `npm test` in editors/vscode (.ci/run does). The catalog's names in the grammar are checked against
// the compiler by tests/LossDsl.Tests/Editors/TextMateGrammarTests.cs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { tokenize } from '../tokenizer.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repositoryRoot = path.resolve(here, '..', '..', '..');

/** The innermost scope of the n-th token whose text is exactly `text`. */
function scopeOf(tokens, text, n = 0) {
  const matching = tokens.filter((t) => t.text === text);
  assert.ok(matching.length > n, `no token ${JSON.stringify(text)} (occurrence ${n}) in ${JSON.stringify(tokens.map((t) => t.text))}`);
  return matching[n].scopes.at(-1);
}

function assertScopes(text, expected) {
  const tokens = tokenize(text);
  for (const [token, scope, n] of expected) {
    assert.equal(scopeOf(tokens, token, n ?? 0), scope, `${JSON.stringify(token)} in ${JSON.stringify(text)}`);
  }
}

/** Every .loss file in the repository (not in build outputs or node_modules), with its path. */
function repositoryLossTexts() {
  const texts = [];
  const skip = new Set(['node_modules', 'bin', 'obj', '.git', 'artifacts']);
  const walk = (folder) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory() && !skip.has(entry.name)) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.loss')) texts.push([path.relative(repositoryRoot, full), fs.readFileSync(full, 'utf8')]);
    }
  };
  walk(repositoryRoot);
  return texts;
}

test('the repository has .loss files to tokenize', () => {
  assert.ok(repositoryLossTexts().length >= 2);
});

for (const [file, text] of repositoryLossTexts()) {
  test(`${file}: every definition is highlighted and nothing is invalid`, () => {
    const tokens = tokenize(text.replace(/\r\n/g, '\n'));
    const invalid = tokens.filter((t) => t.scopes.some((s) => s.startsWith('invalid')));
    assert.deepEqual(invalid, []);
    const definitions = text.match(/^\s*loss\s+\w+/gm) ?? [];
    assert.ok(definitions.length > 0, `${file} defines no loss`);
    const keywords = tokens.filter((t) => t.text === 'loss' && t.scopes.at(-1) === 'keyword.other.definition.loss');
    assert.equal(keywords.length, definitions.length);
    for (const t of tokens.filter((t) => t.text.startsWith('//'))) {
      assert.equal(t.scopes.at(-1), 'comment.line.double-slash.loss');
    }
  });
}

test('a definition: keyword, name, signature, primitives, arguments, numbers, comment', () => {
  assertScopes('loss BasNet(pred: logits[N, 1, H, W], target: mask[N, 1, H, W]) = bce + ssim(11) + iou; // hybrid', [
    ['loss', 'keyword.other.definition.loss'],
    ['BasNet', 'entity.name.type.loss'],
    ['(', 'punctuation.section.parens.begin.loss'],
    ['pred', 'variable.parameter.input.loss'],
    ['logits', 'support.type.input-kind.loss'],
    ['N', 'variable.other.dimension.loss'],
    ['1', 'constant.numeric.loss'],
    ['target', 'variable.parameter.input.loss'],
    ['mask', 'support.type.input-kind.loss'],
    ['=', 'keyword.operator.assignment.loss'],
    ['bce', 'support.function.primitive.loss'],
    ['ssim', 'support.function.primitive.loss'],
    ['11', 'constant.numeric.loss'],
    ['iou', 'support.function.primitive.loss'],
    [';', 'punctuation.terminator.statement.loss'],
    ['// hybrid', 'comment.line.double-slash.loss'],
  ]);
});

test('labels with an ignore index, and an alias', () => {
  assertScopes('loss Organ(target: labels[N, H, W] ignore 255) = ce + jaccard(per_image: true);', [
    ['labels', 'support.type.input-kind.loss'],
    ['ignore', 'keyword.other.ignore.loss'],
    ['255', 'constant.numeric.loss'],
    ['ce', 'support.function.primitive.loss'],
    ['jaccard', 'support.function.primitive.loss'],
    ['per_image', 'variable.parameter.loss'],
    ['true', 'constant.language.loss'],
  ]);
});

test('deep supervision clauses after pred\'s shape', () => {
  assertScopes('loss Deep(pred: logits[N, 1, H, W] levels K weights [1, 0.5] resize target, target: mask[N, 1, H, W]) = bce;', [
    ['levels', 'keyword.other.levels.loss'],
    ['K', 'variable.other.dimension.loss'],
    ['weights', 'keyword.other.levels.loss'],
    ['0.5', 'constant.numeric.loss'],
    ['resize', 'keyword.other.levels.loss'],
    ['target', 'support.constant.level.loss'],
    ['target', 'variable.parameter.input.loss', 1],
  ]);
  assertScopes('loss Deep(pred: logits levels 4 weights exp resize pred stride 2) = bce;', [
    ['4', 'constant.numeric.loss'],
    ['stride', 'keyword.other.levels.loss'],
    ['2', 'constant.numeric.loss'],
    ['exp', 'support.constant.level.loss'],
    ['pred', 'support.constant.level.loss', 1],
  ]);
});

test('a pixel weight map and a valid mask in the signature', () => {
  assertScopes('loss Cells(pred: logits[N, 1, H, W], pixel_weight: map[N, 1, H, W], valid: mask[N, 1, H, W]) = bce + dice;', [
    ['pixel_weight', 'variable.parameter.input.loss'],
    ['map', 'support.type.input-kind.loss'],
    ['valid', 'variable.parameter.input.loss'],
    ['mask', 'support.type.input-kind.loss'],
    ['bce', 'support.function.primitive.loss'],
  ]);
});

test('an expression alone: weights, named arguments, lists, words, exponents, scalar functions', () => {
  assertScopes('0.5 * focal(gamma: 2) + dice(weight: [1, 2.5e-1], include_background: false) - pow(iou, .5) + bce(pos_weight: auto)', [
    ['0.5', 'constant.numeric.loss'],
    ['*', 'keyword.operator.arithmetic.loss'],
    ['focal', 'support.function.primitive.loss'],
    ['gamma', 'variable.parameter.loss'],
    [':', 'punctuation.separator.colon.loss'],
    ['weight', 'variable.parameter.loss'],
    ['[', 'punctuation.section.brackets.loss'],
    ['2.5e-1', 'constant.numeric.loss'],
    ['include_background', 'variable.parameter.loss'],
    ['false', 'constant.language.loss'],
    ['-', 'keyword.operator.arithmetic.loss'],
    ['pow', 'support.function.scalar.loss'],
    ['.5', 'constant.numeric.loss'],
    ['auto', 'constant.language.loss'],
  ]);
});

test('a definition over several lines keeps its context, and a loss used by name is a reference', () => {
  assertScopes('loss Deep(pred: probs[N, 3, H, W])\n  = BasNet // the hybrid\n  + 0.5 * dice(classes: present);', [
    ['probs', 'support.type.input-kind.loss'],
    ['=', 'keyword.operator.assignment.loss'],
    ['BasNet', 'variable.other.loss'],
    ['// the hybrid', 'comment.line.double-slash.loss'],
    ['dice', 'support.function.primitive.loss'],
    ['classes', 'variable.parameter.loss'],
    ['present', 'constant.language.loss'],
    [';', 'punctuation.terminator.statement.loss'],
  ]);
});

test('names are whole words: longer names and prefixes of primitives are not primitives', () => {
  assertScopes('dices + dice_2 + bc + iou2', [
    ['dices', 'variable.other.loss'],
    ['dice_2', 'variable.other.loss'],
    ['bc', 'variable.other.loss'],
    ['iou2', 'variable.other.loss'],
  ]);
});

test('characters the language has no use for are errors, as the lexer reports them', () => {
  assertScopes('bce $ iou # 2 % dice', [
    ['$', 'invalid.illegal.character.loss'],
    ['#', 'invalid.illegal.character.loss'],
    ['%', 'invalid.illegal.character.loss'],
    ['iou', 'support.function.primitive.loss'],
  ]);
});
