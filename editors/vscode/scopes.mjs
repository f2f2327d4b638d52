// Prints each token of loss text with its innermost scope: `npm run scopes -- "bce + ssim(11) + iou"`.
import { tokenize } from './tokenizer.mjs';

const text = process.argv.slice(2).join(' ');
if (!text) {
  console.error('usage: npm run scopes -- "<loss text>"');
  process.exit(2);
}
for (const token of tokenize(text).filter((t) => t.text.trim() !== '')) {
  console.log(`${token.text.padEnd(12)} ${token.scopes.at(-1)}`);
}
