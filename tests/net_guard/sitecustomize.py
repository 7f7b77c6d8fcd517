"""Refuses and records every connection to a non-loopback address, in any Python process
started with this folder on PYTHONPATH (Python imports ``sitecustomize`` at start-up).

``NET_GUARD_LOG`` names the file that gets one line per attempt. tests/test_no_outbound.py
runs ``streamlit run app.py`` under it: a learner's machine and a classroom server must not
call out (Streamlit's "external IP" lookup, telemetry, fonts)."""

import errno
import ipaddress
import os
import socket

_LOG = os.environ.get("NET_GUARD_LOG")
_LOCAL_NAMES = {None, "", "localhost", "0.0.0.0", "::"}


def _is_local(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False  # a name other than localhost would need a DNS lookup


def _refuse(what: str, target) -> None:
    with open(_LOG, "a") as f:
        f.write(f"{os.getpid()} {what} {target!r}\n")
    raise OSError(errno.ENETUNREACH, f"net_guard: {what} {target!r} refused")


_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_sendto = socket.socket.sendto
_getaddrinfo = socket.getaddrinfo


def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
        _refuse("connect", address)
    return _connect(self, address)


def connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
        _refuse("connect_ex", address)
    return _connect_ex(self, address)


def sendto(self, data, *args):
    address = args[-1]
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
        _refuse("sendto", address)
    return _sendto(self, data, *args)


def getaddrinfo(host, *args, **kwargs):
    if not _is_local(host):
        _refuse("getaddrinfo", host)
    return _getaddrinfo(host, *args, **kwargs)


if _LOG:
    with open(_LOG, "a"):
        pass  # the file exists: the test knows the guard was loaded
    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.socket.sendto = sendto
    socket.getaddrinfo = getaddrinfo
