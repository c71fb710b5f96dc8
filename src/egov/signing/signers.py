"""Who signs: one interface, one plugin per key source (the "signer" layer of pyHanko).

``get_signer(source, **config)`` returns a :class:`pyhanko.sign.signers.Signer`. The sources are
registered in :data:`SOURCES` (keys match ``KeySource`` in models.py) so later sources — the
user's own USB token through a local agent, a remote signing service — plug in with
:func:`register_source`.

Signers are cached in-process: loading a PKCS#12 key costs ~30 ms of RSA key validation and
pyHanko's ``SimpleSigner`` re-parses its key on every signature (components.md §1.3 C), and a
PKCS#11 login is slow too.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from pyhanko.sign import signers as ph_signers
from pyhanko.sign.general import get_pyca_cryptography_hash

SignerFactory = Callable[..., ph_signers.Signer]

DEFAULT_PKCS11_MODULE = "/usr/lib/softhsm/libsofthsm2.so"


class SignerConfigError(Exception):
    """The key source is unknown or its configuration is incomplete or wrong."""


class CachedKeySigner(ph_signers.SimpleSigner):
    """``SimpleSigner`` that parses its private key once instead of at every signature."""

    _pyca_key = None

    def _key(self):
        if self._pyca_key is None:
            self._pyca_key = serialization.load_der_private_key(self.signing_key.dump(),
                                                                password=None)
        return self._pyca_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        algo = mechanism["algorithm"].native
        key = self._key()
        hash_algo = get_pyca_cryptography_hash(digest_algorithm)
        if isinstance(key, RSAPrivateKey) and algo.endswith("rsa") and "pss" not in algo:
            return key.sign(data, PKCS1v15(), hash_algo)
        if isinstance(key, EllipticCurvePrivateKey) and "ecdsa" in algo:
            return key.sign(data, signature_algorithm=ECDSA(hash_algo))
        return super().sign_raw(data, digest_algorithm)


def _to_asn1(cert) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class KeyFileSource:
    """A PKCS#12 file held by the server (decrypted from the keystore by the caller).

    Cached per (fingerprint of the PKCS#12 bytes and password); :attr:`loads` counts real loads.
    """

    loads = 0
    _cache: dict[str, ph_signers.Signer] = {}
    _lock = threading.Lock()

    @classmethod
    def get(cls, *, pkcs12: bytes, password: str | bytes | None = None,
            ca_chain: list | tuple = ()) -> ph_signers.Signer:
        if isinstance(password, str):
            password = password.encode()
        pkcs12 = bytes(pkcs12)
        fingerprint = hashlib.sha256(pkcs12 + b"\0" + (password or b"")).hexdigest()
        with cls._lock:
            signer = cls._cache.get(fingerprint)
            if signer is None:
                signer = cls._load(pkcs12, password, ca_chain)
                cls._cache[fingerprint] = signer
                cls.loads += 1
        return signer

    @staticmethod
    def _load(pkcs12: bytes, password: bytes | None, ca_chain) -> ph_signers.Signer:
        from cryptography.hazmat.primitives.serialization import pkcs12 as p12

        try:
            key, cert, extra = p12.load_key_and_certificates(pkcs12, password)
        except ValueError as exc:
            raise SignerConfigError("cannot open the PKCS#12 key file (wrong password?)") from exc
        if key is None or cert is None:
            raise SignerConfigError("the PKCS#12 file holds no key or no certificate")
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        others = [_to_asn1(c) for c in (extra or [])]
        others += [c if isinstance(c, asn1_x509.Certificate) else _to_asn1(c) for c in ca_chain]
        key_der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        from asn1crypto import keys as asn1_keys

        signer = CachedKeySigner(
            signing_cert=_to_asn1(cert),
            signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
            cert_registry=SimpleCertificateStore.from_certs(others),
        )
        signer._pyca_key = key
        return signer

    @classmethod
    def clear_cache(cls) -> None:
        with cls._lock:
            cls._cache.clear()


class Pkcs11Source:
    """A key on a PKCS#11 token (HSM, SoftHSM2 in tests), selected by token label — never by slot
    number, which changes (components.md §2 pitfall b). The PIN comes from the caller (the
    environment), never from the database. EC keys use the raw ``CKM_ECDSA`` mechanism because
    SoftHSM2 lacks ``CKM_ECDSA_SHA256``; pass ``use_raw_mechanism`` explicitly to override.
    """

    sessions_opened = 0
    _sessions: dict[tuple, Any] = {}
    _signers: dict[tuple, ph_signers.Signer] = {}
    _lock = threading.Lock()

    @classmethod
    def get(cls, *, token_label: str, pin: str, key_label: str, cert_label: str | None = None,
            module: str = DEFAULT_PKCS11_MODULE, other_certs_to_pull: list | tuple = (),
            use_raw_mechanism: bool | None = None) -> ph_signers.Signer:
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

        cert_label = cert_label or key_label
        skey = (module, token_label, hashlib.sha256(pin.encode()).hexdigest())
        sigkey = (*skey, key_label, cert_label, tuple(other_certs_to_pull), use_raw_mechanism)
        with cls._lock:
            signer = cls._signers.get(sigkey)
            if signer is not None:
                return signer
            session = cls._sessions.get(skey)
            if session is None:
                try:
                    session = open_pkcs11_session(
                        module, token_criteria=TokenCriteria(label=token_label), user_pin=pin)
                except Exception as exc:  # pkcs11 raises many unrelated classes
                    raise SignerConfigError(f"cannot open PKCS#11 token {token_label!r}: "
                                            f"{type(exc).__name__}") from exc
                cls._sessions[skey] = session
                cls.sessions_opened += 1
            if use_raw_mechanism is None:
                use_raw_mechanism = cls._is_ec(session, key_label)
            signer = PKCS11Signer(session, cert_label=cert_label, key_label=key_label,
                                  other_certs_to_pull=tuple(other_certs_to_pull),
                                  use_raw_mechanism=use_raw_mechanism)
            cls._signers[sigkey] = signer
        return signer

    @staticmethod
    def _is_ec(session, key_label: str) -> bool:
        from pkcs11 import KeyType, ObjectClass
        from pkcs11.constants import Attribute

        keys = list(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY,
                                         Attribute.LABEL: key_label}))
        if not keys:
            raise SignerConfigError(f"no private key labelled {key_label!r} on the token")
        return keys[0].key_type == KeyType.EC

    @classmethod
    def close_all(cls) -> None:
        with cls._lock:
            cls._signers.clear()
            for session in cls._sessions.values():
                try:
                    session.close()
                except Exception:  # noqa: BLE001 - closing a dead session is harmless
                    pass
            cls._sessions.clear()


SOURCES: dict[str, SignerFactory] = {
    "key_file": KeyFileSource.get,
    "pkcs11": Pkcs11Source.get,
}


def register_source(name: str, factory: SignerFactory) -> None:
    """Plug in another key source (e.g. ``"user_token"``)."""
    SOURCES[name] = factory


def get_signer(source: str, **config) -> ph_signers.Signer:
    """The pyHanko signer for ``source`` (a key in :data:`SOURCES`) configured by ``config``."""
    try:
        factory = SOURCES[source]
    except KeyError:
        raise SignerConfigError(f"unknown key source {source!r}") from None
    return factory(**config)
