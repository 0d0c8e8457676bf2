"""What a Berth app may connect to: the egress the runner's audit hook allows.

The NetworkPolicy admits DNS and the database namespace; the Deployment
renders the same as BERTH_EGRESS (``*.<databaseNamespace>.svc,...``) so the
hook refuses, inside the process and with a log line, what the network would
drop silently.
"""

import ipaddress


def _mongo_hosts(value):
    """(host, port) pairs of a mongodb:// URI, port None for mongodb+srv:// (SRV names the ports)."""
    srv = value.startswith("mongodb+srv://")
    rest = value.split("://", 1)[1]
    hosts = rest.split("/", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1]
    found = []
    for item in hosts.split(","):
        item = item.strip()
        if item.startswith("["):
            host, _, port = item[1:].partition("]")
            port = port.lstrip(":")
        elif item.count(":") == 1:
            host, port = item.split(":")
        else:
            host, port = item, ""
        if host:
            found.append((host.lower(), None if srv else int(port) if port.isdigit() else 27017))
    return found


def _allow(table, host, port):
    if port is None or table.get(host, set()) is None:
        table[host] = None  # any port
    else:
        table.setdefault(host, set()).add(port)


def egress_policy(environ):
    """({host: ports or None}, [(network, ports or None)], [(suffix, ports or None)]) the app may reach.

    BERTH_EGRESS (rendered from the same settings as the NetworkPolicy) lists
    ``host``, ``host:port``, ``*.suffix``, addresses or networks. The hosts of
    MongoDB URIs in the environment (the attached database) are allowed on their
    ports when they match it, or always when it is unset (a local run)."""
    names, networks, patterns = {}, [], []
    spec = environ.get("BERTH_EGRESS")
    for entry in (spec or "").split(","):
        entry = entry.strip().lower()
        if not entry:
            continue
        host, port = entry, None
        if entry.count(":") == 1 and entry.rsplit(":", 1)[1].isdigit():
            host, port = entry.rsplit(":", 1)[0], int(entry.rsplit(":", 1)[1])
        if host.startswith("*."):
            patterns.append((host[1:], port))
            continue
        try:
            networks.append((ipaddress.ip_network(host, strict=False), port))
        except ValueError:
            _allow(names, host, port)
    for value in environ.values():
        if value.startswith(("mongodb://", "mongodb+srv://")):
            for host, port in _mongo_hosts(value):
                if spec is None or host in names or any(host.endswith(p) for p, _ in patterns):
                    _allow(names, host, port)
                    if port is None:
                        _allow(names, "_mongodb._tcp." + host, None)
    return names, networks, patterns


def nameservers():
    found = []
    try:
        with open("/etc/resolv.conf", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                parts = line.split()
                if len(parts) >= 2 and parts[0] == "nameserver":
                    found.append(parts[1])
    except OSError:
        pass
    return frozenset(found)
