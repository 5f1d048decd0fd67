from __future__ import annotations

from tests.db.rules.conftest import VectorDB


def test_items_db_shape(items_db: VectorDB) -> None:
    with items_db.admin() as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM items_cos), "
            "(SELECT count(*) FROM items_ivf), (SELECT count(*) FROM queries), "
            "(SELECT count(*) FROM pg_indexes WHERE schemaname = 'public')"
        ).fetchone()
    assert row == (20_000, 20_000, 20_000, 10, 9)
