# The commands behind capture-settings.log (a private auditd, the shipped audit rules, as root from /):
# kernel audit settings changed within a minute, one of them twice, then put back.
auditctl -r 100                      # rate limit
auditctl -f 0                        # failure mode: silent
auditctl --backlog_wait_time 60000
auditctl -r 100                      # the same setting and value again
auditctl -r 0
auditctl -f 1
auditctl --backlog_wait_time 15000
