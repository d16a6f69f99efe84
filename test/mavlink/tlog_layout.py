#!/usr/bin/python3
"""Independent tlog check: parse a telemetry log by its layout alone, standard library only.

A record is an 8-byte big-endian timestamp (microseconds since the Unix epoch) and one MAVLink
packet: STX 0xFE (v1: 6-byte header) or 0xFD (v2: 10-byte header, 13-byte signature when
incompat_flags has bit 0), payload, X.25 CRC over header-without-STX + payload + CRC_EXTRA.
Messages whose CRC_EXTRA is hard-coded below are CRC-checked; others are trusted when the next
record starts right after them. A record that fails is resynchronised by scanning forward a byte
at a time for a timestamp within a day of the last good one followed by a valid packet.

Usage: /usr/bin/python3 tlog_layout.py FILE
Prints JSON: records, by_msgid, first_time_us, last_time_us, bad (bytes skipped), resyncs,
truncated_at_byte (or null).
"""

import json
import struct
import sys

# CRC_EXTRA from MAVLink common.xml / minimal.xml.
CRC_EXTRA = {
    0: 50,  # HEARTBEAT
    1: 124,  # SYS_STATUS
    24: 24,  # GPS_RAW_INT
    30: 39,  # ATTITUDE
    33: 104,  # GLOBAL_POSITION_INT
    73: 38,  # MISSION_ITEM_INT
    76: 152,  # COMMAND_LONG
    77: 143,  # COMMAND_ACK
}

SANE_FIRST_US = 946684800 * 10**6  # 2000-01-01
SANE_LAST_US = 4102444800 * 10**6  # 2100-01-01
DAY_US = 86400 * 10**6


def x25(data, extra):
    crc = 0xFFFF
    for byte in bytes(data) + bytes([extra]):
        tmp = byte ^ (crc & 0xFF)
        tmp = (tmp ^ (tmp << 4)) & 0xFF
        crc = ((crc >> 8) ^ (tmp << 8) ^ (tmp << 3) ^ (tmp >> 4)) & 0xFFFF
    return crc


def timestamp_prefix_fits(data, p, low, high):
    """Whether the bytes of a big-endian timestamp present from p (up to 8) can fall in [low, high]."""
    prefix = data[p : p + 8]
    missing = 8 - len(prefix)
    smallest = int.from_bytes(prefix + b"\x00" * missing, "big")
    largest = int.from_bytes(prefix + b"\xff" * missing, "big")
    return smallest <= high and largest >= low


def frame_at(data, f):
    """(length, msgid) of a well-formed packet at f, None if there is none, 'short' if cut off."""
    n = len(data)
    if f >= n:
        return "short"
    stx = data[f]
    if stx == 0xFD:
        if f + 3 <= n and data[f + 2] & ~1:
            return None
        if f + 10 > n:
            return "short"
        header, msgid = 10, data[f + 7] | data[f + 8] << 8 | data[f + 9] << 16
        signature = 13 if data[f + 2] & 1 else 0
    elif stx == 0xFE:
        if f + 6 > n:
            return "short"
        header, msgid, signature = 6, data[f + 5], 0
    else:
        return None
    length = header + data[f + 1] + 2 + signature
    if f + length > n:
        return "short"
    return length, msgid, header


def starts_record(data, q, low, high):
    if q == len(data):
        return True
    if q + 9 > len(data):
        # A cut-off record follows; the tail check reports it.
        return timestamp_prefix_fits(data, q, low, high)
    (t,) = struct.unpack_from(">Q", data, q)
    return low <= t <= high and data[q + 8] in (0xFD, 0xFE)


def record_at(data, p, low, high):
    """(length, time_us, msgid) of a valid record at p, None if invalid, 'short' if cut off."""
    if p + 8 > len(data):
        return "short" if timestamp_prefix_fits(data, p, low, high) else None
    (t,) = struct.unpack_from(">Q", data, p)
    if not low <= t <= high:
        return None
    found = frame_at(data, p + 8)
    if found is None or found == "short":
        return found
    length, msgid, header = found
    f = p + 8
    payload_end = f + header + data[f + 1]
    if msgid in CRC_EXTRA:
        (crc,) = struct.unpack_from("<H", data, payload_end)
        if x25(data[f + 1 : payload_end], CRC_EXTRA[msgid]) != crc:
            return None
    elif not starts_record(data, f + length, t - DAY_US, t + DAY_US):
        return None
    return 8 + length, t, msgid


def main(path):
    with open(path, "rb") as handle:
        data = handle.read()
    records, by_msgid, first, last = 0, {}, None, None
    bad, resyncs, truncated_at, skipping_from = 0, 0, None, None
    p = 0
    while p < len(data):
        if skipping_from is not None and last is not None:
            low, high = last - DAY_US, last + DAY_US
        else:
            low, high = SANE_FIRST_US, SANE_LAST_US
        found = record_at(data, p, low, high)
        if found == "short":
            truncated_at = p
            break
        if found is None:
            if skipping_from is None:
                skipping_from = p
            p += 1
            continue
        if skipping_from is not None:
            bad += p - skipping_from
            resyncs += 1
            skipping_from = None
        length, t, msgid = found
        records += 1
        by_msgid[str(msgid)] = by_msgid.get(str(msgid), 0) + 1
        first = t if first is None else first
        last = t
        p += length
    if skipping_from is not None:
        stop = truncated_at if truncated_at is not None else len(data)
        bad += stop - skipping_from
        if truncated_at is not None:
            resyncs += 1
    print(
        json.dumps(
            {
                "records": records,
                "by_msgid": by_msgid,
                "first_time_us": first,
                "last_time_us": last,
                "bad": bad,
                "resyncs": resyncs,
                "truncated_at_byte": truncated_at,
            }
        )
    )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: tlog_layout.py FILE")
    main(sys.argv[1])
