"""The built-in checks; importing this package registers them."""

from __future__ import annotations

from lienthong.conformance.checks import (  # noqa: F401
    book_access,
    book_privacy,
    c06_identity,
    c06_status,
    chain,
    gateway_answers,
    gateway_rejections,
    gateway_rules,
    gateway_service,
    gateway_session,
    gateway_state,
    health_book,
    ksk_push,
    sender_rules,
)
