// sigstore-js doing what `dreichor-registry verify-bundle` does in bench/verify-bundle.sh:
// read the bundle, the trusted root and the artifact, verify the bundle against the root
// (Rekor entry, certificate chain, SCT, signature) with the exact identity and issuer, for a
// DSSE in-toto statement also check that a subject carries the artifact's SHA-256 (as
// verify-bundle does; @sigstore/verify leaves that to its caller), and exit: 0 verified, 1 refused.
// Usage: node verify.cjs BUNDLE TRUSTED_ROOT ARTIFACT IDENTITY ISSUER
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');
const { toSignedEntity, toTrustMaterial, Verifier } = require('@sigstore/verify');

const [bundlePath, rootPath, artifactPath, identity, issuer] = process.argv.slice(2);
try {
	const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
	const trust = toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(rootPath, 'utf8'))));
	const artifact = fs.readFileSync(artifactPath);
	new Verifier(trust).verify(toSignedEntity(bundle, artifact), {
		subjectAlternativeName: identity,
		extensions: { issuer },
	});
	if (bundle.content.$case === 'dsseEnvelope') {
		const statement = JSON.parse(bundle.content.dsseEnvelope.payload.toString('utf8'));
		const digest = crypto.createHash('sha256').update(artifact).digest('hex');
		if (!(statement.subject || []).some((s) => s.digest && s.digest.sha256 === digest))
			throw new Error('no subject of the in-toto statement has the artifact digest');
	}
} catch (e) {
	process.stderr.write(`sigstore-js: refused: ${e.message}\n`);
	process.exit(1);
}
