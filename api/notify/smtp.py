"""E-mail over SMTP: one connection kept open per worker loop, STARTTLS and AUTH when configured (api.config.Mail).

Every message carries Message-ID <outbox-id@sender-domain>: sent again after a worker was killed between the
server's acceptance and the outbox's record, it is the same message to the receiving side (and to the tests, which
count by it). A booking confirmation's tickets travel as inline PNG QR codes (segno), one per ticket, each a
related part of the HTML body with Content-ID <ticket-id@sender-domain>, so a template shows one with
<img src="cid:{{ ticket.cid }}">; without an HTML body they are plain attachments. A message whose data carries
`unsubscribe_url` (for marketing, the worker signs it at send time: api/notify/unsubscribe.py) gets RFC 8058's
List-Unsubscribe and List-Unsubscribe-Post headers.
"""

from __future__ import annotations

import contextlib
import io
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

import segno

from api.config import Mail
from api.notify.channels import Attachment, Failed, Outgoing, Sent


def message_id(outbox_id: str, domain: str) -> str:
    return f"<{outbox_id}@{domain}>"


def ticket_cid(ticket_id: str, domain: str) -> str:
    """The Content-ID of a ticket's QR image, without angle brackets (templates write src="cid:...")."""
    return f"ticket-{ticket_id}@{domain}"


def qr_png(payload: str) -> bytes:
    """A ticket payload as a PNG QR code, scaled for a phone's screen at the door."""
    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buffer, kind="png", scale=6, border=4)
    return buffer.getvalue()


def build(message: Outgoing, mail: Mail) -> EmailMessage:
    email = EmailMessage()
    email["From"] = mail.mail_from
    email["To"] = message.recipient
    email["Subject"] = message.subject or ""
    email["Date"] = formatdate(localtime=False, usegmt=True)
    email["Message-ID"] = message_id(message.message_id, mail.domain)
    email["Auto-Submitted"] = "auto-generated"
    if message.unsubscribe_url:
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(message.body)
    inline = [a for a in message.attachments if a.content_id]
    files = [a for a in message.attachments if not a.content_id]
    if message.html is not None:
        email.add_alternative(message.html, subtype="html")
        html_part = email.get_payload()[-1]
        for a in inline:
            maintype, subtype = a.content_type.split("/", 1)
            html_part.add_related(a.data, maintype=maintype, subtype=subtype, cid=f"<{a.content_id}>",
                                  filename=a.filename, disposition="inline")
    else:
        files = inline + files
    for a in files:
        maintype, subtype = a.content_type.split("/", 1)
        email.add_attachment(a.data, maintype=maintype, subtype=subtype, filename=a.filename)
    return email


def _permanent(code: int) -> bool:
    return 500 <= code < 600


class SmtpSender:
    channel = "email"

    def __init__(self, mail: Mail) -> None:
        self.mail = mail
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        smtp = smtplib.SMTP(self.mail.smtp_host, self.mail.smtp_port, timeout=self.mail.smtp_timeout)
        try:
            smtp.ehlo()
            if self.mail.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if self.mail.smtp_user is not None and self.mail.smtp_password is not None:
                smtp.login(self.mail.smtp_user, self.mail.smtp_password.reveal())
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: Outgoing) -> Sent | Failed:
        try:
            email = build(message, self.mail)
        except (ValueError, TypeError) as exc:  # a header the message cannot carry (a line break in an address)
            return Failed(error=f"the message cannot be written as e-mail: {exc}"[:2000], permanent=True)
        for reused in (True, False):
            try:
                if self._smtp is None:
                    reused = False
                    self._smtp = self._connect()
            except smtplib.SMTPAuthenticationError as exc:
                return Failed(error=f"the SMTP server refused the login: {exc.smtp_code}", unreachable=True)
            except (OSError, smtplib.SMTPException) as exc:
                self._drop()
                return Failed(error=f"cannot reach the SMTP server {self.mail.smtp_host}:{self.mail.smtp_port}: "
                                    f"{exc}"[:2000], unreachable=True)
            try:
                self._smtp.send_message(email)
                return Sent(email["Message-ID"])
            except smtplib.SMTPRecipientsRefused as exc:
                code = min(c for c, _ in exc.recipients.values())
                return Failed(error=f"the SMTP server refused the recipient: {exc.recipients}"[:2000],
                              permanent=_permanent(code))
            except smtplib.SMTPSenderRefused as exc:
                # The sender address is the configuration's, not the message's: never a reason to give up on it.
                return Failed(error=f"the SMTP server refused the sender: {exc.smtp_code} {exc.smtp_error!r}"[:2000])
            except smtplib.SMTPDataError as exc:
                return Failed(error=f"the SMTP server refused the message: {exc.smtp_code} {exc.smtp_error!r}"[:2000],
                              permanent=_permanent(exc.smtp_code))
            except (OSError, smtplib.SMTPException) as exc:
                # The kept connection went away (the server restarted, an idle timeout): once more on a new one.
                self._drop()
                if not reused:
                    return Failed(error=f"the SMTP connection failed: {exc}"[:2000], unreachable=True)
        return Failed(error="the SMTP connection failed", unreachable=True)

    def _drop(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError):
                self._smtp.close()
            self._smtp = None

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
            self._drop()


def ticket_attachments(tickets: list[dict], domain: str) -> tuple[Attachment, ...]:
    return tuple(Attachment(filename=f"ticket-{t['seat_no']}.png", content_type="image/png",
                            data=qr_png(t["payload"]), content_id=ticket_cid(str(t["id"]), domain))
                 for t in tickets)
