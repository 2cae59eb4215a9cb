"""Encryption at rest for learners' private writing (reflections, self-care plans).

Keys are Fernet keys, newest first. Data written with an older key stays readable;
`flask private-data rotate` rewrites everything with the newest key, after which the
old key can be dropped.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class Vault:
    def __init__(self, keys: list[str]):
        if not keys:
            raise ValueError("at least one encryption key is needed")
        self._fernet = MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])

    def encrypt(self, text: str) -> bytes:
        return self._fernet.encrypt(text.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        return self._fernet.decrypt(bytes(token)).decode("utf-8")

    def encrypt_bytes(self, data: bytes) -> bytes:
        return self._fernet.encrypt(data)

    def decrypt_bytes(self, token: bytes) -> bytes:
        return self._fernet.decrypt(bytes(token))

    def rotate(self, token: bytes) -> bytes:
        return self._fernet.rotate(bytes(token))


def parse_keys(value: str | None) -> list[str]:
    return [key.strip() for key in (value or "").split(",") if key.strip()]


def new_key() -> str:
    return Fernet.generate_key().decode()


__all__ = ["InvalidToken", "Vault", "new_key", "parse_keys"]
