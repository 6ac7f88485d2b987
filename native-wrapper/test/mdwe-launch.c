/*
 * mdwe-launch prctl|seccomp PROGRAM [ARG...]
 *
 * Runs PROGRAM under MemoryDenyWriteExecute the way systemd applies it:
 *   prctl   - prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN) (systemd >= 254, kernel >= 6.3)
 *   seccomp - systemd's seccomp rules (systemd <= 253): EPERM for mmap with
 *             PROT_WRITE and PROT_EXEC both set, and for mprotect/pkey_mprotect
 *             asking for PROT_EXEC
 * Both are inherited across execve and fork. Exit status 3 when the kernel
 * refuses to set it up (so a test can skip), else PROGRAM's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif

static int apply_seccomp(void)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx)
        return -ENOMEM;
    int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mmap), 1,
                              SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_WRITE | PROT_EXEC, PROT_WRITE | PROT_EXEC));
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mprotect), 1,
                              SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC));
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(pkey_mprotect), 1,
                              SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC));
    if (rc == 0)
        rc = seccomp_load(ctx); /* sets no_new_privs, as systemd does for unprivileged units */
    seccomp_release(ctx);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[1], "prctl") != 0 && strcmp(argv[1], "seccomp") != 0)) {
        fprintf(stderr, "usage: mdwe-launch prctl|seccomp PROGRAM [ARG...]\n");
        return 2;
    }
    if (strcmp(argv[1], "prctl") == 0) {
        if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0) {
            fprintf(stderr, "mdwe-launch: prctl(PR_SET_MDWE): %s (kernel older than 6.3?)\n", strerror(errno));
            return 3;
        }
    } else {
        int rc = apply_seccomp();
        if (rc != 0) {
            fprintf(stderr, "mdwe-launch: seccomp: %s\n", strerror(-rc));
            return 3;
        }
    }
    execvp(argv[2], argv + 2);
    fprintf(stderr, "mdwe-launch: exec %s: %s\n", argv[2], strerror(errno));
    return 127;
}
