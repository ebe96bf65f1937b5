// doiuse-email over email HTML files. Usage: node doiuse.mjs FILE.html... ; prints one JSON
// object {"data": "...", "FILE.html": {"errors": [...], "warnings": [...]}}.
// The email clients are the globs in $DOIUSE_CLIENTS (comma-separated; default Outlook, Gmail
// and Apple Mail). When $CANIEMAIL_DIR holds caniemail's feature files (features/*.md, YAML front
// matter), they replace the older copy of caniemail's data bundled with doiuse-email: they are
// turned into the same JSON shape (api/data.json) in a temporary file, never into the repository.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);

function frontMatter(text) {
  const clean = text.replaceAll('\t', '    ');
  if (!clean.startsWith('---')) return null;
  const end = clean.indexOf('\n---', 3);
  return end < 0 ? null : parse(clean.slice(3, end), { uniqueKeys: false, strict: false });
}

function caniemailJson(folder) {
  const data = [];
  let newest = '';
  for (const name of readdirSync(join(folder, 'features')).sort()) {
    if (!name.endsWith('.md') || name.startsWith('_')) continue;
    let meta;
    try {
      meta = frontMatter(readFileSync(join(folder, 'features', name), 'utf8'));
    } catch (error) {
      process.stderr.write(`caniemail ${name}: skipped (${error.message.split('\n')[0]})\n`);
      continue;
    }
    if (!meta || !meta.title || typeof meta.stats !== 'object') continue;
    const tested = String(meta.last_test_date || '');
    if (tested > newest) newest = tested;
    const stats = {};
    for (const [family, platforms] of Object.entries(meta.stats)) {
      stats[family] = {};
      for (const [platform, versions] of Object.entries(platforms || {})) {
        stats[family][platform] = {};
        for (const [version, support] of Object.entries(versions || {})) {
          stats[family][platform][String(version)] = String(support);
        }
      }
    }
    const notes = {};
    for (const [k, v] of Object.entries(meta.notes_by_num || {})) notes[String(k)] = String(v);
    data.push({
      slug: name.slice(0, -3),
      title: String(meta.title),
      category: String(meta.category || ''),
      keywords: String(meta.keywords || ''),
      last_test_date: tested,
      stats,
      notes: meta.notes || null,
      notes_by_num: notes,
    });
  }
  const out = join(mkdtempSync(join(tmpdir(), 'caniemail-')), 'can-i-email.json');
  writeFileSync(out, JSON.stringify({ api_version: '1.0.4', last_update_date: newest, data }));
  return { out, label: `caniemail feature files (${data.length} features, tested up to ${newest})` };
}

let dataLabel = 'the caniemail data bundled with doiuse-email';
const folder = process.env.CANIEMAIL_DIR;
if (folder && existsSync(join(folder, 'features'))) {
  const { out, label } = caniemailJson(folder);
  dataLabel = label;
  const Module = require('node:module');
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    if (request === './can-i-email.json') return out;
    return resolve.call(this, request, ...rest);
  };
} else {
  const bundled = require('doiuse-email/package.json');
  dataLabel += ` (doiuse-email ${bundled.version})`;
}
const { doIUseEmail } = await import('doiuse-email');
const emailClients = (process.env.DOIUSE_CLIENTS || 'outlook.*,gmail.*,apple-mail.*').split(',');
const results = { data: dataLabel };
for (const file of process.argv.slice(2)) {
  const result = doIUseEmail(readFileSync(file, 'utf8'), { emailClients });
  results[file] = { errors: result.errors || [], warnings: result.warnings || [] };
}
process.stdout.write(JSON.stringify(results, null, 1) + '\n');
