-- Deploy tessera:marketing_campaign to pg
-- requires: notification_defaults
-- requires: preferences_rules
--
-- A marketing message says what its campaign says: the kind's sample carries the campaign (id, subject, body) that api.queue_marketing_message writes, and Tessera's default templates show its subject and body instead of a generic line

BEGIN;

UPDATE app.notification_kinds
   SET sample_data = sample_data || '{"campaign": {"id": "5a0c1d2e-0000-4000-8000-00000000000c",
                                                   "subject": "Two new rooms this winter",
                                                   "body": "The Vault and Last Train open on 12 December."}}'
 WHERE kind = 'marketing';

UPDATE app.default_templates SET subject = $t${{ campaign.subject }}$t$,
       html = $t$<p>Hello{% if customer.name %} {{ customer.name }}{% endif %},</p>
<p>{{ campaign.body }}</p>
<p>{{ org.name }} · <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>
$t$,
       body = $t$Hello{% if customer.name %} {{ customer.name }}{% endif %},

{{ campaign.body }}

{{ org.name }} · Unsubscribe: {{ unsubscribe_url }}
$t$
 WHERE kind = 'marketing' AND channel = 'email' AND locale = 'en';
UPDATE app.default_templates SET body = $t${{ org.name }}: {{ campaign.body }} Stop: {{ unsubscribe_url }}$t$
 WHERE kind = 'marketing' AND channel = 'sms' AND locale = 'en';
UPDATE app.default_templates SET subject = $t${{ campaign.subject }}$t$, body = $t${{ campaign.body }}$t$
 WHERE kind = 'marketing' AND channel = 'in_app' AND locale = 'en';

COMMIT;
