# The capture of capture-cron.log: cron installed after the audit rules were loaded, a root crontab
# added and removed with crontab(1), auditctl listing one key, cron purged. Runs as root from /.
set -x
cd /
echo 0 > /proc/self/loginuid
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends cron >/dev/null
crontab -l ; true
echo '17 3 * * * /bin/true' | crontab -
crontab -r
auditctl -l -k persistence >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q cron cron-daemon-common >/dev/null
getent group crontab >/dev/null && groupdel crontab ; true
