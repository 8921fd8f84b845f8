"""Locust's resolver: blocking look-ups only when every URL names an IP address."""

from __future__ import annotations

from lienthong.conformance.cli.load_run import resolver_env


def test_loopback_addresses_resolve_without_gevent_threads() -> None:
    urls = {"bhxh": "http://127.0.0.1:8080", "moh": "http://[::1]:8082"}
    assert resolver_env(urls) == {"GEVENT_RESOLVER": "block"}


def test_a_host_name_keeps_gevent_s_resolver() -> None:
    assert resolver_env({"bhxh": "http://127.0.0.1:8080", "moh": "http://moh.staging:8082"}) == {}
    assert resolver_env({}) == {}
