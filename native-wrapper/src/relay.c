/*
 * Relay mode: forward the record stream from fd 0 to the auditalert service's
 * unix socket without ever stalling auditd for long.
 *
 * - stdin is always polled; it is never left unread because the service is slow
 *   or absent. Complete lines go into one bounded buffer; a line that does not
 *   fit is dropped whole and counted (records and bytes).
 * - The socket is non-blocking. Connecting is retried with exponential back-off
 *   (capped at 2 s). A line is never split across two connections, and what the
 *   service had not read when the connection ended is sent again: the buffer keeps
 *   the lines sent until the kernel's queue to the service (SIOCOUTQ) no longer
 *   holds them, and a new connection starts with the first line not read, whole.
 * - A service that stops writes "stop\n" to the socket: the wrapper sends nothing more and
 *   shuts down its end, the service reads what is queued to the end and closes, and the next
 *   connection (the next service) gets the rest, nothing twice.
 * - Every status_interval, on each new connection and at exit a status line is
 *   put into the stream at a line boundary:
 *     auditalert-relay: dropped_records=N dropped_bytes=N kernel_lost=N kernel_backlog=N kernel_backlog_limit=N
 *   (kernel_* only when NETLINK_AUDIT answers). Counters are totals since start.
 *   On SIGHUP (auditd <= 4.1 forwards its reload) the line
 *     auditalert-relay: reload
 *   is sent instead. Audit records start with "type=" or "node=", so these
 *   lines can never be mistaken for one.
 * - End of input or SIGTERM: keep reading until EOF, flush for at most
 *   flush_timeout, log what could not be delivered, exit 0.
 */
#define _GNU_SOURCE
#include "wrapper.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define READ_CHUNK (64 * 1024)
#define SEND_CHUNK (256 * 1024)
#define BACKOFF_MIN_MS 50
#define BACKOFF_MAX_MS 2000
#define STATUS_PREFIX "auditalert-relay: "
#define CONTROL_RESERVE 4096 /* buffer bytes only status and reload lines may use */
#define STOP_WAIT_MS 10000   /* how long a service that asked to stop may take to close */

static volatile sig_atomic_t got_term, got_hup;

static void on_term(int sig)
{
    (void)sig;
    got_term = 1;
}

static void on_hup(int sig)
{
    (void)sig;
    got_hup = 1;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct relay {
    const struct wrapper_config *cfg;
    unsigned char *buf;
    size_t cap;
    /* 0 <= line_start <= head <= commit <= tail <= cap
     * [line_start, head): sent on the current connection, from the start of the first line the
     *                     service may not have read yet (sent again, whole, after a disconnect)
     * [head, commit): complete lines not yet sent
     * [commit, tail): the start of a line still being read */
    size_t line_start, head, commit, tail;
    int dropping; /* discarding the rest of a line that did not fit */
    size_t dropping_len; /* bytes of that line so far */
    size_t status_end; /* end of the last status line put in the buffer (0: none unsent) */
    size_t reload_end; /* end of the last reload line put in the buffer (0: none unsent) */

    unsigned long long records_in, dropped_records, dropped_bytes;
    unsigned long long too_long; /* of the dropped records, those longer than the buffer can hold */
    unsigned long long reported_drops, reported_too_long;

    int sock;
    long long stop_asked; /* when the service asked to stop (it wrote to the socket); 0: not asked */
    unsigned backoff_ms;
    long long next_connect;
    int ever_connected, failing;
    int kernel_status_logged;
};

/* Make room for need bytes at the end; compaction is amortised (see below). */
static int ensure_space(struct relay *r, size_t need, size_t limit)
{
    if (r->tail <= limit && limit - r->tail >= need)
        return 1;
    size_t live = r->tail - r->line_start;
    /* moving everything down costs `live` bytes; only do it when it frees enough
     * (at least 1/8 of the buffer, or the live part is small), so each byte is
     * moved a bounded number of times however slowly the service drains */
    if (r->line_start > 0 && limit >= live && limit - live >= need &&
        (r->line_start >= r->cap / 8 || live <= READ_CHUNK)) {
        memmove(r->buf, r->buf + r->line_start, live);
        r->head -= r->line_start;
        r->commit -= r->line_start;
        r->tail -= r->line_start;
        r->status_end = r->status_end > r->line_start ? r->status_end - r->line_start : 0;
        r->reload_end = r->reload_end > r->line_start ? r->reload_end - r->line_start : 0;
        r->line_start = 0;
        return 1;
    }
    return 0;
}

static void take_input(struct relay *r, const unsigned char *p, size_t n)
{
    const unsigned char *end = p + n;
    while (p < end) {
        const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
        const unsigned char *seg_end = nl ? nl + 1 : end;
        size_t len = (size_t)(seg_end - p);
        if (r->dropping) {
            r->dropped_bytes += len;
            r->dropping_len += len;
            if (nl) {
                r->dropping = 0;
                r->dropped_records++;
                if (r->dropping_len > r->cap - CONTROL_RESERVE)
                    r->too_long++;
                r->records_in++;
            }
        } else if (ensure_space(r, len, r->cap - CONTROL_RESERVE)) {
            memcpy(r->buf + r->tail, p, len);
            r->tail += len;
            if (nl) {
                r->commit = r->tail;
                r->records_in++;
            }
        } else {
            size_t line_len = len + (r->tail - r->commit);
            r->dropped_bytes += line_len;
            r->tail = r->commit;
            if (nl) {
                r->dropped_records++;
                r->records_in++;
                if (line_len > r->cap - CONTROL_RESERVE)
                    r->too_long++;
            } else {
                r->dropping = 1;
                r->dropping_len = line_len;
            }
        }
        p = seg_end;
    }
}

/* At end of input or at exit: a last line without its newline is dropped, and counted as read. */
static void drop_partial_line(struct relay *r)
{
    if (r->dropping) {
        r->dropping = 0;
        r->dropped_records++;
        if (r->dropping_len > r->cap - CONTROL_RESERVE)
            r->too_long++;
        r->records_in++;
    } else if (r->tail > r->commit) {
        r->dropped_bytes += r->tail - r->commit;
        r->dropped_records++;
        r->records_in++;
        r->tail = r->commit;
    }
}

/* Insert a whole line at the commit point (before any partly read line). */
static int insert_line(struct relay *r, const char *line, size_t len)
{
    if (!ensure_space(r, len, r->cap))
        return 0;
    memmove(r->buf + r->commit + len, r->buf + r->commit, r->tail - r->commit);
    memcpy(r->buf + r->commit, line, len);
    r->commit += len;
    r->tail += len;
    return 1;
}

/* periodic: skipped while the previous status line is still unsent */
static void queue_status(struct relay *r, int periodic)
{
    if (periodic && (r->sock < 0 || r->status_end > r->head))
        return;
    char line[256];
    int n = snprintf(line, sizeof line, STATUS_PREFIX "dropped_records=%llu dropped_bytes=%llu",
                     r->dropped_records, r->dropped_bytes);
    struct kernel_audit_status ks;
    if (read_kernel_audit_status(&ks) == 0) {
        n += snprintf(line + n, sizeof line - (size_t)n, " kernel_lost=%lu kernel_backlog=%lu kernel_backlog_limit=%lu",
                      ks.lost, ks.backlog, ks.backlog_limit);
    } else if (!r->kernel_status_logged) {
        r->kernel_status_logged = 1;
        wlog(LOG_INFO, "kernel audit status unavailable (%s); status lines carry the relay's own counters only",
             strerror(errno));
    }
    n += snprintf(line + n, sizeof line - (size_t)n, "\n");
    if (insert_line(r, line, (size_t)n))
        r->status_end = r->commit;
    else
        wlog(LOG_WARNING, "buffer full, status line not sent: dropped_records=%llu dropped_bytes=%llu",
             r->dropped_records, r->dropped_bytes);
}

static void report_drops(struct relay *r)
{
    if (r->dropped_records == r->reported_drops)
        return;
    unsigned long long since = r->dropped_records - r->reported_drops;
    unsigned long long long_ones = r->too_long - r->reported_too_long;
    if (long_ones == since)
        wlog(LOG_WARNING,
             "dropped %llu records so far (%llu bytes), %llu since the last report: each longer than the buffer "
             "can hold (buffer_size %zu)",
             r->dropped_records, r->dropped_bytes, since, r->cap);
    else
        wlog(LOG_WARNING,
             "dropped %llu records so far (%llu bytes), %llu since the last report (%llu of them longer than the "
             "buffer can hold): the auditalert service at %s is %s",
             r->dropped_records, r->dropped_bytes, since, long_ones, r->cfg->socket_path,
             r->sock < 0 ? "not connected" : "not keeping up");
    r->reported_drops = r->dropped_records;
    r->reported_too_long = r->too_long;
}

/*
 * The connection ended. read_all: the service closed its end having read everything sent (a plain end
 * of file; a service that closes with bytes unread leaves ECONNRESET instead, set by the kernel as it
 * throws them away), so only the line cut short is sent again; otherwise everything from the first
 * line it may not have read.
 */
static void disconnect(struct relay *r, const char *why, int read_all)
{
    wlog(LOG_WARNING, "lost the connection to %s (%s); buffering and reconnecting", r->cfg->socket_path, why);
    close(r->sock);
    r->sock = -1;
    r->stop_asked = 0;
    if (read_all) {
        const unsigned char *nl = memrchr(r->buf + r->line_start, '\n', r->head - r->line_start);
        if (nl)
            r->line_start = (size_t)(nl + 1 - r->buf);
    }
    r->head = r->line_start; /* resend from the first line the service may not have read, whole */
    r->backoff_ms = BACKOFF_MIN_MS;
    r->next_connect = now_ms() + r->backoff_ms;
    r->failing = 1;
}

static void try_connect(struct relay *r)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        wlog(LOG_ERR, "socket(AF_UNIX): %s", strerror(errno));
    } else {
        struct sockaddr_un addr;
        memset(&addr, 0, sizeof addr);
        addr.sun_family = AF_UNIX;
        memcpy(addr.sun_path, r->cfg->socket_path, strlen(r->cfg->socket_path));
        if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0) {
            r->sock = fd;
            r->backoff_ms = BACKOFF_MIN_MS;
            if (!r->ever_connected || r->failing)
                wlog(r->failing ? LOG_NOTICE : LOG_INFO, "connected to the auditalert service at %s",
                     r->cfg->socket_path);
            r->ever_connected = 1;
            r->failing = 0;
            queue_status(r, 0);
            return;
        }
        int e = errno;
        close(fd);
        if (!r->failing)
            wlog(LOG_WARNING,
                 "cannot connect to %s: %s (is auditalert.service running?); buffering up to %zu bytes and "
                 "retrying",
                 r->cfg->socket_path, strerror(e), r->cap);
        r->failing = 1;
    }
    r->next_connect = now_ms() + r->backoff_ms;
    r->backoff_ms = r->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : r->backoff_ms * 2;
}

/*
 * Moves line_start to the start of the line that holds the first byte the service has not read.
 * What it has not read is still queued in the kernel, charged to this socket (SIOCOUTQ: a little
 * more than the bytes, as the kernel counts its buffers' overhead, which errs towards sending a line
 * again). When the service closes, the kernel marks this socket shut down and then throws the unread
 * queue away, after which the queue reads as empty: so the measure counts only when this socket is
 * not shut down after it was taken.
 */
static void note_read_by_service(struct relay *r)
{
    if (r->sock < 0 || r->line_start == r->head || r->stop_asked)
        return;
    int queued;
    if (ioctl(r->sock, SIOCOUTQ, &queued) != 0 || queued < 0)
        return;
    char c;
    ssize_t n = recv(r->sock, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) { /* closed, the queue thrown away or read to its end: not a measure */
        disconnect(r, "closed by the service", 1);
        return;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        disconnect(r, strerror(errno), 0);
        return;
    }
    size_t sent = r->head - r->line_start;
    size_t first_unread = r->head - ((size_t)queued < sent ? (size_t)queued : sent);
    const unsigned char *nl = memrchr(r->buf + r->line_start, '\n', first_unread - r->line_start);
    if (nl)
        r->line_start = (size_t)(nl + 1 - r->buf);
    if (r->line_start == r->tail) /* everything sent and read: start again at the front */
        r->line_start = r->head = r->commit = r->tail = r->status_end = r->reload_end = 0;
}

static void send_some(struct relay *r)
{
    size_t n = r->commit - r->head;
    if (r->sock < 0 || n == 0 || r->stop_asked)
        return;
    if (n > SEND_CHUNK)
        n = SEND_CHUNK;
    ssize_t w = send(r->sock, r->buf + r->head, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            const char *why = strerror(errno);
            char c; /* did it read everything before it closed? (an error pending says no) */
            disconnect(r, why, recv(r->sock, &c, 1, MSG_DONTWAIT) == 0);
        }
        return;
    }
    r->head += (size_t)w;
    note_read_by_service(r);
}

/*
 * The service writes only when it stops ("stop\n"): then nothing more is sent, and this end is shut
 * down so that the service reads what is queued to its end, evaluates it and closes. A close after
 * that is a plain end of file, and only a line cut short is sent again, to the next service.
 */
static void drain_socket(struct relay *r)
{
    unsigned char junk[512];
    ssize_t n = recv(r->sock, junk, sizeof junk, MSG_DONTWAIT);
    if (n > 0) {
        if (!r->stop_asked) {
            r->stop_asked = now_ms();
            shutdown(r->sock, SHUT_WR);
            wlog(LOG_INFO, "the auditalert service at %s is stopping: it reads what was sent, then closes",
                 r->cfg->socket_path);
        }
    } else if (n == 0)
        disconnect(r, "closed by the service", 1);
    else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        disconnect(r, strerror(errno), 0);
}

static unsigned long long count_lines(const unsigned char *p, size_t n)
{
    unsigned long long lines = 0;
    const unsigned char *end = p + n;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        lines++;
        p++;
    }
    return lines;
}

static void install_signals(sigset_t *wait_mask)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_hup;
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);

    /* the handled signals are delivered only inside ppoll(); everything else unblocked */
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGTERM);
    sigaddset(&blocked, SIGINT);
    sigaddset(&blocked, SIGHUP);
    sigprocmask(SIG_SETMASK, &blocked, NULL);
    sigemptyset(wait_mask);
}

int run_relay(const struct wrapper_config *cfg)
{
    struct relay r;
    memset(&r, 0, sizeof r);
    r.cfg = cfg;
    r.cap = cfg->buffer_size;
    r.buf = malloc(r.cap);
    static unsigned char chunk[READ_CHUNK];
    if (!r.buf)
        wfatal("cannot allocate the relay buffer of %zu bytes (buffer_size in %s)", r.cap,
               cfg->path ? cfg->path : "config");
    r.sock = -1;
    r.backoff_ms = BACKOFF_MIN_MS;

    sigset_t wait_mask;
    install_signals(&wait_mask);
    /* the relay never executes anything: make sure nothing it could run gains privileges */
    (void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);

    long long next_status = now_ms() + cfg->status_interval_ms;
    long long deadline = -1; /* set once stopping */
    int input_open = 1;

    for (;;) {
        long long now = now_ms();
        if (got_term && deadline < 0) {
            wlog(LOG_INFO, "SIGTERM: reading to end of input and flushing for at most %u ms", cfg->flush_timeout_ms);
            deadline = now + cfg->flush_timeout_ms;
            queue_status(&r, 0); /* the drops so far, in case input stays open past the flush */
            if (r.sock < 0) {
                r.next_connect = now;
                r.backoff_ms = BACKOFF_MIN_MS;
            }
        }
        if (got_hup) {
            got_hup = 0;
            static const char reload[] = STATUS_PREFIX "reload\n";
            if (r.reload_end > r.head) {
                /* one not sent yet will do: a storm of SIGHUPs must not use up the room kept for status lines */
            } else if (insert_line(&r, reload, sizeof reload - 1)) {
                r.reload_end = r.commit;
            } else {
                wlog(LOG_WARNING, "SIGHUP: buffer full, reload request not forwarded");
            }
        }
        /* stopping: done once the service has read everything (or at the deadline) */
        if (deadline >= 0 && (now >= deadline || (!input_open && r.line_start == r.commit)))
            break;
        if (r.sock >= 0 && r.stop_asked && now - r.stop_asked >= STOP_WAIT_MS)
            disconnect(&r, "the service asked to stop and did not close", 0);
        if (r.sock < 0 && now >= r.next_connect)
            try_connect(&r);
        if (now >= next_status) {
            queue_status(&r, 1);
            report_drops(&r);
            next_status = now + cfg->status_interval_ms;
        }

        struct pollfd fds[2];
        int nfds = 0, in_idx = -1, sock_idx = -1;
        if (input_open) {
            in_idx = nfds;
            fds[nfds++] = (struct pollfd){.fd = 0, .events = POLLIN};
        }
        if (r.sock >= 0) {
            sock_idx = nfds;
            fds[nfds++] = (struct pollfd){.fd = r.sock,
                                          .events = POLLIN | (r.head < r.commit && !r.stop_asked ? POLLOUT : 0)};
        }
        long long wake = next_status;
        if (r.sock < 0 && r.next_connect < wake)
            wake = r.next_connect;
        if (deadline >= 0 && deadline < wake)
            wake = deadline;
        if (r.sock >= 0 && r.stop_asked && r.stop_asked + STOP_WAIT_MS < wake)
            wake = r.stop_asked + STOP_WAIT_MS;
        if (r.sock >= 0 && r.line_start < r.head && !r.stop_asked) {
            /* lines sent and not known to be read: look again soon (at once when stopping), so that
               a disconnect sends again little that the service had read */
            long long again = now + (deadline >= 0 ? 20 : 100);
            if (again < wake)
                wake = again;
        }
        long long wait = wake - now_ms();
        if (wait < 0)
            wait = 0;
        struct timespec ts = {.tv_sec = wait / 1000, .tv_nsec = (wait % 1000) * 1000000};
        int ready = ppoll(fds, (nfds_t)nfds, &ts, &wait_mask);
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            wfatal("poll: %s", strerror(errno));
        }
        if (in_idx >= 0 && fds[in_idx].revents) {
            ssize_t n = read(0, chunk, sizeof chunk);
            if (n > 0) {
                take_input(&r, chunk, (size_t)n);
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                if (n < 0)
                    wlog(LOG_ERR, "reading stdin: %s; treating it as end of input", strerror(errno));
                input_open = 0;
                drop_partial_line(&r); /* an unterminated last record */
                queue_status(&r, 0);
                if (deadline < 0)
                    deadline = now_ms() + cfg->flush_timeout_ms;
                if (r.sock < 0) { /* last chance: do not sit out a long back-off */
                    r.next_connect = now_ms();
                    r.backoff_ms = BACKOFF_MIN_MS;
                }
            }
        }
        if (sock_idx >= 0 && r.sock >= 0) {
            if (fds[sock_idx].revents & (POLLIN | POLLHUP | POLLERR))
                drain_socket(&r);
            if (r.sock >= 0 && (fds[sock_idx].revents & POLLOUT))
                send_some(&r);
        }
        /* data that arrived while the socket was writable: try at once */
        if (r.sock >= 0 && r.head < r.commit)
            send_some(&r);
        else
            note_read_by_service(&r);
    }

    drop_partial_line(&r); /* stopped with input still open: a line half read is not sent */
    report_drops(&r);
    size_t undelivered = r.commit - r.head;
    unsigned long long undelivered_lines = 0;
    if (undelivered > 0) {
        undelivered_lines = count_lines(r.buf + r.head, undelivered);
        wlog(LOG_ERR, "exiting with %zu bytes (%llu lines) not delivered to %s within flush_timeout = %u ms",
             undelivered, undelivered_lines, cfg->socket_path, cfg->flush_timeout_ms);
    }
    if (r.sock >= 0 && r.line_start < r.head) {
        /* sent, and still in the kernel's queue: the service reads them if it keeps its end open */
        wlog(LOG_WARNING, "exiting with %llu lines sent that %s had not read yet within flush_timeout = %u ms",
             count_lines(r.buf + r.line_start, r.head - r.line_start), cfg->socket_path, cfg->flush_timeout_ms);
    }
    /* the summary counts every record that did not reach the service: dropped while running, and
       what was still buffered at the exit */
    wlog(undelivered > 0 ? LOG_ERR : LOG_INFO,
         "end of input: %llu records read, %llu dropped (%llu bytes), %llu lines not delivered at exit (%zu bytes); exiting",
         r.records_in, r.dropped_records, r.dropped_bytes, undelivered_lines, undelivered);
    if (r.sock >= 0) {
        shutdown(r.sock, SHUT_WR);
        close(r.sock);
    }
    free(r.buf);
    return 0;
}
