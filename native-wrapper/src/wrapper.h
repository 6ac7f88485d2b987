/*
 * auditalert-plugin: the native program auditd starts from /etc/audit/plugins.d.
 *
 * It either execs the JVM (direct mode) or, where the JVM cannot run because
 * auditd's MemoryDenyWriteExecute is inherited, forwards the record stream to
 * the auditalert service over a unix socket (relay mode). See README.md.
 */
#ifndef AUDITALERT_WRAPPER_H
#define AUDITALERT_WRAPPER_H

#include <stddef.h>

#define WRAPPER_NAME "auditalert-plugin"
#define DEFAULT_CONFIG "/etc/auditalert/wrapper.conf"
/* class-data archive built by the package at install time (optional) */
#define CDS_ARCHIVE "/var/cache/auditalert/auditalert.jsa"

enum wrapper_mode { MODE_AUTO, MODE_DIRECT, MODE_RELAY };

struct wrapper_config {
    const char *path;            /* the config file that was read, or NULL */
    enum wrapper_mode mode;      /* mode = auto | direct | relay */
    char java[4096];             /* java = /path/to/bin/java (empty: search) */
    char heap[32];               /* heap = 256m  -> -Xmx256m */
    char jar[4096];              /* jar = /usr/share/auditalert/auditalert.jar */
    char app_config[4096];       /* app_config = FILE -> "run --config FILE" (empty: none) */
    char socket_path[108];       /* socket = /run/auditalert/input.sock */
    size_t buffer_size;          /* buffer_size = 8M */
    unsigned status_interval_ms; /* status_interval = 5 (seconds) */
    unsigned flush_timeout_ms;   /* flush_timeout = 900 (milliseconds) */
};

/* log.c-style helpers (implemented in main.c): syslog + stderr */
void wlog(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void wfatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* direct.c: never returns; on failure logs and exits 1 */
void run_direct(const struct wrapper_config *cfg) __attribute__((noreturn));

/* relay.c: returns the process exit status */
int run_relay(const struct wrapper_config *cfg);

/* kstatus.c: kernel audit status over NETLINK_AUDIT; 0 on success */
struct kernel_audit_status {
    unsigned long lost;
    unsigned long backlog;
    unsigned long backlog_limit;
};
int read_kernel_audit_status(struct kernel_audit_status *out);

#endif
