"""National identity numbers for the PII guard: labelled ones, and unlabelled ones whose shape
and check digit say what they are.

In: resume text. Out: compiled patterns and the checks :mod:`pipeline.ingest.pii` applies.

- Labelled: ``SSN: 123-45-6789``, ``Passport No: X1234567``, ``Steuer-ID: 12 345 678 903``,
  ``N° de sécurité sociale: 1 85 05 78 006 084 36``, ``DNI 12345678Z`` … → label kept, value
  ``[ID]``. The value is upper-case letters and digits (at least four digits), so
  ``SSN-free onboarding`` or ``PAN-European rollout`` stay.
- Unlabelled, by shape and check: US SSN ``123-45-6789`` (valid area and group), UK NINO
  ``QQ 12 34 56 C``, Italian codice fiscale, Brazilian CPF ``123.456.789-09`` (mod 11), Indian
  PAN ``ABCPE1234F``, Aadhaar ``2345 6789 0124`` (Verhoeff), Spanish DNI/NIE (check letter).
  ``AWS account 123456789012`` has no shape of its own and stays.
"""

from __future__ import annotations

import re

__all__ = ["ID_BARE", "ID_LABELLED", "is_bare_id"]

_LABELS = (
    r"(?:SSN|SIN|TFN|BSN|CPF|DNI|NIE|NIF|PAN|NIR|PESEL|NRIC|CURP|RUT|TIN|NINO|EPIC)"
    r"|(?i:social[ \t]+security(?:[ \t]+(?:no\.?|number|#))?|national[ \t]+insurance"
    r"(?:[ \t]+(?:no\.?|number))?|ni[ \t]+(?:no\.?|number)|aadhaa?r(?:[ \t]+(?:no\.?|number|card))?"
    r"|passport(?:[ \t]+(?:no\.?|number|nr\.?|#))?|reisepass(?:-?nr\.?|nummer)?"
    r"|steuer-?id(?:entifikationsnummer)?|steueridentifikationsnummer|personalausweis(?:-?nr\.?|nummer)?"
    r"|ausweis(?:-?nr\.?|nummer)|sozialversicherungs(?:nummer|-?nr\.?)|sv-?nummer"
    r"|n°[ \t]+de[ \t]+sécurité[ \t]+sociale|numéro[ \t]+de[ \t]+sécurité[ \t]+sociale"
    r"|codice[ \t]+fiscale|personnummer|henkilötunnus|id[ \t]+card(?:[ \t]+(?:no\.?|number))?"
    r"|identity[ \t]+card(?:[ \t]+(?:no\.?|number))?|national[ \t]+id(?:[ \t]+(?:no\.?|number))?"
    r"|driv(?:ing|er'?s)[ \t]+licen[cs]e(?:[ \t]+(?:no\.?|number))?|tax[ \t]+id"
    r"|emirates[ \t]+id|voter[ \t]+id)"
)
#: "SSN: 123-45-6789", "my Passport number is X1234567"; group 1 is the value.
ID_LABELLED = re.compile(
    rf"(?<![\w-])(?:{_LABELS})(?:[ \t]*(?:No\.?|Nr\.?|#))?"
    r"(?:[ \t]*[:\-–][ \t]*|[ \t]+is[ \t]+|[ \t]+)"
    r"((?=(?:[A-Z \t./-]*[0-9]){4})[A-Z0-9]+(?:(?:[ \t./-]|[ \t]-[ \t])[A-Z0-9]+){0,7})(?![\w-])"
)
#: Unlabelled numbers with a shape of their own (checked by :func:`is_bare_id`).
ID_BARE = re.compile(
    r"(?<![\w.-])(?:\d{3}-\d{2}-\d{4}"  # US SSN
    r"|(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][ \t]?\d{2}[ \t]?\d{2}[ \t]?\d{2}"
    r"[ \t]?[A-D]"  # UK NINO
    r"|[A-Z]{6}\d{2}[A-EHLMPR-T]\d{2}[A-Z]\d{3}[A-Z]"  # codice fiscale
    r"|\d{3}\.\d{3}\.\d{3}-\d{2}"  # CPF
    r"|[A-Z]{3}[ABCFGHLJPT][A-Z]\d{4}[A-Z]"  # PAN
    r"|[2-9]\d{3}[ \t]\d{4}[ \t]\d{4}"  # Aadhaar
    r"|\d{8}[A-Z]|[XYZ]\d{7}[A-Z]"  # DNI, NIE
    r")(?![\w-])"
)

_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
_VERHOEFF_D = (
    "0123456789", "1234067895", "2340178956", "3401289567", "4012395678",
    "5987604321", "6598710432", "7659821043", "8765932104", "9876543210",
)
_VERHOEFF_P = (
    "0123456789", "1576283094", "5803796142", "8916043527", "9453126870",
    "4286573901", "2793806415", "7046913258",
)


def _verhoeff(digits: str) -> bool:
    check = 0
    for i, ch in enumerate(reversed(digits)):
        check = int(_VERHOEFF_D[check][int(_VERHOEFF_P[i % 8][int(ch)])])
    return check == 0


def _cpf(digits: str) -> bool:
    if len(set(digits)) == 1:
        return False
    for n in (9, 10):
        total = sum(int(d) * w for d, w in zip(digits[:n], range(n + 1, 1, -1), strict=True))
        if (total * 10) % 11 % 10 != int(digits[n]):
            return False
    return True


def is_bare_id(value: str) -> bool:
    """Whether an :data:`ID_BARE` match passes its shape's own check (SSN area, CPF mod 11,
    Aadhaar Verhoeff, DNI/NIE letter); shapes without a check digit pass as they are.

    >>> is_bare_id("123-45-6789"), is_bare_id("000-12-3456"), is_bare_id("2345 6789 0124")
    (True, False, True)
    """
    compact = re.sub(r"[ \t.-]", "", value)
    if re.fullmatch(r"\d{3}-\d{2}-\d{4}", value):
        area, group, serial = value.split("-")
        return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"
    if re.fullmatch(r"\d{3}\.\d{3}\.\d{3}-\d{2}", value):
        return _cpf(compact)
    if re.fullmatch(r"\d{12}", compact):
        return _verhoeff(compact)
    if re.fullmatch(r"\d{8}[A-Z]", compact):
        return _DNI_LETTERS[int(compact[:8]) % 23] == compact[8]
    if re.fullmatch(r"[XYZ]\d{7}[A-Z]", compact):
        number = "XYZ".index(compact[0]) * 10**7 + int(compact[1:8])
        return _DNI_LETTERS[number % 23] == compact[8]
    return True
