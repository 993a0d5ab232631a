"""The demo seed hashes the shared demo password once, and every demo person signs in with it."""

from __future__ import annotations

from typing import Any

import pytest

from services.demo.management.commands import seed_demo


def test_demo_people_share_one_hash_of_the_demo_password(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = seed_demo.make_password

    def counting(password: str | None, *args: Any, **kwargs: Any) -> str:
        calls.append(str(password))
        return real(password, *args, **kwargs)

    monkeypatch.setattr(seed_demo, "make_password", counting)
    seed_demo.demo_password_hash.cache_clear()
    try:
        first = seed_demo._user("one@seed.test", "One Person")
        second = seed_demo._user("two@seed.test", "Two Person", msp_role="technician")
        again = seed_demo._user("one@seed.test", "One Person")
    finally:
        seed_demo.demo_password_hash.cache_clear()
    assert calls == [seed_demo.DEMO_PASSWORD]  # hashed once for both people
    assert again.pk == first.pk
    for user in (first, second):
        user.refresh_from_db()
        assert user.check_password(seed_demo.DEMO_PASSWORD)
        assert not user.check_password("not-the-demo-password")
    assert second.msp_role == "technician"
