// resources/icon.svg and its PNG renders (icon.png 512 px for the window, icon-256.png): a 7×7
// kernel whose cells fade with EffConv's Gaussian size mask. Run: node scripts/make-icon.js
import { writeFileSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
const cells = [];
const n = 7, cell = 44, gap = 8, size = n * cell + (n - 1) * gap, off = (512 - size) / 2;
const v = 4.6; // a soft size near 5: the mask m(i,j) = exp(-((i+½-c)² + (j+½-c)²)/v²), c = 3.5
for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
  const m = Math.exp(-(((i + 0.5 - 3.5) ** 2) + ((j + 0.5 - 3.5) ** 2)) / (v * v / 4));
  const o = Math.max(0.1, m).toFixed(2);
  cells.push(`  <rect x="${off + j * (cell + gap)}" y="${off + i * (cell + gap)}" width="${cell}" height="${cell}" rx="7" fill="#f2b441" fill-opacity="${o}"/>`);
}
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512">
  <title>EffConv Studio</title>
  <!-- A 7×7 kernel whose cells fade with EffConv's Gaussian size mask: the learned kernel size. -->
  <rect width="512" height="512" rx="104" fill="#17243a"/>
  <rect x="${off - 20}" y="${off - 20}" width="${size + 40}" height="${size + 40}" rx="28" fill="none" stroke="#3d5a80" stroke-width="6"/>
${cells.join('\n')}
</svg>
`;
writeFileSync('resources/icon.svg', svg);
for (const px of [512, 256]) {
  const png = new Resvg(svg, { fitTo: { mode: 'width', value: px } }).render().asPng();
  writeFileSync(px === 512 ? 'resources/icon.png' : `resources/icon-${px}.png`, png);
}
