// The seed's agent shape, as the peer the benchmarks compare against: a
// long-running express server that checks the service-token headers and
// execs the docker CLI for each status request.
// Usage: node bench/node-peer.js PORT CLIENT_ID SECRET [CONTAINER_NAME]
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

app.listen(Number(port), '127.0.0.1');
