-- Deploy tessera:notification_defaults to pg
-- requires: notifications_rules
--
-- What a message of each kind carries (app.notification_kinds.sample_data), and what Tessera sends until an
-- organization writes its own (app.default_templates). The sample is the contract between the writers of the outbox
-- and the templates: a writer puts in `data` exactly these keys (values of the same types), a template may use only
-- these keys, and tests/test_notify_templates.py renders every default with its kind's sample, so a default can
-- never fail when sent. At the top level, `timezone` is the zone dates are shown in (the venue's; UTC when no venue
-- is concerned) and `currency` the currency of the money the message shows. The booking kinds carry `booking`,
-- `experience`, `venue`, `customer` and `org` (private.booking_message builds them); a kind adds its own object
-- (`cancellation`, `previous`, `waiver`; waitlist_offer `offer` {expires_at, number} and its accept `token`,
-- the booking being the offer's hold, as private.waitlist_offer_data writes it: its venue without address, its
-- customer and org by name only); booking_confirmed's `tickets` [{id, seat_no, cid}] are not in the data
-- written: the delivery worker adds the booking's live tickets when it sends the e-mail (each cid an inline QR
-- image). The money kinds (payment_received, refund_issued, late_payment_refund) keep the flat keys they were
-- first written with (order_id, amount_minor, …) beside them, as does `invitation` (token, role, expires_at,
-- organization, invited_by). Values that may be absent are JSON null (a
-- customer without a name, a reason not given), so templates test them with `{% if … %}`.
--
-- Defaults: every kind in English on e-mail (subject, HTML, text), SMS (text) and in-app (title as subject, text);
-- the booking kinds also in Arabic. Dates go through the filters of api/templates.py (date, time, datetime in the
-- message's zone and locale), money through `money` (minor units in the message's currency).

BEGIN;

DO $$
DECLARE
  base jsonb := '{
    "timezone": "Europe/London",
    "currency": "GBP",
    "booking": {"id": "5a0c1d2e-0000-4000-8000-000000000001", "code": "7KQ2M9XP",
                "starts_at": "2026-12-12T19:00:00+00:00", "ends_at": "2026-12-12T20:00:00+00:00",
                "party_size": 4, "status": "confirmed", "price_minor": 10000},
    "experience": {"id": "5a0c1d2e-0000-4000-8000-000000000002", "name": "The Vault"},
    "venue": {"id": "5a0c1d2e-0000-4000-8000-000000000003", "name": "Soho", "timezone": "Europe/London",
              "address": "12 Greek Street, London W1D 4DH"},
    "customer": {"id": "5a0c1d2e-0000-4000-8000-000000000004", "name": "Ada Lovelace", "email": "ada@example.com"},
    "org": {"id": "5a0c1d2e-0000-4000-8000-000000000005", "name": "Enigma Escapes"}
  }';
  org jsonb := '{"org": {"id": "5a0c1d2e-0000-4000-8000-000000000005", "name": "Enigma Escapes"}}';
BEGIN
  UPDATE app.notification_kinds SET sample_data = CASE kind
    WHEN 'booking_confirmed' THEN base
      || '{"tickets": [{"id": "5a0c1d2e-0000-4000-8000-00000000000b", "seat_no": 1,
                        "cid": "ticket-5a0c1d2e-0000-4000-8000-00000000000b@tessera.example"}]}'
    WHEN 'booking_cancelled' THEN pg_catalog.jsonb_set(base, '{booking,status}', '"cancelled"')
      || '{"cancellation": {"reason": "The group could not make it", "refund_due_minor": 10000}}'
    WHEN 'booking_rescheduled' THEN base
      || '{"previous": {"starts_at": "2026-12-10T19:00:00+00:00", "ends_at": "2026-12-10T20:00:00+00:00"}}'
    WHEN 'booking_expired' THEN pg_catalog.jsonb_set(base, '{booking,status}', '"expired"')
    WHEN 'session_reminder' THEN base
    WHEN 'waiver_missing' THEN base || '{"waiver": {"name": "Escape room waiver"}}'
    WHEN 'payment_received' THEN base
      || '{"order_id": "5a0c1d2e-0000-4000-8000-000000000006", "booking_id": "5a0c1d2e-0000-4000-8000-000000000001",
           "amount_minor": 10000, "provider": "stripe"}'
    WHEN 'refund_issued' THEN base
      || '{"order_id": "5a0c1d2e-0000-4000-8000-000000000006", "refund_id": "5a0c1d2e-0000-4000-8000-000000000007",
           "amount_minor": 5000, "kind": "requested"}'
    WHEN 'late_payment_refund' THEN pg_catalog.jsonb_set(base, '{booking,status}', '"expired"')
      || '{"order_id": "5a0c1d2e-0000-4000-8000-000000000006", "refund_id": "5a0c1d2e-0000-4000-8000-000000000007",
           "amount_minor": 10000, "reason": "paid after the hold had ended and its places were taken"}'
    WHEN 'waitlist_offer' THEN pg_catalog.jsonb_set(base, '{booking,status}', '"pending"')
      || '{"venue": {"id": "5a0c1d2e-0000-4000-8000-000000000003", "name": "Soho", "timezone": "Europe/London"},
           "customer": {"name": "Ada Lovelace"}, "org": {"name": "Enigma Escapes"},
           "offer": {"expires_at": "2026-12-03T18:30:00+00:00", "number": 1}, "token": "wlo_sample-token"}'
    WHEN 'invitation' THEN '{"timezone": "UTC"}'::jsonb || org
      || '{"invitation_id": "5a0c1d2e-0000-4000-8000-000000000009", "token": "inv_sample-token", "role": "staff",
           "expires_at": "2026-12-10T12:00:00+00:00", "organization": "Enigma Escapes", "invited_by": "Grace Hopper"}'
    WHEN 'webhook_endpoint_disabled' THEN '{"timezone": "UTC"}'::jsonb || org
      || '{"endpoint": {"id": "5a0c1d2e-0000-4000-8000-00000000000a", "url": "https://hooks.example.com/tessera",
                        "disabled_at": "2026-12-03T09:15:00+00:00", "failures": 20}}'
    WHEN 'marketing' THEN '{"timezone": "Europe/London"}'::jsonb || org
      || '{"customer": {"id": "5a0c1d2e-0000-4000-8000-000000000004", "name": "Ada Lovelace",
                        "email": "ada@example.com"},
           "unsubscribe_url": "https://tessera.example/unsubscribe/sample"}'
  END;
  IF EXISTS (SELECT FROM app.notification_kinds WHERE sample_data IS NULL) THEN
    RAISE EXCEPTION 'a kind has no sample data';
  END IF;
END
$$;

INSERT INTO app.default_templates (kind, channel, locale, subject, html, body) VALUES
-- booking_confirmed -------------------------------------------------------------------------------------------------
('booking_confirmed', 'email', 'en',
 $t$Booking confirmed: {{ experience.name }}, {{ booking.starts_at | date('medium') }}$t$,
 $t$<p>Hello{% if customer.name %} {{ customer.name }}{% endif %},</p>
<p>Your booking for <strong>{{ experience.name }}</strong> at {{ venue.name }} is confirmed.</p>
<ul>
  <li>When: {{ booking.starts_at | date('full') }}, {{ booking.starts_at | time }} to {{ booking.ends_at | time }}</li>
  <li>Party: {{ booking.party_size }}</li>
  <li>Booking code: <strong>{{ booking.code }}</strong></li>
{% if booking.price_minor %}  <li>Price: {{ booking.price_minor | money }}</li>
{% endif %}</ul>
{% if venue.address %}<p>Where: {{ venue.address }}</p>
{% endif %}<p>Your tickets: show them at the door.</p>
{% for t in tickets %}<p><img src="cid:{{ t.cid }}" alt="Ticket {{ t.seat_no }}" width="200" height="200"></p>
{% endfor %}
<p>See you soon,<br>{{ org.name }}</p>
$t$,
 $t$Hello{% if customer.name %} {{ customer.name }}{% endif %},

Your booking for {{ experience.name }} at {{ venue.name }} is confirmed.

When: {{ booking.starts_at | date('full') }}, {{ booking.starts_at | time }} to {{ booking.ends_at | time }}
Party: {{ booking.party_size }}
Booking code: {{ booking.code }}
{% if booking.price_minor %}Price: {{ booking.price_minor | money }}
{% endif %}{% if venue.address %}Where: {{ venue.address }}
{% endif %}
Your tickets are attached: show them at the door.

See you soon,
{{ org.name }}
$t$),
('booking_confirmed', 'sms', 'en', NULL, NULL,
 $t${{ org.name }}: booking {{ booking.code }} confirmed, {{ experience.name }} on {{ booking.starts_at | date('medium') }} at {{ booking.starts_at | time }}.$t$),
('booking_confirmed', 'in_app', 'en', $t$Booking {{ booking.code }} confirmed$t$, NULL,
 $t${{ experience.name }} at {{ venue.name }}, {{ booking.starts_at | date('medium') }} {{ booking.starts_at | time }}, party of {{ booking.party_size }}.$t$),
('booking_confirmed', 'email', 'ar',
 $t$تأكيد الحجز: {{ experience.name }}، {{ booking.starts_at | date('medium') }}$t$,
 $t$<div dir="rtl">
<p>مرحبًا{% if customer.name %} {{ customer.name }}{% endif %}،</p>
<p>تم تأكيد حجزك في <strong>{{ experience.name }}</strong> لدى {{ venue.name }}.</p>
<ul>
  <li>الموعد: {{ booking.starts_at | date('full') }}، {{ booking.starts_at | time }} - {{ booking.ends_at | time }}</li>
  <li>عدد الأشخاص: {{ booking.party_size }}</li>
  <li>رمز الحجز: <strong>{{ booking.code }}</strong></li>
{% if booking.price_minor %}  <li>السعر: {{ booking.price_minor | money }}</li>
{% endif %}</ul>
{% if venue.address %}<p>العنوان: {{ venue.address }}</p>
{% endif %}<p>تذاكرك: أظهرها عند الدخول.</p>
{% for t in tickets %}<p><img src="cid:{{ t.cid }}" alt="تذكرة {{ t.seat_no }}" width="200" height="200"></p>
{% endfor %}
<p>نراك قريبًا،<br>{{ org.name }}</p>
</div>
$t$,
 $t$مرحبًا{% if customer.name %} {{ customer.name }}{% endif %}،

تم تأكيد حجزك في {{ experience.name }} لدى {{ venue.name }}.

الموعد: {{ booking.starts_at | date('full') }}، {{ booking.starts_at | time }} - {{ booking.ends_at | time }}
عدد الأشخاص: {{ booking.party_size }}
رمز الحجز: {{ booking.code }}
{% if booking.price_minor %}السعر: {{ booking.price_minor | money }}
{% endif %}{% if venue.address %}العنوان: {{ venue.address }}
{% endif %}
تذاكرك مرفقة: أظهرها عند الدخول.

نراك قريبًا،
{{ org.name }}
$t$),
('booking_confirmed', 'sms', 'ar', NULL, NULL,
 $t${{ org.name }}: تم تأكيد الحجز {{ booking.code }}، {{ experience.name }} يوم {{ booking.starts_at | date('medium') }} الساعة {{ booking.starts_at | time }}.$t$),
('booking_confirmed', 'in_app', 'ar', $t$تم تأكيد الحجز {{ booking.code }}$t$, NULL,
 $t${{ experience.name }} لدى {{ venue.name }}، {{ booking.starts_at | date('medium') }} {{ booking.starts_at | time }}، {{ booking.party_size }} أشخاص.$t$),
-- booking_cancelled -------------------------------------------------------------------------------------------------
('booking_cancelled', 'email', 'en',
 $t$Booking cancelled: {{ experience.name }}, {{ booking.starts_at | date('medium') }}$t$,
 $t$<p>Hello{% if customer.name %} {{ customer.name }}{% endif %},</p>
<p>Your booking <strong>{{ booking.code }}</strong> for {{ experience.name }} at {{ venue.name }} on {{ booking.starts_at | date('full') }}, {{ booking.starts_at | time }} has been cancelled.</p>
{% if cancellation.reason %}<p>Reason: {{ cancellation.reason }}</p>
{% endif %}{% if cancellation.refund_due_minor %}<p>A refund of {{ cancellation.refund_due_minor | money }} is on its way.</p>
{% endif %}<p>{{ org.name }}</p>
$t$,
 $t$Hello{% if customer.name %} {{ customer.name }}{% endif %},

Your booking {{ booking.code }} for {{ experience.name }} at {{ venue.name }} on {{ booking.starts_at | date('full') }}, {{ booking.starts_at | time }} has been cancelled.
{% if cancellation.reason %}
Reason: {{ cancellation.reason }}
{% endif %}{% if cancellation.refund_due_minor %}
A refund of {{ cancellation.refund_due_minor | money }} is on its way.
{% endif %}
{{ org.name }}
$t$),
('booking_cancelled', 'sms', 'en', NULL, NULL,
 $t${{ org.name }}: booking {{ booking.code }} ({{ experience.name }}, {{ booking.starts_at | date('medium') }}) has been cancelled.$t$),
('booking_cancelled', 'in_app', 'en', $t$Booking {{ booking.code }} cancelled$t$, NULL,
 $t${{ experience.name }} at {{ venue.name }}, {{ booking.starts_at | date('medium') }} {{ booking.starts_at | time }}.$t$),
('booking_cancelled', 'email', 'ar',
 $t$إلغاء الحجز: {{ experience.name }}، {{ booking.starts_at | date('medium') }}$t$,
 $t$<div dir="rtl">
<p>مرحبًا{% if customer.name %} {{ customer.name }}{% endif %}،</p>
<p>تم إلغاء حجزك <strong>{{ booking.code }}</strong> في {{ experience.name }} لدى {{ venue.name }} يوم {{ booking.starts_at | date('full') }}، {{ booking.starts_at | time }}.</p>
{% if cancellation.reason %}<p>السبب: {{ cancellation.reason }}</p>
{% endif %}{% if cancellation.refund_due_minor %}<p>سيُعاد إليك مبلغ {{ cancellation.refund_due_minor | money }}.</p>
{% endif %}<p>{{ org.name }}</p>
</div>
$t$,
 $t$مرحبًا{% if customer.name %} {{ customer.name }}{% endif %}،

تم إلغاء حجزك {{ booking.code }} في {{ experience.name }} لدى {{ venue.name }} يوم {{ booking.starts_at | date('full') }}، {{ booking.starts_at | time }}.
{% if cancellation.reason %}
السبب: {{ cancellation.reason }}
{% endif %}{% if cancellation.refund_due_minor %}
سيُعاد إليك مبلغ {{ cancellation.refund_due_minor | money }}.
{% endif %}
{{ org.name }}
$t$),
('booking_cancelled', 'sms', 'ar', NULL, NULL,
 $t${{ org.name }}: تم إلغاء الحجز {{ booking.code }} ({{ experience.name }}، {{ booking.starts_at | date('medium') }}).$t$),
('booking_cancelled', 'in_app', 'ar', $t$تم إلغاء الحجز {{ booking.code }}$t$, NULL,
 $t${{ experience.name }} لدى {{ venue.name }}، {{ booking.starts_at | date('medium') }} {{ booking.starts_at | time }}.$t$),
-- booking_rescheduled -----------------------------------------------------------------------------------------------
('booking_rescheduled', 'email', 'en',
 $t$Booking moved: {{ experience.name }}, now {{ booking.starts_at | date('medium') }}$t$,
 $t$<p>Hello{% if customer.name %} {{ customer.name }}{% endif %},</p>
<p>Your booking <strong>{{ booking.code }}</strong> for {{ experience.name }} at {{ venue.name }} has moved.</p>
<ul>
  <li>Now: {{ booking.starts_at | date('full') }}, {{ booking.starts_at | time }} to {{ booking.ends_at | time }}</li>
  <li>Was: {{ previous.starts_at | date('full') }}, {{ previous.starts_at | time }}</li>
</ul>
<p>{{ org.name }}</p>
$t$,
 $t$Hello{% if customer.name %} {{ customer.name }}{% endif %},

Your booking {{ booking.code }} for {{ experience.name }} at {{ venue.name }} has moved.

Now: {{ booking.starts_at | date('full') }}, {{ booking.starts_at | time }} to {{ booking.ends_at | time }}
Was: {{ previous.starts_at | date('full') }}, {{ previous.starts_at | time }}

{{ org.name }}
$t$),
('booking_rescheduled', 'sms', 'en', NULL, NULL,
 $t${{ org.name }}: booking {{ booking.code }} ({{ experience.name }}) moved to {{ booking.starts_at | date('medium') }} at {{ booking.starts_at | time }}.$t$),
('booking_rescheduled', 'in_app', 'en', $t$Booking {{ booking.code }} moved$t$, NULL,
 $t${{ experience.name }} is now on {{ booking.starts_at | date('medium') }} at {{ booking.starts_at | time }} (was {{ previous.starts_at | date('medium') }} {{ previous.starts_at | time }}).$t$),
('booking_rescheduled', 'email', 'ar',
 $t$تغيير موعد الحجز: {{ experience.name }}، {{ booking.starts_at | date('medium') }}$t$,
 $t$<div dir="rtl">
<p>مرحبًا{% if customer.name %} {{ customer.name }}{% endif %}،</p>
<p>تغيّر موعد حجزك <strong>{{ booking.code }}</strong> في {{ experience.name }} لدى {{ venue.name }}.</p>
<ul>
  <li>الموعد الجديد: {{ booking.starts_at | date('full') }}، {{ booking.starts_at | time }} - {{ booking.ends_at | time }}</li>
  <li>الموعد السابق: {{ previous.starts_at | date('full') }}، {{ previous.starts_at | time }}</li>
</ul>
<p>{{ org.name }}</p>
</div>
$t$,
 $t$مرحبًا{% if customer.name %} {{ customer.name }}{% endif %}،

تغيّر موعد حجزك {{ booking.code }} في {{ experience.name }} لدى {{ venue.name }}.

الموعد الجديد: {{ booking.starts_at | date('full') }}، {{ booking.starts_at | time }} - {{ booking.ends_at | time }}
الموعد السابق: {{ previous.starts_at | date('full') }}، {{ previous.starts_at | time }}

{{ org.name }}
$t$),
('booking_rescheduled', 'sms', 'ar', NULL, NULL,
 $t${{ org.name }}: تغيّر موعد الحجز {{ booking.code }} ({{ experience.name }}) إلى {{ booking.starts_at | date('medium') }} الساعة {{ booking.starts_at | time }}.$t$),
('booking_rescheduled', 'in_app', 'ar', $t$تغيّر موعد الحجز {{ booking.code }}$t$, NULL,
 $t${{ experience.name }} أصبح يوم {{ booking.starts_at | date('medium') }} الساعة {{ booking.starts_at | time }}.$t$),
-- booking_expired ---------------------------------------------------------------------------------------------------
('booking_expired', 'email', 'en',
 $t$Your hold on {{ experience.name }} has expired$t$,
 $t$<p>Hello{% if customer.name %} {{ customer.name }}{% endif %},</p>
<p>The places we held for you at {{ experience.name }} ({{ venue.name }}) on {{ booking.starts_at | date('full') }}, {{ booking.starts_at | time }} were not paid in time and have been released. Booking {{ booking.code }} is no longer valid.</p>
<p>You are welcome to book again.</p>
<p>{{ org.name }}</p>
$t$,
 $t$Hello{% if customer.name %} {{ customer.name }}{% endif %},

The places we held for you at {{ experience.name }} ({{ venue.name }}) on {{ booking.starts_at | date('full') }}, {{ booking.starts_at | time }} were not paid in time and have been released. Booking {{ booking.code }} is no longer valid.

You are welcome to book again.

{{ org.name }}
$t$),
('booking_expired', 'sms', 'en', NULL, NULL,
 $t${{ org.name }}: your hold {{ booking.code }} on {{ experience.name }} ({{ booking.starts_at | date('medium') }}) expired unpaid.$t$),
('booking_expired', 'in_app', 'en', $t$Hold {{ booking.code }} expired$t$, NULL,
 $t${{ experience.name }}, {{ booking.starts_at | date('medium') }} {{ booking.starts_at | time }}: not paid in time.$t$),
('booking_expired', 'email', 'ar',
 $t$انتهت مهلة حجزك في {{ experience.name }}$t$,
 $t$<div dir="rtl">
<p>مرحبًا{% if customer.name %} {{ customer.name }}{% endif %}،</p>
<p>لم يُدفع ثمن الأماكن المحجوزة لك في {{ experience.name }} ({{ venue.name }}) يوم {{ booking.starts_at | date('full') }}، {{ booking.starts_at | time }} في الوقت المحدد، فأُلغي الحجز {{ booking.code }}.</p>
<p>يسعدنا أن تحجز من جديد.</p>
<p>{{ org.name }}</p>
</div>
$t$,
 $t$مرحبًا{% if customer.name %} {{ customer.name }}{% endif %}،

لم يُدفع ثمن الأماكن المحجوزة لك في {{ experience.name }} ({{ venue.name }}) يوم {{ booking.starts_at | date('full') }}، {{ booking.starts_at | time }} في الوقت المحدد، فأُلغي الحجز {{ booking.code }}.

يسعدنا أن تحجز من جديد.

{{ org.name }}
$t$),
('booking_expired', 'sms', 'ar', NULL, NULL,
 $t${{ org.name }}: انتهت مهلة الحجز {{ booking.code }} في {{ experience.name }} ({{ booking.starts_at | date('medium') }}) دون دفع.$t$),
('booking_expired', 'in_app', 'ar', $t$انتهت مهلة الحجز {{ booking.code }}$t$, NULL,
 $t${{ experience.name }}، {{ booking.starts_at | date('medium') }} {{ booking.starts_at | time }}: لم يُدفع في الوقت المحدد.$t$),
-- session_reminder --------------------------------------------------------------------------------------------------
('session_reminder', 'email', 'en',
 $t$Reminder: {{ experience.name }}, {{ booking.starts_at | date('medium') }} at {{ booking.starts_at | time }}$t$,
 $t$<p>Hello{% if customer.name %} {{ customer.name }}{% endif %},</p>
<p>A reminder that <strong>{{ experience.name }}</strong> at {{ venue.name }} starts on {{ booking.starts_at | date('full') }} at {{ booking.starts_at | time }}.</p>
<ul>
  <li>Party: {{ booking.party_size }}</li>
  <li>Booking code: <strong>{{ booking.code }}</strong></li>
</ul>
{% if venue.address %}<p>Where: {{ venue.address }}</p>
{% endif %}<p>See you soon,<br>{{ org.name }}</p>
$t$,
 $t$Hello{% if customer.name %} {{ customer.name }}{% endif %},

A reminder that {{ experience.name }} at {{ venue.name }} starts on {{ booking.starts_at | date('full') }} at {{ booking.starts_at | time }}.

Party: {{ booking.party_size }}
Booking code: {{ booking.code }}
{% if venue.address %}Where: {{ venue.address }}
{% endif %}
See you soon,
{{ org.name }}
$t$),
('session_reminder', 'sms', 'en', NULL, NULL,
 $t${{ org.name }}: reminder, {{ experience.name }} at {{ venue.name }} on {{ booking.starts_at | date('medium') }} at {{ booking.starts_at | time }}. Code {{ booking.code }}.$t$),
('session_reminder', 'in_app', 'en', $t${{ experience.name }} starts soon$t$, NULL,
 $t${{ booking.starts_at | date('medium') }} at {{ booking.starts_at | time }}, {{ venue.name }}. Booking {{ booking.code }}.$t$),
('session_reminder', 'email', 'ar',
 $t$تذكير: {{ experience.name }}، {{ booking.starts_at | date('medium') }} الساعة {{ booking.starts_at | time }}$t$,
 $t$<div dir="rtl">
<p>مرحبًا{% if customer.name %} {{ customer.name }}{% endif %}،</p>
<p>نذكّرك بأن <strong>{{ experience.name }}</strong> لدى {{ venue.name }} يبدأ يوم {{ booking.starts_at | date('full') }} الساعة {{ booking.starts_at | time }}.</p>
<ul>
  <li>عدد الأشخاص: {{ booking.party_size }}</li>
  <li>رمز الحجز: <strong>{{ booking.code }}</strong></li>
</ul>
{% if venue.address %}<p>العنوان: {{ venue.address }}</p>
{% endif %}<p>نراك قريبًا،<br>{{ org.name }}</p>
</div>
$t$,
 $t$مرحبًا{% if customer.name %} {{ customer.name }}{% endif %}،

نذكّرك بأن {{ experience.name }} لدى {{ venue.name }} يبدأ يوم {{ booking.starts_at | date('full') }} الساعة {{ booking.starts_at | time }}.

عدد الأشخاص: {{ booking.party_size }}
رمز الحجز: {{ booking.code }}
{% if venue.address %}العنوان: {{ venue.address }}
{% endif %}
نراك قريبًا،
{{ org.name }}
$t$),
('session_reminder', 'sms', 'ar', NULL, NULL,
 $t${{ org.name }}: تذكير، {{ experience.name }} لدى {{ venue.name }} يوم {{ booking.starts_at | date('medium') }} الساعة {{ booking.starts_at | time }}. الرمز {{ booking.code }}.$t$),
('session_reminder', 'in_app', 'ar', $t${{ experience.name }} يبدأ قريبًا$t$, NULL,
 $t${{ booking.starts_at | date('medium') }} الساعة {{ booking.starts_at | time }}، {{ venue.name }}. الحجز {{ booking.code }}.$t$),
-- waiver_missing ----------------------------------------------------------------------------------------------------
('waiver_missing', 'email', 'en',
 $t$Please sign the waiver before {{ experience.name }}$t$,
 $t$<p>Hello{% if customer.name %} {{ customer.name }}{% endif %},</p>
<p>Not everyone in your party has signed the {{ waiver.name }} yet for {{ experience.name }} at {{ venue.name }} on {{ booking.starts_at | date('full') }} at {{ booking.starts_at | time }}.</p>
<p>Each of the {{ booking.party_size }} participants signs once, online with booking code <strong>{{ booking.code }}</strong> and this e-mail address, or at the venue before the session.</p>
<p>{{ org.name }}</p>
$t$,
 $t$Hello{% if customer.name %} {{ customer.name }}{% endif %},

Not everyone in your party has signed the {{ waiver.name }} yet for {{ experience.name }} at {{ venue.name }} on {{ booking.starts_at | date('full') }} at {{ booking.starts_at | time }}.

Each of the {{ booking.party_size }} participants signs once, online with booking code {{ booking.code }} and this e-mail address, or at the venue before the session.

{{ org.name }}
$t$),
('waiver_missing', 'sms', 'en', NULL, NULL,
 $t${{ org.name }}: please sign the waiver for {{ experience.name }} ({{ booking.starts_at | date('medium') }}), booking {{ booking.code }}.$t$),
('waiver_missing', 'in_app', 'en', $t$Waiver not signed yet$t$, NULL,
 $t${{ experience.name }}, {{ booking.starts_at | date('medium') }} {{ booking.starts_at | time }}: booking {{ booking.code }} has participants without a signed waiver.$t$),
('waiver_missing', 'email', 'ar',
 $t$يرجى توقيع الإقرار قبل {{ experience.name }}$t$,
 $t$<div dir="rtl">
<p>مرحبًا{% if customer.name %} {{ customer.name }}{% endif %}،</p>
<p>لم يوقّع جميع المشاركين في حجزك بعد على {{ waiver.name }} الخاص بـ {{ experience.name }} لدى {{ venue.name }} يوم {{ booking.starts_at | date('full') }} الساعة {{ booking.starts_at | time }}.</p>
<p>يوقّع كل واحد من المشاركين ({{ booking.party_size }}) مرة واحدة، عبر الإنترنت برمز الحجز <strong>{{ booking.code }}</strong> وهذا البريد الإلكتروني، أو في المكان قبل الجلسة.</p>
<p>{{ org.name }}</p>
</div>
$t$,
 $t$مرحبًا{% if customer.name %} {{ customer.name }}{% endif %}،

لم يوقّع جميع المشاركين في حجزك بعد على {{ waiver.name }} الخاص بـ {{ experience.name }} لدى {{ venue.name }} يوم {{ booking.starts_at | date('full') }} الساعة {{ booking.starts_at | time }}.

يوقّع كل واحد من المشاركين ({{ booking.party_size }}) مرة واحدة، عبر الإنترنت برمز الحجز {{ booking.code }} وهذا البريد الإلكتروني، أو في المكان قبل الجلسة.

{{ org.name }}
$t$),
('waiver_missing', 'sms', 'ar', NULL, NULL,
 $t${{ org.name }}: يرجى توقيع الإقرار لـ {{ experience.name }} ({{ booking.starts_at | date('medium') }})، الحجز {{ booking.code }}.$t$),
('waiver_missing', 'in_app', 'ar', $t$لم يُوقَّع الإقرار بعد$t$, NULL,
 $t${{ experience.name }}، {{ booking.starts_at | date('medium') }} {{ booking.starts_at | time }}: في الحجز {{ booking.code }} مشاركون لم يوقّعوا.$t$),
-- waitlist_offer ----------------------------------------------------------------------------------------------------
('waitlist_offer', 'email', 'en',
 $t$Places are free: {{ experience.name }}, {{ booking.starts_at | date('medium') }}$t$,
 $t$<p>Hello{% if customer.name %} {{ customer.name }}{% endif %},</p>
<p>Good news: {{ booking.party_size }} place(s) freed up for <strong>{{ experience.name }}</strong> at {{ venue.name }} on {{ booking.starts_at | date('full') }} at {{ booking.starts_at | time }}.</p>
<p>We are holding them for you until {{ offer.expires_at | date('medium') }} {{ offer.expires_at | time }}; after that they pass to the next person on the waitlist.</p>
<p>To take them, accept the offer with this code: <code>{{ token }}</code></p>
<p>{{ org.name }}</p>
$t$,
 $t$Hello{% if customer.name %} {{ customer.name }}{% endif %},

Good news: {{ booking.party_size }} place(s) freed up for {{ experience.name }} at {{ venue.name }} on {{ booking.starts_at | date('full') }} at {{ booking.starts_at | time }}.

We are holding them for you until {{ offer.expires_at | date('medium') }} {{ offer.expires_at | time }}; after that they pass to the next person on the waitlist.

To take them, accept the offer with this code: {{ token }}

{{ org.name }}
$t$),
('waitlist_offer', 'sms', 'en', NULL, NULL,
 $t${{ org.name }}: {{ booking.party_size }} place(s) free for {{ experience.name }} on {{ booking.starts_at | date('medium') }} at {{ booking.starts_at | time }}, held for you until {{ offer.expires_at | time }}.$t$),
('waitlist_offer', 'in_app', 'en', $t$Places free for {{ experience.name }}$t$, NULL,
 $t${{ booking.party_size }} place(s) on {{ booking.starts_at | date('medium') }} {{ booking.starts_at | time }}, held until {{ offer.expires_at | time }}.$t$),
('waitlist_offer', 'email', 'ar',
 $t$أماكن متاحة: {{ experience.name }}، {{ booking.starts_at | date('medium') }}$t$,
 $t$<div dir="rtl">
<p>مرحبًا{% if customer.name %} {{ customer.name }}{% endif %}،</p>
<p>خبر سار: أصبح {{ booking.party_size }} من الأماكن متاحًا في <strong>{{ experience.name }}</strong> لدى {{ venue.name }} يوم {{ booking.starts_at | date('full') }} الساعة {{ booking.starts_at | time }}.</p>
<p>نحتفظ بها لك حتى {{ offer.expires_at | date('medium') }} {{ offer.expires_at | time }}، وبعدها تنتقل إلى التالي في قائمة الانتظار.</p>
<p>لقبول العرض استخدم هذا الرمز: <code>{{ token }}</code></p>
<p>{{ org.name }}</p>
</div>
$t$,
 $t$مرحبًا{% if customer.name %} {{ customer.name }}{% endif %}،

خبر سار: أصبح {{ booking.party_size }} من الأماكن متاحًا في {{ experience.name }} لدى {{ venue.name }} يوم {{ booking.starts_at | date('full') }} الساعة {{ booking.starts_at | time }}.

نحتفظ بها لك حتى {{ offer.expires_at | date('medium') }} {{ offer.expires_at | time }}، وبعدها تنتقل إلى التالي في قائمة الانتظار.

لقبول العرض استخدم هذا الرمز: {{ token }}

{{ org.name }}
$t$),
('waitlist_offer', 'sms', 'ar', NULL, NULL,
 $t${{ org.name }}: {{ booking.party_size }} أماكن متاحة في {{ experience.name }} يوم {{ booking.starts_at | date('medium') }} الساعة {{ booking.starts_at | time }}، محجوزة لك حتى {{ offer.expires_at | time }}.$t$),
('waitlist_offer', 'in_app', 'ar', $t$أماكن متاحة في {{ experience.name }}$t$, NULL,
 $t${{ booking.party_size }} أماكن يوم {{ booking.starts_at | date('medium') }} {{ booking.starts_at | time }}، محجوزة حتى {{ offer.expires_at | time }}.$t$),
-- payment_received --------------------------------------------------------------------------------------------------
('payment_received', 'email', 'en',
 $t$Payment received: {{ amount_minor | money }} for {{ experience.name }}$t$,
 $t$<p>Hello{% if customer.name %} {{ customer.name }}{% endif %},</p>
<p>We received your payment of <strong>{{ amount_minor | money }}</strong> for {{ experience.name }} at {{ venue.name }} on {{ booking.starts_at | date('full') }} at {{ booking.starts_at | time }} (booking {{ booking.code }}).</p>
<p>Thank you,<br>{{ org.name }}</p>
$t$,
 $t$Hello{% if customer.name %} {{ customer.name }}{% endif %},

We received your payment of {{ amount_minor | money }} for {{ experience.name }} at {{ venue.name }} on {{ booking.starts_at | date('full') }} at {{ booking.starts_at | time }} (booking {{ booking.code }}).

Thank you,
{{ org.name }}
$t$),
('payment_received', 'sms', 'en', NULL, NULL,
 $t${{ org.name }}: payment of {{ amount_minor | money }} received for booking {{ booking.code }}. Thank you.$t$),
('payment_received', 'in_app', 'en', $t$Payment received$t$, NULL,
 $t${{ amount_minor | money }} for booking {{ booking.code }} ({{ experience.name }}).$t$),
-- refund_issued -----------------------------------------------------------------------------------------------------
('refund_issued', 'email', 'en',
 $t$Refund issued: {{ amount_minor | money }}$t$,
 $t$<p>Hello{% if customer.name %} {{ customer.name }}{% endif %},</p>
<p>We have refunded <strong>{{ amount_minor | money }}</strong> for booking {{ booking.code }} ({{ experience.name }}, {{ booking.starts_at | date('medium') }}). It may take a few days to reach your account.</p>
<p>{{ org.name }}</p>
$t$,
 $t$Hello{% if customer.name %} {{ customer.name }}{% endif %},

We have refunded {{ amount_minor | money }} for booking {{ booking.code }} ({{ experience.name }}, {{ booking.starts_at | date('medium') }}). It may take a few days to reach your account.

{{ org.name }}
$t$),
('refund_issued', 'sms', 'en', NULL, NULL,
 $t${{ org.name }}: {{ amount_minor | money }} refunded for booking {{ booking.code }}.$t$),
('refund_issued', 'in_app', 'en', $t$Refund issued$t$, NULL,
 $t${{ amount_minor | money }} for booking {{ booking.code }} ({{ experience.name }}).$t$),
-- late_payment_refund -----------------------------------------------------------------------------------------------
('late_payment_refund', 'email', 'en',
 $t$Your late payment is being refunded$t$,
 $t$<p>Hello{% if customer.name %} {{ customer.name }}{% endif %},</p>
<p>Your payment for booking {{ booking.code }} ({{ experience.name }}, {{ booking.starts_at | date('medium') }}) arrived after the places held for you had been released, so we are refunding <strong>{{ amount_minor | money }}</strong>.</p>
<p>{{ org.name }}</p>
$t$,
 $t$Hello{% if customer.name %} {{ customer.name }}{% endif %},

Your payment for booking {{ booking.code }} ({{ experience.name }}, {{ booking.starts_at | date('medium') }}) arrived after the places held for you had been released, so we are refunding {{ amount_minor | money }}.

{{ org.name }}
$t$),
('late_payment_refund', 'sms', 'en', NULL, NULL,
 $t${{ org.name }}: your payment for {{ booking.code }} came after the hold ended; {{ amount_minor | money }} is being refunded.$t$),
('late_payment_refund', 'in_app', 'en', $t$Late payment refunded$t$, NULL,
 $t${{ amount_minor | money }} for booking {{ booking.code }}: paid after the hold ended.$t$),
-- invitation --------------------------------------------------------------------------------------------------------
('invitation', 'email', 'en',
 $t$You are invited to join {{ org.name }} on Tessera$t$,
 $t$<p>Hello,</p>
<p>{% if invited_by %}{{ invited_by }} has invited you{% else %}You are invited{% endif %} to join <strong>{{ org.name }}</strong> as {{ role }}.</p>
<p>Sign in with this e-mail address and accept with this code before {{ expires_at | date('medium') }}:</p>
<p><code>{{ token }}</code></p>
$t$,
 $t$Hello,

{% if invited_by %}{{ invited_by }} has invited you{% else %}You are invited{% endif %} to join {{ org.name }} as {{ role }}.

Sign in with this e-mail address and accept with this code before {{ expires_at | date('medium') }}:

{{ token }}
$t$),
('invitation', 'sms', 'en', NULL, NULL,
 $t$You are invited to join {{ org.name }} on Tessera as {{ role }}. Code: {{ token }}$t$),
('invitation', 'in_app', 'en', $t$Invitation to {{ org.name }}$t$, NULL,
 $t$You are invited to join {{ org.name }} as {{ role }}, until {{ expires_at | date('medium') }}.$t$),
-- webhook_endpoint_disabled -----------------------------------------------------------------------------------------
('webhook_endpoint_disabled', 'email', 'en',
 $t$A webhook endpoint of {{ org.name }} was disabled$t$,
 $t$<p>Hello,</p>
<p>The webhook endpoint <code>{{ endpoint.url }}</code> failed {{ endpoint.failures }} times in a row and was disabled on {{ endpoint.disabled_at | datetime }}.</p>
<p>Fix the endpoint, then enable it again in {{ org.name }}'s settings.</p>
$t$,
 $t$Hello,

The webhook endpoint {{ endpoint.url }} failed {{ endpoint.failures }} times in a row and was disabled on {{ endpoint.disabled_at | datetime }}.

Fix the endpoint, then enable it again in {{ org.name }}'s settings.
$t$),
('webhook_endpoint_disabled', 'sms', 'en', NULL, NULL,
 $t$Tessera: the webhook endpoint {{ endpoint.url }} of {{ org.name }} was disabled after {{ endpoint.failures }} failures.$t$),
('webhook_endpoint_disabled', 'in_app', 'en', $t$Webhook endpoint disabled$t$, NULL,
 $t${{ endpoint.url }} failed {{ endpoint.failures }} times and was disabled on {{ endpoint.disabled_at | datetime }}.$t$),
-- marketing ---------------------------------------------------------------------------------------------------------
('marketing', 'email', 'en',
 $t$News from {{ org.name }}$t$,
 $t$<p>Hello{% if customer.name %} {{ customer.name }}{% endif %},</p>
<p>We have new experiences waiting for you at {{ org.name }}.</p>
<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>
$t$,
 $t$Hello{% if customer.name %} {{ customer.name }}{% endif %},

We have new experiences waiting for you at {{ org.name }}.

Unsubscribe: {{ unsubscribe_url }}
$t$),
('marketing', 'sms', 'en', NULL, NULL,
 $t${{ org.name }}: new experiences are waiting for you. Stop: {{ unsubscribe_url }}$t$),
('marketing', 'in_app', 'en', $t$News from {{ org.name }}$t$, NULL,
 $t$We have new experiences waiting for you at {{ org.name }}.$t$);

COMMIT;
