#!/usr/bin/env bash
# Starts, on loopback, the servers the examples of docs/live.md and docs/federation.md ran
# against, so that scripts/doc-transcripts.py --with-servers can re-run them:
#   scripts/doc-servers.sh start    # prints nothing on success; logs in $DOC_SERVERS (default /tmp/picert-doc-servers)
#   scripts/doc-servers.sh stop
# Needs openssl, dnsmasq and python3. The ports are the docs' (15061-15083, DNS on 15353, 15354 and 15357).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${DOC_SERVERS:-/tmp/picert-doc-servers}

stop() {
  if [ -f "$dir/pids" ]; then
    while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$dir/pids"
    rm -f "$dir/pids"
  fi
  pkill -f "sleep 86400 # picert-doc-servers" 2>/dev/null || true
}

if [ "${1:-}" = stop ]; then stop; exit 0; fi
stop
mkdir -p "$dir"
awk '/BEGIN CERT/{n++} n==1' fixtures/pki/good.pem >"$dir/leaf.pem"
leaf=$dir/leaf.pem key=fixtures/pki/keys/leaf.key issuing=fixtures/pki/public-issuing.pem root=fixtures/pki/public-root.pem

serve() { # s_server with its standard input kept open
  local port=$1; shift
  (bash -c 'sleep 86400 # picert-doc-servers' | openssl s_server -quiet "$@" >"$dir/$port.log" 2>&1) &
  echo $! >>"$dir/pids"
}
serve 15061 -accept 127.0.0.1:15061 -cert "$leaf" -cert_chain "$issuing" -key "$key"
serve 15062 -accept 127.0.0.1:15062 -cert "$leaf" -key "$key"
serve 15063 -accept 127.0.0.1:15063 -cert "$leaf" -cert_chain "$issuing" -key "$key" -tls1_2
serve 15064 -accept 127.0.0.1:15064 -cert "$leaf" -cert_chain "$issuing" -key "$key" -tls1_2 -Verify 1 -verify_return_error -CAfile "$root"
serve 15065 -accept 127.0.0.1:15065 -cert "$leaf" -cert_chain "$issuing" -key "$key" -Verify 1 -verify_return_error -CAfile "$root"
serve 15066 -accept 127.0.0.1:15066 -cert "$leaf" -cert_chain "$issuing" -key "$key" -min_protocol TLSv1 -cipher DEFAULT:@SECLEVEL=0
serve 15067 -accept 127.0.0.1:15067 -cert "$leaf" -cert_chain "$issuing" -key "$key" -tls1 -cipher DEFAULT:@SECLEVEL=0
awk '/BEGIN CERT/{n++} n==1' fixtures/pki/wrong-cn.pem >"$dir/edge-leaf.pem"
serve 15071 -accept 127.0.0.1:15071 -cert "$dir/edge-leaf.pem" -cert_chain "$issuing" -key "$key" \
  -servername sip.contoso.com -cert2 "$leaf" -key2 "$key"
serve 15081a -accept 127.0.0.1:15081 -cert "$leaf" -cert_chain "$issuing" -key "$key" -tls1_2 -Verify 1 -verify_return_error -CAfile "$root"
serve 15081b -accept 127.0.0.2:15081 -cert "$leaf" -cert_chain "$issuing" -key "$key" -tls1_2 -Verify 1 -verify_return_error -CAfile "$root"
# federation.md's faults: two servers for sip.contoso.com presenting different certificates.
awk '/BEGIN CERT/{n++} n==1' fixtures/pki/wrong-san-order.pem >"$dir/order-leaf.pem"
serve 15083a -accept 127.0.0.1:15083 -cert "$leaf" -cert_chain "$issuing" -key "$key"
serve 15083b -accept 127.0.0.3:15083 -cert "$dir/order-leaf.pem" -cert_chain "$issuing" -key "$key"
# 15068 accepts and never answers; 15070 answers SIP in clear text; nothing listens on 15069.
python3 - >"$dir/py.log" 2>&1 <<'PY' &
import socket, threading, time
def silent():
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 15068)); s.listen(16); held = []
    while True: held.append(s.accept()[0])
def sip():
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 15070)); s.listen(16)
    while True:
        c, _ = s.accept(); c.recv(4096)
        c.sendall(b"SIP/2.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n"); c.close()
threading.Thread(target=silent, daemon=True).start()
threading.Thread(target=sip, daemon=True).start()
time.sleep(86400)
PY
echo $! >>"$dir/pids"
dns() { dnsmasq --no-daemon --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts "$@" >>"$dir/dns.log" 2>&1 & echo $! >>"$dir/pids"; }
dns --port=15353 --local=/contoso.com/fabrikam.com/ \
  --srv-host=_sipfederationtls._tcp.contoso.com,sip.contoso.com,15081,0,0 \
  --srv-host=_sip._tls.contoso.com,sip.contoso.com,443,0,0 \
  --cname=sip.contoso.com,edge.contoso.com \
  --host-record=edge.contoso.com,127.0.0.1 --host-record=edge.contoso.com,127.0.0.2 \
  --srv-host=_sipfederationtls._tcp.fabrikam.com,sip.fabrikam.com,15081,0,0 \
  --host-record=sip.fabrikam.com,127.0.0.1
dns --port=15354 --local=/tailspintoys.com/northwindtraders.com/ \
  --srv-host=_sipfederationtls._tcp.tailspintoys.com,sip.tailspintoys.com,15082,0,0 \
  --srv-host=_sipfederationtls._tcp.northwindtraders.com,sip.northwindtraders.com,15069,0,0 \
  --host-record=sip.northwindtraders.com,127.0.0.1
dns --port=15357 --local=/contoso.com/fabrikam.com/litwareinc.com/wingtiptoys.com/ \
  --srv-host=_sipfederationtls._tcp.contoso.com,sip.contoso.com,15083,0,0 \
  --host-record=sip.contoso.com,127.0.0.1 --host-record=sip.contoso.com,127.0.0.3 \
  --srv-host=_sipfederationtls._tcp.fabrikam.com,sip.contoso.com,15083,0,0 \
  --srv-host=_sipfederationtls._tcp.wingtiptoys.com,sip.wingtiptoys.com,15083,0,0 \
  --host-record=sip.wingtiptoys.com,127.0.0.1
sleep 1
