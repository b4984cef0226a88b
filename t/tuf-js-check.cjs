// t/tuf-js-check.cjs: tuf-js (npm, pinned in t/npm, installed by t/tuf.sh with npm ci), the
// reference TUF client t/tuf.sh compares dreichor-sigstore-root's verdicts with, on the same
// repository and the same pinned root.
//
//   node t/tuf-js-check.cjs --url URL --root PINNED-ROOT --metadata-dir DIR [--timeout MS] [--retries N]
//
// DIR keeps tuf-js's trusted metadata between runs (seeded with PINNED-ROOT when it holds no
// root.json). Like dreichor-sigstore-root, a refused run keeps DIR as it was: tuf-js works on a
// copy, and only an accepted run's metadata is copied back. The run: new Updater(...),
// refresh(), getTargetInfo('trusted_root.json'), downloadTarget(...) (length and hashes checked).
// Prints one line and exits:
//   0  accepted root vN timestamp vN snapshot vN targets vN expires <earliest> sha256 <hex> target <path>
//   1  refused: <error class>: <message>
//   2  usage, or tuf-js is missing
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');

function usage(why) {
  process.stderr.write(`tuf-js-check: ${why}\nusage: node tuf-js-check.cjs --url URL --root FILE --metadata-dir DIR [--timeout MS] [--retries N]\n`);
  process.exit(2);
}

const opts = { timeout: 100000, retries: 2 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const k = argv[i], v = argv[i + 1];
  if (v === undefined) usage(`${k} wants a value`);
  switch (k) {
    case '--url': opts.url = v.replace(/\/+$/, ''); break;
    case '--root': opts.root = v; break;
    case '--metadata-dir': opts.dir = v; break;
    case '--timeout': opts.timeout = Number(v); break;
    case '--retries': opts.retries = Number(v); break;
    default: usage(`unknown option ${k}`);
  }
}
if (!opts.url || !opts.root || !opts.dir) usage('--url, --root and --metadata-dir are required');

let Updater;
try {
  ({ Updater } = require('tuf-js'));
} catch (e) {
  process.stderr.write(`tuf-js-check: cannot load tuf-js (NODE_PATH=${process.env.NODE_PATH || ''}): ${e.message}\n`);
  process.exit(2);
}

const ROLES = ['root', 'timestamp', 'snapshot', 'targets'];

async function main() {
  fs.mkdirSync(opts.dir, { recursive: true });
  if (!fs.existsSync(path.join(opts.dir, 'root.json'))) fs.copyFileSync(opts.root, path.join(opts.dir, 'root.json'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tuf-js-check.'));
  const meta = path.join(work, 'metadata');
  const targets = path.join(work, 'targets');
  fs.mkdirSync(meta);
  fs.mkdirSync(targets);
  for (const r of ROLES) {
    const f = path.join(opts.dir, `${r}.json`);
    if (fs.existsSync(f)) fs.copyFileSync(f, path.join(meta, `${r}.json`));
  }
  try {
    const updater = new Updater({
      metadataDir: meta,
      metadataBaseUrl: opts.url,
      targetDir: targets,
      targetBaseUrl: `${opts.url}/targets`,
      config: { fetchTimeout: opts.timeout, fetchRetry: opts.retries },
    });
    await updater.refresh();
    const info = await updater.getTargetInfo('trusted_root.json');
    if (!info) throw Object.assign(new Error('no target trusted_root.json in targets'), { name: 'TargetNotFound' });
    const file = await updater.downloadTarget(info);
    const bytes = fs.readFileSync(file);
    const ts = updater.trustedSet;
    const signed = [ts.root, ts.timestamp, ts.snapshot, ts.targets].map((m) => m.signed);
    const earliest = signed.map((s) => s.expires).sort()[0];
    // Accepted: the metadata becomes the trusted state, the target sits beside it.
    for (const r of ROLES) {
      const f = path.join(meta, `${r}.json`);
      if (fs.existsSync(f)) fs.copyFileSync(f, path.join(opts.dir, `${r}.json`));
    }
    fs.copyFileSync(file, path.join(opts.dir, 'trusted_root.json'));
    process.stdout.write(`accepted root v${signed[0].version} timestamp v${signed[1].version} ` +
      `snapshot v${signed[2].version} targets v${signed[3].version} expires ${earliest} ` +
      `sha256 ${crypto.createHash('sha256').update(bytes).digest('hex')} target ${path.join(opts.dir, 'trusted_root.json')}\n`);
    return 0;
  } catch (e) {
    process.stdout.write(`refused: ${(e.constructor && e.constructor.name !== 'Error' ? e.constructor.name : e.name) || 'Error'}: ${String(e.message).replace(/\s+/g, ' ')}\n`);
    return 1;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then((rc) => process.exit(rc), (e) => {
  process.stderr.write(`tuf-js-check: ${e.stack || e}\n`);
  process.exit(2);
});
