/*
 * fake-auditd-exec PROGRAM [ARG...]
 *
 * Starts PROGRAM the way auditd 3.0.9 starts a plugin at daemon start-up
 * (audisp/audispd.c safe_exec, src/auditd.c main): an AF_UNIX SOCK_STREAM
 * socketpair end as fd 0, fds 3..23 closed (auditd before 4.0.5; later ones close
 * every fd from 3), every signal set to SIG_IGN except
 * SIGCHLD, and execve() with an EMPTY environment. fds 1 and 2 are inherited
 * so tests can see the plugin's output.
 *
 * The parent copies its own stdin into the socket, closes it (the plugin sees
 * end of input), waits, and prints "fake-auditd-exec: exit=N" or
 * "fake-auditd-exec: signal=N" on stdout. It exits 0 when the child was
 * waited for, whatever its status. The child's pid goes to stderr first
 * ("fake-auditd-exec: pid=N") so a test can signal it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: fake-auditd-exec PROGRAM [ARG...]\n");
        return 2;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        perror("socketpair");
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 2;
    }
    if (pid == 0) {
        struct sigaction ign;
        memset(&ign, 0, sizeof ign);
        ign.sa_handler = SIG_IGN;
        for (int sig = 1; sig < NSIG; sig++)
            if (sig != SIGCHLD)
                (void)sigaction(sig, &ign, NULL);
        if (dup2(sv[0], 0) < 0)
            _exit(1);
        for (int fd = 3; fd < 24; fd++)
            close(fd);
        char *empty_env[] = {NULL};
        execve(argv[1], argv + 1, empty_env);
        _exit(1);
    }
    close(sv[0]);
    fprintf(stderr, "fake-auditd-exec: pid=%d\n", (int)pid);
    signal(SIGPIPE, SIG_IGN);

    char buf[65536];
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(sv[1], buf + off, (size_t)(n - off)); /* blocking, like auditd */
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                fprintf(stderr, "fake-auditd-exec: write to plugin: %s\n", strerror(errno));
                goto done;
            }
            off += w;
        }
    }
done:
    close(sv[1]);
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            perror("waitpid");
            return 2;
        }
    }
    if (WIFEXITED(status))
        printf("fake-auditd-exec: exit=%d\n", WEXITSTATUS(status));
    else
        printf("fake-auditd-exec: signal=%d\n", WTERMSIG(status));
    return 0;
}
