"""Send-time SSRF rules for outgoing webhooks.

The database refuses a non-public URL when an endpoint is saved (private.webhook_url_problem), but a domain name
can resolve anywhere, and resolve differently each time. So before each attempt the sender resolves the host,
refuses the delivery if ANY address it resolves to is not public (loopback, private, link-local, unique-local,
multicast, reserved, unspecified, shared, documentation, NAT64, 6to4/Teredo; an IPv4-mapped IPv6 address is judged
as its IPv4 address), and then connects to one of the addresses it checked, never resolving again (sender.py), so a
DNS answer that changes between the check and the connection (rebinding) changes nothing.

TESSERA_WEBHOOKS_ALLOW_HOSTS (for development and tests only; off by default) lists, comma-separated, IP addresses,
CIDR networks and host names that are let through anyway: `127.0.0.1` lets a receiver on this machine be reached.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable, Iterable, Mapping
from urllib.parse import urlsplit

import msgspec

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]

# Beyond what the ipaddress module's flags cover (is_private includes 10/8, 172.16/12, 192.168/16, fc00::/7, ...):
_ALSO_REFUSED: tuple[Network, ...] = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15", "198.51.100.0/24",
    "203.0.113.0/24", "255.255.255.255/32", "::/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23",
    "2001:db8::/32", "2002::/16", "fec0::/10",
))


class Refused(Exception):
    """The URL may not be called: why, in a sentence for the organization's admins."""


class Unresolved(Exception):
    """The host did not resolve (now): worth trying again later, unlike a refusal."""


class Guard(msgspec.Struct, frozen=True, kw_only=True):
    """What may be called. allow_networks / allow_hosts: the development allow-list (empty in production)."""

    allow_networks: tuple[str, ...] = ()
    allow_hosts: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Guard:
        raw = (os.environ if env is None else env).get("TESSERA_WEBHOOKS_ALLOW_HOSTS", "")
        networks: list[str] = []
        hosts: list[str] = []
        for item in (part.strip() for part in raw.split(",")):
            if not item:
                continue
            try:
                networks.append(str(ipaddress.ip_network(item.strip("[]"), strict=False)))
            except ValueError:
                hosts.append(item.lower().rstrip("."))
        return cls(allow_networks=tuple(networks), allow_hosts=tuple(hosts))

    def _networks(self) -> Iterable[Network]:
        return (ipaddress.ip_network(n) for n in self.allow_networks)

    def address_allowed(self, address: IPAddress) -> bool:
        return is_public(address) or any(address in n for n in self._networks() if n.version == address.version)

    def vet(self, url: str, resolve: Resolver | None = None) -> tuple[str, int, list[str]]:
        """(host, port, addresses) for a URL that may be called; addresses are the vetted IPs to connect to.
        Raises Refused otherwise, or Unresolved when the name does not resolve."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise Refused("the endpoint's URL is not http:// or https://")
        if parts.username is not None or parts.password is not None or "@" in parts.netloc:
            raise Refused("the endpoint's URL carries a user name or password")
        host = (parts.hostname or "").lower().rstrip(".")
        if not host:
            raise Refused("the endpoint's URL has no host")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise Refused("the endpoint's URL has an invalid port") from None
        if host in self.allow_hosts:
            try:
                addresses = (resolve or resolve_host)(host, port)
            except OSError as exc:
                raise Unresolved(f"{host} does not resolve: {exc}") from None
            if not addresses:
                raise Unresolved(f"{host} does not resolve")
            return host, port, addresses
        if host == "localhost" or host.endswith(".localhost"):
            raise Refused("the endpoint's URL points at localhost")
        try:
            literal: IPAddress | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            addresses = [str(literal)]
        else:
            try:
                addresses = (resolve or resolve_host)(host, port)
            except OSError as exc:
                raise Unresolved(f"{host} does not resolve: {exc}") from None
            if not addresses:
                raise Unresolved(f"{host} does not resolve")
        for a in addresses:
            if not self.address_allowed(ipaddress.ip_address(a)):
                raise Refused(f"{host} resolves to {a}, which is not a public address (loopback, private, "
                              f"link-local, multicast or reserved): refused")
        return host, port, addresses


def is_public(address: IPAddress) -> bool:
    """Whether an address may be called: none of loopback, private, link-local, multicast, reserved, unspecified,
    shared, documentation or translation ranges; an IPv4-mapped IPv6 address is judged as its IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if (address.is_private or address.is_loopback or address.is_link_local or address.is_multicast
            or address.is_reserved or address.is_unspecified):
        return False
    return not any(address in n for n in _ALSO_REFUSED if n.version == address.version)


def resolve_host(host: str, port: int) -> list[str]:
    """Every address the host resolves to (IPv4 and IPv6), in the resolver's order, without repeats."""
    seen: list[str] = []
    for *_, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = str(sockaddr[0]).split("%", 1)[0]
        if address not in seen:
            seen.append(address)
    return seen
