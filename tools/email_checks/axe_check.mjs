// axe-core over email HTML files in headless Chromium (Debian's /usr/bin/chromium), driven by
// playwright-core. Usage: node axe_check.mjs FILE.html... ; prints one JSON object:
// {"FILE.html": [{"id", "impact", "help", "nodes", "width"}...]} with every violation axe reports
// at 600 px, at 375 px and at 600 px in dark mode (each rule once per colour scheme).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
// desktop, phone, and desktop in dark mode (prefers-color-scheme: dark, as a dark inbox)
const views = [
  { width: 600, colorScheme: 'light', name: '600 px' },
  { width: 375, colorScheme: 'light', name: '375 px' },
  { width: 600, colorScheme: 'dark', name: '600 px dark' },
];

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-sync',
  ],
});
const results = {};
try {
  for (const file of process.argv.slice(2)) {
    const found = new Map();
    for (const view of views) {
      const context = await browser.newContext({
        viewport: { width: view.width, height: 900 },
        colorScheme: view.colorScheme,
      });
      // nothing leaves the machine: remote images and fonts are refused
      await context.route(/^https?:/, (route) => route.abort());
      const page = await context.newPage();
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      await page.addScriptTag({ content: axeSource });
      const run = await page.evaluate(async () =>
        // eslint-disable-next-line no-undef
        (await axe.run(document, { resultTypes: ['violations'] })).violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
        })),
      );
      for (const v of run) {
        const key = `${v.id} ${view.colorScheme}`;
        if (!found.has(key)) found.set(key, { ...v, width: view.name });
      }
      await context.close();
    }
    results[file] = [...found.values()];
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results, null, 1) + '\n');
