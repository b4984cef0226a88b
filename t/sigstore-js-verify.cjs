#!/usr/bin/env node
// sigstore-js-verify.cjs: sigstore-js (npm @sigstore/verify, @sigstore/bundle,
// @sigstore/protobuf-specs, pinned in t/npm) behind the command line of
// dreichor-registry verify-bundle and sigstore-conformance (docs/cli_protocol.md):
//   sigstore-js-verify.cjs verify-bundle --bundle F (--certificate-identity I
//     --certificate-oidc-issuer U | --key K) [--trusted-root F] FILE_OR_DIGEST
// The modules are found through NODE_PATH (t/keyless-bundles.sh installs them with npm ci);
// without --trusted-root, SIGSTORE_TRUSTED_ROOT names the root.
// Exit 0: verified; 1: refused, the reason on stderr; 2: this verifier cannot judge the
// case (a usage error, or a message signature given only the artifact's digest: sigstore-js
// verifies a message signature over the artifact's bytes).
// sigstore-js does not compare an in-toto statement's subject with an artifact; as the
// conformance suite's clients do, this wrapper requires a subject whose sha256 digest is
// the artifact's (the step verify-bundle takes itself).
'use strict';
const crypto = require('crypto');
const fs = require('fs');

function usage(msg) {
  process.stderr.write(`sigstore-js-verify: ${msg}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
if (args[0] === 'verify-bundle') args.shift();
const opt = {};
let subject = null;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (['--bundle', '--certificate-identity', '--certificate-oidc-issuer', '--key', '--trusted-root'].includes(a)) {
    if (i + 1 >= args.length) usage(`${a} needs a value`);
    opt[a.slice(2)] = args[++i];
  } else if (a.startsWith('--')) {
    usage(`unknown option ${a}`);
  } else if (subject === null) {
    subject = a;
  } else {
    usage('more than one artifact');
  }
}
if (!opt.bundle || subject === null) usage('--bundle and an artifact are required');
if (!opt.key && !(opt['certificate-identity'] && opt['certificate-oidc-issuer']))
  usage('--key or --certificate-identity with --certificate-oidc-issuer is required');
const rootPath = opt['trusted-root'] || process.env.SIGSTORE_TRUSTED_ROOT;
if (!rootPath) usage('no trusted root');

const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');
const { toSignedEntity, toTrustMaterial, Verifier } = require('@sigstore/verify');

function refuse(msg) {
  process.stderr.write(`sigstore-js: ${String(msg).split('\n')[0]}\n`);
  process.exit(1);
}

let artifact = null;
let digest;
const m = /^sha256:([0-9a-f]{64})$/.exec(subject);
if (m) {
  digest = m[1];
} else {
  artifact = fs.readFileSync(subject);
  digest = crypto.createHash('sha256').update(artifact).digest('hex');
}

try {
  const bundleJSON = JSON.parse(fs.readFileSync(opt.bundle, 'utf8'));
  const bundle = bundleFromJSON(bundleJSON);
  let keys;
  if (opt.key) {
    const publicKey = crypto.createPublicKey(fs.readFileSync(opt.key));
    keys = () => ({ publicKey, validFor: () => true });
  }
  const tm = toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(rootPath, 'utf8'))), keys);
  if (bundle.content.$case === 'messageSignature' && !artifact) {
    process.stderr.write('sigstore-js: a message signature needs the artifact, not its digest\n');
    process.exit(2);
  }
  const entity = toSignedEntity(bundle, artifact || undefined);
  const policy = opt.key ? undefined : {
    subjectAlternativeName: opt['certificate-identity'],
    extensions: { issuer: opt['certificate-oidc-issuer'] },
  };
  new Verifier(tm).verify(entity, policy);
  if (bundle.content.$case === 'dsseEnvelope') {
    const env = bundle.content.dsseEnvelope;
    if (env.payloadType !== 'application/vnd.in-toto+json') refuse(`DSSE payload type ${env.payloadType}`);
    const stmt = JSON.parse(Buffer.from(env.payload).toString('utf8'));
    const subjects = Array.isArray(stmt.subject) ? stmt.subject : [];
    if (!subjects.some((s) => s && s.digest && s.digest.sha256 === digest))
      refuse('no in-toto subject has the artifact\'s digest');
  }
  process.stdout.write('verified\n');
  process.exit(0);
} catch (e) {
  refuse(e && e.code ? `${e.code}: ${e.message}` : e);
}
