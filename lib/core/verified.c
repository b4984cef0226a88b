/* verified.c: one line per image, "REPOSITORY@DIGEST KEY FORMAT", newest last. */

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "state.h"
#include "verified.h"

#define VERIFIED_FILE_MAX (DR_VERIFIED_MAX * DR_VERIFIED_LINE_MAX)

/* The file's text into text (VERIFIED_FILE_MAX + 1 bytes, NUL-terminated); its length, 0 when absent. */
static size_t verified_read(const char *state_dir, char *text)
{
	char path[4096];
	ssize_t n = -1;
	int fd;

	text[0] = '\0';
	if (snprintf(path, sizeof path, "%s/%s", state_dir, DR_VERIFIED_FILE) >= (int)sizeof path ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return 0;
	n = read(fd, text, VERIFIED_FILE_MAX);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	return (size_t)n;
}

/* Split one line into its three fields; 0, or -1 when it is not "DIGEST KEY FORMAT". */
static int verified_fields(char *line, char **digest, char **key, char **format)
{
	char *save = NULL;

	*digest = strtok_r(line, " ", &save);
	*key = strtok_r(NULL, " ", &save);
	*format = strtok_r(NULL, " ", &save);
	if (!*digest || !*key || !*format || strtok_r(NULL, " ", &save) ||
	    strlen(*key) != DR_KEY_FINGERPRINT_LEN || strlen(*format) >= DR_VERIFIED_FORMAT_MAX)
		return -1;
	return 0;
}

/* 1 when fingerprint is one of keys'. */
static int verified_trusted(const struct dr_signing_keys *keys, const char *fingerprint)
{
	char fp[DR_KEY_FINGERPRINT_LEN + 1];
	size_t i;

	for (i = 0; i < keys->count; i++) {
		dr_signing_key_fingerprint(&keys->key[i], fp);
		if (!strcmp(fp, fingerprint))
			return 1;
	}
	return 0;
}

/* "REPOSITORY@DIGEST" into image; 0, or -1 when it does not fit or holds a space. */
static int verified_image(const char *repository, const char *digest, char image[DR_VERIFIED_LINE_MAX])
{
	int n = snprintf(image, DR_VERIFIED_LINE_MAX, "%s@%s", repository, digest);

	return n < 0 || n >= DR_VERIFIED_REPOSITORY_MAX + DR_KEY_FINGERPRINT_LEN || strchr(image, ' ') ? -1 : 0;
}

int dr_verified_find(const char *state_dir, const char *repository, const char *digest,
		     const struct dr_signing_keys *keys, char key[DR_KEY_FINGERPRINT_LEN + 1],
		     char format[DR_VERIFIED_FORMAT_MAX])
{
	static char text[VERIFIED_FILE_MAX + 1];
	char *line, *save = NULL, *d, *k, *f, image[DR_VERIFIED_LINE_MAX];

	if (verified_image(repository, digest, image))
		return -1;
	verified_read(state_dir, text);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (verified_fields(line, &d, &k, &f) || strcmp(d, image) || !verified_trusted(keys, k))
			continue;
		memcpy(key, k, DR_KEY_FINGERPRINT_LEN + 1);
		snprintf(format, DR_VERIFIED_FORMAT_MAX, "%s", f);
		return 0;
	}
	return -1;
}

int dr_verified_remember(const char *state_dir, const char *repository, const char *digest, const char *key,
			 const char *format, struct dr_error *err)
{
	static char text[VERIFIED_FILE_MAX + 1];
	char *lines[DR_VERIFIED_MAX], *line, *save = NULL, copy[DR_VERIFIED_LINE_MAX], *d, *k, *f;
	char image[DR_VERIFIED_LINE_MAX];
	size_t n = 0, first, i;
	struct dr_buf out;
	int rc;

	if (verified_image(repository, digest, image) || strchr(format, ' ') || strlen(key) != DR_KEY_FINGERPRINT_LEN)
		return dr_error_set(err, DR_FAULT_INTERNAL, "a verified signature that cannot be remembered");
	verified_read(state_dir, text);
	/* Keep the well-formed lines of other images, the newest DR_VERIFIED_MAX - 1 of them. */
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		snprintf(copy, sizeof copy, "%s", line);
		if (strlen(line) >= sizeof copy || verified_fields(copy, &d, &k, &f) || !strcmp(d, image))
			continue;
		if (n == DR_VERIFIED_MAX)
			memmove(lines, lines + 1, --n * sizeof *lines);
		lines[n++] = line;
	}
	first = n >= DR_VERIFIED_MAX ? n - DR_VERIFIED_MAX + 1 : 0;
	dr_buf_init(&out, VERIFIED_FILE_MAX);
	for (i = first; i < n; i++)
		dr_buf_addf(&out, "%s\n", lines[i]);
	dr_buf_addf(&out, "%s %s %s\n", image, key, format);
	rc = out.overflow ? dr_error_set(err, DR_FAULT_INTERNAL, "the verified signatures do not fit")
			  : dr_state_write_atomic(state_dir, DR_VERIFIED_FILE, out.data, out.len, err);
	dr_buf_free(&out);
	return rc;
}
