#!/usr/bin/env python3
"""Check an exported Incident Ledger log: the lines of `incidents log --json`.

Follows "How to check an exported log" in schemas/README.md, with the Python
standard library alone:

1. split on "\\n": each line, without its "\\n", is one record's bytes;
2. parse each line as strict JSON and re-serialise it canonically: the result
   must equal the line byte for byte;
3. `position` is 1 on the first line and grows by exactly 1 on each line;
4. `prev` is 64 zeros on position 1, else the SHA-256 of the previous line;
5. the head is the last position and the SHA-256 of its line. With
   `--head P:H` (a head written down earlier), the line at position P must
   hash to H: then this log is that log, or that log with records added.

With `--proof`, FILE is a proof from `incidents prove`; with `--export`, FILE
is an audit export from `incidents export`, checked against its manifest
(FILE.manifest.json: the digests and the count) and, for NDJSON and JSON,
each record's inclusion proof against the manifest's head.

With `--proof`, FILE is a proof from `incidents prove` (RFC 6962 inclusion or
consistency). With `--signed-head HEAD --public-key PUB`, checks a signed head
from `incidents head --sign`: its Ed25519 signature (RFC 8032, implemented
below) over the bytes schemas/README.md names; given FILE too, also that the
log holds that head.

Exit status: 0 the log is intact; 1 it is not (one line on stderr says where
and why); 2 usage error or unreadable file.
"""

import argparse
import base64
import csv
import hashlib
import io
import json
import os
import re
import sys

EMPTY_HASH = "0" * 64  # the `prev` of position 1, and the head of no records


class BadRecord(Exception):
    """The log is broken at `position` (which is also its line number)."""

    def __init__(self, position, reason):
        super().__init__(reason)
        self.position = position
        self.reason = reason


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"),
                              ensure_ascii=False)


def canonical_bytes(value):
    """The canonical JSON of a record (schemas/README.md, "Canonical JSON")."""
    return _CANONICAL.encode(value).encode("utf-8")


def sha256_hex(data):
    """SHA-256 of `data` as 64 lower-case hex digits."""
    return hashlib.sha256(data).hexdigest()


def _reject_duplicate_keys(pairs):
    """object_pairs_hook: build a dict, refusing a key seen twice."""
    value = dict(pairs)
    if len(value) != len(pairs):
        keys = [key for key, _ in pairs]
        duplicate = next(key for key in keys if keys.count(key) > 1)
        raise ValueError(f"duplicate key {duplicate!r}")
    return value


def _reject_constant(name):
    """parse_constant: NaN, Infinity and -Infinity are not JSON."""
    raise ValueError(f"{name} is not JSON")


def _reject_fraction(text):
    # No field of the format is a fractional number, and Python could not
    # re-serialise one the way RFC 8785 does; so refuse it outright.
    raise ValueError(f"number {text} is not an integer")


_STRICT = json.JSONDecoder(object_pairs_hook=_reject_duplicate_keys,
                           parse_constant=_reject_constant,
                           parse_float=_reject_fraction)


def parse_record(line):
    """Parse one line (bytes, without "\\n") as strict, canonical JSON.

    Returns the record as a dict; raises ValueError saying what is wrong.
    """
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"invalid UTF-8 at byte {error.start + 1}") from None
    if text.startswith("\ufeff"):
        raise ValueError("starts with a byte order mark")
    try:
        record = _STRICT.decode(text)
    except json.JSONDecodeError as error:
        message = f"{error.msg.removesuffix(' at')} (column {error.colno})"
        raise ValueError(f"not JSON: {message}") from None
    except RecursionError:
        raise ValueError("not JSON: nested too deeply") from None
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")

    try:
        again = canonical_bytes(record)
    except UnicodeEncodeError:
        raise ValueError("contains a lone surrogate escape") from None
    if again != line:
        same = next((i for i, (a, b) in enumerate(zip(line, again)) if a != b),
                    min(len(line), len(again)))
        raise ValueError(f"not canonical JSON (differs at byte {same + 1})")
    return record


def check_link(record, position, previous_hash):
    """Steps 3 and 4: the record is at `position` and names its predecessor."""
    found = record.get("position")
    if type(found) is not int:
        raise BadRecord(position, "position is missing or not an integer")
    if found != position:
        raise BadRecord(position, f"position is {found}, expected {position}")
    if record.get("prev") != previous_hash:
        what = ("64 zeros" if position == 1
                else f"{previous_hash}, the SHA-256 of line {position - 1}")
        raise BadRecord(position,
                        f"prev is {record.get('prev')!r}, expected {what}")


def read_chain(lines):
    """Yield (position, line bytes, SHA-256 hex) for each record, in order.

    `lines` is an iterable of byte lines, each ending in "\\n" (a binary
    file). Raises BadRecord at the first line that breaks steps 1 to 4.
    """
    previous_hash = EMPTY_HASH
    for position, line in enumerate(lines, start=1):
        if not line.endswith(b"\n"):
            raise BadRecord(position, "no newline at the end of the log "
                                      "(truncated?)")
        line = line[:-1]
        if line.endswith(b"\r"):
            raise BadRecord(position,
                            "line ends in \\r\\n; records end in \\n only")
        try:
            record = parse_record(line)
        except ValueError as error:
            raise BadRecord(position, str(error)) from None
        check_link(record, position, previous_hash)
        previous_hash = sha256_hex(line)
        yield position, line, previous_hash


def check_log(lines, noted_head=None):
    """Check a whole log, and optionally a head noted earlier.

    Returns (head, failure): head is (position, hash) of the last good
    record ((0, 64 zeros) for none); failure is None or the BadRecord.
    """
    head = (0, EMPTY_HASH)
    try:
        for position, _, digest in read_chain(lines):
            if noted_head and noted_head[0] == position \
                    and noted_head[1] != digest:
                raise BadRecord(position, f"hashes to {digest}, but the noted "
                                          f"head says {noted_head[1]}")
            head = (position, digest)
        if noted_head and noted_head[0] > head[0]:
            raise BadRecord(noted_head[0], "no such record: the log ends at "
                                           f"position {head[0]}")
    except BadRecord as failure:
        return head, failure
    return head, None


def parse_head(text):
    """`POSITION:HASH` -> (position, hash); raises ValueError if malformed."""
    match = re.fullmatch(r"(\d+):([0-9a-fA-F]{64})", text)
    if match is None:
        raise ValueError(
            "expected POSITION:HASH (a number, a colon, 64 hex digits)")
    position, digest = int(match[1]), match[2].lower()
    if position == 0 and digest != EMPTY_HASH:
        raise ValueError("the head at position 0 (no records) is 64 zeros")
    return position, digest


# --- RFC 6962 Merkle proofs (`incidents prove`), checked as RFC 9162 section 2.1 says.

def leaf_hash(record_bytes):
    return hashlib.sha256(b"\x00" + record_bytes).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_inclusion(index, size, leaf, proof):
    """The root that an inclusion proof of leaf `index` in a tree of `size` implies."""
    if index >= size:
        raise ValueError("the leaf index is outside the tree")
    fn, sn, r = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            raise ValueError("the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(sibling, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, sibling)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ValueError("the proof is shorter than the tree is deep")
    return r


def roots_from_consistency(old_size, new_size, old_root, proof):
    """The (old, new) roots a consistency proof implies; old_root seeds a power of two."""
    if old_size == new_size:
        if proof:
            raise ValueError("a proof between equal sizes must be empty")
        return old_root, old_root
    if not 0 < old_size < new_size or not proof:
        raise ValueError("sizes out of order, or an empty proof")
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ValueError("the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ValueError("the proof is shorter than the tree is deep")
    return fr, sr


def check_proof(document):
    """Checks one proof printed by `incidents prove`; returns a line saying what holds."""
    proof = [bytes.fromhex(h) for h in document["proof"]]
    if document["type"] == "inclusion":
        record = document["record"].encode("utf-8")
        parse_record(record)  # the record itself must be a canonical record
        position, size = document["position"], document["treeSize"]
        root = root_from_inclusion(position - 1, size, leaf_hash(record), proof)
        if root.hex() != document["root"]:
            raise ValueError("the proof does not lead to the stated root")
        return f"ok: record {position} is in the tree of {size} records with root {root.hex()}"
    if document["type"] == "consistency":
        old_root, new_root = bytes.fromhex(document["oldRoot"]), bytes.fromhex(document["newRoot"])
        got_old, got_new = roots_from_consistency(
            document["oldSize"], document["newSize"], old_root, proof)
        if got_old != old_root or got_new != new_root:
            raise ValueError("the proof does not lead to the stated roots")
        return (f"ok: the tree of {document['newSize']} records extends the tree of "
                f"{document['oldSize']} records")
    raise ValueError(f"unknown proof type {document['type']!r}")


# --- Audit exports (`incidents export`), checked from the files alone.

def check_export(path, public_key=None):
    """Checks an export, its manifest (PATH.manifest.json) and its proofs file.

    With `public_key` (32 raw bytes), the manifest's head must also carry a
    signature by that key. Returns (manifest, problems): a list of one-line
    problems, empty when the export is what its manifest says and every record
    is proven in its head.
    """
    with open(path + ".manifest.json", "rb") as file:
        manifest = json.loads(file.read(), object_pairs_hook=_reject_duplicate_keys)
    with open(path, "rb") as file:
        data = file.read()
    problems = []
    if sha256_hex(data) != manifest["sha256"]:
        problems.append(f"the export file's SHA-256 is {sha256_hex(data)}, "
                        f"the manifest says {manifest['sha256']}")
    head = manifest["head"]
    size, root = head["size"], bytes.fromhex(head["root"])
    if "signature" in head:
        signed = head["signature"]
        try:
            signed_head_message(signed)
            if (signed["position"], signed["hash"], signed["root"]) != \
                    (size, head["hash"], head["root"]):
                raise ValueError("it is the signature of another head")
            if public_key is not None:
                check_signed_head(signed, public_key)
        except (ValueError, KeyError, TypeError) as error:
            problems.append(f"the head's signature: {error}")
    elif public_key is not None:
        problems.append("the manifest's head is not signed")

    # (where, record bytes or None, position) for each record, in file order.
    records = []
    if manifest["format"] == "ndjson":
        if data and not data.endswith(b"\n"):
            problems.append("the export file does not end with a newline (truncated?)")
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        for number, line in enumerate(lines, start=1):
            try:
                records.append((f"line {number}", line, parse_record(line)["position"]))
            except (ValueError, KeyError) as error:
                problems.append(f"line {number}: not a canonical record: {error}")
    elif manifest["format"] == "json":
        document = _STRICT.decode(data.decode("utf-8"))
        if canonical_bytes(document) + b"\n" != data:
            problems.append("the document is not canonical JSON followed by a newline")
        stated = {key: head[key] for key in ("hash", "root", "size")}
        if document.get("head") != stated:
            problems.append("the document's head differs from the manifest's")
        for number, record in enumerate(document.get("records", []), start=1):
            records.append((f"record {number}", canonical_bytes(record),
                            record.get("position")))
    elif manifest["format"] == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        header = rows[0] if rows else []
        if header[:2] != ["position", "sha256"]:
            problems.append("line 1: the header does not begin with position,sha256")
        for number, row in enumerate(rows[1:], start=2):
            if len(row) != len(header):
                problems.append(f"row {number}: {len(row)} fields, the header has {len(header)}")
            elif not re.fullmatch(r"[0-9a-f]{64}", row[1]):
                problems.append(f"row {number}: sha256 is not 64 lower-case hex digits")
            records.append((f"row {number}", None,
                            int(row[0]) if row and row[0].isdigit() else None))
    else:
        raise ValueError(f"unknown format {manifest['format']!r}")

    if len(records) != manifest["count"]:
        problems.append(f"the export holds {len(records)} records, "
                        f"the manifest says {manifest['count']}")
    previous = 0
    for where, _, position in records:
        if type(position) is not int or not previous < position <= size:
            problems.append(f"{where}: position {position} is not after {previous} and "
                            f"within the head of {size} records")
        else:
            previous = position
    if manifest["recorded"] and not manifest["recordPosition"] > size:
        problems.append("the export's own record is within the head it was taken from")

    if manifest["format"] in ("ndjson", "json"):
        problems += check_export_proofs(path, manifest, records, size, root)
    return manifest, problems


def check_export_proofs(path, manifest, records, size, root):
    """Each record's inclusion proof, from the proofs file, against the head's root.

    The proofs file is several times the size of the export: it is read a line at a
    time and hashed as it is read.
    """
    proofs_path = os.path.join(os.path.dirname(path), manifest["proofs"]["file"])
    digest = hashlib.sha256()
    count = 0
    line_problems = []
    with open(proofs_path, "rb") as file:
        for number, raw in enumerate(file, start=1):
            digest.update(raw)
            count = number
            if number > len(records):
                continue
            line = raw[:-1] if raw.endswith(b"\n") else raw
            where, record, position = records[number - 1]
            try:
                proof = parse_record(line)
                leaf = leaf_hash(record)
                if proof["position"] != position:
                    raise ValueError(f"it is for position {proof['position']}")
                if proof["leaf"] != leaf.hex():
                    raise ValueError(
                        f"it is for leaf {proof['leaf']}, the record's is {leaf.hex()}")
                hashes = [bytes.fromhex(h) for h in proof["proof"]]
                if root_from_inclusion(position - 1, size, leaf, hashes) != root:
                    raise ValueError("it does not lead to the manifest's root")
            except (ValueError, KeyError, TypeError) as error:
                line_problems.append(
                    f"{where} (position {position}): proofs line {number}: {error}")
    # The file's digest and line count come before the lines' own problems.
    problems = []
    if digest.hexdigest() != manifest["proofs"]["sha256"]:
        problems.append(f"the proofs file's SHA-256 is {digest.hexdigest()}, "
                        f"the manifest says {manifest['proofs']['sha256']}")
    if count != len(records):
        problems.append(f"the proofs file has {count} lines for {len(records)} records")
    return problems + line_problems


# --- Ed25519 (RFC 8032 section 5.1.7) signature verification, for signed heads.
#
# Points of the curve -x^2 + y^2 = 1 + d x^2 y^2 over the integers modulo p are kept
# in extended coordinates (X, Y, Z, T) with x = X/Z, y = Y/Z and x*y = T/Z.

ED_P = 2**255 - 19                                       # the field's prime
ED_L = 2**252 + 27742317777372353535851937790883648493   # the base point's order
ED_D = -121665 * pow(121666, ED_P - 2, ED_P) % ED_P      # the curve constant d
ED_SQRT_M1 = pow(2, (ED_P - 1) // 4, ED_P)               # a square root of -1
ED_NEUTRAL = (0, 1, 1, 0)


def ed_add(a, b):
    """The sum of two points (the unified addition formula of RFC 8032 5.1.4)."""
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    p_ = (y1 - x1) * (y2 - x2) % ED_P
    q_ = (y1 + x1) * (y2 + x2) % ED_P
    r_ = 2 * t1 * t2 * ED_D % ED_P
    s_ = 2 * z1 * z2 % ED_P
    e, f, g, h = q_ - p_, s_ - r_, s_ + r_, q_ + p_
    return (e * f % ED_P, g * h % ED_P, f * g % ED_P, e * h % ED_P)


def ed_multiply(scalar, point):
    """scalar * point, by doubling and adding (not constant time: no secrets here)."""
    result = ED_NEUTRAL
    while scalar:
        if scalar & 1:
            result = ed_add(result, point)
        point = ed_add(point, point)
        scalar >>= 1
    return result


def ed_same_point(a, b):
    """Whether two points in extended coordinates are the same affine point."""
    return ((a[0] * b[2] - b[0] * a[2]) % ED_P == 0
            and (a[1] * b[2] - b[1] * a[2]) % ED_P == 0)


def ed_decode_point(encoded):
    """The point 32 bytes encode (RFC 8032 5.1.3), or None if they encode none."""
    if len(encoded) != 32:
        return None
    y = int.from_bytes(encoded, "little")
    x_is_odd = y >> 255
    y &= (1 << 255) - 1
    if y >= ED_P:
        return None
    # x^2 = (y^2 - 1) / (d y^2 + 1); take a square root by the exponent (p + 3) / 8.
    u, v = (y * y - 1) % ED_P, (ED_D * y * y + 1) % ED_P
    x_squared = u * pow(v, ED_P - 2, ED_P) % ED_P
    x = pow(x_squared, (ED_P + 3) // 8, ED_P)
    if (x * x - x_squared) % ED_P:
        x = x * ED_SQRT_M1 % ED_P
    if (x * x - x_squared) % ED_P:
        return None
    if x == 0 and x_is_odd:
        return None
    if x & 1 != x_is_odd:
        x = ED_P - x
    return (x, y, 1, x * y % ED_P)


# The base point B: y = 4/5, x even.
ED_BASE = ed_decode_point((4 * pow(5, ED_P - 2, ED_P) % ED_P).to_bytes(32, "little"))


def ed25519_verify(public_key, message, signature):
    """Whether `signature` (64 bytes) is `public_key`'s (32 bytes) Ed25519 signature of
    `message`: the group equation [S]B = R + [k]A with k = SHA-512(R || A || M) mod L."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    a_point = ed_decode_point(public_key)
    r_point = ed_decode_point(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a_point is None or r_point is None or s >= ED_L:
        return False
    k = int.from_bytes(hashlib.sha512(signature[:32] + public_key + message).digest(),
                       "little") % ED_L
    return ed_same_point(ed_multiply(s, ED_BASE),
                         ed_add(r_point, ed_multiply(k, a_point)))


# --- Signed heads (`incidents head --sign`), as schemas/README.md "Signed heads" says.

# DER of SubjectPublicKeyInfo for Ed25519 (RFC 8410): SEQUENCE { SEQUENCE { OID
# 1.3.101.112 }, BIT STRING of the 32 key bytes }; everything but the key is fixed.
SPKI_ED25519_PREFIX = bytes.fromhex("302a300506032b6570032100")
SIGNED_HEAD_KIND = "incident-ledger.tree-head.v1"
SIGNED_HEAD_FIELDS = {"hash", "keyId", "kind", "position", "recordedAt", "root",
                      "signature", "signedAt", "treeSize"}
_LOWER_HEX = re.compile(r"[0-9a-f]*")
_UTC_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z")


def read_public_key_pem(text):
    """The 32 raw bytes of an Ed25519 public key in SubjectPublicKeyInfo PEM."""
    match = re.search(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", text, re.S)
    if match is None:
        raise ValueError("no '-----BEGIN PUBLIC KEY-----' PEM block")
    if match[1] != "PUBLIC KEY":
        raise ValueError(f"a '{match[1]}' PEM block, not 'PUBLIC KEY'")
    try:
        der = base64.b64decode("".join(match[2].split()), validate=True)
    except ValueError:
        raise ValueError("the PEM block is not base64") from None
    if len(der) != 44 or not der.startswith(SPKI_ED25519_PREFIX):
        raise ValueError("not an Ed25519 public key (RFC 8410 SubjectPublicKeyInfo)")
    return der[len(SPKI_ED25519_PREFIX):]


def signed_head_message(head):
    """Checks a signed head's form; returns the bytes its signature covers: the
    canonical JSON of the object without `signature`."""
    if not isinstance(head, dict):
        raise ValueError("not a JSON object")
    unknown = sorted(set(head) - SIGNED_HEAD_FIELDS)
    if unknown:
        raise ValueError(f"{unknown[0]}: not a member of a signed head")
    missing = sorted(SIGNED_HEAD_FIELDS - {"recordedAt"} - set(head))
    if missing:
        raise ValueError(f"{missing[0]}: missing")
    if head["kind"] != SIGNED_HEAD_KIND:
        raise ValueError(f"kind: must be {SIGNED_HEAD_KIND!r}")
    for name, digits in (("hash", 64), ("root", 64), ("keyId", 64), ("signature", 128)):
        value = head[name]
        if not isinstance(value, str) or len(value) != digits \
                or not _LOWER_HEX.fullmatch(value):
            raise ValueError(f"{name}: must be {digits} lower-case hex digits")
    for name in ("position", "treeSize"):
        if type(head[name]) is not int or head[name] < 0:
            raise ValueError(f"{name}: must be a whole number from 0")
    if head["treeSize"] != head["position"]:
        raise ValueError("treeSize: must equal position")
    for name in ("recordedAt", "signedAt"):
        if name in head and not (isinstance(head[name], str)
                                 and _UTC_TIME.fullmatch(head[name])):
            raise ValueError(f"{name}: must be a UTC timestamp ending in Z")
    if ("recordedAt" in head) != (head["position"] > 0):
        raise ValueError("recordedAt: present exactly when position is above 0")
    return canonical_bytes({k: v for k, v in head.items() if k != "signature"})


def check_signed_head(head, public_key):
    """Checks a signed head against a public key's 32 raw bytes; returns a line
    saying what holds, or raises ValueError saying why it is refused."""
    message = signed_head_message(head)
    key_id = sha256_hex(public_key)
    if head["keyId"] != key_id:
        raise ValueError(f"signed by key {head['keyId']}, not by the key given ({key_id})")
    if not ed25519_verify(public_key, message, bytes.fromhex(head["signature"])):
        raise ValueError("the signature does not match the head: the head or its "
                         "signature was altered")
    return (f"ok: signed head of {head['position']} records, root {head['root']}, "
            f"signed at {head['signedAt']} by key {key_id}")


def main_signed_head(head_file, key_file, log_file):
    """--signed-head: check the signature; then, given a log, that the log holds it."""
    try:
        with open(key_file, encoding="utf-8") as file:
            public_key = read_public_key_pem(file.read())
    except OSError as error:
        print(f"ledger-check: cannot read {key_file}: {error.strerror}", file=sys.stderr)
        return 2
    except (ValueError, UnicodeDecodeError) as error:
        print(f"ledger-check: {key_file}: {error}", file=sys.stderr)
        return 2
    try:
        with open(head_file, "rb") as file:
            head = _STRICT.decode(file.read().decode("utf-8"))
        result = check_signed_head(head, public_key)
    except OSError as error:
        print(f"ledger-check: cannot read {head_file}: {error.strerror}", file=sys.stderr)
        return 2
    except (ValueError, UnicodeDecodeError) as error:
        print(f"{head_file}: signed head rejected: {error}", file=sys.stderr)
        return 1
    print(result)
    if log_file is None:
        return 0
    # The signed head is a noted head: the log must hold its record and hash.
    noted = (head["position"], head["hash"])
    try:
        with open(log_file, "rb") as file:
            log_head, failure = check_log(file, noted)
    except OSError as error:
        print(f"ledger-check: cannot read {log_file}: {error.strerror}", file=sys.stderr)
        return 2
    if failure:
        print(f"{log_file}: line {failure.position}: {failure.reason}", file=sys.stderr)
        return 1
    print(f"ok: {log_file} holds the signed head ({log_head[0]} records)")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Check an exported Incident Ledger log (the lines of "
                    "`incidents log --json`): canonical JSON, consecutive "
                    "positions and the SHA-256 `prev` chain.",
        epilog="Exit status: 0 intact, 1 broken (one line on stderr), "
               "2 usage error or unreadable file.")
    parser.add_argument("file", metavar="FILE|-", nargs="?",
                        help="the exported log, or - for standard input")
    parser.add_argument("--head", metavar="POSITION:HASH",
                        help="a head noted earlier (`incidents head`): the "
                             "record at POSITION must hash to HASH")
    parser.add_argument("--json", action="store_true",
                        help="print the result as JSON (verify.schema.json)")
    parser.add_argument("--proof", action="store_true",
                        help="FILE is a proof from `incidents prove` (inclusion or "
                             "consistency) to check instead of a log")
    parser.add_argument("--export", action="store_true",
                        help="FILE is an audit export (`incidents export`): check it "
                             "against FILE.manifest.json and each record's inclusion "
                             "proof against the manifest's head; with --public-key, "
                             "also the head's signature")
    parser.add_argument("--signed-head", metavar="HEAD",
                        help="check a signed head (`incidents head --sign`) with "
                             "--public-key; with FILE, also that the log holds it")
    parser.add_argument("--public-key", metavar="PUB",
                        help="the signer's Ed25519 public key (PEM, the KEY.pub of "
                             "`incidents keygen`)")
    args = parser.parse_args(argv)
    if args.signed_head or (args.public_key and not args.export):
        if not (args.signed_head and args.public_key):
            parser.error("--signed-head HEAD and --public-key PUB go together")
        if args.file == "-":
            parser.error("with --signed-head, give the log as a file, not -")
        return main_signed_head(args.signed_head, args.public_key, args.file)
    if args.file is None:
        parser.error("give FILE (a log, or a proof with --proof)")
    if args.export:
        try:
            public_key = None
            if args.public_key:
                with open(args.public_key, encoding="utf-8") as file:
                    public_key = read_public_key_pem(file.read())
            manifest, problems = check_export(args.file, public_key)
        except OSError as error:
            print(f"ledger-check: cannot read {error.filename}: {error.strerror}",
                  file=sys.stderr)
            return 2
        except (ValueError, KeyError, TypeError, IndexError) as error:
            print(f"{args.file}: export rejected: {error}", file=sys.stderr)
            return 1
        for problem in problems:
            print(f"{args.file}: {problem}", file=sys.stderr)
        if problems:
            return 1
        head = manifest["head"]
        proven = (", each proven in" if manifest["format"] != "csv" else ", from")
        signed = f"; head signed by key {sha256_hex(public_key)}" if public_key else ""
        print(f"ok: {args.file}: {manifest['count']} records as its manifest says{proven} "
              f"the tree of {head['size']} records with root {head['root']}{signed}")
        return 0
    if args.proof:
        try:
            with (sys.stdin.buffer if args.file == "-" else open(args.file, "rb")) as file:
                document = json.loads(file.read(), object_pairs_hook=_reject_duplicate_keys)
            print(check_proof(document))
            return 0
        except OSError as error:
            print(f"ledger-check: cannot read {args.file}: {error.strerror}", file=sys.stderr)
            return 2
        except (ValueError, KeyError, TypeError, BadRecord) as error:
            print(f"{args.file}: proof rejected: {error}", file=sys.stderr)
            return 1
    try:
        noted_head = parse_head(args.head) if args.head else None
    except ValueError as error:
        parser.error(f"--head: {error}")

    name = "<stdin>" if args.file == "-" else args.file
    try:
        if args.file == "-":
            head, failure = check_log(sys.stdin.buffer, noted_head)
        else:
            with open(args.file, "rb") as file:
                head, failure = check_log(file, noted_head)
    except OSError as error:
        print(f"ledger-check: cannot read {name}: {error.strerror}",
              file=sys.stderr)
        return 2

    if args.json:
        result = {"ok": failure is None, "records": head[0],
                  "head": {"position": head[0], "hash": head[1]}}
        if failure:
            result["firstBad"] = {"position": failure.position,
                                  "reason": failure.reason}
        print(json.dumps(result))
    elif failure is None:
        print(f"ok: {head[0]} records, head {head[0]} {head[1]}")
    if failure:
        print(f"{name}: line {failure.position} (position {failure.position}): "
              f"{failure.reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
