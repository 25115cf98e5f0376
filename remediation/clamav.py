"""A minimal client for ClamAV's daemon (clamd): the INSTREAM command only.

Used when CLAMAV_SOCKET is set (a Unix socket path, or tcp://host:port). The file is
sent in length-prefixed chunks and clamd answers "stream: OK" or
"stream: <signature> FOUND". Any other answer, or no answer in time, counts as a failed
scan, and the upload is refused: once configured, the scan fails closed.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from urllib.parse import urlsplit

CHUNK = 64 * 1024


class ScanFailed(Exception):
    """clamd could not be reached or gave no usable answer."""


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str = ""


def _connect(address: str, timeout: float) -> socket.socket:
    if address.startswith("tcp://"):
        parts = urlsplit(address)
        if not parts.hostname or not parts.port:
            raise ScanFailed(f"CLAMAV_SOCKET {address!r} needs tcp://host:port")
        return socket.create_connection((parts.hostname, parts.port), timeout=timeout)
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(timeout)
    try:
        client.connect(address)
    except OSError:
        client.close()
        raise
    return client


def scan_bytes(data: bytes, address: str, timeout: float = 30.0) -> ScanResult:
    try:
        with _connect(address, timeout) as client:
            client.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CHUNK):
                chunk = data[start : start + CHUNK]
                client.sendall(struct.pack("!I", len(chunk)) + chunk)
            client.sendall(struct.pack("!I", 0))
            reply = b""
            while not reply.endswith(b"\0") and len(reply) < 4096:
                received = client.recv(4096)
                if not received:
                    break
                reply += received
    except OSError as error:
        raise ScanFailed(f"clamd at {address}: {error}") from None
    text = reply.rstrip(b"\0\n").decode("utf-8", "replace").strip()
    if text.endswith("OK") and "FOUND" not in text:
        return ScanResult(clean=True)
    if text.endswith("FOUND"):
        signature = text.removeprefix("stream:").removesuffix("FOUND").strip()
        return ScanResult(clean=False, signature=signature)
    raise ScanFailed(f"clamd at {address} answered {text!r}")
