"""The second net: every ``server``-layer attempt, sent raw (no guard) through
``Session.read_only()`` — the transaction every user-text path runs in — fails with a typed
error and changes nothing. This is what stands behind the guard if the guard ever misses."""

from __future__ import annotations

import pytest
from psycopg import sql

from pgvtui.core.session import connect
from pgvtui.errors import PgvtuiError
from tests.safety.attempts import STATEMENT_ATTEMPTS, Attempt
from tests.safety.support import Target

SERVER_LAYER = [a for a in STATEMENT_ATTEMPTS if a.layer == "server"]


@pytest.mark.parametrize("attempt", SERVER_LAYER, ids=[a.id for a in SERVER_LAYER])
async def test_read_only_transaction_stops_it(target: Target, attempt: Attempt) -> None:
    with target.unchanged():
        session = await connect(target.dsn, prompt=None)
        try:
            with pytest.raises(PgvtuiError) as info:
                async with session.read_only() as cur:
                    await cur.execute(target.render(attempt.sql))
                    # a multi-statement string stops at its first error; drain every result
                    while cur.nextset():
                        pass
            assert info.value.message and "\n" not in info.value.one_line()
            # the session is still usable afterwards, outside any transaction
            assert await session.fetch_value(sql.SQL("SELECT 1")) == 1
        finally:
            await session.close()
