"""SMS through an HTTP provider: Twilio's Messages API, and Unifonic's SMS API for Saudi numbers (+966).

A recipient is an E.164 number (+ and 7 to 15 digits); anything else is refused for good. A Saudi number goes to
Unifonic when it is configured, every other number (and a Saudi one without Unifonic) to Twilio when it is, else
to Unifonic. The provider's answer decides what a failure is: a 4xx other than 408 and 429 refuses this message
for good (an invalid number, a blocked recipient), a 408, 429 or 5xx or no answer is retried. Neither API
documents an idempotency key for sending, so a message sent again after a worker was killed may reach the phone
twice; Unifonic's CorrelationID carries the outbox id, so its records show the two as one message.
"""

from __future__ import annotations

import re

import httpx

from api.config import Sms
from api.notify.channels import Failed, Outgoing, Sent

E164 = re.compile(r"\+[1-9][0-9]{6,14}")


class SmsSender:
    channel = "sms"

    def __init__(self, sms: Sms, transport: httpx.BaseTransport | None = None) -> None:
        self.sms = sms
        self._http = httpx.Client(timeout=sms.timeout, transport=transport)

    def provider_for(self, number: str) -> str:
        saudi = number.startswith("+966")
        if self.sms.unifonic_app_sid is not None and (saudi or self.sms.twilio_auth_token is None):
            return "unifonic"
        return "twilio"

    def send(self, message: Outgoing) -> Sent | Failed:
        number = "".join(message.recipient.split())
        if not E164.fullmatch(number):
            return Failed(error=f"{message.recipient!r} is not a phone number in international form (+…)",
                          permanent=True)
        provider = self.provider_for(number)
        try:
            if provider == "unifonic":
                return self._unifonic(number, message)
            return self._twilio(number, message)
        except httpx.HTTPError as exc:
            return Failed(error=f"cannot reach {provider}: {type(exc).__name__}: {exc}"[:2000], unreachable=True)

    @staticmethod
    def _failure(provider: str, response: httpx.Response) -> Failed:
        permanent = 400 <= response.status_code < 500 and response.status_code not in (408, 429)
        return Failed(error=f"{provider} answered {response.status_code}: {response.text[:500]}"[:2000],
                      permanent=permanent)

    def _twilio(self, number: str, message: Outgoing) -> Sent | Failed:
        sid, token = self.sms.twilio_account_sid, self.sms.twilio_auth_token
        assert sid is not None and token is not None
        response = self._http.post(f"{self.sms.twilio_api_base}/2010-04-01/Accounts/{sid}/Messages.json",
                                   data={"To": number, "From": self.sms.twilio_from or "", "Body": message.body},
                                   auth=(sid, token.reveal()))
        if response.status_code not in (200, 201):
            return self._failure("twilio", response)
        return Sent(str(response.json().get("sid") or ""))

    def _unifonic(self, number: str, message: Outgoing) -> Sent | Failed:
        app_sid = self.sms.unifonic_app_sid
        assert app_sid is not None
        form = {"AppSid": app_sid.reveal(), "Recipient": number.lstrip("+"), "Body": message.body,
                "responseType": "JSON", "CorrelationID": message.message_id}
        if self.sms.unifonic_sender_id:
            form["SenderID"] = self.sms.unifonic_sender_id
        response = self._http.post(f"{self.sms.unifonic_api_base}/rest/SMS/messages", data=form,
                                   headers={"Accept": "application/json"})
        if response.status_code != 200:
            return self._failure("unifonic", response)
        answer = response.json()
        if not answer.get("success"):
            # Unifonic answers refusals with 200 and success false (an unknown number, a sender not registered).
            return Failed(error=f"unifonic refused the message: {answer.get('errorCode')} {answer.get('message')}"
                          [:2000], permanent=True)
        return Sent(str((answer.get("data") or {}).get("MessageID") or ""))

    def close(self) -> None:
        self._http.close()
