/*
 * The kernel's audit status (what `auditctl -s` prints) over NETLINK_AUDIT.
 * Needs CAP_AUDIT_CONTROL, which the root wrapper has and the service lacks.
 */
#define _GNU_SOURCE
#include "wrapper.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int read_kernel_audit_status(struct kernel_audit_status *out)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
    if (fd < 0)
        return -1;
    struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

    struct sockaddr_nl kernel;
    memset(&kernel, 0, sizeof kernel);
    kernel.nl_family = AF_NETLINK;

    struct nlmsghdr req;
    memset(&req, 0, sizeof req);
    req.nlmsg_len = NLMSG_LENGTH(0);
    req.nlmsg_type = AUDIT_GET;
    req.nlmsg_flags = NLM_F_REQUEST; /* no ACK: the reply, or an NLMSG_ERROR on failure */
    req.nlmsg_seq = 1;

    int result = -1, saved = 0;
    if (sendto(fd, &req, req.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
        saved = errno;
        goto out;
    }
    for (int attempt = 0; attempt < 4 && result != 0; attempt++) {
        union {
            struct nlmsghdr h;
            unsigned char bytes[8192];
        } reply;
        struct sockaddr_nl from;
        socklen_t fromlen = sizeof from;
        ssize_t n = recvfrom(fd, &reply, sizeof reply, 0, (struct sockaddr *)&from, &fromlen);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            saved = errno;
            break;
        }
        if (from.nl_pid != 0)
            continue; /* not from the kernel */
        for (struct nlmsghdr *h = &reply.h; NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *err = NLMSG_DATA(h);
                if (err->error != 0) {
                    saved = -err->error;
                    goto out;
                }
            } else if (h->nlmsg_type == AUDIT_GET) {
                struct audit_status st;
                memset(&st, 0, sizeof st);
                size_t len = h->nlmsg_len - NLMSG_LENGTH(0);
                memcpy(&st, NLMSG_DATA(h), len < sizeof st ? len : sizeof st);
                out->lost = st.lost;
                out->backlog = st.backlog;
                out->backlog_limit = st.backlog_limit;
                result = 0;
            }
        }
    }
out:
    close(fd);
    if (result != 0)
        errno = saved ? saved : EIO;
    return result;
}
