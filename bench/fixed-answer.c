/* The floor of the agent's process model, for the benchmarks: started per
 * connection by the same socket activation, it reads the request head and
 * writes a fixed 200, with nothing else (static, no libraries). */

#define _GNU_SOURCE /* memmem */
#include <string.h>
#include <unistd.h>

int main(void)
{
	static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
	char head[8192];
	size_t used = 0;
	ssize_t n;

	while (used < sizeof head && (n = read(0, head + used, sizeof head - used)) > 0) {
		used += (size_t)n;
		if (memmem(head, used, "\r\n\r\n", 4))
			break;
	}
	return write(1, answer, sizeof answer - 1) < 0;
}
