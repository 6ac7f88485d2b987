/*
 * Direct mode: undo what auditd leaves behind (every signal ignored, some
 * blocked, an empty environment) and exec the JVM, which reads fd 0 itself.
 */
#define _GNU_SOURCE
#include "wrapper.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <unistd.h>

#define SAFE_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int is_executable_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/*
 * Only fds 0-2 go to the JVM: auditd closes 3-23 in a plugin it starts, not what lies above, so a
 * descriptor of auditd's (or of whatever started the wrapper) would otherwise live on in the JVM.
 */
static void close_inherited_fds(void)
{
#ifdef SYS_close_range
    if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
        return;
#endif
    /* kernels before 5.9 */
    struct rlimit rl;
    long max = 65536;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)max)
        max = (long)rl.rlim_cur;
    for (long fd = 3; fd < max; fd++)
        close((int)fd);
}

/* config 'java', else $JAVA_HOME/bin/java, else /usr/bin/java with symlinks resolved */
static void find_java(const struct wrapper_config *cfg, char *out, size_t cap)
{
    if (cfg->java[0]) {
        if (!is_executable_file(cfg->java))
            wfatal("java = %s (from %s) is not an executable file", cfg->java,
                   cfg->path ? cfg->path : "config");
        snprintf(out, cap, "%s", cfg->java);
        return;
    }
    const char *home = getenv("JAVA_HOME");
    if (home && home[0] == '/') {
        char candidate[PATH_MAX];
        if ((size_t)snprintf(candidate, sizeof candidate, "%s/bin/java", home) < sizeof candidate &&
            is_executable_file(candidate)) {
            snprintf(out, cap, "%s", candidate);
            return;
        }
        wlog(LOG_WARNING, "JAVA_HOME=%s has no bin/java; trying /usr/bin/java", home);
    }
    char resolved[PATH_MAX];
    if (realpath("/usr/bin/java", resolved) && is_executable_file(resolved)) {
        snprintf(out, cap, "%s", resolved);
        return;
    }
    wfatal("no Java runtime found: set 'java = /path/to/bin/java' in %s, or install a JRE (17 or newer) "
           "providing /usr/bin/java",
           cfg->path ? cfg->path : DEFAULT_CONFIG);
}

static void reset_signals(void)
{
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    /* SIGKILL/SIGSTOP refuse, which is fine. The C library's sigaction also refuses the
     * signals it reserves for itself (32 and 33 with glibc); a parent may still have left them
     * ignored, so those are reset with the raw system call. An all-zero kernel sigaction is
     * SIG_DFL with no flags and an empty mask on every architecture. */
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        if (sigaction(sig, &dfl, NULL) != 0 && errno == EINVAL) {
            unsigned long long kernel_sigaction[8] = {0};
            (void)syscall(SYS_rt_sigaction, sig, kernel_sigaction, NULL, (size_t)(NSIG / 8));
        }
    }
    sigset_t none;
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) != 0)
        wfatal("sigprocmask: %s", strerror(errno));
}

void run_direct(const struct wrapper_config *cfg)
{
    char java[PATH_MAX];
    find_java(cfg, java, sizeof java);

    struct stat st;
    if (stat(cfg->jar, &st) != 0 || !S_ISREG(st.st_mode))
        wfatal("the auditalert jar %s is missing (%s); reinstall the auditalert package", cfg->jar,
               errno ? strerror(errno) : "not a regular file");

    /* JAVA_HOME: the directory above bin/java, when the path has that shape */
    char java_home[PATH_MAX + 16] = "";
    size_t len = strlen(java);
    if (len > 9 && strcmp(java + len - 9, "/bin/java") == 0)
        snprintf(java_home, sizeof java_home, "JAVA_HOME=%.*s", (int)(len - 9), java);

    char xmx[48];
    snprintf(xmx, sizeof xmx, "-Xmx%s", cfg->heap);

    /* the class-data archive the package builds for this jar and JVM; only when present, since
       naming a missing archive turns off the JDK's own archive too */
    char cds[sizeof CDS_ARCHIVE + 32] = "";
    if (access(CDS_ARCHIVE, R_OK) == 0)
        snprintf(cds, sizeof cds, "-XX:SharedArchiveFile=%s", CDS_ARCHIVE);

    char *args[24];
    int n = 0;
    args[n++] = java;
    args[n++] = xmx;
    args[n++] = "-XX:+UseSerialGC";
    /* a small fixed young generation: measured in bench/, half the resident memory and less CPU
       (the same pages are reused instead of a growing young generation faulting in new ones) */
    args[n++] = "-Xmn16m";
    /* smaller C2 inlining budgets: measured in bench/, compiling costs more CPU otherwise */
    args[n++] = "-XX:FreqInlineSize=50";
    args[n++] = "-XX:InlineSmallCode=500";
    args[n++] = "-Xlog:disable";
    args[n++] = "-Xlog:all=warning:stderr";
    if (cds[0])
        args[n++] = cds;
    args[n++] = "-Dfile.encoding=UTF-8";
    args[n++] = "-Dauditalert.wrapper=direct";
    args[n++] = "-jar";
    args[n++] = (char *)cfg->jar;
    args[n++] = "run";
    if (cfg->app_config[0]) {
        args[n++] = "--config";
        args[n++] = (char *)cfg->app_config;
    }
    args[n] = NULL;

    char *env[8];
    int e = 0;
    env[e++] = "PATH=" SAFE_PATH;
    env[e++] = "LANG=C.UTF-8";
    env[e++] = "LC_ALL=C.UTF-8";
    if (java_home[0])
        env[e++] = java_home;
    env[e] = NULL;

    /* the command line as it is, argument by argument */
    char line[1024];
    size_t used = 0;
    line[0] = '\0';
    for (int i = 0; i < n && used < sizeof line - 1; i++) {
        int w = snprintf(line + used, sizeof line - used, "%s%s", i ? " " : "", args[i]);
        if (w < 0)
            break;
        used += (size_t)w < sizeof line - used ? (size_t)w : sizeof line - used - 1;
    }
    wlog(LOG_INFO, "exec %s", line);

    reset_signals();
    /* SIGHUP stays ignored across the exec: auditd sends one to every plugin on its reloads, and
     * with the default action one that came before the JVM installed its handler ended the JVM
     * (a plugin restart used up). The JVM gives it the default action back itself, just before it
     * installs that handler (auditalert.wrapper=direct); one ignored until then came before it read
     * its configuration. */
    {
        struct sigaction ign;
        memset(&ign, 0, sizeof ign);
        ign.sa_handler = SIG_IGN;
        sigemptyset(&ign.sa_mask);
        (void)sigaction(SIGHUP, &ign, NULL);
    }
    closelog();
    close_inherited_fds();
    if (chdir("/") != 0) {
        /* not fatal: the JVM does not depend on its working directory */
    }
    execve(java, args, env);
    int err = errno;
    openlog(WRAPPER_NAME, LOG_PID, LOG_DAEMON);
    wfatal("cannot exec %s: %s", java, strerror(err));
}
