"""The built-in checks; importing this package registers them."""

from __future__ import annotations

from lienthong.conformance.checks import (  # noqa: F401
    c06_identity,
    chain,
    gateway_answers,
    gateway_rejections,
    gateway_session,
    health_book,
    sender_rules,
)
