-- EXPLAIN (GENERIC_PLAN) of a statement with $n placeholders and no values (PostgreSQL 16+): the plan every execution gets under plan_cache_mode = force_generic_plan.
EXPLAIN (GENERIC_PLAN, SETTINGS, FORMAT JSON) {query}
