#!/usr/bin/python3
"""Independent oracle for MAVLink 2 message signing, standard library only (hashlib, struct).

Builds a signed HEARTBEAT frame from its fields by the spec alone
(https://mavlink.io/en/guide/message_signing.html): MAVLink 2 header with incompat_flags 0x01,
payload with trailing zeros trimmed, X.25 CRC over header-without-STX + payload + CRC_EXTRA (50),
then link_id, the 48-bit little-endian timestamp and the first 6 bytes of
SHA-256(secret_key + frame through the timestamp).

Usage: /usr/bin/python3 signing_vector.py JSON
JSON: {"key": HEX64, "link_id", "timestamp", "seq", "sysid", "compid", "custom_mode", "type",
       "autopilot", "base_mode", "system_status", "mavlink_version"}
Prints the frame as hex.
"""

import hashlib
import json
import struct
import sys

HEARTBEAT_CRC_EXTRA = 50


def x25(data):
    crc = 0xFFFF
    for byte in data:
        tmp = byte ^ (crc & 0xFF)
        tmp = (tmp ^ (tmp << 4)) & 0xFF
        crc = ((crc >> 8) ^ (tmp << 8) ^ (tmp << 3) ^ (tmp >> 4)) & 0xFFFF
    return crc


def signed_heartbeat(f):
    payload = struct.pack(
        "<IBBBBB",
        f["custom_mode"],
        f["type"],
        f["autopilot"],
        f["base_mode"],
        f["system_status"],
        f["mavlink_version"],
    )
    trimmed = payload.rstrip(b"\x00") or payload[:1]
    header = bytes([0xFD, len(trimmed), 0x01, 0x00, f["seq"], f["sysid"], f["compid"]]) + (0).to_bytes(3, "little")
    crc = x25(header[1:] + trimmed + bytes([HEARTBEAT_CRC_EXTRA]))
    frame = header + trimmed + struct.pack("<H", crc)
    frame += bytes([f["link_id"]]) + f["timestamp"].to_bytes(6, "little")
    key = bytes.fromhex(f["key"])
    return frame + hashlib.sha256(key + frame).digest()[:6]


if __name__ == "__main__":
    print(signed_heartbeat(json.loads(sys.argv[1])).hex())
