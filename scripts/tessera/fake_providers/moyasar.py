"""A fake Moyasar API (JSON, HTTP Basic with the secret key as user name and no password) and the webhooks
Moyasar sends, with the webhook's secret_token inside the JSON body.

API: POST /v1/invoices, GET /v1/invoices/{id}, PUT /v1/invoices/{id}/cancel, GET /v1/payments/{id},
POST /v1/payments/{id}/refund.
Control (no key): POST /_control/invoices/{id}/{pay|fail|authorize} (a payment of the invoice),
POST /_control/payments/{id}/{capture|void|refund} ({"amount"} for refund), GET /_control/events,
POST /_control/mode, POST /_control/webhook. Each answers {"events": [...], "delivered": [...], "payment": …}.
Amounts are integers in the smallest currency unit; the minimum is 100, as Moyasar's.
"""

from __future__ import annotations

import base64
import hmac
import json
import uuid
from datetime import UTC, datetime

from tessera.fake_providers.base import Provider, Reply, Request

MINIMUM = 100


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _invalid(errors: dict[str, list[str]]) -> Reply:
    return Reply(400, {"type": "invalid_request_error", "message": "Validation Failed", "errors": errors})


def _missing(kind: str) -> Reply:
    return Reply(404, {"type": "api_error", "message": f"{kind} not found", "errors": None})


class FakeMoyasar(Provider):
    name = "moyasar"

    def __init__(self, secret_key: str, secret_token: str, webhook_url: str | None = None):
        super().__init__(webhook_url)
        self.secret_key, self.secret_token = secret_key, secret_token
        self.invoices: dict[str, dict] = {}
        self.payments: dict[str, dict] = {}
        self.events: list[dict] = []
        self.route("POST", "/v1/invoices", self._create_invoice)
        self.route("GET", "/v1/invoices/{id}", self._get(self.invoices, "Invoice"))
        self.route("PUT", "/v1/invoices/{id}/cancel", self._cancel_invoice)
        self.route("GET", "/v1/payments/{id}", self._get(self.payments, "Payment"))
        self.route("POST", "/v1/payments/{id}/refund", self._refund_api)
        for action in ("pay", "fail", "authorize"):
            self.route("POST", f"/_control/invoices/{{id}}/{action}", self._control_invoice(action), api=False)
        for action in ("capture", "void", "refund"):
            self.route("POST", f"/_control/payments/{{id}}/{action}", self._control_payment(action), api=False)
        self.route("GET", "/_control/events", lambda r: Reply(200, {"data": self.events}), api=False)
        self.route("GET", "/invoices/{id}", self._page, api=False)

    def authorized(self, request: Request) -> bool:
        expected = "Basic " + base64.b64encode(f"{self.secret_key}:".encode()).decode()
        return hmac.compare_digest(request.headers.get("authorization", "").encode(), expected.encode())

    def unauthorized(self) -> Reply:
        return Reply(401, {"type": "authentication_error", "message": "Invalid authorization credentials",
                           "errors": None})

    def failure(self, kind: str) -> Reply:
        if kind == "402":
            return Reply(402, {"type": "account_inactive_error", "message": "Payment required", "errors": None})
        return Reply(500, {"type": "api_error", "message": "Internal server error", "errors": None})

    def _get(self, table: dict, kind: str):
        def run(request: Request) -> Reply:
            with self.lock:
                found = table.get(request.params["id"])
                if found is None:
                    raise _missing(kind)
                return Reply(200, found)
        return run

    def event(self, kind: str, payment: dict, deliver: bool = True) -> tuple[dict, int | None]:
        event = {"id": str(uuid.uuid4()), "type": kind, "created_at": _now(), "secret_token": self.secret_token,
                 "account_name": "Tessera test", "live": False, "data": json.loads(json.dumps(payment))}
        with self.lock:
            self.events.append(event)
        return event, (self.send(event) if deliver else None)

    def send(self, event: dict) -> int | None:
        return self.deliver(json.dumps(event).encode(), {"Content-Type": "application/json"})

    # --- API ----------------------------------------------------------------------------------------------------
    def _create_invoice(self, request: Request) -> Reply:
        body = request.json()
        errors: dict[str, list[str]] = {}
        amount = body.get("amount")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < MINIMUM:
            errors["amount"] = [f"must be an integer of at least {MINIMUM}"]
        currency = body.get("currency", "SAR")
        if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()):
            errors["currency"] = ["is invalid"]
        if not body.get("description"):
            errors["description"] = ["can't be blank"]
        metadata = body.get("metadata") or {}
        if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
            errors["metadata"] = ["must be a map of strings"]
        if errors:
            raise _invalid(errors)
        invoice_id = str(uuid.uuid4())
        invoice = {"id": invoice_id, "status": "initiated", "amount": amount, "currency": currency.upper(),
                   "description": body["description"], "logo_url": None, "amount_format": f"{amount} {currency}",
                   "url": f"{self.base_url}/invoices/{invoice_id}", "callback_url": body.get("callback_url"),
                   "success_url": body.get("success_url"), "back_url": body.get("back_url"),
                   "expired_at": body.get("expired_at"), "created_at": _now(), "updated_at": _now(),
                   "metadata": metadata, "payments": []}
        with self.lock:
            self.invoices[invoice_id] = invoice
        return Reply(201, invoice)

    def _cancel_invoice(self, request: Request) -> Reply:
        with self.lock:
            invoice = self.invoices.get(request.params["id"])
            if invoice is None:
                raise _missing("Invoice")
            if invoice["status"] != "initiated":
                raise Reply(400, {"type": "invalid_request_error", "message": f"Invoice is {invoice['status']}",
                                  "errors": None})
            invoice["status"], invoice["updated_at"] = "canceled", _now()
            return Reply(200, invoice)

    def _refund_api(self, request: Request) -> Reply:
        body = request.json()
        with self.lock:
            payment = self.payments.get(request.params["id"])
            if payment is None:
                raise _missing("Payment")
            self._refund(payment, body.get("amount"))
        self.later(lambda: self.event("payment_refunded", payment))
        return Reply(200, payment)

    def _refund(self, payment: dict, amount) -> None:
        left = payment["amount"] - payment["refunded"]
        amount = left if amount is None else amount
        if payment["status"] not in ("paid", "captured", "refunded") or not isinstance(amount, int) or \
                not 0 < amount <= left:
            raise Reply(400, {"type": "invalid_request_error", "message": "Payment cannot be refunded by that "
                              "amount", "errors": {"amount": [f"must be 1 to {left}"]}})
        payment["refunded"] += amount
        payment["refunded_at"], payment["updated_at"], payment["status"] = _now(), _now(), "refunded"

    def _page(self, request: Request) -> Reply:
        invoice_id = request.params["id"]
        text = (f"Fake Moyasar invoice {invoice_id}.\nPay it: curl -X POST "
                f"{self.base_url}/_control/invoices/{invoice_id}/pay\n")
        return Reply(200, text.encode(), {"Content-Type": "text/plain; charset=utf-8"})

    # --- control ------------------------------------------------------------------------------------------------
    def _control_invoice(self, action: str):
        status, kind = {"pay": ("paid", "payment_paid"), "fail": ("failed", "payment_failed"),
                        "authorize": ("authorized", "payment_authorized")}[action]

        def run(request: Request) -> Reply:
            deliver = request.json().get("deliver", True)
            with self.lock:
                invoice = self.invoices.get(request.params["id"])
                if invoice is None:
                    raise Reply(404, {"error": "no such invoice"})
                if invoice["status"] != "initiated":
                    raise Reply(409, {"error": f"the invoice is {invoice['status']}"})
                payment = {"id": str(uuid.uuid4()), "status": status, "amount": invoice["amount"], "fee": 0,
                           "currency": invoice["currency"], "refunded": 0, "refunded_at": None, "captured":
                           invoice["amount"] if status == "paid" else 0, "captured_at": None, "voided_at": None,
                           "description": invoice["description"], "invoice_id": invoice["id"], "ip": "127.0.0.1",
                           "callback_url": invoice["callback_url"], "created_at": _now(), "updated_at": _now(),
                           "metadata": dict(invoice["metadata"]),
                           "source": {"type": "creditcard", "company": "visa", "name": "Test Card",
                                      "number": "4111-11XX-XXXX-1111",
                                      "message": "APPROVED" if status != "failed" else "DECLINED"}}
                self.payments[payment["id"]] = payment
                invoice["payments"].append(payment)
                if status == "paid":
                    invoice["status"] = "paid"
            event, delivered = self.event(kind, payment, deliver)
            return Reply(200, {"events": [event], "delivered": [delivered], "payment": payment})
        return run

    def _control_payment(self, action: str):
        def run(request: Request) -> Reply:
            body = request.json()
            with self.lock:
                payment = self.payments.get(request.params["id"])
                if payment is None:
                    raise Reply(404, {"error": "no such payment"})
                if action == "refund":
                    self._refund(payment, body.get("amount"))
                    kind = "payment_refunded"
                elif action == "capture":
                    if payment["status"] != "authorized":
                        raise Reply(409, {"error": f"the payment is {payment['status']}"})
                    payment["status"], payment["captured"], payment["captured_at"] = "captured", \
                        payment["amount"], _now()
                    kind = "payment_captured"
                else:
                    if payment["status"] not in ("authorized", "paid"):
                        raise Reply(409, {"error": f"the payment is {payment['status']}"})
                    payment["status"], payment["voided_at"] = "voided", _now()
                    kind = "payment_voided"
                payment["updated_at"] = _now()
            event, delivered = self.event(kind, payment, body.get("deliver", True))
            return Reply(200, {"events": [event], "delivered": [delivered], "payment": payment})
        return run
