// The seed's agent shape, as the peer the benchmarks compare against: a
// long-running express server that checks the service-token headers and
// execs the docker CLI for each request: inspect for a status; pull, stop,
// rm, run and inspect for a deploy (no checks of the image or the env).
// Usage: node bench/node-peer.js PORT CLIENT_ID SECRET [CONTAINER_NAME]
// A deploy reads PEER_ENV_FILE, PEER_AUDIT_PATH and PEER_SNAPSHOTS_PATH
// from the environment, and the docker CLI reads DOCKER_HOST.
'use strict';
const express = require('express');
const { execFile } = require('child_process');

const [port, clientId, secret, name = 'dreichor-runtime-dev'] = process.argv.slice(2);
const app = express();

app.use((req, res, next) => {
  if (req.get('CF-Access-Client-Id') !== clientId || req.get('CF-Access-Client-Secret') !== secret) {
    return res.status(403).json({ status: 'error', reason: 'forbidden' });
  }
  next();
});

app.get('/v1/status', (req, res) => {
  execFile('docker', ['inspect', name], (err, stdout) => {
    if (err) {
      return res.json({ container_name: name, running: false, environment: 'dev' });
    }
    const c = JSON.parse(stdout)[0];
    const out = { container_name: name, running: c.State.Running, environment: 'dev' };
    if (c.State.Running) {
      out.image = c.Config.Image;
      out.started_at = c.State.StartedAt;
    }
    res.json(out);
  });
});

const docker = (args) => new Promise((resolve, reject) => {
  execFile('docker', args, (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout)));
});

app.post('/v1/deploy', express.json(), async (req, res) => {
  const image = req.body && req.body.image;
  try {
    await docker(['pull', '-q', image]);
    await docker(['stop', '-t', '10', name]).catch(() => {});
    await docker(['rm', '-f', name]).catch(() => {});
    const id = (await docker(['run', '-d', '--name', name, '--network', 'none', '--restart', 'unless-stopped',
      '-v', `${process.env.PEER_AUDIT_PATH}:/var/lib/dreichor/audit-events`,
      '-v', `${process.env.PEER_SNAPSHOTS_PATH}:/var/lib/dreichor/snapshots`,
      '--env-file', process.env.PEER_ENV_FILE, '-e', 'ENVIRONMENT=dev', '-l', 'dreichor.environment=dev', image])).trim();
    const c = JSON.parse(await docker(['inspect', id]))[0];
    res.json({ status: 'deployed', container_name: name, image, environment: 'dev', container_id: id, running: c.State.Running });
  } catch (e) {
    res.status(500).json({ status: 'error', reason: e.message });
  }
});

app.listen(Number(port), '127.0.0.1');
