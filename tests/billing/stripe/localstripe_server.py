"""Run localstripe (PyPI, 1.15.10) on a loopback port for the Stripe tests.

Started by the session fixture in `conftest.py` as a child process:
`python localstripe_server.py` prints `LOCALSTRIPE_PORT=<port>` once it listens on
127.0.0.1 (port chosen by the kernel), then serves until it is terminated.

localstripe is a stateful fake of Stripe's API. It lacks a few parts of today's invoice
API that the gateway uses, so this launcher adds them, each written after Stripe's own
documented behaviour (https://docs.stripe.com/api/invoices):

- no state on disk: localstripe pickles its store to the fixed path /tmp/localstripe.pickle
  after every write, which two test runs on one machine would share;
- `Idempotency-Key`: Stripe replays the first response for a key (header
  `Idempotent-Replayed: true`) and refuses the same key with other parameters (400,
  `idempotency_error`); localstripe ignores the header;
- invoices: `collection_method`, `days_until_due`, `due_date`, `auto_advance` on create;
  `POST /v1/invoices/{id}/finalize`, `/send`, `/mark_uncollectible`, `/pay` with
  `paid_out_of_band`; `hosted_invoice_url` once finalized; the `invoice.finalized`,
  `invoice.paid`, `invoice.voided` and `invoice.marked_uncollectible` events; voiding an
  invoice that has no payment intent (localstripe answers 404 there);
- a record of every request (`GET /_test/requests`, `DELETE /_test/requests`) so tests
  can assert which calls carried which idempotency key.
"""

from __future__ import annotations

import hashlib
import socket
import time
from typing import Any

from aiohttp import web
from localstripe import resources, server
from localstripe.errors import UserError
from localstripe.resources import Event, Invoice, PaymentIntent, schedule_webhook

# --- no state on disk -------------------------------------------------------------------
resources.Store.dump_to_disk = lambda self: None  # type: ignore[method-assign]
resources.Store.try_load_from_disk = lambda self: None  # type: ignore[method-assign]

HOSTED_BASE = "http://127.0.0.1:{port}/hosted/invoices/"
_port = 0

# --- invoices ---------------------------------------------------------------------------
_original_init = Invoice.__init__
_original_item_init = resources.InvoiceItem.__init__


def _invoice_init(
    self: Any,
    *args: Any,
    collection_method: str = "charge_automatically",
    days_until_due: Any = None,
    due_date: Any = None,
    auto_advance: Any = None,
    currency: Any = None,
    pending_invoice_items_behavior: Any = None,
    **kwargs: Any,
) -> None:
    if collection_method not in ("charge_automatically", "send_invoice"):
        raise UserError(400, "Invalid collection_method")
    if collection_method == "send_invoice" and days_until_due is None and due_date is None:
        raise UserError(400, "Missing days_until_due or due_date for send_invoice")
    if pending_invoice_items_behavior not in (None, "include", "exclude"):
        raise UserError(400, "Invalid pending_invoice_items_behavior")
    self._uncollectible = False
    self._paid_out_of_band = False
    _original_init(self, *args, **kwargs)
    if pending_invoice_items_behavior == "exclude":
        # Stripe leaves the customer's pending items alone; localstripe always takes them.
        for line in self.lines._list:
            resources.InvoiceItem._api_retrieve(line.invoice_item).invoice = None
        self.lines._list = []
    if currency is not None:
        self.currency = str(currency).lower()
    self.collection_method = collection_method
    self.days_until_due = resources.try_convert_to_int(days_until_due)
    self.due_date = resources.try_convert_to_int(due_date)
    self.auto_advance = resources.try_convert_to_bool(auto_advance) if auto_advance is not None else True
    self.status_transitions["marked_uncollectible_at"] = None


@classmethod  # type: ignore[misc]
def _invoice_create(cls: Any, **data: Any) -> Any:
    # localstripe's create passes only a few parameters on and refuses an invoice without
    # pending items; Stripe takes these and creates an empty draft with "exclude".
    if data.get("pending_invoice_items_behavior") != "exclude":
        customer = data.get("customer")
        pending = (
            [
                item
                for item in resources.InvoiceItem._api_list_all(None, customer=customer, limit=99)._list
                if item.invoice is None
            ]
            if isinstance(customer, str) and customer.startswith("cus_")
            else []
        )
        if not pending:
            raise UserError(400, "Nothing to invoice for customer")
    return cls(**data)


def _invoice_item_init(self: Any, *args: Any, **kwargs: Any) -> None:
    invoice_id = kwargs.get("invoice")
    if invoice_id is not None:
        invoice = Invoice._api_retrieve(invoice_id)
        if invoice.status != "draft":
            raise UserError(400, "Invoice items can only be added to a draft invoice")
    _original_item_init(self, *args, **kwargs)
    if invoice_id is not None:
        # Stripe adds an item created with `invoice=` to that draft's lines.
        invoice.lines._list.append(resources.InvoiceLineItem(self))
        if len(invoice.lines._list) == 1:
            invoice.currency = self.currency


resources.InvoiceItem.__init__ = _invoice_item_init  # type: ignore[method-assign]


def _status(self: Any) -> str:
    if self._draft:
        return "draft"
    if self._voided:
        return "void"
    if self._paid_out_of_band:
        return "paid"
    if self._uncollectible:
        return "uncollectible"
    if self.total <= 0:
        return "paid"
    if self.payment_intent:
        intent = PaymentIntent._api_retrieve(self.payment_intent)
        if intent.status == "succeeded":
            return "paid"
        if intent.status == "canceled":
            return "void"
    return "open"


def _hosted_invoice_url(self: Any) -> str | None:
    if self._draft or self.id is None:
        return None
    return HOSTED_BASE.format(port=_port) + self.id


def _amount_remaining(self: Any) -> int:
    return 0 if self.status in ("paid", "void") else self.amount_due


def _paid(self: Any) -> bool:
    return self.status == "paid"


Invoice.__init__ = _invoice_init  # type: ignore[method-assign]
Invoice._api_create = _invoice_create  # type: ignore[method-assign]
Invoice.status = property(_status)  # type: ignore[assignment,method-assign]
Invoice.hosted_invoice_url = property(_hosted_invoice_url)  # type: ignore[attr-defined]
Invoice.amount_remaining = property(_amount_remaining)  # type: ignore[attr-defined]
Invoice.paid = property(_paid)  # type: ignore[attr-defined]

_original_payment_success = Invoice._on_payment_success


def _on_payment_success(self: Any) -> None:
    _original_payment_success(self)
    schedule_webhook(Event("invoice.paid", self))


Invoice._on_payment_success = _on_payment_success  # type: ignore[method-assign]


def finalize_invoice(id: str, auto_advance: Any = None, **kwargs: Any) -> Any:
    if kwargs:
        raise UserError(400, "Unexpected " + ", ".join(kwargs))
    invoice = Invoice._api_retrieve(id)
    if invoice.status != "draft":
        raise UserError(400, "This invoice is already finalized", {"code": "invoice_not_editable"})
    if auto_advance is not None:
        invoice.auto_advance = resources.try_convert_to_bool(auto_advance)
    invoice._finalize()
    schedule_webhook(Event("invoice.finalized", invoice))
    return invoice


def send_invoice(id: str, **kwargs: Any) -> Any:
    invoice = Invoice._api_retrieve(id)
    if invoice.status != "open" or invoice.collection_method != "send_invoice":
        raise UserError(400, "Only open send_invoice invoices can be sent")
    schedule_webhook(Event("invoice.sent", invoice))
    return invoice


def mark_uncollectible(id: str, **kwargs: Any) -> Any:
    invoice = Invoice._api_retrieve(id)
    if invoice.status != "open":
        raise UserError(400, "Only open invoices can be marked uncollectible")
    invoice._uncollectible = True
    invoice.status_transitions["marked_uncollectible_at"] = int(time.time())
    schedule_webhook(Event("invoice.marked_uncollectible", invoice))
    return invoice


def pay_invoice(id: str, paid_out_of_band: Any = None, **kwargs: Any) -> Any:
    invoice = Invoice._api_retrieve(id)
    if resources.try_convert_to_bool(paid_out_of_band) is True:
        if invoice.status not in ("open", "uncollectible"):
            raise UserError(400, "Only open invoices can be paid out of band")
        invoice._paid_out_of_band = True
        invoice._on_payment_success()
        return invoice
    if invoice.status == "uncollectible":
        invoice._uncollectible = False
    return Invoice._api_pay_invoice(id)


def void_invoice(id: str, **kwargs: Any) -> Any:
    invoice = Invoice._api_retrieve(id)
    if invoice.status not in ("open", "uncollectible"):
        raise UserError(400, "Only open or uncollectible invoices can be voided")
    if invoice.payment_intent:
        PaymentIntent._api_cancel(invoice.payment_intent)
    invoice._voided = True
    invoice.status_transitions["voided_at"] = int(time.time())
    schedule_webhook(Event("invoice.voided", invoice))
    return invoice


async def hosted_page(request: web.Request) -> web.Response:
    invoice = Invoice._api_retrieve(request.match_info["id"])
    return web.Response(text=f"Invoice {invoice.id}: {invoice.status}", content_type="text/plain")


# --- request log and idempotency --------------------------------------------------------
_requests: list[dict[str, Any]] = []
_idempotent: dict[str, tuple[str, int, bytes]] = {}


@web.middleware
async def record_and_replay(request: web.Request, handler: Any) -> web.StreamResponse:
    if request.path.startswith("/_test/"):
        return await handler(request)
    body = await request.read()
    key = request.headers.get("Idempotency-Key")
    _requests.append(
        {
            "method": request.method,
            "path": request.path,
            "idempotency_key": key,
            "body": body.decode("utf-8", "replace"),
        }
    )
    if request.method != "POST" or not key:
        return await handler(request)
    fingerprint = hashlib.sha256(request.method.encode() + request.path.encode() + body).hexdigest()
    if key in _idempotent:
        stored_fingerprint, status, payload = _idempotent[key]
        if stored_fingerprint != fingerprint:
            return web.json_response(
                {
                    "error": {
                        "type": "idempotency_error",
                        "message": "Keys for idempotent requests can only be used with the same parameters they were first used with.",
                    }
                },
                status=400,
            )
        return web.Response(
            body=payload,
            status=status,
            content_type="application/json",
            headers={"Idempotent-Replayed": "true"},
        )
    response = await handler(request)
    if isinstance(response, web.Response) and response.body is not None and response.status < 500:
        payload = response.body if isinstance(response.body, bytes) else bytes(response.body)  # type: ignore[arg-type]
        _idempotent[key] = (fingerprint, response.status, payload)
    return response


async def list_requests(request: web.Request) -> web.Response:
    return web.json_response(_requests)


async def clear_requests(request: web.Request) -> web.Response:
    _requests.clear()
    return web.json_response({"cleared": True})


@web.middleware
async def authenticate(request: web.Request, handler: Any) -> web.StreamResponse:
    # The test endpoints and the hosted invoice page (a customer's browser) need no key.
    if request.path.startswith(("/_test/", "/hosted/")):
        return await handler(request)
    return await server.auth_middleware(request, handler)


def build_app() -> web.Application:
    # The module-level app has routes registered in order; ours must come before
    # localstripe's generic `/v1/invoices/{id}` routes, so a new app is assembled.
    app = web.Application(middlewares=[record_and_replay, server.error_middleware, authenticate])
    app.on_response_prepare.append(server.add_cors_headers)
    app.router.add_get("/_test/requests", list_requests)
    app.router.add_delete("/_test/requests", clear_requests)
    app.router.add_get("/hosted/invoices/{id}", hosted_page)
    for path, func in (
        ("/v1/invoices/{id}/finalize", finalize_invoice),
        ("/v1/invoices/{id}/send", send_invoice),
        ("/v1/invoices/{id}/mark_uncollectible", mark_uncollectible),
        ("/v1/invoices/{id}/pay", pay_invoice),
        ("/v1/invoices/{id}/void", void_invoice),
    ):
        app.router.add_route("POST", path, server.api_extra(func, path))
    for resource in server.app.router.resources():
        for route in resource:
            info = resource.get_info()
            path = info.get("path") or info.get("formatter")
            if path in {
                "/v1/invoices/{id}/pay",
                "/v1/invoices/{id}/void",
            }:
                continue
            app.router.add_route(route.method, path, route.handler)
    return app


def main() -> None:
    global _port
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    _port = sock.getsockname()[1]
    print(f"LOCALSTRIPE_PORT={_port}", flush=True)
    web.run_app(build_app(), sock=sock, print=None, access_log=None, handle_signals=True)


if __name__ == "__main__":
    main()
