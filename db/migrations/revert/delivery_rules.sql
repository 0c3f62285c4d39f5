-- Revert tessera:delivery_rules from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop function if exists "api"."list_failed_messages"(org_id uuid, before text, page_size integer);

drop function if exists "api"."mark_notifications_read"(ids uuid[]);

drop function if exists "api"."my_notifications"(before text, page_size integer);

drop function if exists "api"."retry_message"(org_id uuid, message_id uuid);

drop function if exists "private"."claim_messages"(p_worker text, p_limit integer, p_lease interval, p_channels text[]);

drop function if exists "private"."complete_message"(p_message_id uuid, p_worker text, p_provider_message_id text, p_subject text, p_body text);

drop function if exists "private"."delivery_manager"(p_org_id uuid);

drop function if exists "private"."fail_message"(p_message_id uuid, p_worker text, p_error text, p_permanent boolean);

drop function if exists "private"."keyset_cursor"(p_at timestamp with time zone, p_id uuid);

drop function if exists "private"."keyset_decode"(p_name text, p_cursor text, OUT at timestamp with time zone, OUT id uuid);

drop function if exists "private"."list_failed_messages"(p_org_id uuid, p_before_at timestamp with time zone, p_before_id uuid, p_page_size integer);

drop function if exists "private"."mark_notifications_read"(p_ids uuid[]);

drop function if exists "private"."message_backoff"(p_attempts integer, p_jitter double precision);

drop function if exists "private"."message_max_attempts"();

drop function if exists "private"."my_notifications"(p_before_at timestamp with time zone, p_before_id uuid, p_page_size integer);

drop function if exists "private"."release_messages"(p_message_ids uuid[], p_worker text);

drop function if exists "private"."retry_message"(p_org_id uuid, p_message_id uuid);

COMMIT;
