"""A small local stand-in for the Stripe API: records what it receives, answers like Stripe.

The real Stripe SDK talks to it over HTTP (`STRIPE_API_BASE`), so tests see the exact
form parameters the SDK sent. Only the endpoints the site uses exist.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Call:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]


@dataclass
class FakeStripe:
    calls: list[Call] = field(default_factory=list)
    products: dict[str, dict] = field(default_factory=dict)
    prices: dict[str, dict] = field(default_factory=dict)
    subscriptions: dict[str, dict] = field(default_factory=dict)
    # invoice id -> PaymentIntent id, as /v1/invoice_payments reports them.
    invoice_intents: dict[str, str] = field(default_factory=dict)
    # HTTP status to answer the next call with (once), to simulate an outage or refusal.
    fail_next: int | None = None
    url: str = ""
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def calls_to(self, method: str, path: str) -> list[Call]:
        return [call for call in self.calls if call.method == method and call.path == path]

    def next_id(self, prefix: str) -> str:
        return f"{prefix}_test_{next(self.counter)}"

    def missing_product(self, params: dict[str, str]) -> str | None:
        """The parameter naming a product that does not exist, as Stripe refuses it."""
        for key, value in params.items():
            if key.endswith("[price_data][product]") and value not in self.products:
                return key
        return None

    def answer(self, method: str, path: str, params: dict[str, str]) -> tuple[int, dict]:
        if self.fail_next:
            status, self.fail_next = self.fail_next, None
            return status, error("api_error", "simulated failure")
        if method == "POST" and path == "/v1/checkout/sessions":
            missing = self.missing_product(params)
            if missing:
                return 400, error(
                    "invalid_request_error",
                    f"No such product: '{params[missing]}'",
                    code="resource_missing",
                    param=missing,
                )
            session_id = self.next_id("cs")
            return 200, {
                "id": session_id,
                "object": "checkout.session",
                "mode": params.get("mode"),
                "client_reference_id": params.get("client_reference_id"),
                "url": f"https://checkout.stripe.com/c/pay/{session_id}",
                "status": "open",
                "payment_status": "unpaid",
            }
        if method == "POST" and path == "/v1/refunds":
            return 200, {
                "id": self.next_id("re"),
                "object": "refund",
                "amount": int(params["amount"]),
                "payment_intent": params.get("payment_intent"),
                "status": "succeeded",
                "currency": "cny",
            }
        if method == "POST" and path == "/v1/billing_portal/sessions":
            return 200, {
                "id": self.next_id("bps"),
                "object": "billing_portal.session",
                "customer": params["customer"],
                "return_url": params.get("return_url"),
                "url": "https://billing.stripe.com/p/session/test_portal",
            }
        if method == "GET" and path == "/v1/invoice_payments":
            data = [
                {
                    "id": f"inpay_{invoice}",
                    "object": "invoice_payment",
                    "invoice": invoice,
                    "status": "paid",
                    "payment": {"type": "payment_intent", "payment_intent": intent},
                }
                for invoice, intent in self.invoice_intents.items()
                if params.get("invoice") in (None, invoice)
                and params.get("payment[payment_intent]") in (None, intent)
            ]
            return 200, {"object": "list", "data": data, "has_more": False, "url": path}
        if method == "GET" and path == "/v1/prices":
            keys = {value for key, value in params.items() if key.startswith("lookup_keys")}
            data = [
                price
                for price in self.prices.values()
                if price["lookup_key"] in keys and price["active"]
            ]
            return 200, {"object": "list", "data": data, "has_more": False, "url": path}
        if method == "POST" and path == "/v1/prices":
            if params.get("transfer_lookup_key") == "true":
                for price in self.prices.values():
                    if price["lookup_key"] == params["lookup_key"]:
                        price["lookup_key"] = None
            price = {
                "id": self.next_id("price"),
                "object": "price",
                "product": params["product"],
                "currency": params["currency"],
                "unit_amount": int(params["unit_amount"]),
                "recurring": {"interval": params.get("recurring[interval]")},
                "lookup_key": params.get("lookup_key"),
                "active": True,
            }
            self.prices[price["id"]] = price
            return 200, price
        match = re.fullmatch(r"/v1/prices/([\w-]+)", path)
        if method == "POST" and match and match.group(1) in self.prices:
            price = self.prices[match.group(1)]
            price["active"] = params.get("active", "true") == "true"
            return 200, price
        match = re.fullmatch(r"/v1/subscriptions/([\w-]+)", path)
        if match:
            subscription = self.subscriptions.setdefault(
                match.group(1),
                {
                    "id": match.group(1),
                    "object": "subscription",
                    "status": "active",
                    "items": {
                        "object": "list",
                        "data": [{"id": f"si_{match.group(1)}", "object": "subscription_item"}],
                    },
                },
            )
            return 200, subscription
        match = re.fullmatch(r"/v1/products(?:/([\w-]+))?", path)
        if match:
            product_id = match.group(1) or params.get("id")
            if method == "GET" and product_id not in self.products:
                return 404, error("invalid_request_error", f"No such product: '{product_id}'")
            if method == "POST":
                product = self.products.setdefault(
                    product_id, {"id": product_id, "object": "product"}
                )
                product.update({k: v for k, v in params.items() if k in ("name", "description")})
            return 200, self.products[product_id]
        return 404, error("invalid_request_error", f"Unrecognized request URL ({method}: {path})")


def error(kind: str, message: str, **details: str) -> dict:
    return {"error": {"type": kind, "message": message, **details}}


def handler_for(fake: FakeStripe):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.respond("GET")

        def do_POST(self):
            self.respond("POST")

        def respond(self, method: str):
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else parts.query
            params = dict(parse_qsl(body, keep_blank_values=True))
            fake.calls.append(Call(method, parts.path, params, dict(self.headers)))
            status, payload = fake.answer(method, parts.path, params)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", "req_test")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args):
            pass

    return Handler


def start_fake_stripe() -> tuple[FakeStripe, ThreadingHTTPServer, threading.Thread]:
    fake = FakeStripe()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(fake))
    fake.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-stripe", daemon=True
    )
    thread.start()
    return fake, server, thread
