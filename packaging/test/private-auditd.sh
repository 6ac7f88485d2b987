# Sourced by the real-auditd test scripts: the configuration of a private auditd that a test starts
# with `auditd -f -c DIR` (its own ENRICHED log and plugin directory inside DIR, so the machine's
# audit log and plugins are not involved).
write_private_auditd_conf() { # $1: the directory
    local C=$1
    cat >"$C/auditd.conf" <<EOF
local_events = yes
write_logs = yes
log_file = $C/audit.log
log_group = root
log_format = ENRICHED
flush = INCREMENTAL_ASYNC
freq = 50
max_log_file = 8
num_logs = 2
priority_boost = 4
name_format = NONE
max_log_file_action = IGNORE
space_left = 75
space_left_action = IGNORE
admin_space_left = 50
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
q_depth = 2000
overflow_action = SYSLOG
max_restarts = 10
plugin_dir = $C/plugins.d
end_of_event_timeout = 2
EOF
    chmod 0640 "$C/auditd.conf"
}
