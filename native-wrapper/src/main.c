/*
 * auditalert-plugin main: command line, wrapper config, logging, and the
 * write-then-execute probe that chooses between direct and relay mode.
 */
#define _GNU_SOURCE
#include "wrapper.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#ifndef PR_GET_MDWE
#define PR_GET_MDWE 66
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif

#define VERSION "0.1.0"

static int log_to_stderr = 1;

static void vlog(int priority, const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    syslog(priority, "%s", msg);
    if (log_to_stderr)
        fprintf(stderr, WRAPPER_NAME ": %s\n", msg);
}

void wlog(int priority, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(priority, fmt, ap);
    va_end(ap);
}

void wfatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(LOG_ERR, fmt, ap);
    va_end(ap);
    wlog(LOG_ERR, "fatal error, exiting with status 1 (auditd will report the plugin as terminated)");
    exit(1);
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: " WRAPPER_NAME " [--config FILE] [--probe]\n"
            "  --config FILE  wrapper config (default " DEFAULT_CONFIG ")\n"
            "  --probe        print the mode this host allows (direct or relay) and exit\n"
            "  --version      print the version and exit\n");
}

/* ---------------------------------------------------------------- config */

static char *trim(char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static int copy_value(char *dst, size_t cap, const char *value)
{
    size_t n = strlen(value);
    if (n == 0 || n >= cap)
        return -1;
    memcpy(dst, value, n + 1);
    return 0;
}

/* "8M", "65536", "512K", "1G" -> bytes; 0 on error */
static size_t parse_size(const char *v)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno || end == v)
        return 0;
    unsigned long long mult = 1;
    if (*end == 'k' || *end == 'K')
        mult = 1024ULL, end++;
    else if (*end == 'm' || *end == 'M')
        mult = 1024ULL * 1024, end++;
    else if (*end == 'g' || *end == 'G')
        mult = 1024ULL * 1024 * 1024, end++;
    if (*end == 'i' || *end == 'I')
        end++;
    if (*end == 'b' || *end == 'B')
        end++;
    if (*end != '\0' || n > (1ULL << 40) / mult)
        return 0;
    return (size_t)(n * mult);
}

static int parse_uint(const char *v, unsigned max, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    if (errno || end == v || *end != '\0' || n > max)
        return -1;
    *out = (unsigned)n;
    return 0;
}

static int valid_heap(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > 16)
        return 0;
    for (size_t i = 0; i + 1 < n; i++)
        if (!isdigit((unsigned char)v[i]))
            return 0;
    return isdigit((unsigned char)v[n - 1]) || strchr("kKmMgG", v[n - 1]) != NULL;
}

static void config_defaults(struct wrapper_config *c)
{
    memset(c, 0, sizeof *c);
    c->mode = MODE_AUTO;
    strcpy(c->heap, "256m");
    strcpy(c->jar, "/usr/share/auditalert/auditalert.jar");
    strcpy(c->socket_path, "/run/auditalert/input.sock");
    c->buffer_size = 8u * 1024 * 1024;
    c->status_interval_ms = 5000;
    c->flush_timeout_ms = 900;
}

/* Reads "key = value" lines; '#' starts a comment line. Unknown keys and bad values are fatal. */
/*
 * Whether someone other than root could change what the path names: the entry or a directory above it
 * belongs to another user, or is writable by others (group root's write and a sticky directory such as
 * /tmp aside). Writes the first such entry, from the top, into why. The config says which java and jar
 * root executes, so a file a user could rewrite would run their program as root.
 */
static int untrusted_chain(const char *path, char *why, size_t n)
{
    char p[4096];
    if (strlen(path) >= sizeof p)
        return 0;
    strcpy(p, path);
    int found = 0;
    for (;;) {
        struct stat st;
        if (lstat(*p ? p : "/", &st) == 0 && !(S_ISLNK(st.st_mode) && st.st_uid == 0)) {
            int group_write = (st.st_mode & S_IWGRP) && st.st_gid != 0;
            int other_write = st.st_mode & S_IWOTH;
            if (st.st_uid != 0) {
                snprintf(why, n, "%s belongs to uid %u, not root", *p ? p : "/", (unsigned) st.st_uid);
                found = 1;
            } else if ((group_write || other_write) && !(S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX))) {
                snprintf(why, n, "%s is writable by %s (mode %04o)", *p ? p : "/",
                         other_write ? "everyone" : "its group", (unsigned) (st.st_mode & 07777));
                found = 1;
            }
        }
        char *slash = strrchr(p, '/');
        if (!slash || !*p)
            break;
        *slash = '\0';
    }
    return found;
}

static int untrusted(const char *path, char *why, size_t n)
{
    char abs[4096];
    if (path[0] == '/') {
        snprintf(abs, sizeof abs, "%s", path);
    } else {
        char cwd[2048];
        if (!getcwd(cwd, sizeof cwd))
            return 0;
        snprintf(abs, sizeof abs, "%s/%s", cwd, path);
    }
    if (untrusted_chain(abs, why, n))
        return 1;
    char *real = realpath(path, NULL);
    int found = real && strcmp(real, abs) != 0 && untrusted_chain(real, why, n);
    free(real);
    return found;
}

static void config_load(struct wrapper_config *c, const char *path, int must_exist)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        if (errno == ENOENT && !must_exist)
            return;
        wfatal("cannot read wrapper config %s: %s", path, strerror(errno));
    }
    char why[4200];
    if (geteuid() == 0 && untrusted(path, why, sizeof why))
        wfatal("refusing wrapper config %s as root: %s (chown root, chmod go-w)", path, why);
    c->path = path;
    char line[4352];
    unsigned lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f))
            wfatal("%s:%u: line too long", path, lineno);
        char *s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq)
            wfatal("%s:%u: expected 'key = value'", path, lineno);
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        int bad = 0;
        if (strcmp(key, "mode") == 0) {
            if (strcmp(value, "auto") == 0)
                c->mode = MODE_AUTO;
            else if (strcmp(value, "direct") == 0)
                c->mode = MODE_DIRECT;
            else if (strcmp(value, "relay") == 0)
                c->mode = MODE_RELAY;
            else
                bad = 1;
        } else if (strcmp(key, "java") == 0) {
            bad = value[0] != '/' || copy_value(c->java, sizeof c->java, value);
        } else if (strcmp(key, "heap") == 0) {
            bad = !valid_heap(value) || copy_value(c->heap, sizeof c->heap, value);
        } else if (strcmp(key, "jar") == 0) {
            bad = value[0] != '/' || copy_value(c->jar, sizeof c->jar, value);
        } else if (strcmp(key, "app_config") == 0) {
            bad = value[0] != '/' || copy_value(c->app_config, sizeof c->app_config, value);
        } else if (strcmp(key, "socket") == 0) {
            bad = value[0] != '/' || copy_value(c->socket_path, sizeof c->socket_path, value);
        } else if (strcmp(key, "buffer_size") == 0) {
            c->buffer_size = parse_size(value);
            bad = c->buffer_size < 64 * 1024;
        } else if (strcmp(key, "status_interval") == 0) {
            unsigned secs = 0;
            bad = parse_uint(value, 3600, &secs) || secs == 0;
            c->status_interval_ms = secs * 1000;
        } else if (strcmp(key, "flush_timeout") == 0) {
            bad = parse_uint(value, 60000, &c->flush_timeout_ms);
        } else {
            wfatal("%s:%u: unknown key '%s'", path, lineno, key);
        }
        if (bad)
            wfatal("%s:%u: bad value '%s' for '%s'", path, lineno, value, key);
    }
    if (ferror(f))
        wfatal("error reading wrapper config %s", path);
    fclose(f);
}

/* ----------------------------------------------------------------- probe */

/*
 * Can this process turn writable memory into executable memory, as every JIT
 * (and HotSpot's interpreter) must? MemoryDenyWriteExecute is either a seccomp
 * filter (systemd <= 253) or PR_SET_MDWE (systemd >= 254); SELinux execmem
 * denials look the same. Only trying finds all of them.
 * Returns 1 when allowed; else 0 with a reason in why.
 */
static int can_gain_exec(char *why, size_t cap)
{
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0)
        page = 4096;
    void *p = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        snprintf(why, cap, "mmap(PROT_READ|PROT_WRITE) failed: %s", strerror(errno));
        return 0;
    }
    int ok = 1;
    ((volatile unsigned char *)p)[0] = 0xc3;
    if (mprotect(p, (size_t)page, PROT_READ | PROT_EXEC) != 0) {
        int e = errno;
        int mdwe = prctl(PR_GET_MDWE, 0, 0, 0, 0);
        const char *mech = (mdwe > 0 && (mdwe & PR_MDWE_REFUSE_EXEC_GAIN))
                               ? "PR_SET_MDWE (MemoryDenyWriteExecute, systemd >= 254)"
                               : "a seccomp filter (MemoryDenyWriteExecute, systemd <= 253) or an LSM "
                                 "(SELinux execmem)";
        snprintf(why, cap, "mprotect(PROT_READ|PROT_EXEC) of a written page failed with %s; enforced by %s",
                 strerror(e), mech);
        ok = 0;
    }
    munmap(p, (size_t)page);
    if (!ok)
        return 0;
    void *q = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (q == MAP_FAILED) {
        snprintf(why, cap, "mmap(PROT_READ|PROT_WRITE|PROT_EXEC) failed with %s", strerror(errno));
        return 0;
    }
    munmap(q, (size_t)page);
    return 1;
}

static enum wrapper_mode choose_mode(const struct wrapper_config *cfg, char *why, size_t cap)
{
    if (cfg->mode == MODE_RELAY) {
        snprintf(why, cap, "mode = relay in %s", cfg->path ? cfg->path : "config");
        return MODE_RELAY;
    }
    char probe[512];
    int allowed = can_gain_exec(probe, sizeof probe);
    if (cfg->mode == MODE_DIRECT) {
        if (allowed)
            snprintf(why, cap, "mode = direct in %s", cfg->path ? cfg->path : "config");
        else
            snprintf(why, cap, "mode = direct in %s although the JVM probably cannot run here: %s",
                     cfg->path ? cfg->path : "config", probe);
        return MODE_DIRECT;
    }
    if (allowed) {
        snprintf(why, cap, "writable memory can be made executable, the JVM can run in this process");
        return MODE_DIRECT;
    }
    snprintf(why, cap, "the JVM cannot run here: %s", probe);
    return MODE_RELAY;
}

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv)
{
    const char *config_path = DEFAULT_CONFIG;
    int explicit_config = 0, probe_only = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            config_path = argv[++i];
            explicit_config = 1;
        } else if (strncmp(argv[i], "--config=", 9) == 0) {
            config_path = argv[i] + 9;
            explicit_config = 1;
        } else if (strcmp(argv[i], "--probe") == 0) {
            probe_only = 1;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf(WRAPPER_NAME " " VERSION "\n");
            return 0;
        } else if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            openlog(WRAPPER_NAME, LOG_PID, LOG_DAEMON);
            usage(stderr);
            wfatal("unknown argument '%s' (check args in /etc/audit/plugins.d/auditalert.conf)", argv[i]);
        }
    }

    openlog(WRAPPER_NAME, LOG_PID, LOG_DAEMON);

    struct wrapper_config cfg;
    config_defaults(&cfg);
    config_load(&cfg, config_path, explicit_config);

    char why[768];
    enum wrapper_mode mode = choose_mode(&cfg, why, sizeof why);
    if (probe_only) {
        printf("%s\n", mode == MODE_DIRECT ? "direct" : "relay");
        fprintf(stderr, WRAPPER_NAME ": %s\n", why);
        return 0;
    }
    if (mode == MODE_DIRECT) {
        wlog(LOG_INFO, "direct mode: %s", why);
        run_direct(&cfg);
    }
    wlog(LOG_NOTICE, "relay mode: %s; forwarding records to the auditalert service at %s", why,
         cfg.socket_path);
    return run_relay(&cfg);
}
