"""A fake Stripe API (form-encoded v1, Bearer secret key, Idempotency-Key replay) and the webhooks Stripe sends,
signed with stripe-python's own WebhookSignature.generate_signature_header.

API: POST /v1/checkout/sessions, GET /v1/checkout/sessions/{id}, POST /v1/checkout/sessions/{id}/expire,
POST /v1/refunds, GET /v1/refunds/{id}, GET /v1/charges/{id}, GET /v1/payment_intents/{id}.
Control (no key): POST /_control/checkout/sessions/{id}/{pay|pay_async|async_succeed|async_fail|fail|expire},
POST /_control/charges/{id}/refund {"amount"}, GET /_control/events, POST /_control/mode, POST /_control/webhook.
Each control action answers {"events": [...], "delivered": [status, ...]}; {"deliver": false} only records them.

As Stripe: the first answer to an idempotency key is saved and replayed (Idempotent-Replayed: true), another
request with the key is refused; a forced 500 plays an outage before the endpoint runs, so, as Stripe documents
for requests that never started executing, nothing is saved under its key.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time

import stripe

from tessera.fake_providers.base import Provider, Reply, Request, new_id

MIN_EXPIRY, MAX_EXPIRY = 30 * 60, 24 * 3600


def form(body: bytes) -> dict:
    """Stripe's form encoding (a[b][0][c]=v) as nested dicts and lists."""
    import urllib.parse

    root: dict = {}
    for key, value in urllib.parse.parse_qsl(body.decode(), keep_blank_values=True):
        names = re.findall(r"([^\[\]]+)|\[([^\[\]]*)\]", key)
        path = [a or b for a, b in names]
        node = root
        for name in path[:-1]:
            node = node.setdefault(name, {})
        node[path[-1]] = value
    return _lists(root)


def _lists(node):
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_lists(node[k]) for k in sorted(node, key=int)]
        return {k: _lists(v) for k, v in node.items()}
    return node


def _error(status: int, kind: str, message: str, **extra) -> Reply:
    return Reply(status, {"error": {"type": kind, "message": message, **extra}})


class FakeStripe(Provider):
    name = "stripe"

    def __init__(self, secret_key: str, webhook_secret: str, webhook_url: str | None = None):
        super().__init__(webhook_url)
        self.secret_key, self.webhook_secret = secret_key, webhook_secret
        self.sessions: dict[str, dict] = {}
        self.intents: dict[str, dict] = {}
        self.charges: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.events: list[dict] = []
        self._saved: dict[str, tuple[str, int, object]] = {}  # idempotency key → (fingerprint, status, body)
        self._key_locks: dict[str, threading.Lock] = {}
        self._intent_metadata: dict[str, dict] = {}  # session id → payment_intent_data[metadata]
        self.route("POST", "/v1/checkout/sessions", self._idempotent(self._create_session))
        self.route("GET", "/v1/checkout/sessions/{id}", self._get(self.sessions, "checkout.session"))
        self.route("POST", "/v1/checkout/sessions/{id}/expire", self._idempotent(self._expire_session))
        self.route("POST", "/v1/refunds", self._idempotent(self._create_refund))
        self.route("GET", "/v1/refunds/{id}", self._get(self.refunds, "refund"))
        self.route("GET", "/v1/charges/{id}", self._get(self.charges, "charge"))
        self.route("GET", "/v1/payment_intents/{id}", self._get(self.intents, "payment_intent"))
        for action in ("pay", "pay_async", "async_succeed", "async_fail", "fail", "expire"):
            self.route("POST", f"/_control/checkout/sessions/{{id}}/{action}", self._control(action), api=False)
        self.route("POST", "/_control/charges/{id}/refund", self._control_refund, api=False)
        self.route("GET", "/_control/events", lambda r: Reply(200, {"data": self.events}), api=False)
        self.route("GET", "/checkout/{id}", self._page, api=False)

    # --- plumbing ---------------------------------------------------------------------------------------------
    def authorized(self, request: Request) -> bool:
        return request.headers.get("authorization", "") == f"Bearer {self.secret_key}"

    def unauthorized(self) -> Reply:
        return _error(401, "invalid_request_error", "Invalid API Key provided")

    def failure(self, kind: str) -> Reply:
        if kind == "402":
            return _error(402, "card_error", "Your card was declined.", code="card_declined")
        return _error(500, "api_error", "An unknown error occurred")

    def _idempotent(self, handler):
        def run(request: Request) -> Reply:
            key = request.headers.get("idempotency-key")
            if key is None:
                return handler(request)
            fingerprint = hashlib.sha256(request.path.encode() + b"\0" + request.body).hexdigest()
            with self.lock:
                key_lock = self._key_locks.setdefault(key, threading.Lock())
            with key_lock:  # a concurrent request with the key waits for the first one's answer
                saved = self._saved.get(key)
                if saved is not None:
                    if saved[0] != fingerprint:
                        return _error(400, "idempotency_error", "Keys for idempotent requests can only be used "
                                      "with the same parameters they were first used with.")
                    return Reply(saved[1], saved[2], {"Idempotent-Replayed": "true", "Idempotency-Key": key})
                try:
                    reply = handler(request)
                except Reply as raised:
                    reply = raised
                if reply.status != 400:  # a validation failure is not saved, as Stripe documents
                    self._saved[key] = (fingerprint, reply.status, reply.body)
                reply.headers["Idempotency-Key"] = key
                return reply
        return run

    def _get(self, table: dict, kind: str):
        def run(request: Request) -> Reply:
            with self.lock:
                found = table.get(request.params["id"])
                if found is None:
                    raise _error(404, "invalid_request_error", f"No such {kind}: '{request.params['id']}'",
                                 code="resource_missing")
                return Reply(200, found)
        return run

    def event(self, kind: str, obj: dict, deliver: bool = True) -> tuple[dict, int | None]:
        event = {"id": new_id("evt_"), "object": "event", "api_version": stripe.api_version,
                 "created": int(time.time()), "type": kind, "livemode": False, "pending_webhooks": 1,
                 "data": {"object": json.loads(json.dumps(obj))}}
        with self.lock:
            self.events.append(event)
        return event, (self.send(event) if deliver else None)

    def send(self, event: dict, timestamp: int | None = None, secret: str | None = None) -> int | None:
        """Deliver an event as Stripe does: pretty-printed JSON, signed over the exact bytes sent."""
        body = json.dumps(event, indent=2)
        header = stripe.WebhookSignature.generate_signature_header(body, secret or self.webhook_secret,
                                                                   timestamp=timestamp)
        return self.deliver(body.encode(), {"Content-Type": "application/json; charset=utf-8",
                                            "Stripe-Signature": header, "User-Agent": "Stripe/1.0"})

    # --- API ----------------------------------------------------------------------------------------------------
    def _create_session(self, request: Request) -> Reply:
        params = form(request.body)
        now = int(time.time())
        if params.get("mode") != "payment":
            raise _error(400, "invalid_request_error", "Missing required param: mode.", param="mode")
        if not params.get("success_url"):
            raise _error(400, "invalid_request_error", "Missing required param: success_url.", param="success_url")
        lines = params.get("line_items")
        if not isinstance(lines, list) or not lines:
            raise _error(400, "invalid_request_error", "Missing required param: line_items.", param="line_items")
        currencies, total = set(), 0
        for line in lines:
            data = line.get("price_data") or {}
            if not (str(data.get("unit_amount", "")).isdigit() and str(line.get("quantity", "")).isdigit()):
                raise _error(400, "invalid_request_error", "Invalid line item.", param="line_items")
            currencies.add(data.get("currency"))
            total += int(data["unit_amount"]) * int(line["quantity"])
        if len(currencies) != 1 or not re.fullmatch(r"[a-z]{3}", next(iter(currencies)) or ""):
            raise _error(400, "invalid_request_error", "Invalid currency.", param="line_items")
        expires_at = int(params.get("expires_at") or now + MAX_EXPIRY)
        if not now + MIN_EXPIRY <= expires_at <= now + MAX_EXPIRY:
            raise _error(400, "invalid_request_error", "The `expires_at` timestamp must be between 30 minutes and "
                         "24 hours from Checkout Session creation.", param="expires_at")
        session_id = new_id("cs_test_")
        session = {
            "id": session_id, "object": "checkout.session", "mode": "payment", "livemode": False,
            "amount_subtotal": total, "amount_total": total, "currency": next(iter(currencies)),
            "client_reference_id": params.get("client_reference_id"), "customer_email": params.get("customer_email"),
            "created": now, "expires_at": expires_at, "metadata": params.get("metadata") or {},
            "payment_intent": None, "payment_status": "unpaid", "status": "open",
            "success_url": params["success_url"], "cancel_url": params.get("cancel_url"),
            "url": f"{self.base_url}/checkout/{session_id}",
        }
        with self.lock:
            self.sessions[session_id] = session
            self._intent_metadata[session_id] = (params.get("payment_intent_data") or {}).get("metadata") or {}
        return Reply(200, session)

    def _expire_session(self, request: Request) -> Reply:
        with self.lock:
            session = self.sessions.get(request.params["id"])
            if session is None:
                raise _error(404, "invalid_request_error", "No such checkout.session", code="resource_missing")
            if session["status"] != "open":
                raise _error(400, "invalid_request_error", f"Only Checkout Sessions with a status in [\"open\"] "
                             f"can be expired. This Checkout Session has a status of \"{session['status']}\".")
            session["status"] = "expired"
            session["url"] = None
        self.later(lambda: self.event("checkout.session.expired", session))
        return Reply(200, session)

    def _create_refund(self, request: Request) -> Reply:
        params = form(request.body)
        with self.lock:
            intent = self.intents.get(params.get("payment_intent", ""))
            if intent is None or intent.get("latest_charge") is None:
                raise _error(400, "invalid_request_error", "No such payment_intent or it has no charge.",
                             param="payment_intent")
            charge = self.charges[intent["latest_charge"]]
            amount = int(params.get("amount") or charge["amount"] - charge["amount_refunded"])
            refund = self._refund(charge, amount, params.get("metadata") or {}, params.get("reason"))
        self.later(lambda: self.event("charge.refunded", self.charges[charge["id"]]))
        return Reply(200, refund)

    def _refund(self, charge: dict, amount: int, metadata: dict, reason: str | None) -> dict:
        if amount <= 0 or charge["amount_refunded"] + amount > charge["amount"]:
            raise _error(400, "invalid_request_error", f"Refund amount ({amount}) is greater than unrefunded amount "
                         f"on charge ({charge['amount'] - charge['amount_refunded']})", code="amount_too_large")
        refund = {"id": new_id("re_"), "object": "refund", "amount": amount, "currency": charge["currency"],
                  "charge": charge["id"], "payment_intent": charge["payment_intent"], "metadata": metadata,
                  "reason": reason, "status": "succeeded", "created": int(time.time())}
        self.refunds[refund["id"]] = refund
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        charge["refunds"]["data"].insert(0, refund)
        charge["refunds"]["total_count"] += 1
        return refund

    def _page(self, request: Request) -> Reply:
        session_id = request.params["id"]
        text = (f"Fake Stripe Checkout for {session_id}.\nPay it: curl -X POST "
                f"{self.base_url}/_control/checkout/sessions/{session_id}/pay\n")
        return Reply(200, text.encode(), {"Content-Type": "text/plain; charset=utf-8"})

    # --- control ------------------------------------------------------------------------------------------------
    def _charge(self, session: dict, succeeded: bool) -> dict:
        intent = {"id": new_id("pi_"), "object": "payment_intent", "amount": session["amount_total"],
                  "currency": session["currency"], "metadata": self._intent_metadata[session["id"]],
                  "status": "succeeded" if succeeded else "requires_payment_method", "latest_charge": None,
                  "last_payment_error": None if succeeded else {"code": "card_declined",
                                                                "message": "Your card was declined."}}
        self.intents[intent["id"]] = intent
        if succeeded:
            self._charge_for(intent)
        return intent

    def _charge_for(self, intent: dict) -> None:
        charge = {"id": new_id("ch_"), "object": "charge", "amount": intent["amount"], "amount_captured":
                  intent["amount"], "amount_refunded": 0, "currency": intent["currency"], "paid": True,
                  "payment_intent": intent["id"], "metadata": intent["metadata"], "refunded": False,
                  "status": "succeeded", "refunds": {"object": "list", "data": [], "total_count": 0}}
        self.charges[charge["id"]] = charge
        intent["latest_charge"], intent["status"] = charge["id"], "succeeded"

    def _control(self, action: str):
        def run(request: Request) -> Reply:
            deliver = request.json().get("deliver", True)
            with self.lock:
                session = self.sessions.get(request.params["id"])
                if session is None:
                    raise Reply(404, {"error": "no such session"})
                sent = self._act(action, session)
            results = [self.event(kind, obj, deliver) for kind, obj in sent]
            return Reply(200, {"events": [e for e, _ in results], "delivered": [s for _, s in results],
                               "session": session})
        return run

    def _act(self, action: str, session: dict) -> list[tuple[str, dict]]:
        if action == "expire":
            if session["status"] != "open":
                raise Reply(409, {"error": f"the session is {session['status']}"})
            session["status"], session["url"] = "expired", None
            return [("checkout.session.expired", session)]
        if action in ("async_succeed", "async_fail"):
            intent = self.intents.get(session["payment_intent"] or "")
            if session["status"] != "complete" or session["payment_status"] != "unpaid" or intent is None:
                raise Reply(409, {"error": "the session is not awaiting an asynchronous payment"})
            if action == "async_fail":
                intent["status"] = "canceled"
                return [("checkout.session.async_payment_failed", session)]
            self._charge_for(intent)
            session["payment_status"] = "paid"
            return [("checkout.session.async_payment_succeeded", session)]
        if session["status"] != "open":
            raise Reply(409, {"error": f"the session is {session['status']}"})
        if action == "fail":
            return [("payment_intent.payment_failed", self._charge(session, succeeded=False))]
        intent = self._charge(session, succeeded=action == "pay")
        if action == "pay_async":
            intent["status"] = "processing"
        session["payment_intent"], session["status"] = intent["id"], "complete"
        session["payment_status"] = "paid" if action == "pay" else "unpaid"
        session["url"] = None
        return [("checkout.session.completed", session)]

    def _control_refund(self, request: Request) -> Reply:
        body = request.json()
        with self.lock:
            charge = self.charges.get(request.params["id"])
            if charge is None:
                raise Reply(404, {"error": "no such charge"})
            amount = int(body.get("amount") or charge["amount"] - charge["amount_refunded"])
            refund = self._refund(charge, amount, {}, "requested_by_customer")
        event, status = self.event("charge.refunded", charge, body.get("deliver", True))
        return Reply(200, {"events": [event], "delivered": [status], "refund": refund})
