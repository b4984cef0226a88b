/* signing_keys.c: PEM public keys for image signatures, read strictly. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base64.h"
#include "signing_keys.h"

#define PEM_BEGIN "-----BEGIN "
#define PEM_END "-----END "
#define PEM_DASHES "-----"
#define PEM_PUBLIC_KEY "PUBLIC KEY"

/* One line of text from *pos: its start and length without the line break; 0 at the end. */
static int pem_line(const char *text, size_t len, size_t *pos, const char **line, size_t *line_len)
{
	const char *nl;

	if (*pos >= len)
		return 0;
	*line = text + *pos;
	nl = memchr(*line, '\n', len - *pos);
	*line_len = nl ? (size_t)(nl - *line) : len - *pos;
	*pos += *line_len + (nl ? 1 : 0);
	if (*line_len && (*line)[*line_len - 1] == '\r')
		(*line_len)--;
	return 1;
}

/* 1 when line is "<prefix><label>-----". */
static int pem_marker(const char *line, size_t n, const char *prefix, const char *label)
{
	size_t p = strlen(prefix), l = strlen(label), d = strlen(PEM_DASHES);

	return n == p + l + d && !memcmp(line, prefix, p) && !memcmp(line + p, label, l) && !memcmp(line + p + l, PEM_DASHES, d);
}

/* The base64 lines of one block up to its END marker, decoded and loaded as key number keys->count. */
static int pem_block(struct dr_signing_keys *keys, const char *text, size_t len, size_t *pos, char *why, size_t cap)
{
	char b64[2 * DR_SIGNING_KEY_DER_MAX];
	unsigned char der[DR_SIGNING_KEY_DER_MAX];
	const char *line, *problem;
	size_t n, used = 0;
	long der_len;

	while (pem_line(text, len, pos, &line, &n) && !pem_marker(line, n, PEM_END, PEM_PUBLIC_KEY)) {
		if (n >= sizeof b64 - used) {
			snprintf(why, cap, "key %zu is longer than a P-256 public key", keys->count + 1);
			return -1;
		}
		memcpy(b64 + used, line, n);
		used += n;
	}
	if (line < text + len && !pem_marker(line, n, PEM_END, PEM_PUBLIC_KEY)) {
		snprintf(why, cap, "key %zu has no END PUBLIC KEY line", keys->count + 1);
		return -1;
	}
	b64[used] = '\0';
	if ((der_len = dr_base64_decode(b64, der, sizeof der)) <= 0) {
		snprintf(why, cap, "key %zu is not base64", keys->count + 1);
		return -1;
	}
	if (dr_ecdsa_key_from_spki(&keys->key[keys->count], der, (size_t)der_len, &problem)) {
		snprintf(why, cap, "key %zu: %s", keys->count + 1, problem);
		return -1;
	}
	keys->count++;
	return 0;
}

int dr_signing_keys_parse(struct dr_signing_keys *keys, const char *text, size_t len, char *why, size_t cap)
{
	const char *line;
	size_t pos = 0, n;

	keys->count = 0;
	while (pem_line(text, len, &pos, &line, &n)) {
		if (n >= 11 && memmem(line, n, "PRIVATE KEY", 11)) {
			snprintf(why, cap, "holds a private key: only public keys belong on the server");
			return -1;
		}
		if (!pem_marker(line, n, PEM_BEGIN, PEM_PUBLIC_KEY))
			continue;    /* text around the blocks, as openssl allows */
		if (keys->count == DR_SIGNING_KEYS_MAX) {
			snprintf(why, cap, "holds more than %d keys", DR_SIGNING_KEYS_MAX);
			return -1;
		}
		if (pem_block(keys, text, len, &pos, why, cap))
			return -1;
	}
	if (!keys->count) {
		snprintf(why, cap, "holds no BEGIN PUBLIC KEY block");
		return -1;
	}
	return 0;
}

int dr_signing_keys_load(struct dr_signing_keys *keys, const char *path, struct dr_error *err)
{
	char text[DR_SIGNING_KEYS_FILE_MAX + 1], why[160];
	ssize_t n = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, text, sizeof text);
		close(fd);
	}
	if (n < 0)
		return dr_error_set(err, DR_FAULT_INTERNAL, "IMAGE_SIGNATURE_KEYS %s cannot be read: %s", path, strerror(errno));
	if (n > DR_SIGNING_KEYS_FILE_MAX)
		return dr_error_set(err, DR_FAULT_INTERNAL, "IMAGE_SIGNATURE_KEYS %s is larger than %d bytes", path,
				    DR_SIGNING_KEYS_FILE_MAX);
	if (dr_signing_keys_parse(keys, text, (size_t)n, why, sizeof why))
		return dr_error_set(err, DR_FAULT_INTERNAL, "IMAGE_SIGNATURE_KEYS %s %s", path, why);
	return 0;
}

void dr_signing_key_fingerprint(const struct dr_ecdsa_key *k, char out[DR_KEY_FINGERPRINT_LEN + 1])
{
	memcpy(out, "sha256:", 7);
	dr_sha256_to_hex(k->fingerprint, out + 7);
}
