-- Revert tessera:crm from pg
--
-- Drops the customer, lead and partner tables and the customers' consent and erasure columns.

BEGIN;

REVOKE SELECT (marketing_consent, marketing_consent_at, marketing_consent_source, erased_at),
       UPDATE (marketing_consent, marketing_consent_at, marketing_consent_source) ON app.customers FROM authenticated;
DROP TABLE app.event_partners;
DROP TABLE app.leads;
DROP TYPE app.lead_status;
DROP TABLE app.customer_requests;
DROP TABLE app.customer_notes;
DROP TABLE app.customer_tags;
ALTER TABLE app.customers
  DROP CONSTRAINT customers_consent_recorded,
  DROP COLUMN erased_at,
  DROP COLUMN marketing_consent_source,
  DROP COLUMN marketing_consent_at,
  DROP COLUMN marketing_consent;

COMMIT;
