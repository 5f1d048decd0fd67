-- User functions (not in system schemas, not extension members) with their language, volatility, security, arguments and body: the ones that search vectors are found by parsing the body.
SELECT p.oid::int8 AS oid,
       n.nspname AS schema,
       p.proname AS name,
       l.lanname AS language,
       p.provolatile::text AS volatility,
       p.prosecdef AS security_definer,
       p.proretset AS returns_set,
       p.pronargs::int AS nargs,
       p.pronargdefaults::int AS ndefaults,
       coalesce(p.proargnames, ARRAY[]::text[]) AS arg_names,
       coalesce(p.proargmodes::text[], ARRAY[]::text[]) AS arg_modes,
       ARRAY(SELECT pg_catalog.format_type(t, NULL)
               FROM pg_catalog.unnest(p.proargtypes) AS t) AS arg_types,
       pg_catalog.pg_get_expr(p.proargdefaults, 0) AS arg_defaults,
       p.prosrc AS body,
       p.proisstrict AS strict,
       coalesce(p.proconfig, ARRAY[]::text[]) AS config,
       -- plpgsql is parsed from the whole CREATE FUNCTION; a BEGIN ATOMIC body has no prosrc
       CASE WHEN l.lanname = 'plpgsql' OR p.prosrc = ''
            THEN pg_catalog.pg_get_functiondef(p.oid) END AS definition
  FROM pg_catalog.pg_proc p
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  JOIN pg_catalog.pg_language l ON l.oid = p.prolang
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_toast'
   AND p.prokind = 'f'
   AND l.lanname IN ('sql', 'plpgsql')
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
                      AND d.deptype = 'e')
   AND pg_catalog.has_schema_privilege(n.oid, 'USAGE')
