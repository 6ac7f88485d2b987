# The capture of socket relays (capture-socket-relay.log). Runs as root, loopback only.
set -x
cd /
echo 1000 > /proc/self/loginuid
nc -z -w 1 127.0.0.1 9 ; true                              # nc connects (refused)
timeout 1 nc -l 127.0.0.1 47002 ; true                     # nc binds and listens
socat -T1 - TCP:127.0.0.1:9 </dev/null ; true              # socat connects (refused)
nc -U -z /run/aa-no-such.sock ; true                       # a unix socket: not network
