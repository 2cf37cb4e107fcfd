"""Ticket orders and their dated lifecycle, for the airline-ticketing contact center.

The engine calls :meth:`OrderBook.book_from_call` when a booking call ends with a sale and
:meth:`OrderBook.offline_orders_for_day` once per simulated local day for the orders that
arrive without a call (own website/app and distributors). Each call returns the new
:class:`~acd.records.Order` records together with *every* dated step of their lives, as
``(time_s, record)`` pairs sorted by time; the engine emits each one when simulated time
reaches it (steps after the end of the simulation are simply never emitted).

Pure logic: no I/O, no clock, and every random draw comes from the ``random.Random`` the
engine passes in, so the same seed and the same sequence of calls give identical output.

Lifecycle (what finance reconciles later)
----------------------------------------
Every order starts with ``booked`` at its creation instant (reference: the PNR record
locator). Then, by payment method:

* ``card`` / ``alipay`` / ``wechat``: ``paid`` within minutes of booking, then
  ``ticketed`` minutes to hours later.
* ``bank_transfer``: ``paid`` during banking hours one or two local days after booking,
  then ``ticketed``. Only offered for flights at least 3 days out.
* ``cash_on_delivery``: ``ticketed``, then the courier brings the itinerary receipt one
  to three days later: ``delivered`` (reference: waybill) and ``paid`` at the same instant
  (cash collected by the courier, reference: the waybill), or the delivery fails and the
  order is ``cancelled`` (reason ``delivery_failed``), unpaid. Only offered for flights at
  least 5 days out, so delivery always happens before departure.
* ``credit`` (distributor orders only): ``ticketed`` at once, ``paid`` by the distributor
  on its settlement due date (ticketing date + ``payment_terms_days``, up to two days
  early); a share ``p_late_payment`` pays late, and a share ``p_never_paid`` of those never
  pays at all (an open receivable).

Before ticketing an order can be ``cancelled`` by the customer
(``p_cancel_before_ticketing``), or ticketing can fail (``1 - p_ticketed`` of the orders not
cancelled). Whatever was received by then is returned in full with a ``refunded`` event.
After ticketing, a share ``p_refund_after_ticketing`` of the paid orders is refunded:
``refunded`` amount = paid amount x (1 - ``refund_fee_rate``), rounded to the fen; the
customer asks before departure, or (``p_refund_after_departure``) after it, for a no-show
refund. Money is only returned after it was received, so a credit order whose distributor
never pays is never refunded.

A share ``p_amount_mismatch`` of all payments receives an amount different from the order
total (short or over payment, or for distributors, commission deducted from the
remittance). Nothing in the records flags them: reconciliation must compare amounts.

Event kinds and ``amount`` (always >= 0, in the order's currency):

========== ================================================ ================================
event      amount                                           reference
========== ================================================ ================================
booked     0                                                PNR record locator (6 chars)
paid       money received (= fare + taxes unless mismatch)  payment / courier / settlement ref
ticketed   0                                                e-ticket numbers, ``;``-separated
delivered  0                                                courier waybill
refunded   money returned to the payer (> 0)                ``RF`` + order id digits
cancelled  0                                                reason (see ``CANCEL_REASONS``)
========== ================================================ ================================

Order ids are ``ORD`` + local booking date (``YYYYMMDD``) + a 6-digit running number per
local date, counted per :class:`OrderBook` in the order the engine asks for orders (within
one ``offline_orders_for_day`` batch, in creation order).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from acd.errors import ScenarioError
from acd.records import Order, OrderEvent

# --- vocabulary ------------------------------------------------------------------------

PAYMENT_METHODS = ("card", "alipay", "wechat", "bank_transfer", "cash_on_delivery", "credit")
INSTANT_METHODS = frozenset({"card", "alipay", "wechat"})
"""Paid online within minutes of booking, before ticketing."""
CHANNELS = ("call_center", "web", "distributor")
EVENT_KINDS = ("booked", "paid", "ticketed", "delivered", "refunded", "cancelled")
CANCEL_REASONS = ("unpaid", "customer_request", "ticketing_failed", "delivery_failed")
"""``unpaid``: cancelled before the payment expected before ticketing arrived;
``customer_request``: cancelled by the customer before ticketing, anything paid refunded;
``ticketing_failed``: seat or fare no longer available, anything paid refunded;
``delivery_failed``: cash-on-delivery itinerary could not be delivered, nothing paid."""

# --- fixed timing rules (seconds unless noted) -------------------------------------------

PAY_LAG_MEAN_S = 240.0  # online payment after booking: exponential, clipped to range
PAY_LAG_RANGE_S = (30.0, 1800.0)
TICKET_LAG_MEDIAN_S = 1500.0  # ticketing after payment (or booking): lognormal, clipped
TICKET_LAG_SIGMA = 1.0
TICKET_LAG_RANGE_S = (120.0, 6 * 3600.0)
BANK_TRANSFER_DAYS = (1, 2)  # local days after booking the transfer is credited
BANK_HOURS = (9, 17)  # local hours when bank credits and distributor remittances post
DELIVERY_DAYS = (1, 3)  # local days after ticketing the courier comes
COURIER_HOURS = (9, 20)
DEPARTURE_HOURS = (7, 22)  # local departure times of the flights sold
MIN_HORIZON_DAYS = {"bank_transfer": 3, "cash_on_delivery": 5}  # others: 1
MAX_HORIZON_DAYS = 365  # airline schedules open about a year ahead
REFUND_LAG_MEAN_S = 86400.0  # refund request (or cancellation) -> money returned
REFUND_LAG_RANGE_S = (600.0, 14 * 86400.0)
NO_SHOW_REQUEST_MEAN_S = 5 * 86400.0  # after departure, for refunds asked after the flight
NO_SHOW_REQUEST_MAX_S = 60 * 86400.0
MAX_LATE_DAYS = 365
MAX_PASSENGERS = 9  # passengers per PNR
FARE_ROUNDING = 10.0  # published CNY fares are whole tens
PNR_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


# --- spec ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """A one-way route sold; ``base_fare`` is the typical fare per passenger (CNY)."""

    origin: str  # IATA airport codes
    destination: str
    weight: float
    base_fare: float


@dataclass(frozen=True)
class Distributor:
    """An online travel agency or ticket agency selling on credit.

    ``commission_rate`` is a share of the fare, settled outside the order's events (the
    distributor owes fare + taxes; see ``p_amount_mismatch`` for remittances that net it).
    """

    code: str
    name: str
    commission_rate: float
    payment_terms_days: int
    weight: float


DEFAULT_ROUTES: tuple[Route, ...] = (
    Route("PEK", "SHA", 10.0, 1150.0),
    Route("SHA", "PEK", 9.0, 1150.0),
    Route("PEK", "CAN", 7.0, 1450.0),
    Route("PEK", "SZX", 7.0, 1500.0),
    Route("PVG", "CAN", 5.0, 1050.0),
    Route("SHA", "SZX", 5.0, 1100.0),
    Route("PEK", "CTU", 6.0, 1300.0),
    Route("CAN", "CTU", 4.0, 900.0),
    Route("SZX", "CTU", 4.0, 950.0),
    Route("PEK", "KMG", 3.0, 1600.0),
    Route("PVG", "KMG", 3.0, 1400.0),
    Route("PEK", "XIY", 3.0, 850.0),
    Route("HGH", "CAN", 3.0, 900.0),
    Route("PEK", "CKG", 3.0, 1250.0),
    Route("CTU", "KMG", 2.0, 650.0),
    Route("PVG", "URC", 1.0, 2300.0),
)

DEFAULT_DISTRIBUTORS: tuple[Distributor, ...] = (
    Distributor("CTRIP", "Ctrip (Trip.com Group)", 0.015, 7, 0.35),
    Distributor("QUNAR", "Qunar", 0.015, 7, 0.20),
    Distributor("FLIGGY", "Fliggy (Alibaba)", 0.012, 15, 0.15),
    Distributor("LY", "Tongcheng Travel", 0.020, 7, 0.15),
    Distributor("BJHY", "Beijing Huayu Air Ticket Agency", 0.030, 30, 0.10),
    Distributor("GZNF", "Guangzhou Nanfang Ticketing Service", 0.025, 30, 0.05),
)

DEFAULT_PAYMENT_MIX_CALL: dict[str, float] = {
    "card": 0.25,
    "alipay": 0.30,
    "wechat": 0.25,
    "bank_transfer": 0.08,
    "cash_on_delivery": 0.12,
}
DEFAULT_PAYMENT_MIX_WEB: dict[str, float] = {
    "card": 0.17,
    "alipay": 0.45,
    "wechat": 0.35,
    "bank_transfer": 0.03,
}
DEFAULT_AIRLINE_MIX: dict[str, float] = {
    "999": 0.28,  # Air China
    "781": 0.27,  # China Eastern
    "784": 0.30,  # China Southern
    "479": 0.05,  # Shenzhen Airlines
    "876": 0.05,  # Sichuan Airlines
    "880": 0.05,  # Hainan Airlines
}
# Relative order intensity per local hour 00..23 (web peaks late morning and evening;
# distributor traffic, much of it from agencies' own desks, is flatter in the evening).
# fmt: off
DEFAULT_WEB_HOURLY_SHAPE: tuple[float, ...] = (
    0.6, 0.3, 0.2, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 4.0, 5.0, 5.0,
    4.2, 4.0, 4.5, 4.6, 4.4, 4.0, 3.6, 4.2, 5.0, 5.2, 4.2, 2.0,
)
DEFAULT_DISTRIBUTOR_HOURLY_SHAPE: tuple[float, ...] = (
    0.8, 0.4, 0.3, 0.2, 0.2, 0.3, 0.8, 1.8, 3.5, 4.8, 5.2, 5.0,
    4.2, 4.4, 4.8, 4.8, 4.6, 4.2, 3.4, 3.4, 3.8, 3.8, 3.0, 1.8,
)
# fmt: on


@dataclass(frozen=True)
class OrderSpec:
    """Everything that drives order generation; ``OrderSpec()`` is the default spec."""

    routes: tuple[Route, ...] = DEFAULT_ROUTES
    distributors: tuple[Distributor, ...] = DEFAULT_DISTRIBUTORS
    # payment_method -> share; each mix sums to 1; ``credit`` is for distributors only
    payment_mix_call: dict[str, float] = field(
        default_factory=lambda: dict(DEFAULT_PAYMENT_MIX_CALL)
    )
    payment_mix_web: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_PAYMENT_MIX_WEB))
    web_orders_per_day: float = 320.0  # Poisson mean per local day
    distributor_orders_per_day: float = 220.0
    passengers_mean: float = 1.35  # 1 + Poisson(mean - 1), at most MAX_PASSENGERS
    tax_per_passenger: float = 90.0  # civil aviation development fund 50 + fuel surcharge 40
    fare_noise_cv: float = 0.25  # lognormal noise on the route's base fare
    booking_horizon_days_mean: float = 12.0  # lognormal, whole days, at least 1
    booking_horizon_sigma: float = 0.9  # log-scale spread of the horizon
    p_ticketed: float = 0.98  # ticketing succeeds (orders not cancelled by the customer)
    p_cancel_before_ticketing: float = 0.05
    p_refund_after_ticketing: float = 0.07  # share of paid, ticketed orders refunded
    p_refund_after_departure: float = 0.25  # share of those refunds asked after departure
    refund_fee_rate: float = 0.10  # refund = paid x (1 - rate)
    p_delivery_cod: float = 0.92  # cash-on-delivery orders delivered (others cancelled)
    p_late_payment: float = 0.08  # credit orders paid after the due date (or never)
    p_never_paid: float = 0.20  # share of the late credit orders that never pay
    late_payment_days_mean: float = 20.0  # days past due, exponential
    p_amount_mismatch: float = 0.01  # payments whose amount differs from the order total
    airline_mix: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_AIRLINE_MIX))
    web_hourly_shape: tuple[float, ...] = DEFAULT_WEB_HOURLY_SHAPE
    distributor_hourly_shape: tuple[float, ...] = DEFAULT_DISTRIBUTOR_HOURLY_SHAPE
    currency: str = "CNY"


def default_order_spec() -> OrderSpec:
    """A realistic spec for a Chinese airline ticketing center (see the module constants)."""
    return OrderSpec()


# --- validation and parsing --------------------------------------------------------------

_ROUTE_KEYS = ("origin", "destination", "weight", "base_fare")
_ROUTE_DEFAULTS = {"weight": 1.0}
_DISTRIBUTOR_KEYS = ("code", "name", "commission_rate", "payment_terms_days", "weight")
_DISTRIBUTOR_DEFAULTS = {"weight": 1.0, "name": None}  # name: the code


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _positive(value: object, path: str) -> None:
    if not _is_number(value) or value <= 0:
        raise ScenarioError(f"{path}: expected a positive number, got {value!r}")


def _non_negative(value: object, path: str) -> None:
    if not _is_number(value) or value < 0:
        raise ScenarioError(f"{path}: expected a number >= 0, got {value!r}")


def _share(value: object, path: str) -> None:
    if not _is_number(value) or not 0 <= value <= 1:
        raise ScenarioError(f"{path}: expected a share in [0, 1], got {value!r}")


def _upper3(value: object) -> bool:
    return isinstance(value, str) and len(value) == 3 and value.isascii() and value.isalpha()


def _iata(value: object, path: str) -> None:
    if not (_upper3(value) and value.isupper()):
        raise ScenarioError(f"{path}: expected a 3-letter IATA airport code, got {value!r}")


def _mix(value: object, path: str, allowed: Sequence[str], what: str) -> None:
    if not isinstance(value, Mapping) or not value:
        raise ScenarioError(f"{path}: expected a table of {what} -> share")
    for key, share in value.items():
        if key not in allowed:
            raise ScenarioError(
                f"{path}.{key}: unknown {what} (expected one of {', '.join(allowed)})"
            )
        _share(share, f"{path}.{key}")
    total = math.fsum(value.values())
    if abs(total - 1.0) > 1e-6:
        raise ScenarioError(f"{path}: shares must sum to 1, got {total:.6g}")


def _shape(value: object, path: str) -> None:
    if not isinstance(value, tuple | list) or len(value) != 24:
        raise ScenarioError(f"{path}: expected 24 numbers (local hours 0..23)")
    for hour, weight in enumerate(value):
        _non_negative(weight, f"{path}[{hour}]")
    if math.fsum(value) <= 0:
        raise ScenarioError(f"{path}: at least one hour needs a positive weight")


def validate_order_spec(spec: OrderSpec, where: str = "orders") -> None:
    """Raise :class:`ScenarioError` naming the first field of ``spec`` that cannot be used."""
    if not isinstance(spec.routes, tuple | list) or not spec.routes:
        raise ScenarioError(f"{where}.routes: expected at least one route")
    seen_routes: set[tuple[str, str]] = set()
    for i, route in enumerate(spec.routes):
        path = f"{where}.routes[{i}]"
        if not isinstance(route, Route):
            raise ScenarioError(f"{path}: expected a route table")
        _iata(route.origin, f"{path}.origin")
        _iata(route.destination, f"{path}.destination")
        if route.origin == route.destination:
            raise ScenarioError(f"{path}.destination: same airport as origin ({route.origin})")
        if (route.origin, route.destination) in seen_routes:
            raise ScenarioError(f"{path}: duplicate route {route.origin}-{route.destination}")
        seen_routes.add((route.origin, route.destination))
        _positive(route.weight, f"{path}.weight")
        _positive(route.base_fare, f"{path}.base_fare")

    if not isinstance(spec.distributors, tuple | list):
        raise ScenarioError(f"{where}.distributors: expected a list of distributor tables")
    seen_codes: set[str] = set()
    for i, dist in enumerate(spec.distributors):
        path = f"{where}.distributors[{i}]"
        if not isinstance(dist, Distributor):
            raise ScenarioError(f"{path}: expected a distributor table")
        if not isinstance(dist.code, str) or not dist.code.strip():
            raise ScenarioError(f"{path}.code: expected a non-empty string, got {dist.code!r}")
        if dist.code in seen_codes:
            raise ScenarioError(f"{path}.code: duplicate distributor code {dist.code!r}")
        seen_codes.add(dist.code)
        if not isinstance(dist.name, str):
            raise ScenarioError(f"{path}.name: expected a string, got {dist.name!r}")
        if not _is_number(dist.commission_rate) or not 0 <= dist.commission_rate < 1:
            raise ScenarioError(
                f"{path}.commission_rate: expected a share in [0, 1), got {dist.commission_rate!r}"
            )
        terms = dist.payment_terms_days
        if not isinstance(terms, int) or isinstance(terms, bool) or not 0 <= terms <= 365:
            raise ScenarioError(
                f"{path}.payment_terms_days: expected a whole number of days in [0, 365], "
                f"got {terms!r}"
            )
        _positive(dist.weight, f"{path}.weight")

    own_methods = tuple(m for m in PAYMENT_METHODS if m != "credit")
    _mix(spec.payment_mix_call, f"{where}.payment_mix_call", own_methods, "payment method")
    _mix(spec.payment_mix_web, f"{where}.payment_mix_web", own_methods, "payment method")

    _non_negative(spec.web_orders_per_day, f"{where}.web_orders_per_day")
    _non_negative(spec.distributor_orders_per_day, f"{where}.distributor_orders_per_day")
    if spec.distributor_orders_per_day > 0 and not spec.distributors:
        raise ScenarioError(
            f"{where}.distributor_orders_per_day: distributor orders need at least one "
            f"entry in {where}.distributors"
        )
    pm = spec.passengers_mean
    if not _is_number(pm) or not 1 <= pm <= MAX_PASSENGERS:
        raise ScenarioError(
            f"{where}.passengers_mean: expected a number in [1, {MAX_PASSENGERS}], got {pm!r}"
        )
    _non_negative(spec.tax_per_passenger, f"{where}.tax_per_passenger")
    cv = spec.fare_noise_cv
    if not _is_number(cv) or not 0 <= cv <= 2:
        raise ScenarioError(f"{where}.fare_noise_cv: expected a number in [0, 2], got {cv!r}")
    hm = spec.booking_horizon_days_mean
    if not _is_number(hm) or not 1 <= hm <= MAX_HORIZON_DAYS:
        raise ScenarioError(
            f"{where}.booking_horizon_days_mean: expected a number of days in "
            f"[1, {MAX_HORIZON_DAYS}], got {hm!r}"
        )
    hs = spec.booking_horizon_sigma
    if not _is_number(hs) or not 0 <= hs <= 3:
        raise ScenarioError(
            f"{where}.booking_horizon_sigma: expected a number in [0, 3], got {hs!r}"
        )
    for name in (
        "p_ticketed",
        "p_cancel_before_ticketing",
        "p_refund_after_ticketing",
        "p_refund_after_departure",
        "refund_fee_rate",
        "p_delivery_cod",
        "p_late_payment",
        "p_never_paid",
        "p_amount_mismatch",
    ):
        _share(getattr(spec, name), f"{where}.{name}")
    _positive(spec.late_payment_days_mean, f"{where}.late_payment_days_mean")

    if not isinstance(spec.airline_mix, Mapping) or not spec.airline_mix:
        raise ScenarioError(f"{where}.airline_mix: expected a table of airline code -> share")
    for code in spec.airline_mix:
        if not (isinstance(code, str) and len(code) == 3 and code.isascii() and code.isdigit()):
            raise ScenarioError(
                f"{where}.airline_mix.{code}: expected a 3-digit airline ticketing code"
            )
    _mix(spec.airline_mix, f"{where}.airline_mix", tuple(spec.airline_mix), "airline code")
    _shape(spec.web_hourly_shape, f"{where}.web_hourly_shape")
    _shape(spec.distributor_hourly_shape, f"{where}.distributor_hourly_shape")
    cur = spec.currency
    if not (_upper3(cur) and cur.isupper()):
        raise ScenarioError(f"{where}.currency: expected an ISO 4217 code, got {cur!r}")


def _table_list(
    value: object,
    path: str,
    keys: Sequence[str],
    defaults: Mapping[str, object],
    what: str,
) -> list[dict[str, object]]:
    if not isinstance(value, list | tuple):
        raise ScenarioError(f"{path}: expected a list of {what} tables")
    out = []
    for i, item in enumerate(value):
        item_path = f"{path}[{i}]"
        if not isinstance(item, Mapping):
            raise ScenarioError(f"{item_path}: expected a {what} table")
        unknown = [k for k in item if k not in keys]
        if unknown:
            raise ScenarioError(f"{item_path}.{unknown[0]}: unknown key")
        missing = [k for k in keys if k not in item and k not in defaults]
        if missing:
            raise ScenarioError(f"{item_path}.{missing[0]}: missing (required)")
        out.append({k: item.get(k, defaults.get(k)) for k in keys})
    return out


def parse_order_spec(table: Mapping[str, object], where: str = "orders") -> OrderSpec:
    """Turn a TOML table into an :class:`OrderSpec`; a missing key takes its default.

    ``routes`` and ``distributors`` are arrays of tables and replace the defaults whole
    (route ``weight`` and distributor ``weight`` default to 1, a distributor's ``name`` to
    its code). The mixes are tables of key -> share; methods left out have share 0.
    Errors name the field path, e.g. ``orders.routes[3].base_fare`` (indices from 0).
    """
    if not isinstance(table, Mapping):
        raise ScenarioError(f"{where}: expected a table")
    known = {f.name for f in fields(OrderSpec)}
    unknown = sorted(str(k) for k in table if k not in known)
    if unknown:
        paths = ", ".join(f"{where}.{k}" for k in unknown)
        raise ScenarioError(f"{paths}: unknown key{'s' if len(unknown) > 1 else ''}")

    values: dict[str, object] = {}
    for key, value in table.items():
        path = f"{where}.{key}"
        if key == "routes":
            rows = _table_list(value, path, _ROUTE_KEYS, _ROUTE_DEFAULTS, "route")
            values[key] = tuple(Route(**row) for row in rows)  # type: ignore[arg-type]
        elif key == "distributors":
            rows = _table_list(value, path, _DISTRIBUTOR_KEYS, _DISTRIBUTOR_DEFAULTS, "distributor")
            for row in rows:
                if row["name"] is None:
                    row["name"] = row["code"]
            values[key] = tuple(Distributor(**row) for row in rows)  # type: ignore[arg-type]
        elif key in ("payment_mix_call", "payment_mix_web", "airline_mix"):
            if not isinstance(value, Mapping):
                raise ScenarioError(f"{path}: expected a table of key -> share")
            values[key] = dict(value)
        elif key in ("web_hourly_shape", "distributor_hourly_shape"):
            if not isinstance(value, list | tuple):
                raise ScenarioError(f"{path}: expected 24 numbers (local hours 0..23)")
            values[key] = tuple(value)
        else:
            values[key] = value
    spec = OrderSpec(**values)  # type: ignore[arg-type]
    validate_order_spec(spec, where)
    return spec


# --- generation ----------------------------------------------------------------------------


def _poisson(rng: random.Random, lam: float) -> int:
    """Exact Poisson draw: sum of Knuth draws over chunks of mean <= 30."""
    n = 0
    while lam > 0:
        chunk = min(lam, 30.0)
        lam -= chunk
        limit = math.exp(-chunk)
        p = rng.random()
        while p > limit:
            n += 1
            p *= rng.random()
    return n


def _clip(x: float, bounds: tuple[float, float]) -> float:
    return min(max(x, bounds[0]), bounds[1])


class _Weighted:
    """Weighted choice over fixed items with precomputed cumulative weights."""

    __slots__ = ("cum", "items")

    def __init__(self, pairs: Sequence[tuple[object, float]]) -> None:
        kept = [(item, float(w)) for item, w in pairs if w > 0]
        self.items = [item for item, _ in kept]
        self.cum = list(accumulate(w for _, w in kept))

    def draw(self, rng: random.Random):
        return rng.choices(self.items, cum_weights=self.cum)[0]


class OrderBook:
    """Creates orders and their lifecycles; holds the running numbers (ids, ticket serials).

    One book per simulation run. ``spec`` is validated here too (as ``orders``), so a
    hand-built spec fails as clearly as a parsed one.
    """

    def __init__(self, spec: OrderSpec, rng: random.Random, tz: str = "Asia/Shanghai") -> None:
        validate_order_spec(spec, "orders")
        try:
            self._tz = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ScenarioError(f"tz: unknown time zone {tz!r}") from exc
        self.spec = spec
        self._rng = rng
        self._routes = _Weighted([(r, r.weight) for r in spec.routes])
        self._distributors = _Weighted([(d, d.weight) for d in spec.distributors])
        self._mix_call = _Weighted(list(spec.payment_mix_call.items()))
        self._mix_web = _Weighted(list(spec.payment_mix_web.items()))
        self._airlines = _Weighted(list(spec.airline_mix.items()))
        self._seq: dict[str, int] = {}
        self._ticket_serial: dict[str, int] = {}
        # Per local date: epoch of its midnight (``_at``) and its ``YYYYMMDD`` (order ids).
        self._midnights: dict[date, float] = {}
        self._date_keys: dict[date, str] = {}

    # -- public API --------------------------------------------------------------------

    def book_from_call(
        self, t_s: float, call_id: str, agent_id: str, customer_id: str
    ) -> list[tuple[float, Order | OrderEvent]]:
        """A sale on a booking call at ``t_s``: the order (channel ``call_center``), its
        ``booked`` event at ``t_s`` and every later event, sorted by time."""
        method = self._mix_call.draw(self._rng)
        return self._create(t_s, "call_center", customer_id, call_id, agent_id, None, method)

    def offline_orders_for_day(
        self, day_start_s: float, day_end_s: float, customer_ids: Sequence[str]
    ) -> list[tuple[float, Order | OrderEvent]]:
        """Web and distributor orders created in ``[day_start_s, day_end_s)`` (normally one
        local day; a partial window gets its share of the day's hourly shape), with all
        their events, sorted by time. Customers are drawn uniformly from ``customer_ids``."""
        spec, rng = self.spec, self._rng
        if day_end_s <= day_start_s:
            return []
        if not customer_ids:
            raise ValueError("customer_ids: no customers to draw offline orders from")
        segments = self._hour_segments(day_start_s, day_end_s)
        arrivals: list[tuple[float, str]] = []
        for channel, per_day, shape in (
            ("web", spec.web_orders_per_day, spec.web_hourly_shape),
            ("distributor", spec.distributor_orders_per_day, spec.distributor_hourly_shape),
        ):
            if per_day <= 0:
                continue
            total_shape = math.fsum(shape)
            masses = [
                per_day * shape[hour] / total_shape * (end - start) / 3600.0
                for start, end, hour in segments
            ]
            expected = math.fsum(masses)
            if expected <= 0:
                continue
            count = _poisson(rng, expected)
            cum = list(accumulate(masses))
            for _ in range(count):
                start, end, _hour = rng.choices(segments, cum_weights=cum)[0]
                arrivals.append((rng.uniform(start, end), channel))
        arrivals.sort(key=lambda a: a[0])

        out: list[tuple[float, Order | OrderEvent]] = []
        for t, channel in arrivals:
            customer = rng.choice(customer_ids)
            if channel == "web":
                method = self._mix_web.draw(rng)
                out.extend(self._create(t, "web", customer, "", "", None, method))
            else:
                dist = self._distributors.draw(rng)
                out.extend(self._create(t, "distributor", customer, "", "", dist, "credit"))
        out.sort(key=lambda pair: pair[0])  # stable: an order stays before its events
        return out

    # -- time helpers ------------------------------------------------------------------

    def _local_date(self, t_s: float) -> date:
        return datetime.fromtimestamp(t_s, self._tz).date()

    def _at(self, day: date, seconds_of_day: float) -> float:
        midnight = self._midnights.get(day)
        if midnight is None:
            midnight = datetime(day.year, day.month, day.day, tzinfo=self._tz).timestamp()
            self._midnights[day] = midnight
        return midnight + seconds_of_day

    def _during(self, day: date, hours: tuple[int, int]) -> float:
        return self._at(day, self._rng.uniform(hours[0] * 3600.0, hours[1] * 3600.0))

    def _hour_segments(self, start_s: float, end_s: float) -> list[tuple[float, float, int]]:
        """``[start_s, end_s)`` cut at local hour boundaries: (start, end, local hour)."""
        first = datetime.fromtimestamp(start_s, self._tz).replace(minute=0, second=0, microsecond=0)
        boundary = first.timestamp()
        segments = []
        while boundary < end_s:
            hour = datetime.fromtimestamp(boundary, self._tz).hour
            lo, hi = max(boundary, start_s), min(boundary + 3600.0, end_s)
            if hi > lo:
                segments.append((lo, hi, hour))
            boundary += 3600.0
        return segments

    # -- order creation ----------------------------------------------------------------

    def _next_order_id(self, booking_date: date) -> str:
        key = self._date_keys.get(booking_date)
        if key is None:
            key = self._date_keys[booking_date] = booking_date.strftime("%Y%m%d")
        n = self._seq.get(key, 0) + 1
        self._seq[key] = n
        return f"ORD{key}{n:06d}"

    def _create(
        self,
        t0: float,
        channel: str,
        customer_id: str,
        call_id: str,
        agent_id: str,
        dist: Distributor | None,
        method: str,
    ) -> list[tuple[float, Order | OrderEvent]]:
        spec, rng = self.spec, self._rng
        route: Route = self._routes.draw(rng)
        pax = 1
        if spec.passengers_mean > 1:
            pax = min(MAX_PASSENGERS, 1 + _poisson(rng, spec.passengers_mean - 1))
        per_pax = route.base_fare
        if spec.fare_noise_cv > 0:
            sigma = math.sqrt(math.log1p(spec.fare_noise_cv**2))
            per_pax *= rng.lognormvariate(-sigma * sigma / 2, sigma)
        per_pax = max(FARE_ROUNDING, round(per_pax / FARE_ROUNDING) * FARE_ROUNDING)
        fare = float(per_pax * pax)
        taxes = round(spec.tax_per_passenger * pax, 2)

        booking_date = self._local_date(t0)
        horizon = self._horizon_days(MIN_HORIZON_DAYS.get(method, 1))
        flight_date = booking_date + timedelta(days=horizon)
        departure = self._at(
            flight_date, round(rng.uniform(*DEPARTURE_HOURS) * 12) * 300.0
        )  # 5-minute slots

        order = Order(
            order_id=self._next_order_id(booking_date),
            created_s=t0,
            customer_id=customer_id,
            channel=channel,
            distributor=dist.code if dist else "",
            call_id=call_id,
            agent_id=agent_id,
            origin=route.origin,
            destination=route.destination,
            flight_date=flight_date.isoformat(),
            passengers=pax,
            fare=fare,
            taxes=taxes,
            payment_method=method,
            currency=spec.currency,
        )
        events = self._lifecycle(order, departure, dist)
        events.sort(key=lambda pair: pair[0])  # stable; built in logical order already
        return [(t0, order), *events]

    def _horizon_days(self, minimum: int) -> int:
        spec, rng = self.spec, self._rng
        sigma = spec.booking_horizon_sigma
        mu = math.log(spec.booking_horizon_days_mean) - sigma * sigma / 2
        for _ in range(100):  # truncated lognormal for methods that need time to pay
            days = min(MAX_HORIZON_DAYS, max(1, round(rng.lognormvariate(mu, sigma))))
            if days >= minimum:
                return days
        return minimum

    # -- lifecycle -----------------------------------------------------------------------

    def _lifecycle(
        self, order: Order, departure: float, dist: Distributor | None
    ) -> list[tuple[float, OrderEvent]]:
        spec, rng = self.spec, self._rng
        oid, t0, method = order.order_id, order.created_s, order.payment_method
        total = round(order.fare + order.taxes, 2)
        pnr = "".join(rng.choices(PNR_ALPHABET, k=6))
        events: list[tuple[float, OrderEvent]] = [(t0, OrderEvent(oid, t0, "booked", 0.0, pnr))]

        def emit(t: float, kind: str, amount: float = 0.0, ref: str = "") -> None:
            events.append((t, OrderEvent(oid, t, kind, amount, ref)))

        # Payment expected before ticketing (online at once, bank transfer in 1-2 days).
        pay_t: float | None = None
        if method in INSTANT_METHODS:
            pay_t = t0 + _clip(rng.expovariate(1.0 / PAY_LAG_MEAN_S), PAY_LAG_RANGE_S)
        elif method == "bank_transfer":
            day = self._local_date(t0) + timedelta(days=rng.randint(*BANK_TRANSFER_DAYS))
            pay_t = self._during(day, BANK_HOURS)
        ready = pay_t if pay_t is not None else t0
        lag = rng.lognormvariate(math.log(TICKET_LAG_MEDIAN_S), TICKET_LAG_SIGMA)
        ticket_t = ready + _clip(lag, TICKET_LAG_RANGE_S)
        if ticket_t > departure - 3600.0:  # never ticket after departure (safety net)
            ticket_t = ready + max(60.0, (departure - 3600.0 - ready) / 2)

        def refund_lag() -> float:
            return _clip(rng.expovariate(1.0 / REFUND_LAG_MEAN_S), REFUND_LAG_RANGE_S)

        # Cancelled before ticketing, by the customer or because ticketing failed.
        cancel: tuple[float, str] | None = None
        if rng.random() < spec.p_cancel_before_ticketing:
            cancel_t = max(t0 + 1.0, rng.uniform(t0, ticket_t))
            paid_before = pay_t is not None and pay_t < cancel_t
            expected_before = pay_t is not None
            reason = "customer_request" if paid_before or not expected_before else "unpaid"
            cancel = (cancel_t, reason)
        elif rng.random() >= spec.p_ticketed:
            cancel = (ticket_t, "ticketing_failed")
        if cancel is not None:
            cancel_t, reason = cancel
            if pay_t is not None and pay_t < cancel_t:
                received = self._payment_amount(order, total, dist)
                emit(pay_t, "paid", received, self._payment_ref(method, pay_t))
                emit(cancel_t, "cancelled", 0.0, reason)
                emit(cancel_t + refund_lag(), "refunded", received, self._refund_ref(oid))
            else:
                emit(cancel_t, "cancelled", 0.0, reason)
            return events

        received = 0.0
        paid_t: float | None = None
        if pay_t is not None:
            received = self._payment_amount(order, total, dist)
            paid_t = pay_t
            emit(pay_t, "paid", received, self._payment_ref(method, pay_t))
        emit(ticket_t, "ticketed", 0.0, self._ticket_numbers(order.passengers))

        if method == "cash_on_delivery":
            day = self._local_date(ticket_t) + timedelta(days=rng.randint(*DELIVERY_DAYS))
            attempt_t = self._during(day, COURIER_HOURS)
            waybill = f"SF{rng.randrange(10**13):013d}"
            if rng.random() >= spec.p_delivery_cod:
                emit(attempt_t, "cancelled", 0.0, "delivery_failed")
                return events
            emit(attempt_t, "delivered", 0.0, waybill)
            received = self._payment_amount(order, total, dist)
            paid_t = attempt_t
            emit(attempt_t, "paid", received, waybill)
        elif method == "credit":
            assert dist is not None
            due = self._local_date(ticket_t) + timedelta(days=dist.payment_terms_days)
            if rng.random() < spec.p_late_payment:
                if rng.random() < spec.p_never_paid:
                    return events  # an open receivable, never settled
                late = rng.expovariate(1.0 / spec.late_payment_days_mean)
                pay_day = due + timedelta(days=1 + min(MAX_LATE_DAYS, int(late)))
            else:
                pay_day = due - timedelta(days=rng.randint(0, min(2, dist.payment_terms_days)))
            paid_t = self._during(pay_day, BANK_HOURS)
            if paid_t <= ticket_t:
                paid_t = ticket_t + rng.uniform(600.0, 3600.0)
            received = self._payment_amount(order, total, dist)
            emit(paid_t, "paid", received, f"STL-{dist.code}-{pay_day:%Y%m%d}")

        if paid_t is not None and rng.random() < spec.p_refund_after_ticketing:
            if rng.random() < spec.p_refund_after_departure:
                asked = min(rng.expovariate(1.0 / NO_SHOW_REQUEST_MEAN_S), NO_SHOW_REQUEST_MAX_S)
                request_t = departure + asked
            else:
                request_t = rng.uniform(ticket_t, departure)
            amount = round(received * (1.0 - spec.refund_fee_rate), 2)
            if amount > 0:
                refund_t = max(request_t, paid_t) + refund_lag()
                emit(refund_t, "refunded", amount, self._refund_ref(oid))
        return events

    def _payment_amount(self, order: Order, total: float, dist: Distributor | None) -> float:
        """``total``, or for a share ``p_amount_mismatch`` of payments a different amount."""
        rng = self._rng
        if rng.random() >= self.spec.p_amount_mismatch:
            return total
        kind = rng.random()
        if dist is not None and dist.commission_rate > 0 and kind < 0.5:
            amount = round(total - order.fare * dist.commission_rate, 2)  # commission netted
        elif kind < 0.8:
            amount = round(total - rng.uniform(1.0, max(1.0, min(200.0, 0.1 * total))), 2)
        else:
            amount = round(total + rng.uniform(1.0, 100.0), 2)  # over payment
        if amount <= 0 or abs(amount - total) < 0.01:
            amount = round(total + 1.0, 2)
        return amount

    def _payment_ref(self, method: str, t_s: float) -> str:
        rng = self._rng
        day = f"{self._local_date(t_s):%Y%m%d}"
        if method == "alipay":  # Alipay trade_no: date + 4 + 16 digits
            return f"{day}2200{rng.randrange(10**16):016d}"
        if method == "wechat":  # WeChat Pay transaction_id
            return f"42000{rng.randrange(10**5):05d}{day}{rng.randrange(10**10):010d}"
        if method == "card":  # UnionPay retrieval reference number
            return f"{rng.randrange(10**12):012d}"
        return f"BT{day}{rng.randrange(10**8):08d}"  # bank transfer serial

    @staticmethod
    def _refund_ref(order_id: str) -> str:
        return f"RF{order_id[3:]}"

    def _ticket_numbers(self, passengers: int) -> str:
        """One 13-digit e-ticket per passenger, consecutive serials of one airline."""
        airline: str = self._airlines.draw(self._rng)
        serial = self._ticket_serial.get(airline)
        if serial is None:
            serial = self._rng.randrange(1_000_000_000, 8_000_000_000)
        self._ticket_serial[airline] = serial + passengers
        return ";".join(f"{airline}{serial + i:010d}" for i in range(passengers))
