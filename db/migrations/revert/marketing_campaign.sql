-- Revert tessera:marketing_campaign from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

UPDATE app.notification_kinds SET sample_data = sample_data - 'campaign' WHERE kind = 'marketing';

UPDATE app.default_templates SET subject = $t$News from {{ org.name }}$t$,
       html = $t$<p>Hello{% if customer.name %} {{ customer.name }}{% endif %},</p>
<p>We have new experiences waiting for you at {{ org.name }}.</p>
<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>
$t$,
       body = $t$Hello{% if customer.name %} {{ customer.name }}{% endif %},

We have new experiences waiting for you at {{ org.name }}.

Unsubscribe: {{ unsubscribe_url }}
$t$
 WHERE kind = 'marketing' AND channel = 'email' AND locale = 'en';
UPDATE app.default_templates
   SET body = $t${{ org.name }}: new experiences are waiting for you. Stop: {{ unsubscribe_url }}$t$
 WHERE kind = 'marketing' AND channel = 'sms' AND locale = 'en';
UPDATE app.default_templates SET subject = $t$News from {{ org.name }}$t$,
       body = $t$We have new experiences waiting for you at {{ org.name }}.$t$
 WHERE kind = 'marketing' AND channel = 'in_app' AND locale = 'en';

COMMIT;
