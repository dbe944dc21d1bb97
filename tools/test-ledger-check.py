#!/usr/bin/env python3
"""Unit tests of tools/ledger-check.py's Ed25519 verification and signed-head
checks, run by the Swift end-to-end tests (SignedHeadTests) so that CI runs them.

The Ed25519 vectors are TEST 1 to 3 of RFC 8032 section 7.1: secret key, public
key, message and signature as the RFC publishes them. The public key is also
derived here from the secret key (RFC 8032 5.1.5), which exercises the same
point arithmetic the verifier uses.
"""

import hashlib
import importlib.util
import pathlib
import unittest

_PATH = pathlib.Path(__file__).with_name("ledger-check.py")
_SPEC = importlib.util.spec_from_file_location("ledger_check", _PATH)
checker = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(checker)

RFC8032_VECTORS = [
    ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
     "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb882"
     "1590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
    ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
     "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1"
     "e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
     "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b"
     "538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
]


def encode_point(point):
    """RFC 8032 5.1.2: y in 255 bits, little-endian, the sign of x in the top bit."""
    x, y, z, _ = point
    inverse = pow(z, checker.ED_P - 2, checker.ED_P)
    x, y = x * inverse % checker.ED_P, y * inverse % checker.ED_P
    return (y | (x & 1) << 255).to_bytes(32, "little")


def public_key_from_secret(secret):
    """RFC 8032 5.1.5: the clamped first half of SHA-512(secret) times B."""
    digest = hashlib.sha512(secret).digest()
    scalar = int.from_bytes(digest[:32], "little")
    scalar &= (1 << 254) - 8
    scalar |= 1 << 254
    return encode_point(checker.ed_multiply(scalar, checker.ED_BASE))


class RFC8032Vectors(unittest.TestCase):
    def test_public_keys_derive_from_the_secret_keys(self):
        for secret, public, _, _ in RFC8032_VECTORS:
            self.assertEqual(public_key_from_secret(bytes.fromhex(secret)).hex(), public)

    def test_the_published_signatures_verify(self):
        for _, public, message, signature in RFC8032_VECTORS:
            self.assertTrue(checker.ed25519_verify(
                bytes.fromhex(public), bytes.fromhex(message), bytes.fromhex(signature)))

    def test_one_changed_byte_anywhere_is_rejected(self):
        for _, public, message, signature in RFC8032_VECTORS:
            key, text, sig = (bytes.fromhex(public), bytes.fromhex(message),
                              bytes.fromhex(signature))
            for index in (0, 31, 32, 63):
                bad = bytearray(sig)
                bad[index] ^= 0x01
                self.assertFalse(checker.ed25519_verify(key, text, bytes(bad)))
            self.assertFalse(checker.ed25519_verify(key, text + b"\x00", sig))
            bad_key = bytearray(key)
            bad_key[0] ^= 0x01
            self.assertFalse(checker.ed25519_verify(bytes(bad_key), text, sig))

    def test_another_vectors_key_is_rejected(self):
        first, second = RFC8032_VECTORS[1], RFC8032_VECTORS[2]
        self.assertFalse(checker.ed25519_verify(
            bytes.fromhex(second[1]), bytes.fromhex(first[2]), bytes.fromhex(first[3])))

    def test_a_scalar_not_below_the_order_is_rejected(self):
        _, public, message, signature = RFC8032_VECTORS[0]
        sig = bytes.fromhex(signature)
        s = int.from_bytes(sig[32:], "little") + checker.ED_L
        self.assertFalse(checker.ed25519_verify(
            bytes.fromhex(public), b"", sig[:32] + s.to_bytes(32, "little")))


class PublicKeyPEM(unittest.TestCase):
    PEM = ("-----BEGIN PUBLIC KEY-----\n"
           "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
           "-----END PUBLIC KEY-----\n")

    def test_reads_the_raw_key(self):
        self.assertEqual(checker.read_public_key_pem(self.PEM).hex(), RFC8032_VECTORS[0][1])

    def test_refuses_a_private_key_block(self):
        with self.assertRaisesRegex(ValueError, "'PRIVATE KEY' PEM block"):
            checker.read_public_key_pem(self.PEM.replace("PUBLIC", "PRIVATE"))

    def test_refuses_another_algorithm(self):
        # The same layout with the X25519 OID (1.3.101.110) instead of Ed25519's.
        x25519 = self.PEM.replace("MCowBQYDK2Vw", "MCowBQYDK2Vu")
        with self.assertRaisesRegex(ValueError, "not an Ed25519 public key"):
            checker.read_public_key_pem(x25519)


if __name__ == "__main__":
    unittest.main()
