-- Verify tessera:auth on pg
--
-- Raises unless auth.users and the four claim helpers exist (the shim's or Supabase's), the API roles may call
-- the helpers, and auth.uid() reads an empty claims setting as no user.

BEGIN;

SELECT 'auth.users'::regclass;
SELECT 'auth.uid()'::regprocedure, 'auth.role()'::regprocedure,
       'auth.email()'::regprocedure, 'auth.jwt()'::regprocedure;

DO $$
BEGIN
  IF NOT pg_catalog.has_function_privilege('authenticated', 'auth.uid()', 'EXECUTE') THEN
    RAISE EXCEPTION 'authenticated cannot call auth.uid()';
  END IF;
  PERFORM pg_catalog.set_config('request.jwt.claims', '', true);
  IF auth.uid() IS NOT NULL THEN
    RAISE EXCEPTION 'auth.uid() must be NULL when the claims setting is empty';
  END IF;
END
$$;

ROLLBACK;
