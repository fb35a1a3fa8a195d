#!/bin/sh
# A dns-01 hook for `picert acme --dns-hook`: publishes and withdraws the _acme-challenge TXT
# records on a DNS server that takes dynamic updates (RFC 2136) signed with a TSIG key (BIND,
# Knot DNS, PowerDNS and others), through `nsupdate` (Debian: bind9-dnsutils).
#
# picert runs it once per name, as
#     dns-hook-nsupdate.sh add    _acme-challenge.sip.contoso.com VALUE
#     dns-hook-nsupdate.sh remove _acme-challenge.sip.contoso.com VALUE
# and reads a non-zero exit status as a failure, with the first lines of standard error as the
# reason. See docs/acme.md.
#
# Settings, from the environment (picert passes its own environment on to the hook):
#   PICERT_NSUPDATE_SERVER   the primary server taking the updates, a name or an address
#                            (required)
#   PICERT_NSUPDATE_PORT     its port (default 53)
#   PICERT_NSUPDATE_KEY      the TSIG key file, as tsig-keygen writes it (required)
#   PICERT_NSUPDATE_ZONES    the zones the server holds, separated by spaces
#                            ("contoso.com fabrikam.com"): each record goes to the longest one
#                            that contains it. Empty: nsupdate finds the zone itself by asking
#                            the server for the record name's SOA.
#   PICERT_NSUPDATE_TTL      the TTL of the records (default 60)
#   PICERT_NSUPDATE_TIMEOUT  seconds one update may take (default 20; keep it under
#                            picert's --timeout, 30 by default, which stops the hook)
#   PICERT_NSUPDATE_TCP      1: send the updates over TCP (default: UDP, TCP when needed)

set -u

me=dns-hook-nsupdate

fail() {
    printf '%s: %s\n' "$me" "$*" >&2
    exit 1
}

[ "$#" -eq 3 ] || fail "usage: $0 add|remove NAME VALUE"
action=$1
# DNS names compare without regard to case; the zone match below does not.
name=$(printf '%s' "${2%.}" | tr '[:upper:]' '[:lower:]')
value=$3

case $action in
    add | remove) ;;
    *) fail "unknown action '$action' (add or remove)" ;;
esac

# The name and the value go into nsupdate's input: only what dns-01 produces is let through.
case $name in
    '' | *[!A-Za-z0-9._-]* | .* | *..*) fail "not a DNS name: '$name'" ;;
esac
case $value in
    '' | *[!A-Za-z0-9_-]*) fail "not a dns-01 value (base64url): '$value'" ;;
esac

server=${PICERT_NSUPDATE_SERVER:-}
port=${PICERT_NSUPDATE_PORT:-53}
key=${PICERT_NSUPDATE_KEY:-}
zones=$(printf '%s' "${PICERT_NSUPDATE_ZONES:-}" | tr '[:upper:]' '[:lower:]')
ttl=${PICERT_NSUPDATE_TTL:-60}
timeout=${PICERT_NSUPDATE_TIMEOUT:-20}

[ -n "$server" ] || fail "PICERT_NSUPDATE_SERVER is not set (the primary DNS server)"
case $server in
    *[!A-Za-z0-9.:_-]*) fail "PICERT_NSUPDATE_SERVER is not a host name or address: '$server'" ;;
esac
[ -n "$key" ] || fail "PICERT_NSUPDATE_KEY is not set (the TSIG key file)"
[ -r "$key" ] || fail "cannot read the TSIG key file $key"
for number in "$port" "$ttl" "$timeout"; do
    case $number in
        '' | *[!0-9]*) fail "not a number: '$number' (PICERT_NSUPDATE_PORT, _TTL, _TIMEOUT)" ;;
    esac
done
# nsupdate reads 0 as no timeout at all.
[ "$timeout" -gt 0 ] || fail "PICERT_NSUPDATE_TIMEOUT must be at least 1 second"
command -v nsupdate >/dev/null 2>&1 || fail "nsupdate is not installed (Debian: bind9-dnsutils)"

# The longest configured zone that holds the name.
zone=
for z in $zones; do
    z=${z%.}
    case $name in
        "$z" | *."$z")
            if [ "${#z}" -gt "${#zone}" ]; then
                zone=$z
            fi
            ;;
    esac
done
if [ -n "$zones" ] && [ -z "$zone" ]; then
    fail "$name is in none of the zones in PICERT_NSUPDATE_ZONES ($zones)"
fi

if [ "$action" = add ]; then
    change="update add $name. $ttl IN TXT \"$value\""
else
    # This value only: another order's record for the same name stays.
    change="update delete $name. IN TXT \"$value\""
fi

# nsupdate's arguments (the hook's own are read by now). -u 0 spreads its UDP retries over the
# timeout; without it, UDP retries take 12 seconds whatever -t says.
set -- -t "$timeout" -u 0 -k "$key"
if [ "${PICERT_NSUPDATE_TCP:-0}" = 1 ]; then
    set -- -v "$@"
fi

# nsupdate's own messages (its standard output and error) are kept for the failure message.
output=$(
    {
        printf 'server %s %s\n' "$server" "$port"
        [ -n "$zone" ] && printf 'zone %s.\n' "$zone"
        printf '%s\nsend\n' "$change"
    } | nsupdate "$@" 2>&1
)
status=$?
if [ "$status" -ne 0 ]; then
    # Its first three lines, on one line (picert shows the hook's standard error in its own).
    reason=$(printf '%s\n' "$output" | sed -e 's/^[;[:space:]]*//' -e '/^$/d' | head -n 3 |
        paste -s -d ' ' -)
    fail "$action $name at $server port $port failed (nsupdate exit status $status): ${reason:-no message}"
fi
exit 0
