"""A course's price: an exact decimal amount in an ISO 4217 currency, in its minor units; pure.

Amounts are `Decimal`s, never floats, and carry no more decimal places than the currency's minor
unit (the `iso4217` package's exponent): JPY has none, EUR two, KWD three.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from iso4217 import Currency
from pydantic import ConfigDict, field_validator, model_validator

from lms.courses.errors import InvalidPriceRange
from lms.lazy_model import LazyModel

MAX_AMOUNT = Decimal("1000000")


def minor_units(currency: str) -> int | None:
    """Decimal places of the currency, or None when it is not an ISO 4217 currency one can pay in."""
    try:
        exponent = Currency(currency).exponent
    except ValueError:
        return None
    return exponent


class Price(LazyModel):
    """What a course costs; a course without one is free."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    amount: Decimal
    currency: str

    @field_validator("amount", mode="before")
    @classmethod
    def _exact(cls, value: object) -> object:
        if isinstance(value, float):
            raise ValueError('send the amount as a decimal string, e.g. "49.90"')
        try:
            return Decimal(str(value)) if isinstance(value, int | str) else value
        except InvalidOperation as exc:
            raise ValueError("not a decimal number") from exc

    @model_validator(mode="after")
    def _in_minor_units(self) -> Price:
        places = minor_units(self.currency)
        if places is None:
            raise ValueError(f"{self.currency!r} is not an ISO 4217 currency")
        if not self.amount.is_finite() or not 0 < self.amount <= MAX_AMOUNT:
            raise ValueError(f"the amount must be above 0 and at most {MAX_AMOUNT}")
        if self.amount != self.amount.quantize(Decimal(1).scaleb(-places)):
            raise ValueError(f"{self.currency} has {places} decimal places")
        return self

    def minor(self) -> int:
        """The amount in the currency's minor unit (cents, fils, yen)."""
        places = minor_units(self.currency) or 0
        return int(self.amount.scaleb(places))

    def text(self) -> str:
        """The amount with exactly the currency's decimal places, as the API answers it."""
        places = minor_units(self.currency) or 0
        return f"{self.amount:.{places}f}"


def amount_in_minor_units(amount: Decimal, currency: str) -> int | None:
    """An amount of the currency in its minor unit, or None when the currency or its precision is wrong."""
    places = minor_units(currency)
    if places is None or not amount.is_finite() or amount != amount.quantize(Decimal(1).scaleb(-places)):
        return None
    return int(amount.scaleb(places))


def price_bound(amount: Decimal | None, currency: str | None, field: str) -> int | None:
    """A catalog price bound in the currency's minor unit; a bound without a currency is refused."""
    if amount is None:
        return None
    minor = amount_in_minor_units(amount, currency) if currency else None
    if minor is None:
        raise InvalidPriceRange(
            "A price bound needs `currency` and no more decimal places than the currency has.", field=field
        )
    return minor
