/* chunked.c: the chunked body decoder, a byte-at-a-time state machine
 * with a bulk copy for chunk data. */

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "chunked.h"
#include "fdio.h"
#include "number.h"

enum chunked_state {
	CH_SIZE_FIRST,   /* the first hex digit of a chunk size */
	CH_SIZE,         /* further hex digits */
	CH_EXTENSION,    /* ";name=value" after the size, ignored */
	CH_SIZE_LF,      /* the LF ending the size line */
	CH_DATA,
	CH_DATA_CR,      /* the CRLF after chunk data */
	CH_DATA_LF,
	CH_TRAILER,      /* after the last chunk: only the final CRLF is accepted */
	CH_END_LF,
	CH_DONE,
};

void dr_chunked_init(struct dr_chunked *ch, char *out, size_t cap)
{
	memset(ch, 0, sizeof *ch);
	ch->out = out;
	ch->out_cap = out ? cap : DR_CHUNK_FOLLOW_MAX;
	ch->state = CH_SIZE_FIRST;
}

static int chunked_refuse(struct dr_chunked *ch, int status, const char *why)
{
	ch->why = why;
	return status;
}

/* One byte of a chunk-size line (size, extensions, CRLF); 0 or the refusal. */
static int chunked_size_byte(struct dr_chunked *ch, char c)
{
	int digit = dr_hex_digit(c);

	if (++ch->line_len > DR_CHUNK_LINE_MAX)
		return chunked_refuse(ch, 400, "chunk-size line longer than 1024 bytes");
	if (ch->state == CH_SIZE_FIRST) {
		if (digit < 0)
			return chunked_refuse(ch, 400, "malformed chunk size: a hexadecimal number is required");
		ch->chunk_left = (size_t)digit;
		ch->state = CH_SIZE;
	} else if (ch->state == CH_SIZE && digit >= 0) {
		/* Checked before it grows: the limit, not the type, bounds a chunk. */
		if (ch->chunk_left > (ch->out_cap - ch->out_len) / 16 + 1)
			return chunked_refuse(ch, 413, "request body larger than 65536 bytes");
		ch->chunk_left = ch->chunk_left * 16 + (size_t)digit;
	} else if (ch->state == CH_SIZE && (c == ';' || c == ' ' || c == '\t')) {
		ch->state = CH_EXTENSION;
	} else if (ch->state == CH_EXTENSION && c != '\r') {
		if (((unsigned char)c < 0x20 && c != '\t') || c == 0x7f)
			return chunked_refuse(ch, 400, "chunk extension contains a control character");
	} else if (c == '\r') {
		ch->state = CH_SIZE_LF;
	} else if (c == '\n') {
		return chunked_refuse(ch, 400, "chunk-size line must end in CRLF");
	} else {
		return chunked_refuse(ch, 400, "malformed chunk size: a hexadecimal number is required");
	}
	if (ch->chunk_left > ch->out_cap - ch->out_len)
		return chunked_refuse(ch, 413, "request body larger than 65536 bytes");
	return 0;
}

/* One framing byte outside chunk data; 0 or the refusal. */
static int chunked_frame_byte(struct dr_chunked *ch, char c)
{
	switch (ch->state) {
	case CH_SIZE_FIRST:
	case CH_SIZE:
	case CH_EXTENSION:
		return chunked_size_byte(ch, c);
	case CH_SIZE_LF:
		if (c != '\n')
			return chunked_refuse(ch, 400, "chunk-size line must end in CRLF");
		ch->line_len = 0;
		ch->state = ch->chunk_left ? CH_DATA : CH_TRAILER;
		return 0;
	case CH_DATA_CR:
		if (c != '\r')
			return chunked_refuse(ch, 400, "chunk data longer than its chunk size");
		ch->state = CH_DATA_LF;
		return 0;
	case CH_DATA_LF:
		if (c != '\n')
			return chunked_refuse(ch, 400, "chunk data must be followed by CRLF");
		ch->state = CH_SIZE_FIRST;
		return 0;
	case CH_TRAILER:
		if (c != '\r')
			return chunked_refuse(ch, 400, "trailer fields after a chunked body are not accepted");
		ch->state = CH_END_LF;
		return 0;
	case CH_END_LF:
		if (c != '\n')
			return chunked_refuse(ch, 400, "chunked body must end with CRLF after the last chunk");
		ch->state = CH_DONE;
		return 0;
	default:
		return chunked_refuse(ch, 400, "chunked decoder misused");
	}
}

int dr_chunked_feed(struct dr_chunked *ch, const char *in, size_t n, size_t *used)
{
	size_t i = 0;
	int rc;

	while (i < n && ch->state != CH_DONE) {
		if (ch->state == CH_DATA) {
			size_t take = n - i < ch->chunk_left ? n - i : ch->chunk_left;
			if (ch->out)
				memcpy(ch->out + ch->out_len, in + i, take);
			ch->out_len += take;
			ch->chunk_left -= take;
			i += take;
			if (!ch->chunk_left)
				ch->state = CH_DATA_CR;
			continue;
		}
		if ((rc = chunked_frame_byte(ch, in[i++]))) {
			*used = i;
			return rc;
		}
	}
	*used = i;
	return ch->state == CH_DONE;
}

/* Up to cap bytes now readable on fd: peeked on a socket, so that only what the decoder
 * takes is consumed; read on a pipe or file. Returns the count, 0 at end of file, -1 on error. */
static ssize_t chunked_look(int fd, char *block, size_t cap, int *peeked)
{
	ssize_t n = recv(fd, block, cap, MSG_PEEK);

	*peeked = !(n < 0 && errno == ENOTSOCK);
	if (*peeked)
		return n;
	return dr_fd_read_some(fd, block, cap);
}

int dr_chunked_read(struct dr_chunked *ch, int fd, long long deadline_ms)
{
	char block[4096];

	for (;;) {
		size_t used = 0;
		int peeked, rc = dr_fd_wait_readable(fd, deadline_ms);
		ssize_t n;

		if (rc == DR_FD_LATE)
			return chunked_refuse(ch, 408, "request body not received within the time limit");
		n = chunked_look(fd, block, sizeof block, &peeked);
		if (n <= 0)
			return chunked_refuse(ch, 400, "connection closed before the chunked body was complete");
		rc = dr_chunked_feed(ch, block, (size_t)n, &used);
		if (peeked && dr_fd_read_some(fd, block, used) != (ssize_t)used)
			return chunked_refuse(ch, 400, "connection failed while reading the chunked body");
		if (rc == 1)
			return 0;
		if (rc)
			return rc;
	}
}
