"""Who the client is for the public verification limits (egov.signing.ratelimit.client_ip)."""

from __future__ import annotations

from django.test import RequestFactory

from egov.signing.ratelimit import client_ip


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/verify/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.EGOV_TRUSTED_PROXIES = []
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_behind_a_trusted_proxy_the_forwarded_client_counts(settings):
    settings.EGOV_TRUSTED_PROXIES = ["10.0.0.2", "10.0.0.3"]
    # nginx (10.0.0.2) received the request from 203.0.113.9
    assert client_ip(_request("10.0.0.2", "203.0.113.9")) == "203.0.113.9"
    # two proxies in a row; the left-most value was sent by the client and may be forged
    assert client_ip(_request("10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.3")) == "203.0.113.9"
    # a proxy without the header, or only proxies in it: the proxy itself
    assert client_ip(_request("10.0.0.2")) == "10.0.0.2"
    assert client_ip(_request("10.0.0.2", "10.0.0.3")) == "10.0.0.2"


def test_an_untrusted_peer_cannot_claim_another_address(settings):
    settings.EGOV_TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"
