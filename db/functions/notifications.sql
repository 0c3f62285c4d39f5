-- Functions of the `notifications` area: writing messages to the outbox in the transaction of what they announce.
-- Delivery (rendering, sending, retries) is a later change; rows wait as queued.

CREATE OR REPLACE FUNCTION private.enqueue_notification(p_org_id uuid, p_kind text, p_recipient text, p_data jsonb,
                                                        p_dedupe_key text)
RETURNS void
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  -- The template is named after the kind until templates exist; the key makes a retried transaction write it once.
  INSERT INTO app.notifications_outbox (org_id, kind, recipient, template, data, dedupe_key)
  VALUES (p_org_id, p_kind, p_recipient, p_kind, coalesce(p_data, '{}'), p_dedupe_key)
  ON CONFLICT (dedupe_key) DO NOTHING
$$;

COMMENT ON FUNCTION private.enqueue_notification(uuid, text, text, jsonb, text) IS
'Queues one e-mail of kind p_kind (payment_received, refund_issued, late_payment_refund, invitation, …) to p_recipient with
its data, once per p_dedupe_key (a second call with the key writes nothing). For the definer functions of the
payments and team areas, in their transaction; nobody else may call it.';

REVOKE ALL ON FUNCTION private.enqueue_notification(uuid, text, text, jsonb, text) FROM PUBLIC;
