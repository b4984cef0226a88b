/* registry_helper.c: one run of dreichor-registry, its answer read within a deadline. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "fdio.h"
#include "registry_helper.h"
#include "steps.h"

#define HELPER_SIGTERM_SLICE_MS 200

/* NAME=value into out (cap bytes) and onto env; nothing when value is NULL or does not fit. */
static void helper_env_add(char **env, int *n, char *out, size_t cap, const char *name, const char *value)
{
	if (value && snprintf(out, cap, "%s=%s", name, value) < (int)cap)
		env[(*n)++] = out;
}

/* In the child: stdout to the pipe, stdin from /dev/null, PATH and the registry's settings only. */
static void helper_exec(const struct dr_config *cfg, const char *const args[], int out_fd)
{
	static char program[4096], auth[4200], keys[4200], identity[DR_SIGNATURE_IDENTITIES_TEXT_MAX + 32],
		issuer[DR_SIGNATURE_ISSUER_MAX + 32], root[4200];
	char path[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	char *env[7] = { path, NULL, NULL, NULL, NULL, NULL, NULL };
	int null = open("/dev/null", O_RDONLY), n = 1;

	if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0)
		_exit(127);
	helper_env_add(env, &n, auth, sizeof auth, "REGISTRY_AUTH_FILE", cfg->registry_auth_file);
	helper_env_add(env, &n, keys, sizeof keys, "IMAGE_SIGNATURE_KEYS", cfg->image_signature_keys);
	if (cfg->image_signature_identity) {
		helper_env_add(env, &n, identity, sizeof identity, "IMAGE_SIGNATURE_IDENTITY", cfg->image_signature_identity);
		helper_env_add(env, &n, issuer, sizeof issuer, "IMAGE_SIGNATURE_ISSUER", cfg->image_signature_issuer);
		helper_env_add(env, &n, root, sizeof root, "SIGSTORE_TRUSTED_ROOT", cfg->sigstore_trusted_root);
	}
	if (snprintf(program, sizeof program, "%s/dreichor-registry", cfg->libexecdir) >= (int)sizeof program)
		_exit(127);
	execve(program, (char *const *)args, env);
	_exit(127);
}

/* Wait for fd to be readable until the deadline, in slices, so that a SIGTERM (which the deploy
 * catches, so poll only sees EINTR) ends the wait within HELPER_SIGTERM_SLICE_MS. 0: readable. */
static int helper_wait(int fd, long long deadline)
{
	for (;;) {
		long long slice = dr_now_ms() + HELPER_SIGTERM_SLICE_MS;
		int rc = dr_fd_wait_readable(fd, slice < deadline ? slice : deadline);
		if (rc != DR_FD_LATE || dr_now_ms() >= deadline || dr_steps_interrupted())
			return rc;
	}
}

/* Read the whole answer from fd within the deadline and parse it. */
static void helper_read_answer(int fd, long long deadline, json_object **out)
{
	struct dr_buf answer;
	char chunk[4096];
	ssize_t n;
	int rc = 0;

	dr_buf_init(&answer, DR_REGISTRY_HELPER_ANSWER_MAX);
	while (!rc && helper_wait(fd, deadline) == 0 && (n = dr_fd_read_some(fd, chunk, sizeof chunk)) > 0)
		rc = dr_buf_add(&answer, chunk, (size_t)n);
	if (!rc && answer.data)
		*out = json_tokener_parse(dr_buf_str(&answer));
	dr_buf_free(&answer);
	if (*out && !json_object_is_type(*out, json_type_object)) {
		json_object_put(*out);
		*out = NULL;
	}
}

/* The question (args after the name, space-separated) on the helper's socket. */
static int helper_ask_socket(const struct dr_config *cfg, const char *const args[], long long deadline,
			     json_object **out, struct dr_error *err)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct dr_buf question;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), rc = 0;
	size_t i;

	dr_strlcpy(a.sun_path, cfg->registry_socket, sizeof a.sun_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a)) {
		rc = dr_error_set(err, DR_FAULT_UPSTREAM, "dreichor-registry's socket %s cannot be reached: %s",
				  cfg->registry_socket, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	dr_buf_init(&question, 2048);
	for (i = 1; args[i]; i++)
		dr_buf_addf(&question, "%s%s", args[i], args[i + 1] ? " " : "\n");
	if (!question.data || dr_write_all(fd, question.data, question.len))
		rc = dr_error_set(err, DR_FAULT_UPSTREAM, "cannot ask dreichor-registry on %s", cfg->registry_socket);
	dr_buf_free(&question);
	shutdown(fd, SHUT_WR);
	if (!rc)
		helper_read_answer(fd, deadline, out);
	close(fd);
	if (!rc && !*out)
		rc = dr_error_set(err, DR_FAULT_UPSTREAM, "dreichor-registry gave no answer on %s", cfg->registry_socket);
	return rc;
}

int dr_registry_helper_run(const struct dr_config *cfg, const char *const args[], int seconds, json_object **out,
			   struct dr_error *err)
{
	long long deadline = dr_now_ms() + seconds * 1000LL;
	int fds[2], status = 0;
	pid_t pid;

	*out = NULL;
	if (cfg->registry_socket)
		return helper_ask_socket(cfg, args, deadline, out, err);
	if (pipe2(fds, O_CLOEXEC))
		return dr_error_set(err, DR_FAULT_INTERNAL, "cannot start dreichor-registry: %s", strerror(errno));
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return dr_error_set(err, DR_FAULT_INTERNAL, "cannot start dreichor-registry: %s", strerror(errno));
	}
	if (pid == 0)
		helper_exec(cfg, args, fds[1]);
	close(fds[1]);
	helper_read_answer(fds[0], deadline, out);
	close(fds[0]);
	if (dr_now_ms() >= deadline || dr_steps_interrupted())
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!*out) {
		return dr_error_set(err, DR_FAULT_UPSTREAM, "dreichor-registry gave no answer (exit status %d)",
				    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	return 0;
}
