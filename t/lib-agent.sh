# t/lib-agent.sh: agents as systemd would run them (systemd-socket-activate
# --accept --inetd), their configuration, requests to them and assertions
# on the answers. Sourced by t/lib.sh.

# The long-running runtime stand-in: prints its environment names, then sleeps.
RUNTIME_SCRIPT='echo runtime starting in $ENVIRONMENT; echo plane $EXECUTION_PLANE; exec sleep 3600'

# write_runtime_env ENV FILE: a valid runtime env file for ENV.
write_runtime_env() {
	local env=$1 file=$2 level=info
	cat >"$file" <<EOT
# runtime env for $env (test)
RUNTIME_INSTANCE_ID=dreichor-$env-01
LOGICAL_TIME_SOURCE=monotonic
EXECUTION_PLANE=paper
EXCHANGE_PROVIDER=paper_exchange
SAFETY_MODE=strict

PERSISTENCE_MODE=filesystem
SNAPSHOT_STRATEGY=every_100_events
ENABLE_AUDIT_LOGGING=true
DATABASE_URL=postgres://dreichor_$env:db-pass-$env@127.0.0.1:5432/dreichor_$env?sslmode=disable
LOG_LEVEL=$level
EOT
}

# setup_env ENV: directories and config for an agent of ENV under $T/ENV.
# Fills the variables AGENT_ENV_<ENV> (the agent env file path).
setup_env() {
	local env=$1 dir
	dir=$T/$env
	mkdir -p "$dir/volumes/audit-events" "$dir/volumes/snapshots" "$dir/state"
	write_runtime_env "$env" "$dir/runtime.env"
	cat >"$dir/agent.env" <<EOT
ENVIRONMENT=$env
PORT=$([ "$env" = dev ] && echo 3005 || echo 3006)
DREICHOR_STRICT_PORTS=0
CONTAINER_NAME=dreichor-runtime-$env
AUDIT_EVENTS_PATH=$dir/volumes/audit-events
SNAPSHOTS_PATH=$dir/volumes/snapshots
ALLOW_EXECUTION_PLANE=paper
IMAGE_REPOSITORY=${IMAGE_REPOSITORY:-127.0.0.1:5000/$REPO_PATH}
CF_ACCESS_CLIENT_ID=$CLIENT_ID
CF_ACCESS_CLIENT_SECRET=$CLIENT_SECRET
DOCKER_HOST=unix://${DOCKER_SOCK:-/nonexistent/docker.sock}
RUNTIME_ENV_FILE=$dir/runtime.env
STATE_DIRECTORY=$dir/state
STOP_TIMEOUT_SECONDS=2
STARTUP_GRACE_SECONDS=1
CONTAINER_NETWORK=none
DREICHOR_LIBEXECDIR=$top_builddir
EOT
	# Prod checks signatures unless told not to; t/signatures.sh gives it keys.
	[ "$env" = prod ] && echo IMAGE_SIGNATURES=off >>"$dir/agent.env"
	return 0
}

# set_agent_var ENV NAME VALUE: change (or with VALUE "-", delete) one agent variable.
set_agent_var() {
	local file=$T/$1/agent.env
	sed -i "/^$2=/d" "$file"
	[ "$3" = - ] || printf '%s=%s\n' "$2" "$3" >>"$file"
}

# start_gate ENV: ENV's Docker gate on $T/ENV/gate.sock in front of the private engine, as
# dreichor-docker-gate-ENV.socket runs it (Accept=no; here it never goes idle; its system call
# filter when DREICHOR_SYSCALL_FILTER=on is in the environment), reading
# ENV's agent.env for every connection. The agent
# of ENV talks to it whenever its DOCKER_HOST is the private engine: every scenario runs
# through the gate. GATE=0 leaves it out.
start_gate() {
	local env=$1 sock=$T/$1/gate.sock pid
	stop_gate "$env"
	rm -f "$sock"
	DREICHOR_GATE_CONFIG=$T/$env/agent.env DREICHOR_GATE_UPSTREAM=$DOCKER_SOCK DREICHOR_GATE_IDLE_SECONDS=0 \
		systemd-socket-activate -l "$sock" -E DREICHOR_GATE_CONFIG -E DREICHOR_GATE_UPSTREAM -E DREICHOR_GATE_IDLE_SECONDS -E DREICHOR_SYSCALL_FILTER \
		$VALGRIND_WRAP "$top_builddir/dreichor-docker-gate" >"$T/$env/gate.log" 2>&1 &
	pid=$!
	wait_for 30 bash -c "grep -q '^Listening on' '$T/$env/gate.log' || ! kill -0 $pid" 2>/dev/null
	grep -q '^Listening on' "$T/$env/gate.log" || hard_error "the $env Docker gate did not listen: $(cat "$T/$env/gate.log")"
	BG_PIDS="$BG_PIDS $pid"
	eval "GATE_PID_$env=$pid"
}

stop_gate() {
	local pid; eval "pid=\${GATE_PID_$1:-}"
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	eval "GATE_PID_$1="
}

# start_agent ENV: run dreichor-agent for ENV on a free port, as systemd would.
start_agent() {
	local env=$1 port vars pid attempt docker_host
	need_cmd systemd-socket-activate curl jq
	docker_host=$(sed -n 's/^DOCKER_HOST=//p' "$T/$env/agent.env" | tail -1)
	if [ "${GATE:-1}" = 1 ] && [ -n "${DOCKER_SOCK:-}" ] && [ "$docker_host" = "unix://$DOCKER_SOCK" ]; then
		start_gate "$env"
		docker_host=unix://$T/$env/gate.sock
	fi
	for attempt in 1 2 3 4 5; do
		port=$(free_port)
		set_agent_var "$env" PORT "$port"
		vars=$(sed -n 's/^\([A-Z_]*\)=.*/-E \1/p' "$T/$env/agent.env" | tr '\n' ' ')
		(
			set -a
			. "$T/$env/agent.env"
			DOCKER_HOST=$docker_host
			exec systemd-socket-activate --accept --inetd -l "127.0.0.1:$port" $vars \
				$VALGRIND_WRAP "$top_builddir/dreichor-agent"
		) >"$T/$env/activate.log" 2>&1 &
		pid=$!
		# Listening, or gone (the port was taken after all: try another).
		wait_for 10 bash -c "grep -q '^Listening on' '$T/$env/activate.log' || ! kill -0 $pid" 2>/dev/null
		if kill -0 "$pid" 2>/dev/null && grep -q '^Listening on' "$T/$env/activate.log"; then
			BG_PIDS="$BG_PIDS $pid"
			eval "AGENT_PID_$env=$pid"
			eval "PORT_$env=$port"
			return 0
		fi
		kill "$pid" 2>/dev/null
		log "agent for $env failed to listen on $port (attempt $attempt): $(tail -1 "$T/$env/activate.log")"
	done
	hard_error "agent for $env did not listen"
}

stop_agent() {
	local pid; eval "pid=\${AGENT_PID_$1:-}"
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	eval "AGENT_PID_$1="
	stop_gate "$1"
}

# The head cloudflared sends to an origin (Go-canonical names), as curl arguments in CF_HEAD.
# Each call gets a fresh Cf-Ray in CF_RAY; CF_JWT, when set, goes as header and as cookie.
cloudflared_head() {
	CF_RAY=$(printf '%04x%04x%04x%04x-FRA' $RANDOM $RANDOM $RANDOM $RANDOM)
	CF_HEAD=(-H 'Accept-Encoding: gzip, br' -H 'Cdn-Loop: cloudflare; loops=1' -H 'Cf-Connecting-Ip: 203.0.113.7'
		-H 'Cf-Ipcountry: DE' -H "Cf-Ray: $CF_RAY" -H 'Cf-Visitor: {"scheme":"https"}'
		-H 'Cf-Warp-Tag-Id: 6f0c1f4e-0d7e-4d53-9b43-1a2b3c4d5e6f' -H 'Connection: keep-alive'
		-H 'X-Forwarded-For: 203.0.113.7' -H 'X-Forwarded-Proto: https')
	if [ -n "${CF_JWT:-}" ]; then
		CF_HEAD+=(-H "Cf-Access-Jwt-Assertion: $CF_JWT" -H "Cookie: CF_Authorization=$CF_JWT")
	fi
}

# call ENV METHOD PATH [BODY]: authenticated request with the head cloudflared sends; sets STATUS,
# BODY and HEADERS. More curl arguments (headers) come from the array CALL_ARGS; CALL_PORT
# overrides the agent's port (a proxy in front of it).
call() {
	local env=$1 method=$2 path=$3 port
	eval "port=\$PORT_$env"
	port=${CALL_PORT:-$port}
	cloudflared_head
	local args=(-s -D "$T/headers" -o "$T/body" -w '%{http_code}' -X "$method" "${CF_HEAD[@]}"
		-H "Cf-Access-Client-Id: $CLIENT_ID" -H "Cf-Access-Client-Secret: $CLIENT_SECRET" ${CALL_ARGS[@]+"${CALL_ARGS[@]}"})
	[ $# -ge 4 ] && args+=(-H 'Content-Type: application/json' --data-binary "$4")
	: >"$T/headers"
	STATUS=$(curl "${args[@]}" "http://127.0.0.1:$port$path")
	BODY=$(cat "$T/body")
	HEADERS=$(tr -d '\r' <"$T/headers")
}

# raw ENV CURL-ARGS...: unauthenticated or hand-made request; sets STATUS, BODY, HEADERS.
raw() {
	local env=$1 port; shift
	eval "port=\$PORT_$env"
	STATUS=$(curl -s -D "$T/headers" -o "$T/body" -w '%{http_code}' "$@" "http://127.0.0.1:$port${RAW_PATH:-/v1/status}")
	BODY=$(cat "$T/body")
	HEADERS=$(cat "$T/headers")
}

# The deploy lock's holder record (ENV's state directory): pid, and whether a live deploy of TAG holds it.
lock_holder_pid() { tr -d '\0' <"$T/$1/state/deploy.lock" 2>/dev/null | sed -n 's/^pid=//p'; }
lock_held_by() { # lock_held_by ENV TAG
	tr -d '\0' <"$T/$1/state/deploy.lock" 2>/dev/null | grep -q "^image=$IMAGE_REPOSITORY:$2\$" &&
		kill -0 "$(lock_holder_pid "$1")" 2>/dev/null
}

# deploy_in_background ENV TAG OUT: a deploy whose answer lands in OUT and its status in OUT.status; pid in BG.
deploy_in_background() {
	local port; eval "port=\$PORT_$1"
	cloudflared_head
	curl -s -o "$3" -w '%{http_code}' "${CF_HEAD[@]}" -H "Cf-Access-Client-Id: $CLIENT_ID" -H "Cf-Access-Client-Secret: $CLIENT_SECRET" \
		-H 'Content-Type: application/json' --data-binary "{\"image\": \"$IMAGE_REPOSITORY:$2\"}" \
		"http://127.0.0.1:$port/v1/deploy" >"$3.status" 2>/dev/null &
	BG=$!
}

deploy() { # deploy ENV IMAGE [EXTRA-JSON-FIELDS]
	call "$1" POST /v1/deploy "{\"image\": \"$2\"${3:+, $3}}"
}

# Assertions on the last answer.
status_is() { [ "$STATUS" = "$1" ] || { log "expected HTTP $1, got $STATUS: $BODY"; return 1; }; }
json_is() { # json_is JQ-FILTER EXPECTED
	local got; got=$(printf '%s' "$BODY" | jq -r "$1" 2>/dev/null)
	[ "$got" = "$2" ] || { log "expected $1 = $2, got $got in $BODY"; return 1; }
}
reason_has() { printf '%s' "$BODY" | jq -r .reason | grep -qF -- "$1" || { log "reason lacks '$1': $BODY"; return 1; }; }
answer_is() { status_is "$1" && { [ -z "${2:-}" ] || reason_has "$2"; }; }

container_count() { docker_cli ps -aq --filter "name=^/$1\$" | wc -l; }
container_field() { docker_cli inspect -f "$2" "$1" 2>/dev/null; }

# start_deployed_agent: dockerd, a registry and the dev agent (for the
# benchmarks and the load test), with 1.0.0 deployed through it: the container is as the agent
# leaves it (labels included), so status makes the calls it makes in
# production, _ping and one inspect.
start_deployed_agent() {
	start_dockerd
	start_registry
	make_image 1.0.0 "$RUNTIME_SCRIPT"
	setup_env dev
	start_agent dev
	deploy dev "$IMAGE_REPOSITORY:1.0.0"
	status_is 200 || hard_error "the deploy for the benchmark failed: $BODY"
}

# build_probe OUT TRIES: a stand-in endpoint, compiled to OUT, that reports what the sandbox lets
# it do. Run in place of dreichor-status (DREICHOR_LIBEXECDIR), it inherits the dispatcher's
# Landlock ruleset; a compiled program, since the ruleset grants no shell. It answers 200 with
# one line per line of the file TRIES (a path it reads at run time):
#   id                          uid=N and groups=N... (the effective group first, as id -G)
#   status KEY...               KEY=value of /proc/self/status
#   landlock DENIED ALLOWED     landlock=on when DENIED exists but cannot be listed and ALLOWED can
#   read|list|write|append|create-remove|exec NAME PATH
#   tcp NAME HOST PORT
#   http NAME SOCKET METHOD TARGET [BODY]   an answer under 400 is allowed (as curl -f)
#   syscall NAME [PATH]         one of the system calls try_syscall names (PATH: a file it may
#                               create, for chmod_setuid)
# each try as NAME=allowed, or NAME=denied errno=ENAME (status=N for an HTTP refusal).
# The system calls the programs' own filter refuses (lib/core/syscall_filter.list), each of which
# the agent's user could otherwise make: the probe's "syscall" tries, by name.
PROBE_SYSCALLS_REFUSED="socket_inet socket_netlink clone_newuser unshare_user mmap_wx mprotect_exec personality chmod_setuid
	io_uring keyctl msgget process_vm_readv"
# probe_syscall_tries STATE-DIR: the probe's tries for them, plus an allowed unix socket.
probe_syscall_tries() {
	local name
	echo "syscall socket_unix"
	for name in $PROBE_SYSCALLS_REFUSED; do
		case $name in
		chmod_setuid) echo "syscall $name $1/probe-setuid" ;;
		*) echo "syscall $name" ;;
		esac
	done
}

build_probe() {
	command -v cc >/dev/null || hard_error "cc is needed to build the probe"
	cc -O1 -Wall -Werror -DPROBE_TRIES="\"$2\"" -o "$1" -x c - <<'PROBE' || hard_error "cannot build the probe"
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static char out[65536];
static size_t used;

static void say(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out + used, sizeof out - used, fmt, ap);
	va_end(ap);
	if (n > 0)
		used += (size_t)n < sizeof out - used ? (size_t)n : sizeof out - used - 1;
}

/* Each try: 0 allowed, an errno, or minus an HTTP status. */
static int try_read(const char *path)
{
	char c;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return errno;
	if (read(fd, &c, 1) < 0)
		rc = errno;
	close(fd);
	return rc;
}

static int try_list(const char *path)
{
	DIR *d = opendir(path);
	int rc;

	if (!d)
		return errno;
	errno = 0;
	rc = readdir(d) ? 0 : errno;
	closedir(d);
	return rc;
}

static int try_open_write(const char *path, int flags, int remove)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | flags, 0644);

	if (fd < 0)
		return errno;
	if (flags & O_CREAT)
		(void)!write(fd, "x\n", 2);
	close(fd);
	if (remove)
		unlink(path);
	return 0;
}

/* Whether execve itself succeeds: the child reports its errno through a close-on-exec pipe. */
static int try_exec(const char *path)
{
	int p[2], err = 0, null = open("/dev/null", O_RDWR | O_CLOEXEC);
	pid_t pid;

	if (null < 0 || pipe2(p, O_CLOEXEC))
		return errno;
	if ((pid = fork()) == 0) {
		char *argv[] = { (char *)path, NULL };
		dup2(null, 0), dup2(null, 1), dup2(null, 2);
		execv(path, argv);
		err = errno;
		(void)!write(p[1], &err, sizeof err);
		_exit(127);
	}
	close(p[1]);
	if (read(p[0], &err, sizeof err) != sizeof err)
		err = 0;
	close(p[0]);
	close(null);
	waitpid(pid, NULL, 0);
	return err;
}

static int try_tcp(const char *host, const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((unsigned short)strtoul(port, NULL, 10)) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), rc = 0;

	if (fd < 0)
		return errno;
	inet_pton(AF_INET, host, &sa.sin_addr);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa))
		rc = errno;
	close(fd);
	return rc;
}

static int try_http(const char *sock, const char *method, const char *target, const char *body)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 10 };
	char req[4096], answer[64] = "";
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), n, status = 0;
	ssize_t got;

	if (fd < 0)
		return errno;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa)) {
		n = errno;
		close(fd);
		return n;
	}
	if (body)
		n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: d\r\nConnection: close\r\nContent-Type: application/json\r\n"
			     "Content-Length: %zu\r\n\r\n%s", method, target, strlen(body), body);
	else
		n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n", method, target);
	if (write(fd, req, (size_t)n) == n && (got = read(fd, answer, sizeof answer - 1)) > 0)
		answer[got] = '\0';
	close(fd);
	if (strncmp(answer, "HTTP/1.", 7) || answer[8] != ' ')
		return EPROTO;
	for (n = 9; n < 12 && answer[n] >= '0' && answer[n] <= '9'; n++)
		status = status * 10 + (answer[n] - '0');
	if (n != 12)
		return EPROTO;
	return status < 400 ? 0 : -status;
}

/* A system call a filter may refuse, each of which an unprivileged process may otherwise make. */
static int try_syscall(const char *name, const char *path)
{
	int fd = -1, rc = 0;
	long r;
	void *m;

	errno = 0;
	if (!strcmp(name, "socket_inet") || !strcmp(name, "socket_netlink") || !strcmp(name, "socket_unix")) {
		fd = !strcmp(name, "socket_inet") ? socket(AF_INET, SOCK_STREAM, 0) :
		     !strcmp(name, "socket_unix") ? socket(AF_UNIX, SOCK_STREAM, 0) : socket(AF_NETLINK, SOCK_RAW, 0);
		rc = fd < 0 ? errno : 0;
	} else if (!strcmp(name, "unshare_user")) {
		rc = unshare(CLONE_NEWUSER) ? errno : 0;
	} else if (!strcmp(name, "clone_newuser")) {
		r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
		if (r == 0)
			_exit(0);
		rc = r < 0 ? errno : 0;
		if (r > 0)
			waitpid((pid_t)r, NULL, 0);
	} else if (!strcmp(name, "mmap_wx")) {
		m = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		rc = m == MAP_FAILED ? errno : 0;
	} else if (!strcmp(name, "mprotect_exec")) {
		m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		rc = m == MAP_FAILED ? errno : mprotect(m, 4096, PROT_READ | PROT_EXEC) ? errno : 0;
	} else if (!strcmp(name, "personality")) {
		rc = personality(PER_BSD) == -1 ? errno : 0;
		personality(PER_LINUX);
	} else if (!strcmp(name, "chmod_setuid") && path) {
		if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
			return errno;
		rc = chmod(path, 04700) ? errno : 0;
		unlink(path);
	} else if (!strcmp(name, "io_uring")) {
		unsigned char params[120] = { 0 };
		r = syscall(SYS_io_uring_setup, 1, params);
		rc = r < 0 ? errno : 0;
		fd = (int)r;
	} else if (!strcmp(name, "keyctl")) {
		rc = syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* the session keyring */, 0) < 0 ? errno : 0;
	} else if (!strcmp(name, "msgget")) {
		r = msgget(IPC_PRIVATE, 0600);
		rc = r < 0 ? errno : 0;
		if (r >= 0)
			msgctl((int)r, IPC_RMID, NULL);
	} else if (!strcmp(name, "process_vm_readv")) {
		char src[8] = "probe", dst[8];
		struct iovec local = { dst, sizeof dst }, remote = { src, sizeof src };
		rc = process_vm_readv(getpid(), &local, 1, &remote, 1, 0) < 0 ? errno : 0;
	} else {
		return EINVAL;
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

static void report(const char *name, int rc)
{
	if (rc == 0)
		say("%s=allowed\n", name);
	else if (rc > 0)
		say("%s=denied errno=%s\n", name, strerrorname_np(rc));
	else
		say("%s=denied status=%d\n", name, -rc);
}

static void show_ids(void)
{
	gid_t groups[64];
	int i, n = getgroups(64, groups);

	say("uid=%u\ngroups=%u", (unsigned)getuid(), (unsigned)getegid());
	for (i = 0; i < n; i++)
		if (groups[i] != getegid())
			say(" %u", (unsigned)groups[i]);
	say("\n");
}

/* KEY=value for each of keys (space-separated) in /proc/self/status. */
static void show_status(const char *keys)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256], *colon, *v;

	while (f && fgets(line, sizeof line, f)) {
		if (!(colon = strchr(line, ':')))
			continue;
		*colon = '\0';
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		v[strcspn(v, "\n")] = '\0';
		for (const char *k = strstr(keys, line); k; k = strstr(k + 1, line))
			if ((k == keys || k[-1] == ' ') && (k[strlen(line)] == ' ' || !k[strlen(line)])) {
				say("%s=%s\n", line, v);
				break;
			}
	}
	if (f)
		fclose(f);
}

static void show_landlock(const char *denied, const char *allowed)
{
	struct stat st;
	int on = stat(denied, &st) == 0 && try_list(denied) == EACCES && try_list(allowed) == 0;

	say("landlock=%s\n", on ? "on" : "off");
}

/* One line: op, then its words; status takes the rest of the line as one word, and so does
 * http's last (a body). */
static void run(char *line)
{
	char *w[6] = { line };
	int n = 1, max = strncmp(line, "status ", 7) ? 6 : 2;

	while (n < max && (w[n] = strchr(w[n - 1], ' ')))
		*w[n++]++ = '\0';
	if (!strcmp(w[0], "id"))
		show_ids();
	else if (!strcmp(w[0], "status") && n > 1)
		show_status(w[1]);
	else if (!strcmp(w[0], "landlock") && n == 3)
		show_landlock(w[1], w[2]);
	else if (!strcmp(w[0], "read") && n == 3)
		report(w[1], try_read(w[2]));
	else if (!strcmp(w[0], "list") && n == 3)
		report(w[1], try_list(w[2]));
	else if (!strcmp(w[0], "write") && n == 3)
		report(w[1], try_open_write(w[2], O_CREAT | O_TRUNC, 0));
	else if (!strcmp(w[0], "create-remove") && n == 3)
		report(w[1], try_open_write(w[2], O_CREAT | O_TRUNC, 1));
	else if (!strcmp(w[0], "append") && n == 3)
		report(w[1], try_open_write(w[2], O_APPEND, 0));
	else if (!strcmp(w[0], "exec") && n == 3)
		report(w[1], try_exec(w[2]));
	else if (!strcmp(w[0], "tcp") && n == 4)
		report(w[1], try_tcp(w[2], w[3]));
	else if (!strcmp(w[0], "syscall") && (n == 2 || n == 3))
		report(w[1], try_syscall(w[1], n == 3 ? w[2] : NULL));
	else if (!strcmp(w[0], "http") && (n == 5 || n == 6))
		report(w[1], try_http(w[2], w[3], w[4], n == 6 ? w[5] : NULL));
	else
		say("bad-try=%s\n", w[0]);
}

int main(void)
{
	FILE *f = fopen(PROBE_TRIES, "r");
	char line[1024];

	if (!f)
		say("tries=unreadable errno=%s\n", strerrorname_np(errno));
	while (f && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] && line[0] != '#')
			run(line);
	}
	if (f)
		fclose(f);
	printf("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n%s", used, out);
	return 0;
}
PROBE
}
