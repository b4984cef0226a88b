/* chunked.h: strict decoding of an HTTP/1.1 chunked request body
 * (RFC 9112 section 7.1) into a caller's fixed buffer. Chunk extensions
 * are ignored, trailer fields refused, every line ends in CRLF. The
 * decoder is incremental so that it can be fed whatever a read returns;
 * nothing is allocated. Without a buffer it only follows the framing,
 * which is how the Docker gate finds the end of a streamed answer. */
#ifndef DR_CHUNKED_H
#define DR_CHUNKED_H

#include <stddef.h>

#define DR_CHUNK_LINE_MAX 1024 /* a chunk-size line with its extensions */
#define DR_CHUNK_FOLLOW_MAX ((size_t)1 << 48) /* a followed body's bound: only against overflow */

struct dr_chunked {
	char *out;               /* decoded body, not terminated */
	size_t out_cap;          /* the body limit */
	size_t out_len;
	size_t chunk_left;       /* data bytes still due in this chunk */
	size_t line_len;         /* bytes of the current chunk-size line */
	int state;
	const char *why;         /* why decoding refused, a static string */
};

/* Start decoding into out, which may receive at most cap bytes; out NULL: follow the framing
 * only (the data is counted in out_len, not kept, and bounded by DR_CHUNK_FOLLOW_MAX alone). */
void dr_chunked_init(struct dr_chunked *ch, char *out, size_t cap);

/* Decode the next n bytes of the message; *used tells how many belong to the body framing.
 * Returns 0 (more is needed), 1 (the body is complete), or 400/413 with ch->why set. */
int dr_chunked_feed(struct dr_chunked *ch, const char *in, size_t n, size_t *used);

/* Read and decode a chunked body from fd before deadline_ms (dr_now_ms clock); returns 0 with
 * ch->out_len set, or 400 (malformed, closed early), 408 (too slow), 413, with ch->why set.
 * Bytes after the last chunk are left unread when fd is a socket. */
int dr_chunked_read(struct dr_chunked *ch, int fd, long long deadline_ms);

#endif
