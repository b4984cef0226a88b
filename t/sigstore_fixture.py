#!/usr/bin/env python3
"""sigstore_fixture.py: a test Sigstore instance made offline, for t/lib-keyless.sh.

Python's standard library builds the DER, JSON and Merkle trees; openssl does the
cryptography (ECDSA P-256 keys, signatures, RFC 3161 timestamps). Nothing here is
for production: the keys sit unencrypted in the instance directory.

  init DIR
      Makes the instance in DIR: a Fulcio-like root CA and intermediate (and a second,
      untrusted pair), a CT log key, a Rekor-like log key, a timestamp authority, and
      DIR/trusted_root.json naming them (DIR/trusted_root-log-ended.json: the same with
      the log key's validFor ending before any entry).
  dsse DIR OUT --digest sha256:HEX [options]
      A Sigstore bundle v0.3 (DSSE envelope over an in-toto statement v1 whose subject
      is --repository with the digest) by a fresh leaf certificate, with a dsse 0.0.1
      log entry (SET and inclusion proof with a signed checkpoint).
  classic DIR OUTDIR --payload FILE [options]
      cosign's classic signature of the payload bytes: OUTDIR/signature (base64),
      cert.pem, chain.pem (intermediate then root), rekor-bundle.json (the
      dev.sigstore.cosign/bundle annotation: a hashedrekord 0.0.1 entry and its SET),
      and bundle.json, the same as a Sigstore bundle v0.1 (leaf only, SET only).

Options of dsse and classic: --identity URI, --issuer URL, --variant V, --tsa (add an
RFC 3161 timestamp over the signature); dsse also: --repository NAME ("-" for no subject
name), --predicate cosign|slsa. Variants: good, expired (the certificate's window ended
before the integrated time), other-artifact (the log entry is for another signature
payload), untrusted-ca (the certificate comes from a CA the root does not name),
issuer-v1 (only the deprecated raw issuer extension .1.1), no-sct (no SCT extension),
bad-sct (an SCT over another certificate), bad-set (the SET's last bit flipped).
"""
import argparse
import base64
import datetime
import fcntl
import hashlib
import json
import os
import subprocess
import sys
import time

# --- DER -------------------------------------------------------------------------------

def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, 'big')
    return bytes([0x80 | len(b)]) + b


def tlv(tag, content):
    return bytes([tag]) + der_len(len(content)) + content


def seq(*items):
    return tlv(0x30, b''.join(items))


def set_of(*items):
    return tlv(0x31, b''.join(sorted(items)))


def integer(n):
    b = n.to_bytes((n.bit_length() + 8) // 8 or 1, 'big', signed=True)
    return tlv(0x02, b)


def oid(text):
    parts = [int(p) for p in text.split('.')]
    out = bytes([parts[0] * 40 + parts[1]])
    for p in parts[2:]:
        enc = [p & 0x7f]
        p >>= 7
        while p:
            enc.insert(0, 0x80 | (p & 0x7f))
            p >>= 7
        out += bytes(enc)
    return tlv(0x06, out)


def octet(b):
    return tlv(0x04, b)


def bitstring(b):
    return tlv(0x03, b'\x00' + b)


def utf8(s):
    return tlv(0x0c, s.encode())


def boolean(v):
    return tlv(0x01, b'\xff' if v else b'\x00')


def explicit(n, content):
    return tlv(0xa0 | n, content)


def der_time(t):
    d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    if d.year < 2050:
        return tlv(0x17, d.strftime('%y%m%d%H%M%SZ').encode())
    return tlv(0x18, d.strftime('%Y%m%d%H%M%SZ').encode())


def name(cn, org):
    return seq(set_of(seq(oid('2.5.4.10'), utf8(org))), set_of(seq(oid('2.5.4.3'), utf8(cn))))


ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'))
OID_SCT = '1.3.6.1.4.1.11129.2.4.2'


def ext(oid_text, value, critical=False):
    return seq(oid(oid_text), *([boolean(True)] if critical else []), octet(value))


# --- keys and signatures through openssl --------------------------------------------------

def run(args, data=None):
    p = subprocess.run(args, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode:
        sys.exit('sigstore_fixture: %s failed: %s' % (' '.join(args), p.stderr.decode(errors='replace')))
    return p.stdout


class Key:
    def __init__(self, path):
        self.path = path
        if not os.path.exists(path):
            run(['openssl', 'ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', path])
        self.spki = run(['openssl', 'pkey', '-in', path, '-pubout', '-outform', 'DER'])

    def sign(self, data):
        return run(['openssl', 'dgst', '-sha256', '-sign', self.path], data)

    def key_id(self):
        return hashlib.sha256(self.spki).digest()


def pem(der, label='CERTIFICATE'):
    b = base64.b64encode(der).decode()
    return '-----BEGIN %s-----\n%s\n-----END %s-----\n' % (label, '\n'.join(b[i:i + 64] for i in range(0, len(b), 64)), label)


def b64(b):
    return base64.b64encode(b).decode()


def ski(spki_der):
    # The key's SHA-1 over the subjectPublicKey bits (RFC 5280 4.2.1.2 method 1): the
    # last 65 bytes of a P-256 SPKI are the uncompressed point.
    return hashlib.sha1(spki_der[-65:]).digest()


def make_tbs(serial, issuer, not_before, not_after, subject, spki, exts):
    return seq(explicit(0, integer(2)), integer(serial), ECDSA_SHA256, issuer,
               seq(der_time(not_before), der_time(not_after)), subject, spki,
               explicit(3, seq(*exts)))


def make_cert(tbs, issuer_key):
    return seq(tbs, ECDSA_SHA256, bitstring(issuer_key.sign(tbs)))


def serial():
    return int.from_bytes(os.urandom(16), 'big') >> 1


def ca_cert(key, subject, issuer, issuer_key, start, end, pathlen=None, eku=None):
    bc = seq(boolean(True), *([integer(pathlen)] if pathlen is not None else []))
    exts = [ext('2.5.29.15', bitstring(b'\x06'), True),  # keyCertSign, cRLSign
            ext('2.5.29.19', bc, True),
            ext('2.5.29.14', octet(ski(key.spki)))]
    if issuer_key is not key:
        exts.append(ext('2.5.29.35', seq(tlv(0x80, ski(issuer_key.spki)))))
    if eku:
        exts.append(ext('2.5.29.37', seq(oid(eku))))
    return make_cert(make_tbs(serial(), issuer, start, end, subject, key.spki, exts), issuer_key)


# --- the instance ---------------------------------------------------------------------------

DAY = 86400


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def init(d):
    os.makedirs(d, exist_ok=True)
    now = int(time.time())
    start, end = now - 30 * DAY, now + 3650 * DAY
    meta = {'start': start}
    for prefix, org in (('', 'dreichor-test-fulcio'), ('untrusted-', 'dreichor-untrusted-fulcio')):
        root_key = Key(os.path.join(d, prefix + 'root.key'))
        inter_key = Key(os.path.join(d, prefix + 'intermediate.key'))
        root_name = name('sigstore', org)
        inter_name = name('sigstore-intermediate', org)
        root = ca_cert(root_key, root_name, root_name, root_key, start, end, pathlen=1)
        inter = ca_cert(inter_key, inter_name, root_name, root_key, start, end, pathlen=0,
                        eku='1.3.6.1.5.5.7.3.3')
        open(os.path.join(d, prefix + 'root.der'), 'wb').write(root)
        open(os.path.join(d, prefix + 'intermediate.der'), 'wb').write(inter)
    Key(os.path.join(d, 'ctlog.key'))
    Key(os.path.join(d, 'rekor.key'))
    # The timestamp authority: a root and a leaf with the critical timeStamping EKU.
    tsa_root_key = Key(os.path.join(d, 'tsa-root.key'))
    tsa_key = Key(os.path.join(d, 'tsa.key'))
    tsa_root_name = name('dreichor-test-tsa-root', 'dreichor-test-tsa')
    tsa_root = ca_cert(tsa_root_key, tsa_root_name, tsa_root_name, tsa_root_key, start, end, pathlen=0)
    tsa_leaf = make_cert(make_tbs(serial(), tsa_root_name, start, end, name('dreichor-test-tsa', 'dreichor-test-tsa'),
                                  tsa_key.spki,
                                  [ext('2.5.29.15', bitstring(b'\x80'), True),
                                   ext('2.5.29.37', seq(oid('1.3.6.1.5.5.7.3.8')), True),
                                   ext('2.5.29.14', octet(ski(tsa_key.spki))),
                                   ext('2.5.29.35', seq(tlv(0x80, ski(tsa_root_key.spki))))]), tsa_root_key)
    open(os.path.join(d, 'tsa-root.der'), 'wb').write(tsa_root)
    open(os.path.join(d, 'tsa.der'), 'wb').write(tsa_leaf)
    open(os.path.join(d, 'tsa.pem'), 'w').write(pem(tsa_leaf))
    open(os.path.join(d, 'tsa-chain.pem'), 'w').write(pem(tsa_root))
    open(os.path.join(d, 'tsa.cnf'), 'w').write('''[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = %s
serial = $dir/tsa-serial
signer_digest = sha256
default_policy = 1.3.6.1.4.1.57264.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
''' % d)
    open(os.path.join(d, 'tsa-serial'), 'w').write('01\n')
    open(os.path.join(d, 'log-index'), 'w').write('0\n')
    json.dump(meta, open(os.path.join(d, 'meta.json'), 'w'))
    write_root(d, os.path.join(d, 'trusted_root.json'), None)
    write_root(d, os.path.join(d, 'trusted_root-log-ended.json'), start + 60)


def write_root(d, path, tlog_end):
    meta = json.load(open(os.path.join(d, 'meta.json')))
    start = meta['start']

    def log(keyname, url, end=None):
        k = Key(os.path.join(d, keyname))
        vf = {'start': iso(start)}
        if end is not None:
            vf['end'] = iso(end)
        return {'baseUrl': url, 'hashAlgorithm': 'SHA2_256',
                'publicKey': {'rawBytes': b64(k.spki), 'keyDetails': 'PKIX_ECDSA_P256_SHA_256', 'validFor': vf},
                'logId': {'keyId': b64(k.key_id())}}

    def chain(*names):
        return {'certificates': [{'rawBytes': b64(open(os.path.join(d, n), 'rb').read())} for n in names]}

    root = {
        'mediaType': 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
        'tlogs': [log('rekor.key', 'https://rekor.dreichor.test', tlog_end)],
        'certificateAuthorities': [{
            'subject': {'organization': 'dreichor-test-fulcio', 'commonName': 'sigstore'},
            'uri': 'https://fulcio.dreichor.test',
            'certChain': chain('intermediate.der', 'root.der'),
            'validFor': {'start': iso(start)}}],
        'ctlogs': [log('ctlog.key', 'https://ctfe.dreichor.test/test')],
        'timestampAuthorities': [{
            'subject': {'organization': 'dreichor-test-tsa', 'commonName': 'dreichor-test-tsa'},
            'uri': 'https://tsa.dreichor.test',
            'certChain': chain('tsa.der', 'tsa-root.der'),
            'validFor': {'start': iso(start)}}],
    }
    with open(path, 'w') as f:
        json.dump(root, f, indent=2)
        f.write('\n')


# --- leaf certificates ----------------------------------------------------------------------

def fulcio_exts(identity, issuer, variant, commit, run_url):
    # The workflow identity https://github.com/OWNER/REPO/.github/workflows/F@REF names the repository.
    repo = identity.split('/.github/')[0] if '/.github/' in identity else identity
    ref = identity.rsplit('@', 1)[1] if '@' in identity else 'refs/heads/main'
    exts = [ext('1.3.6.1.4.1.57264.1.1', issuer.encode())]
    if variant != 'issuer-v1':
        exts += [ext('1.3.6.1.4.1.57264.1.8', utf8(issuer)),
                 ext('1.3.6.1.4.1.57264.1.9', utf8(identity)),
                 ext('1.3.6.1.4.1.57264.1.11', utf8('github-hosted')),
                 ext('1.3.6.1.4.1.57264.1.12', utf8(repo)),
                 ext('1.3.6.1.4.1.57264.1.13', utf8(commit)),
                 ext('1.3.6.1.4.1.57264.1.14', utf8(ref)),
                 ext('1.3.6.1.4.1.57264.1.20', utf8('push')),
                 ext('1.3.6.1.4.1.57264.1.21', utf8(run_url))]
    return exts


def sct_list(d, tbs_pre, issuer_spki, at_ms):
    ct = Key(os.path.join(d, 'ctlog.key'))
    signed = (b'\x00\x00' + at_ms.to_bytes(8, 'big') + b'\x00\x01' + hashlib.sha256(issuer_spki).digest() +
              len(tbs_pre).to_bytes(3, 'big') + tbs_pre + b'\x00\x00')
    sig = ct.sign(signed)
    sct = b'\x00' + ct.key_id() + at_ms.to_bytes(8, 'big') + b'\x00\x00' + b'\x04\x03' + len(sig).to_bytes(2, 'big') + sig
    lst = len(sct).to_bytes(2, 'big') + sct
    return len(lst).to_bytes(2, 'big') + lst


def leaf_cert(d, leaf_key, identity, issuer, variant, not_before, not_after, commit, run_url):
    prefix = 'untrusted-' if variant == 'untrusted-ca' else ''
    inter_key = Key(os.path.join(d, prefix + 'intermediate.key'))
    inter = open(os.path.join(d, prefix + 'intermediate.der'), 'rb').read()
    root = open(os.path.join(d, prefix + 'root.der'), 'rb').read()
    org = 'dreichor-untrusted-fulcio' if prefix else 'dreichor-test-fulcio'
    issuer_name = name('sigstore-intermediate', org)
    exts = [ext('2.5.29.15', bitstring(b'\x80'), True),
            ext('2.5.29.37', seq(oid('1.3.6.1.5.5.7.3.3'))),
            ext('2.5.29.14', octet(ski(leaf_key.spki))),
            ext('2.5.29.35', seq(tlv(0x80, ski(inter_key.spki)))),
            ext('2.5.29.17', seq(tlv(0x86, identity.encode())), True)] + fulcio_exts(identity, issuer, variant, commit, run_url)
    n = serial()
    subject = seq()
    pre = make_tbs(n, issuer_name, not_before, not_after, subject, leaf_key.spki, exts)
    if variant != 'no-sct':
        # The SCT is over the precertificate: this TBS without the SCT extension (RFC 6962 3.2).
        signed_over = pre
        if variant == 'bad-sct':
            signed_over = make_tbs(n + 1, issuer_name, not_before, not_after, subject, leaf_key.spki, exts)
        scts = sct_list(d, signed_over, inter_key.spki, (not_before + 1) * 1000)
        exts.append(ext(OID_SCT, octet(scts)))
    tbs = make_tbs(n, issuer_name, not_before, not_after, subject, leaf_key.spki, exts)
    return make_cert(tbs, inter_key), inter, root


# --- the log --------------------------------------------------------------------------------

def leaf_hash(b):
    return hashlib.sha256(b'\x00' + b).digest()


def node_hash(l, r):
    return hashlib.sha256(b'\x01' + l + r).digest()


def mth(leaves):
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def path(m, leaves):
    # RFC 6962 2.1.1 PATH(m, D[n]), leaf hashes given.
    if len(leaves) == 1:
        return []
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def next_log_index(d):
    p = os.path.join(d, 'log-index')
    n = int(open(p).read())
    open(p, 'w').write('%d\n' % (n + 1))
    return n


def log_entry(d, body, integrated_time, variant, kind, version):
    rekor = Key(os.path.join(d, 'rekor.key'))
    index = next_log_index(d)
    log_id = rekor.key_id()
    size = index + 1 + (index % 3)
    leaves = [leaf_hash(b'filler %d' % i) for i in range(size)]
    leaves[index] = leaf_hash(body)
    root_hash = mth(leaves)
    note = 'rekor.dreichor.test - 2605736670972794746\n%d\n%s\n' % (size, b64(root_hash))
    note_sig = rekor.sign(note.encode())
    checkpoint = note + '\n\u2014 rekor.dreichor.test %s\n' % b64(log_id[:4] + note_sig)
    set_payload = json.dumps({'body': b64(body), 'integratedTime': integrated_time, 'logID': log_id.hex(),
                              'logIndex': index}, sort_keys=True, separators=(',', ':')).encode()
    set_sig = bytearray(rekor.sign(set_payload))
    if variant == 'bad-set':
        set_sig[-1] ^= 1
    return {
        'logIndex': str(index),
        'logId': {'keyId': b64(log_id)},
        'kindVersion': {'kind': kind, 'version': version},
        'integratedTime': str(integrated_time),
        'inclusionPromise': {'signedEntryTimestamp': b64(bytes(set_sig))},
        'inclusionProof': {'logIndex': str(index), 'rootHash': b64(root_hash), 'treeSize': str(size),
                           'hashes': [b64(h) for h in path(index, leaves)], 'checkpoint': {'envelope': checkpoint}},
        'canonicalizedBody': b64(body),
    }


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(',', ':')).encode()


def timestamp(d, sig):
    tmp = os.path.join(d, 'ts-%d' % os.getpid())
    open(tmp + '.sig', 'wb').write(sig)
    run(['openssl', 'ts', '-query', '-data', tmp + '.sig', '-sha256', '-cert', '-out', tmp + '.tsq'])
    run(['openssl', 'ts', '-reply', '-config', os.path.join(d, 'tsa.cnf'), '-queryfile', tmp + '.tsq',
         '-signer', os.path.join(d, 'tsa.pem'), '-inkey', os.path.join(d, 'tsa.key'),
         '-chain', os.path.join(d, 'tsa-chain.pem'), '-out', tmp + '.tsr'])
    resp = open(tmp + '.tsr', 'rb').read()
    for s in ('.sig', '.tsq', '.tsr'):
        os.unlink(tmp + s)
    return resp


# --- signing --------------------------------------------------------------------------------

def times(variant):
    # Fulcio certificates live ten minutes; the log integrates the entry within them.
    now = int(time.time())
    t = now - 120
    if variant == 'expired':
        return t - 700, t - 100, t
    return t - 60, t + 540, t


def signer(d, a):
    leaf_key = Key(os.path.join(d, 'leaf-%d-%s.key' % (os.getpid(), os.urandom(4).hex())))
    not_before, not_after, integrated = times(a.variant)
    cert, inter, root = leaf_cert(d, leaf_key, a.identity, a.issuer, a.variant, not_before, not_after, a.commit,
                                  a.run_url)
    return leaf_key, cert, inter, root, integrated


def statement(repository, digest, predicate, identity, commit, run_url):
    subject = {} if repository == '-' else {'name': repository}
    subject['digest'] = {'sha256': digest.split(':', 1)[1]}
    if predicate == 'slsa':
        repo = identity.split('/.github/')[0]
        workflow = identity.split('/.github/')[1] if '/.github/' in identity else ''
        path_, _, ref = ('.github/' + workflow).partition('@')
        pred_type = 'https://slsa.dev/provenance/v1'
        pred = {'buildDefinition': {
                    'buildType': 'https://actions.github.io/buildtypes/workflow/v1',
                    'externalParameters': {'workflow': {'ref': ref, 'repository': repo, 'path': path_}},
                    'internalParameters': {'github': {'event_name': 'push', 'runner_environment': 'github-hosted'}},
                    'resolvedDependencies': [{'uri': 'git+%s@%s' % (repo, ref), 'digest': {'gitCommit': commit}}]},
                'runDetails': {'builder': {'id': 'https://github.com/actions/runner/github-hosted'},
                               'metadata': {'invocationId': run_url}}}
    else:
        pred_type = 'https://sigstore.dev/cosign/sign/v1'
        pred = {}
    return {'_type': 'https://in-toto.io/Statement/v1', 'subject': [subject], 'predicateType': pred_type,
            'predicate': pred}


def cmd_dsse(a):
    d = a.dir
    stmt = canonical(statement(a.repository, a.digest, a.predicate, a.identity, a.commit, a.run_url))
    ptype = 'application/vnd.in-toto+json'
    leaf_key, cert, inter, root, integrated = signer(d, a)
    pae = b'DSSEv1 %d %s %d ' % (len(ptype), ptype.encode(), len(stmt)) + stmt
    sig = leaf_key.sign(pae)
    logged_payload, logged_sig = stmt, sig
    if a.variant == 'other-artifact':
        # A genuine log entry, but for another statement the same certificate signed.
        other = canonical(statement(a.repository, 'sha256:' + hashlib.sha256(b'another artifact').hexdigest(),
                                    a.predicate, a.identity, a.commit, a.run_url))
        logged_payload = other
        logged_sig = leaf_key.sign(b'DSSEv1 %d %s %d ' % (len(ptype), ptype.encode(), len(other)) + other)
    envelope = {'payload': b64(logged_payload), 'payloadType': ptype, 'signatures': [{'keyid': '', 'sig': b64(logged_sig)}]}
    body = canonical({'apiVersion': '0.0.1', 'kind': 'dsse', 'spec': {
        'envelopeHash': {'algorithm': 'sha256', 'value': hashlib.sha256(canonical(envelope)).hexdigest()},
        'payloadHash': {'algorithm': 'sha256', 'value': hashlib.sha256(logged_payload).hexdigest()},
        'signatures': [{'signature': b64(logged_sig), 'verifier': b64(pem(cert).encode())}]}})
    vm = {'certificate': {'rawBytes': b64(cert)},
          'tlogEntries': [log_entry(d, body, integrated, a.variant, 'dsse', '0.0.1')]}
    vm['timestampVerificationData'] = {'rfc3161Timestamps': [{'signedTimestamp': b64(timestamp(d, sig))}]} if a.tsa else {}
    bundle = {'mediaType': 'application/vnd.dev.sigstore.bundle.v0.3+json', 'verificationMaterial': vm,
              'dsseEnvelope': {'payload': b64(stmt), 'payloadType': ptype, 'signatures': [{'sig': b64(sig), 'keyid': ''}]}}
    with open(a.out, 'w') as f:
        json.dump(bundle, f, separators=(',', ':'))
    os.unlink(leaf_key.path)


def cmd_classic(a):
    d = a.dir
    payload = open(a.payload, 'rb').read()
    leaf_key, cert, inter, root, integrated = signer(d, a)
    sig = leaf_key.sign(payload)
    logged_payload, logged_sig = payload, sig
    if a.variant == 'other-artifact':
        logged_payload = payload + b' '
        logged_sig = leaf_key.sign(logged_payload)
    body = canonical({'apiVersion': '0.0.1', 'kind': 'hashedrekord', 'spec': {
        'data': {'hash': {'algorithm': 'sha256', 'value': hashlib.sha256(logged_payload).hexdigest()}},
        'signature': {'content': b64(logged_sig), 'publicKey': {'content': b64(pem(cert).encode())}}}})
    entry = log_entry(d, body, integrated, a.variant, 'hashedrekord', '0.0.1')
    os.makedirs(a.outdir, exist_ok=True)
    w = lambda n, s: open(os.path.join(a.outdir, n), 'w').write(s)
    w('signature', b64(sig))
    w('cert.pem', pem(cert))
    w('chain.pem', pem(inter) + pem(root))
    # cosign's bundle annotation: logIndex an integer, logID hex.
    w('rekor-bundle.json', json.dumps({
        'SignedEntryTimestamp': entry['inclusionPromise']['signedEntryTimestamp'],
        'Payload': {'body': entry['canonicalizedBody'], 'integratedTime': integrated,
                    'logIndex': int(entry['logIndex']), 'logID': base64.b64decode(entry['logId']['keyId']).hex()}},
        separators=(',', ':')))
    del entry['inclusionProof']
    vm = {'x509CertificateChain': {'certificates': [{'rawBytes': b64(cert)}]}, 'tlogEntries': [entry]}
    if a.tsa:
        ts = timestamp(d, sig)
        w('rfc3161timestamp.der.b64', b64(ts))
        vm['timestampVerificationData'] = {'rfc3161Timestamps': [{'signedTimestamp': b64(ts)}]}
    w('bundle.json', json.dumps({
        'mediaType': 'application/vnd.dev.sigstore.bundle+json;version=0.1', 'verificationMaterial': vm,
        'messageSignature': {'messageDigest': {'algorithm': 'SHA2_256', 'digest': b64(hashlib.sha256(payload).digest())},
                             'signature': b64(sig)}}, separators=(',', ':')))
    os.unlink(leaf_key.path)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest='cmd', required=True)
    s = sub.add_parser('init')
    s.add_argument('dir')
    for c in ('dsse', 'classic'):
        s = sub.add_parser(c)
        s.add_argument('dir')
        if c == 'dsse':
            s.add_argument('out')
            s.add_argument('--digest', required=True)
            s.add_argument('--repository', default='-')
            s.add_argument('--predicate', default='cosign', choices=('cosign', 'slsa'))
        else:
            s.add_argument('outdir')
            s.add_argument('--payload', required=True)
        s.add_argument('--identity', required=True)
        s.add_argument('--issuer', default='https://token.actions.githubusercontent.com')
        s.add_argument('--commit', default='0123456789abcdef0123456789abcdef01234567')
        s.add_argument('--run-url', default='')
        s.add_argument('--variant', default='good',
                       choices=('good', 'expired', 'other-artifact', 'untrusted-ca', 'issuer-v1', 'no-sct',
                                'bad-sct', 'bad-set'))
        s.add_argument('--tsa', action='store_true')
    a = p.parse_args()
    if a.cmd != 'init':
        # One signing at a time per instance: the log index and the TSA's serial are shared.
        lock = open(os.path.join(a.dir, 'lock'), 'w')
        fcntl.flock(lock, fcntl.LOCK_EX)
    if a.cmd == 'init':
        init(a.dir)
        return
    if not a.run_url:
        repo = a.identity.split('/.github/')[0]
        a.run_url = repo + '/actions/runs/4242/attempts/1'
    {'dsse': cmd_dsse, 'classic': cmd_classic}[a.cmd](a)


if __name__ == '__main__':
    main()
